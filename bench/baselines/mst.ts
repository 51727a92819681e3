import type { BenchCase } from '../harness/types';
import { buildPlainGridMap } from '../workload/sizes';

/*
 * mobx-state-tree 7: GridMap/Node/Agent models; Agent.name is a plain types.string (not an
 * identifier) and is found by name with findIndex, the same work as the other cases.
 * One op = the moveAgent action (detach + push), patches collected through onPatch, then
 * getSnapshot (the "version"). MST/mobx are loaded lazily in setup.
 */
function makeModels() {
  const mst = require('mobx-state-tree') as typeof import('mobx-state-tree');
  const { types, detach } = mst;
  const Agent = types.model('Agent', { name: types.string, speed: types.number });
  const Node = types.model('Node', {
    position: types.array(types.number), // [x, y]
    agents: types.array(Agent),
  });
  const GridMap = types
    .model('GridMap', { nodes: types.array(Node), width: types.number, height: types.number })
    .actions((self) => ({
      moveAgent(sourceIndex: number, agentName: string, targetIndex: number) {
        const src = self.nodes[sourceIndex].agents;
        const idx = src.findIndex((a) => a.name === agentName);
        const agent = detach(src[idx]);
        self.nodes[targetIndex].agents.push(agent);
      },
    }));
  return { mst, GridMap };
}

export const mstCase: BenchCase = {
  name: 'mst',
  description: 'mobx-state-tree 7 action moveAgent (detach + push), onPatch listener, getSnapshot per op.',
  limits(size) {
    if (size.entities > 20_000) {
      return {
        warmup: 200,
        timed: 500,
        memoryOps: 200,
        note: 'mst capped at 200 warm-up + 500 timed (+ 500 batch), 200 memory ops at this size (1-10 ms per op)',
      };
    }
    return undefined;
  },
  setup(size, moves) {
    const { mst, GridMap } = makeModels();
    const root = GridMap.create(buildPlainGridMap(size));
    // MST instantiates child nodes lazily, on first access. Materialise the whole tree now (counted
    // in "setup ms"), so per-op times and memory do not include first-touch instantiation.
    for (const n of root.nodes) for (const a of n.agents) void a.name;
    let patches: unknown[] = [];
    const disposer = mst.onPatch(root, (p) => patches.push(p));
    let snapshot = mst.getSnapshot(root);
    return {
      op(i) {
        const m = moves[i];
        patches = [];
        root.moveAgent(m.sourceIndex, m.agentName, m.targetIndex);
        snapshot = mst.getSnapshot(root);
      },
      retained: () => ({ snapshot, patches }),
      names: () => snapshot.nodes.map((n) => n.agents.map((a) => a.name)),
      teardown: () => disposer(),
    };
  },
};
