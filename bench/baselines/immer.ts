import type { BenchCase, CaseInstance, CaseLimits } from '../harness/types';
import type { Patch } from 'immer';
import { buildPlainGridMap, PlainGridMap, type Size } from '../workload/sizes';
import type { Move } from '../workload/moves';

/*
 * Immer plugins (enablePatches, enableArrayMethods) are process-global and cannot be disabled.
 * Isolation: bench/run.ts runs every (case, size) in its own child process, so the plain variant
 * never sees the array-methods plugin. As a second guard, this module refuses to set up the plain
 * variant in a process where enableArrayMethods() has already been called.
 * Immer is loaded lazily (require in setup) so that importing bench/cases.ts costs nothing.
 */
let arrayMethodsEnabled = false;

function immerSetup(withArrayMethods: boolean, state0: PlainGridMap, moves: readonly Move[]): CaseInstance {
  const immer = require('immer') as typeof import('immer');
  immer.enablePatches();
  if (withArrayMethods) {
    immer.enableArrayMethods();
    arrayMethodsEnabled = true;
  } else if (arrayMethodsEnabled) {
    throw new Error('immer (plain) set up after enableArrayMethods() in the same process: not isolated');
  }
  const { produceWithPatches } = immer;
  // autoFreeze stays at Immer's default (on). The first produce deep-freezes the untouched initial
  // tree once (a one-time cost that lands in warm-up / the first memory op).
  let state: PlainGridMap = state0;
  let patches: Patch[] = [];
  return {
    op(i) {
      const m = moves[i];
      [state, patches] = produceWithPatches(state, (draft) => {
        const src = draft.nodes[m.sourceIndex].agents;
        const idx = src.findIndex((a) => a.name === m.agentName);
        const [agent] = src.splice(idx, 1);
        draft.nodes[m.targetIndex].agents.push(agent);
      });
    },
    // A version = the new frozen state plus its patches.
    retained: () => ({ state, patches }),
    names: () => state.nodes.map((n) => n.agents.map((a) => a.name)),
  };
}

/** At 100,101 entities a retained Immer version is ~90 KB and a plain-Immer move ~2.5 ms: cap the memory run. */
function immerLimits(size: Size): CaseLimits | undefined {
  return size.entities > 20_000
    ? { memoryOps: 1000, note: 'immer cases: 1,000 memory ops at this size (~90 KB retained per version)' }
    : undefined;
}

export const immerCase: BenchCase = {
  name: 'immer',
  description: 'Immer 11 produceWithPatches (enablePatches), autoFreeze on, WITHOUT the array-methods plugin.',
  limits: immerLimits,
  setup: (size, moves) => immerSetup(false, buildPlainGridMap(size), moves),
};

export const immerArrayMethodsCase: BenchCase = {
  name: 'immer+arrayMethods',
  description: 'Immer 11 produceWithPatches (enablePatches + enableArrayMethods), autoFreeze on.',
  limits: immerLimits,
  setup: (size, moves) => immerSetup(true, buildPlainGridMap(size), moves),
};
