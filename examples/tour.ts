/**
 * The README's 30-line tour, runnable: `npx tsx examples/tour.ts`. Keep the two in sync
 * (test/examples/tour.test.ts runs this file).
 */
import { Entity, entity, CallableRegistry, EntityRegistry, events, get } from '../src';

@entity()
class Agent extends Entity {
  name = '';
  speed = 1;
}

@entity()
class GridNode extends Entity {
  position: [number, number] = [0, 0];
  agents: Agent[] = [];
}

@entity()
class GridMap extends Entity {
  nodes: GridNode[] = [];
  width = 0;
}

const moveAgent = CallableRegistry.register(
  'move_agent',
  ({
    gridmap,
    sourceIndex,
    agentName,
    targetIndex,
  }: {
    gridmap: GridMap;
    sourceIndex: number;
    agentName: string;
    targetIndex: number;
  }): GridMap => {
    const source = gridmap.nodes[sourceIndex];
    const [agent] = source.agents.splice(
      source.agents.findIndex((a) => a.name === agentName),
      1,
    );
    gridmap.nodes[targetIndex].agents.push(agent); // plain TypeScript: no framework calls
    return gridmap;
  },
);

const map = new GridMap({
  width: 2,
  nodes: [new GridNode({ agents: [new Agent({ name: 'ada' })] }), new GridNode({ position: [1, 0] })],
});
map.promoteToRoot(); // version 1 of its lineage

const sub = events.on('function.*', (e) => console.log(e.type, e.phase));
const v2 = moveAgent.execute({ gridmap: map, sourceIndex: 0, agentName: 'ada', targetIndex: 1 });

console.log(v2.nodes[1].agents[0].name); // 'ada' — v2 is a frozen stored version
console.log(v2.previousEcsId === map.ecsId); // true; exactly 4 entities forked
console.log(EntityRegistry.lineage(map.lineageId)); // [{ ecsId: v1 }, { ecsId: v2, parentEcsId: v1 }]
console.log(get(`@${map.ecsId}.nodes.0.agents`)); // [Agent 'ada'] — old versions stay readable
sub.unsubscribe();
