import type { BenchCase } from '../harness/types';
import { buildPlainGridMap } from '../workload/sizes';

/** The floor: the same move on plain mutable arrays, no versioning, no patches. */
export const plainMutableCase: BenchCase = {
  name: 'plain-mutable',
  description: 'Plain JS objects mutated in place (findIndex/splice/push); no versions, no patches. The floor.',
  setup(size, moves) {
    const state = buildPlainGridMap(size);
    return {
      op(i) {
        const m = moves[i];
        const src = state.nodes[m.sourceIndex].agents;
        const idx = src.findIndex((a) => a.name === m.agentName);
        const [agent] = src.splice(idx, 1);
        state.nodes[m.targetIndex].agents.push(agent);
      },
      names: () => state.nodes.map((n) => n.agents.map((a) => a.name)),
    };
  },
};
