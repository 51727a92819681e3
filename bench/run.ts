/**
 * Benchmark CLI (SPEC §10). `npm run bench` / `npx tsx bench/run.ts [options]`.
 *
 *   --quick              sizes up to 2,551 entities, 200 timed ops, 1,000 memory ops
 *   (default)            all sizes, 2,000 timed ops, 10,000 memory ops
 *                        warm-up: 10,000 ops or 3 s, whichever ends first (V8 is still tiering
 *                        up the hot path after 2,000 executes); the memory run warms up with
 *                        up to 2,000 ops, which it does not count
 *   --only a,b           run only these cases (names from bench/cases.ts)
 *   --sizes 10x10,50x50  run only these sizes
 *   --ref <case>         ratio reference (default: first framework case present, else immer+arrayMethods)
 *   --warmup N --ops N --memory-ops N   override the op counts (case caps still apply)
 *   --repeat N           run every (case, size) N times (fresh processes, interleaved rounds);
 *                        the table shows the run with the median median, and the medians' range
 *   --seed N             move-list seed
 *   --production         run the workers with NODE_ENV=production (Immer's production build,
 *                        no MST runtime type checks); default: the environment's NODE_ENV
 *   --json <file>        also write raw data (all samples) as JSON
 *   --out <file>         where to write the markdown (default bench/RESULTS.md, with --quick
 *                        bench/RESULTS.quick.md); --no-save to skip
 *
 * Every (case, size) runs in its own child process: `node --expose-gc --import tsx bench/run.ts
 * --worker <job>`. That gives gc() for the memory measurement, a fresh heap and JIT state per
 * measurement, and isolation of process-global state (Immer plugins are global and irreversible).
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cases } from './cases';
import type { BenchCase, CaseLimits } from './harness/types';
import { measureMemory, measureOps, hasGc, timerOverheadUs, MemoryResult, TimingResult } from './harness/measure';
import { ProgressLine, formatProgress } from './harness/progress';
import { fmtInt, fmtNum, renderTable } from './harness/table';
import { QUICK_SIZES, SIZES, Size, sizeByLabel } from './workload/sizes';
import { DEFAULT_SEED, digestNames, expectedNames, generateMoves, type Move } from './workload/moves';

// The repository root, whether this runs from bench/ (tsx) or compiled from dist/bench/.
const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const DEFAULT_REF = 'immer+arrayMethods';
/** The timing warm-up stops after this long even if it has not run all its ops. */
const WARMUP_BUDGET_MS = 3000;
/** Warm-up ops of the memory run (retained memory does not depend on JIT tiers). */
const MEMORY_WARMUP = 2000;
const PROGRESS_INTERVAL_MS = 250;
const memoryWarmup = (job: { warmup: number }): number => Math.min(job.warmup, MEMORY_WARMUP);

interface Options {
  quick: boolean;
  only: string[] | null;
  sizes: Size[];
  ref: string | null;
  warmup: number;
  timed: number;
  memoryOps: number;
  seed: number;
  production: boolean;
  repeat: number;
  json: string | null;
  out: string | null;
}

interface Job {
  caseName: string;
  size: Size;
  warmup: number;
  timed: number;
  batch: number;
  memoryOps: number;
  seed: number;
  capNote?: string;
}

interface JobResult {
  caseName: string;
  size: string;
  entities: number;
  setupMs: number;
  timerOverheadUs: number;
  timing: TimingResult;
  memory: MemoryResult | null;
  memoryNote?: string;
  verified: boolean | null;
  digest: string | null;
  /** How many retained versions were re-read and found unchanged after the memory run (null: not a state). */
  historyVerified?: number | null;
  capNote?: string;
  error?: string;
  /** 1-based round with --repeat. */
  run?: number;
}

type WorkerMsg =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; error: string };

