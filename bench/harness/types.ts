import type { Size } from '../workload/sizes';
import type { Move } from '../workload/moves';

/** What a case's setup returns: one live instance of the workload in that implementation. */
export interface CaseInstance {
  /**
   * Perform operation i = apply moves[i] to the latest state. Called with i = 0, 1, 2, ... in order
   * (warm-up ops included), so moves[i] is always valid for the current state. Timed individually.
   */
  op(i: number): void;
  /**
   * The version produced by the last op (whatever the implementation keeps per version: state,
   * snapshot, patches...). If present, memory is measured: a fresh instance runs K ops and the
   * harness retains every value returned here; bytes per op = heap growth / K.
   * Omit for cases that produce no versions (e.g. the mutable floor).
   */
  retained?(): unknown;
  /**
   * Agent names per node of the latest state, in order. If present, the harness checks them
   * against the plain-array simulation after the timed ops (column "ok" in the JSON; a mismatch fails the run).
   */
  names?(): string[][];
  /** Release anything global (subscriptions, registries). Called once after the instance is done. */
  teardown?(): void;
}

export interface SetupContext {
  /** 'timing' for the timed run, 'memory' for the retained-memory run (a separate fresh instance). */
  phase: 'timing' | 'memory';
}

/** Per-size caps on the operation counts (for slow cases at large sizes). */
export interface CaseLimits {
  warmup?: number;
  timed?: number;
  memoryOps?: number;
  /** Shown under the table when the caps apply. */
  note?: string;
}

export interface BenchCase {
  /** Unique, CLI-friendly (used by --only and --ref), e.g. 'immer+arrayMethods'. */
  name: string;
  /** One line for README / table footnotes. */
  description: string;
  /** True for the framework's own cases; the first one present is the default ratio reference. */
  framework?: boolean;
  /** Optional caps per size (return undefined for no caps). */
  limits?(size: Size): CaseLimits | undefined;
  /**
   * Build the initial state for `size` (not timed per op; its wall time is reported as "setup ms").
   * `moves` is the full deterministic move list for this run. Import heavy or global-state modules
   * lazily here (each case runs in its own child process, so global plugins never leak between cases).
   */
  setup(size: Size, moves: readonly Move[], ctx: SetupContext): CaseInstance | Promise<CaseInstance>;
}
