/** Tiny measurement library: warm-up + individually timed single operations, retained-memory runs. */

export interface Stats {
  /** Timed operations. */
  ops: number;
  medianUs: number;
  p90Us: number;
  meanUs: number;
  minUs: number;
  maxUs: number;
}

export interface TimingResult extends Stats {
  warmup: number;
  /** Ops run back to back inside one hrtime span after the timed ops (0 = not measured). */
  batchOps: number;
  /** Wall time per op of that batch: throughput without per-op timer overhead, GC amortised in. */
  batchUsPerOp: number;
  /** Every timed op in µs, in execution order (raw data for --json). */
  samplesUs: number[];
}

export type Progress = (phase: string, done: number, total: number) => void;

const PROGRESS_EVERY = 64;

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samplesNs: Float64Array): Stats {
  const sorted = Float64Array.from(samplesNs).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    ops: sorted.length,
    medianUs: quantile(sorted, 0.5) / 1e3,
    p90Us: quantile(sorted, 0.9) / 1e3,
    meanUs: sorted.length ? sum / sorted.length / 1e3 : NaN,
    minUs: sorted.length ? sorted[0] / 1e3 : NaN,
    maxUs: sorted.length ? sorted[sorted.length - 1] / 1e3 : NaN,
  };
}

/**
 * Run op(0..w-1) untimed, then op(w..w+timed-1) each timed on its own with process.hrtime.bigint().
 * Ops are consecutive: op i must continue from op i-1's state. The warm-up runs `warmup` ops, or
 * stops early once `warmupBudgetMs` have passed (slow cases at large sizes); `w` is reported.
 */
export function measureOps(
  op: (i: number) => void,
  opts: { warmup: number; warmupBudgetMs?: number; timed: number; batch?: number; onProgress?: Progress },
): TimingResult {
  const { timed, onProgress } = opts;
  const batch = opts.batch ?? 0;
  const deadline = opts.warmupBudgetMs === undefined ? Infinity : performance.now() + opts.warmupBudgetMs;
  let warmup = 0;
  while (warmup < opts.warmup) {
    op(warmup++);
    if (warmup % PROGRESS_EVERY === 0) {
      onProgress?.('warm-up', warmup, opts.warmup);
      if (performance.now() > deadline) break;
    }
  }
  const samples = new Float64Array(timed);
  for (let j = 0; j < timed; j++) {
    const i = warmup + j;
    const t0 = process.hrtime.bigint();
    op(i);
    const t1 = process.hrtime.bigint();
    samples[j] = Number(t1 - t0);
    if (onProgress && (j + 1) % PROGRESS_EVERY === 0) onProgress('timed', j + 1, timed);
  }
  onProgress?.('timed', timed, timed);
  // Batch: ops warmup+timed .. warmup+timed+batch-1 in one span (no progress calls inside).
  let batchUsPerOp = NaN;
  if (batch > 0) {
    const first = warmup + timed;
    const end = first + batch;
    const t0 = process.hrtime.bigint();
    for (let i = first; i < end; i++) op(i);
    batchUsPerOp = Number(process.hrtime.bigint() - t0) / 1e3 / batch;
    onProgress?.('batch', batch, batch);
  }
  return {
    ...summarize(samples),
    warmup,
    batchOps: batch,
    batchUsPerOp,
    samplesUs: Array.from(samples, (ns) => ns / 1e3),
  };
}

/**
 * Median cost in µs of an empty timed region (two process.hrtime.bigint() calls). Included in
 * every per-op sample; on some VMs the clock is a syscall and this is ~0.5 µs.
 */
export function timerOverheadUs(samples = 20001): number {
  const s = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    s[i] = Number(t1 - t0);
  }
  return summarize(s).medianUs;
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

function fullGc(): void {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  // Several passes: weak refs / finalizers can free more on the second and third pass.
  gc();
  gc();
  gc();
}

export interface MemoryResult {
  ops: number;
  heapBefore: number;
  heapAfter: number;
  /** (heapAfter - heapBefore) / ops: heap that one more retained version costs. */
  bytesPerOp: number;
}

/**
 * Run `warmup` ops (not retained), then: gc, heapUsed, run `ops` more ops keeping every
 * retained() value alive, gc, heapUsed.
 * Returns null when global.gc is missing (run node with --expose-gc; bench/run.ts does it for you).
 * The instance should be fresh (its initial state is already in `heapBefore`).
 */
export function measureMemory(
  op: (i: number) => void,
  retained: () => unknown,
  opts: { ops: number; warmup?: number; onProgress?: Progress; afterwards?: (kept: readonly unknown[]) => void },
): MemoryResult | null {
  if (!hasGc()) return null;
  const { ops, onProgress } = opts;
  const warmup = opts.warmup ?? 0;
  // Unretained warm-up ops first: one-time costs (Immer's first deep freeze, lazily built
  // nodes/caches, JIT) must not be counted as the cost of a version.
  for (let i = 0; i < warmup; i++) op(i);
  const keep: unknown[] = new Array(ops); // preallocated, so the array's own growth is not counted
  for (let j = 0; j < ops; j++) keep[j] = undefined;
  fullGc();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let j = 0; j < ops; j++) {
    op(warmup + j);
    keep[j] = retained();
    if (onProgress && (j + 1) % PROGRESS_EVERY === 0) onProgress('memory', j + 1, ops);
  }
  fullGc();
  const heapAfter = process.memoryUsage().heapUsed;
  onProgress?.('memory', ops, ops);
  if (keep.length !== ops) throw new Error('unreachable'); // keeps `keep` alive until after the measurement
  opts.afterwards?.(keep);
  return { ops, heapBefore, heapAfter, bytesPerOp: (heapAfter - heapBefore) / ops };
}
