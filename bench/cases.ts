/**
 * Registered benchmark cases. The harness (bench/run.ts) runs each (case, size) pair in its own
 * child process, in the order listed here (the first `framework: true` case is the default
 * ratio reference). To add a case: write a BenchCase (see harness/types.ts) and append it.
 */
import type { BenchCase } from './harness/types';
import { plainMutableCase } from './baselines/plain';
import { immerCase, immerArrayMethodsCase } from './baselines/immer';
import { mstCase } from './baselines/mst';
import { frameworkCases } from './framework/cases';

export const cases: BenchCase[] = [...frameworkCases, plainMutableCase, immerArrayMethodsCase, immerCase, mstCase];

export type { BenchCase, CaseInstance, SetupContext, CaseLimits } from './harness/types';
