/**
 * The reference workload of SPEC §10 (from the Python original's stress test): a grid map of
 * nodes, each holding agents. Shared by the demo, the examples and the benchmark.
 */
import { Entity, entity } from '../../src';

@entity()
export class Agent extends Entity {
  name = '';
  speed = 1;
}

@entity()
export class GridNode extends Entity {
  position: [number, number] = [0, 0];
  agents: Agent[] = [];
}

@entity()
export class GridMap extends Entity {
  nodes: GridNode[] = [];
  width = 0;
  height = 0;
}

/** Arguments of `move_agent`. */
export interface MoveAgentArgs {
  gridmap: GridMap;
  sourceIndex: number;
  agentName: string;
  targetIndex: number;
}

/** Moves one agent, found by name, from one node to another. Plain TypeScript: no framework calls. */
export function moveAgent({ gridmap, sourceIndex, agentName, targetIndex }: MoveAgentArgs): GridMap {
  const source = gridmap.nodes[sourceIndex];
  const index = source.agents.findIndex((a) => a.name === agentName);
  if (index < 0) throw new Error(`no agent '${agentName}' at node ${sourceIndex}`);
  const [agent] = source.agents.splice(index, 1);
  gridmap.nodes[targetIndex].agents.push(agent);
  return gridmap;
}

/** A grid of `nodes` nodes with `agentsPerNode` agents each, named `agent-<node>-<k>`. */
export function buildGridMap(nodes: number, agentsPerNode: number): GridMap {
  const width = Math.ceil(Math.sqrt(nodes));
  return new GridMap({
    width,
    height: Math.ceil(nodes / width),
    nodes: Array.from(
      { length: nodes },
      (_, i) =>
        new GridNode({
          position: [i % width, Math.floor(i / width)],
          agents: Array.from(
            { length: agentsPerNode },
            (_, k) => new Agent({ name: `agent-${i}-${k}`, speed: 1 + (k % 5) }),
          ),
        }),
    ),
  });
}