// ---------------------------------------------------------------------------------------------
// CLI parsing

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: null,
    sizes: [],
    ref: null,
    warmup: -1,
    timed: -1,
    memoryOps: -1,
    seed: DEFAULT_SEED,
    production: false,
    repeat: 1,
    json: null,
    out: '',
  };
  let sizesArg: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = () => {
      const v = Number(val());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    switch (a) {
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = val()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--sizes':
        sizesArg = val()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--ref':
        o.ref = val();
        break;
      case '--warmup':
        o.warmup = num();
        break;
      case '--ops':
        o.timed = num();
        break;
      case '--memory-ops':
        o.memoryOps = num();
        break;
      case '--seed':
        o.seed = num();
        break;
      case '--production':
        o.production = true;
        break;
      case '--repeat':
        o.repeat = Math.max(1, num());
        break;
      case '--json':
        o.json = path.resolve(val());
        break;
      case '--out':
        o.out = path.resolve(val());
        break;
      case '--no-save':
        o.out = null;
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          fs
            .readFileSync(__filename, 'utf8')
            .split('*/')[0]
            .replace(/^\/\*\*?|^ \* ?/gm, '') + '\n',
        );
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option ${a} (try --help)`);
    }
  }
  // --quick writes its own file so a quick run never overwrites the full run's results.
  if (o.out === '') o.out = path.join(ROOT, 'bench', o.quick ? 'RESULTS.quick.md' : 'RESULTS.md');
  o.sizes = sizesArg ? sizesArg.map(sizeByLabel) : [...(o.quick ? QUICK_SIZES : SIZES)];
  // Warm-up 10,000 (or WARMUP_BUDGET_MS) for every case, also with --quick: with 50, Immer/MST
  // medians are still 2-3x above steady state, and the framework keeps speeding up for thousands of calls.
  if (o.warmup < 0) o.warmup = 10_000;
  if (o.timed < 0) o.timed = o.quick ? 200 : 2000;
  // The SPEC's measure: heap retained per version over 10,000 operations with every version kept.
  if (o.memoryOps < 0) o.memoryOps = o.quick ? 1000 : 10_000;
  if (o.only) {
    const unknown = o.only.filter((n) => !cases.some((c) => c.name === n));
    if (unknown.length)
      throw new Error(`unknown case(s) ${unknown.join(', ')} (known: ${cases.map((c) => c.name).join(', ')})`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Worker side: one (case, size) per process

function findCase(name: string): BenchCase {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`unknown case '${name}'`);
  return c;
}

async function runWorker(job: Job): Promise<JobResult> {
  const send = (m: WorkerMsg) => process.send?.(m);
  // Progress is throttled in time: a message every 64 ops (~1,500 a second for a 10 µs op) made
  // this process and the parent's progress line compete with the measured ops for the 2 cores.
  let lastProgress = 0;
  const progress = (phase: string, done: number, total: number) => {
    const now = performance.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
    lastProgress = now;
    send({ type: 'progress', phase, done, total });
  };
  const c = findCase(job.caseName);
  const count = Math.max(job.warmup + job.timed + job.batch, job.warmup + job.memoryOps);
  const overhead = timerOverheadUs();
  const moves = generateMoves(job.size, job.seed, count);

  const t0 = process.hrtime.bigint();
  const inst = await c.setup(job.size, moves, { phase: 'timing' });
  const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const timing = measureOps((i) => inst.op(i), {
    warmup: job.warmup,
    warmupBudgetMs: WARMUP_BUDGET_MS,
    timed: job.timed,
    batch: job.batch,
    onProgress: progress,
  });

  let verified: boolean | null = null;
  let digest: string | null = null;
  if (inst.names) {
    const got = digestNames(inst.names());
    const done = timing.warmup + job.timed + job.batch;
    const want = digestNames(expectedNames(job.size, moves, done));
    digest = got;
    verified = got === want;
    if (!verified)
      throw new Error(
        `state after ${done} ops differs from the reference simulation (digest ${got}, expected ${want})`,
      );
  }
  inst.teardown?.();

  let memory: MemoryResult | null = null;
  let memoryNote: string | undefined;
  let historyVerified: number | null = null;
  if (!inst.retained) {
    memoryNote = 'no versions';
  } else if (job.memoryOps === 0) {
    memoryNote = 'skipped';
  } else if (!hasGc()) {
    memoryNote = 'needs --expose-gc';
  } else {
    const fresh = await c.setup(job.size, moves, { phase: 'memory' });
    memory = measureMemory(
      (i) => fresh.op(i),
      () => fresh.retained!(),
      {
        ops: job.memoryOps,
        warmup: memoryWarmup(job),
        onProgress: progress,
        afterwards: (kept) => {
          historyVerified = verifyHistory(job, moves, kept);
        },
      },
    );
    fresh.teardown?.();
  }

  return {
    caseName: c.name,
    size: job.size.label,
    entities: job.size.entities,
    setupMs,
    timerOverheadUs: overhead,
    timing,
    memory,
    memoryNote,
    verified,
    digest,
    capNote: job.capNote,
    historyVerified,
  };
}

/**
 * After the memory run: every retained version must still read exactly as it did when it was
 * created, i.e. as the plain simulation after that many moves. Checks up to 40 versions spread
 * over the run (first and last included); throws on the first difference.
 */
function verifyHistory(job: Job, moves: readonly Move[], kept: readonly unknown[]): number | null {
  const read = (v: unknown): string[][] | null => {
    const nodes = (v as { nodes?: unknown })?.nodes;
    if (!Array.isArray(nodes)) return null; // not a state (e.g. patches only)
    return nodes.map((n: { agents: { name: string }[] }) => n.agents.map((a) => a.name));
  };
  const picks = new Set<number>([0, kept.length - 1]);
  for (let k = 1; k < 39; k++) picks.add(Math.floor((k * kept.length) / 39));
  let checked = 0;
  for (const j of [...picks].sort((a, b) => a - b)) {
    const got = read(kept[j]);
    if (got === null) return null;
    const want = expectedNames(job.size, moves, memoryWarmup(job) + j + 1);
    if (digestNames(got) !== digestNames(want)) {
      throw new Error(
        `${job.caseName} @ ${job.size.label}: retained version ${j} no longer reads as it did when it was created`,
      );
    }
    checked++;
  }
  return checked;
}

// ---------------------------------------------------------------------------------------------
// Parent side

function workerExecArgv(): string[] {
  // tsx 4 registers itself with `node --import tsx` (Node >= 20.6; our engines say >= 20).
  // Resolve the loader to an absolute URL so this works from any cwd.
  const loader = require.resolve('tsx');
  // --no-flush-bytecode: V8 otherwise drops bytecode of idle functions during the full GCs of the
  // memory measurement, which shrinks heapUsed and hides part of what the versions retain.
  return ['--expose-gc', '--no-flush-bytecode', '--import', 'file://' + loader];
}

function runJob(
  job: Job,
  opts: Options,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<JobResult> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (opts.production) env.NODE_ENV = 'production';
    const child = fork(__filename, ['--worker', JSON.stringify(job)], {
      cwd: ROOT,
      env,
      execArgv: workerExecArgv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: JobResult | null = null;
    let error: string | null = null;
    child.on('message', (m: WorkerMsg) => {
      if (m.type === 'progress') onProgress(m.phase, m.done, m.total);
      else if (m.type === 'result') result = m.result;
      else if (m.type === 'error') error = m.error;
    });
    child.on('exit', (code, signal) => {
      if (result) return resolve(result);
      resolve({
        caseName: job.caseName,
        size: job.size.label,
        entities: job.size.entities,
        setupMs: NaN,
        timerOverheadUs: NaN,
        timing: {
          ops: 0,
          warmup: 0,
          batchOps: 0,
          batchUsPerOp: NaN,
          medianUs: NaN,
          p90Us: NaN,
          meanUs: NaN,
          minUs: NaN,
          maxUs: NaN,
          samplesUs: [],
        },
        memory: null,
        verified: null,
        digest: null,
        error: error ?? `worker exited with ${signal ?? code}`,
      });
    });
  });
}

function pickReference(opts: Options, selected: BenchCase[]): string | null {
  if (opts.ref) return opts.ref;
  const fw = selected.find((c) => c.framework);
  if (fw) return fw.name;
  return selected.some((c) => c.name === DEFAULT_REF) ? DEFAULT_REF : null;
}

function commandLine(): string {
  const args = process.argv
    .slice(2)
    .map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a))
    .join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ' -- ' + args : ''}`;
  // Compiled (dist/bench/run.js) it runs on node; from source, through tsx.
  const runner = __filename.endsWith('.js') ? 'node' : 'npx tsx';
  return `${runner} ${path.relative(process.cwd(), __filename) || 'bench/run.ts'}${args ? ' ' + args : ''}`;
}

function renderReport(
  opts: Options,
  selected: BenchCase[],
  results: JobResult[],
  ref: string | null,
  wallS: number,
): string {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`- Date: ${new Date().toISOString()}`);
  out.push(
    `- Node: ${process.version} (${process.platform} ${process.arch}), NODE_ENV=${opts.production ? 'production' : (process.env.NODE_ENV ?? '(unset)')}`,
  );
  out.push(`- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores`);
  out.push(`- Command: \`${commandLine()}\``);
  out.push(
    `- Ops per case and size: up to ${opts.warmup} warm-up (fewer if they take over ${WARMUP_BUDGET_MS / 1000} s: column "warm-up"), ${opts.timed} timed one by one, ${opts.timed} batch, ${opts.memoryOps} for memory after ${memoryWarmup(opts)} uncounted (unless capped below); seed ${opts.seed}; wall time ${wallS.toFixed(1)} s`,
  );
  out.push(
    `- One op = move one agent (findIndex by name in the source node, splice, push onto the target node) on the latest state; the same deterministic move list for every case.`,
  );
  out.push(`- ratio = median / median of \`${ref ?? '(none)'}\` at the same size (lower is faster).`);
  out.push(
    `- bytes/op retained = on a fresh instance, after the warm-up ops: heap growth per op with every version kept alive (gc before and after); — = the case keeps no versions.`,
  );
  const overheads = results
    .map((r) => r.timerOverheadUs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (overheads.length)
    out.push(
      `- Timer overhead (two hrtime.bigint() calls, median over workers): ${overheads[overheads.length >> 1].toFixed(2)} µs, included in median/p90/mean; not in batch µs/op.`,
    );
  out.push('- batch µs/op = another `ops` ops run back to back in one timed span (throughput, GC amortised in).');
  const histories = results.filter((r) => typeof r.historyVerified === 'number');
  if (histories.length) {
    out.push(
      `- History check: after each memory run, up to 40 retained versions spread over the run were read again and compared with the plain simulation after that many moves: ${histories.length} (case, size) runs, ${histories.reduce((n, r) => n + (r.historyVerified ?? 0), 0)} versions, all unchanged (a difference fails the run).`,
    );
  }
  out.push('');
  const multi = opts.repeat > 1;
  if (multi)
    out.push(
      `- Each case and size ran ${opts.repeat} times in fresh processes (interleaved); each row is the run with the median median; "median range" = min–max of the ${opts.repeat} medians.`,
      '',
    );
  const headers = [
    'case',
    'median µs',
    ...(multi ? ['median range'] : []),
    'p90 µs',
    'mean µs',
    'batch µs/op',
    'warm-up',
    'ops',
    'bytes/op retained',
    'setup ms',
    'ratio',
  ];
  const align = headers.map((_, i) => (i === 0 ? 'left' : 'right') as 'left' | 'right');
  for (const size of opts.sizes) {
    const rows: (JobResult & { range?: string })[] = [];
    for (const c of selected) {
      const runs = results.filter((r) => r.size === size.label && r.caseName === c.name);
      if (!runs.length) continue;
      const failed = runs.find((r) => r.error);
      if (failed) {
        rows.push(failed);
        continue;
      }
      const sorted = [...runs].sort((a, b) => a.timing.medianUs - b.timing.medianUs);
      const mid = sorted[(sorted.length - 1) >> 1];
      rows.push({
        ...mid,
        range: `${fmtNum(sorted[0].timing.medianUs, 1)}–${fmtNum(sorted[sorted.length - 1].timing.medianUs, 1)}`,
      });
    }
    if (!rows.length) continue;
    const refRow = rows.find((r) => r.caseName === ref && !r.error);
    out.push(
      `## ${size.label}: ${size.nodes} nodes × ${size.agentsPerNode} agents = ${size.entities.toLocaleString('en-US')} entities`,
      '',
    );
    const notes: string[] = [];
    const body = rows.map((r) => {
      if (r.error) {
        notes.push(`${r.caseName}: FAILED: ${r.error.split('\n')[0]}`);
        return [r.caseName, 'FAILED', ...headers.slice(2).map(() => '')];
      }
      const mark = r.capNote ? ' *' : '';
      if (r.capNote && !notes.includes(`\\* ${r.capNote}`)) notes.push(`\\* ${r.capNote}`);
      const ratio = refRow ? `${(r.timing.medianUs / refRow.timing.medianUs).toFixed(2)}×` : '—';
      return [
        r.caseName + mark,
        fmtNum(r.timing.medianUs, 1),
        ...(multi ? [r.range ?? ''] : []),
        fmtNum(r.timing.p90Us, 1),
        fmtNum(r.timing.meanUs, 1),
        fmtNum(r.timing.batchUsPerOp, 1),
        fmtInt(r.timing.warmup),
        fmtInt(r.timing.ops),
        r.memory ? fmtInt(r.memory.bytesPerOp) : r.memoryNote === 'no versions' ? '—' : `— (${r.memoryNote ?? 'n/a'})`,
        fmtNum(r.setupMs, 1),
        ratio,
      ];
    });
    out.push(renderTable(headers, body, align));
    if (notes.length) out.push('', ...notes.map((n) => `${n}  `));
    out.push('');
  }
  out.push('## Cases', '');
  for (const c of selected) out.push(`- \`${c.name}\`${c.framework ? ' (framework)' : ''}: ${c.description}`);
  out.push('');
  return out.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const w = argv.indexOf('--worker');
  if (w >= 0) {
    try {
      const result = await runWorker(JSON.parse(argv[w + 1]) as Job);
      process.send?.({ type: 'result', result } satisfies WorkerMsg);
    } catch (e) {
      process.send?.({
        type: 'error',
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      } satisfies WorkerMsg);
      process.exitCode = 1;
    }
    // Let the IPC channel flush, then exit (a case may leave timers or subscriptions behind).
    process.disconnect?.();
    return;
  }

  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  // The PostgreSQL case needs the server: left out, saying so, where it does not answer.
  const services = require(path.join(ROOT, 'test/support/services.js')) as { missingServices(): { name: string }[] };
  const noPostgres = services.missingServices().some((s) => s.name === 'PostgreSQL');
  if (noPostgres) process.stderr.write('bench: PostgreSQL not reachable ($DATABASE_URL): execute+postgres left out\n');
  const selected = cases.filter(
    (c) => (!opts.only || opts.only.includes(c.name)) && !(noPostgres && c.name.endsWith('+postgres')),
  );
  const ref = pickReference(opts, selected);
  const oneRound: Job[] = [];
  for (const size of opts.sizes) {
    for (const c of selected) {
      const lim: CaseLimits = c.limits?.(size) ?? {};
      const warmup = Math.min(opts.warmup, lim.warmup ?? Infinity);
      const timed = Math.min(opts.timed, lim.timed ?? Infinity);
      const memoryOps = Math.min(opts.memoryOps, lim.memoryOps ?? Infinity);
      const capped = warmup < opts.warmup || timed < opts.timed || memoryOps < opts.memoryOps;
      oneRound.push({
        caseName: c.name,
        size,
        warmup,
        timed,
        batch: timed,
        memoryOps,
        seed: opts.seed,
        capNote: capped
          ? (lim.note ?? `${c.name} capped at ${warmup} warm-up + ${timed} timed, ${memoryOps} memory ops`)
          : undefined,
      });
    }
  }

  const jobs: (Job & { run: number })[] = [];
  for (let run = 1; run <= opts.repeat; run++) for (const j of oneRound) jobs.push({ ...j, run });

  const progress = new ProgressLine();
  const results: JobResult[] = [];
  const start = Date.now();
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j];
    const show = (phase: string, done: number, total: number, force = false) =>
      progress.update(
        formatProgress({
          size: job.size.label,
          caseName: job.caseName,
          phase,
          done,
          total,
          job: j + 1,
          jobs: jobs.length,
        }),
        force,
      );
    show('setup', 0, job.warmup + job.timed, true);
    const r = await runJob(job, opts, (phase, done, total) => show(phase, done, total));
    results.push({ ...r, run: job.run });
    if (r.error) {
      progress.done();
      process.stderr.write(`bench: ${job.caseName} @ ${job.size.label} failed:\n${r.error}\n`);
    }
  }
  progress.done();
  const wallS = (Date.now() - start) / 1000;

  const report = renderReport(opts, selected, results, ref, wallS);
  process.stdout.write(report);
  if (opts.out) {
    fs.writeFileSync(opts.out, report);
    process.stderr.write(`bench: wrote ${path.relative(process.cwd(), opts.out)} (${wallS.toFixed(1)} s)\n`);
  }
  if (opts.json) {
    const raw = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      command: commandLine(),
      options: { ...opts, sizes: opts.sizes.map((s) => s.label) },
      reference: ref,
      results,
    };
    fs.writeFileSync(opts.json, JSON.stringify(raw, null, 1));
    process.stderr.write(`bench: wrote ${path.relative(process.cwd(), opts.json)}\n`);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
