/**
 * Durable-history figures (SPEC §12, issue 14): `npm run bench:durable` (also the last step of
 * `npm run bench`). For each size, side by side in one process, alternating rounds:
 *
 * After one uncounted warm-up run of each kind:
 * - sustained throughput: `moves` executes back to back and a final `flush()`, with the SQLite
 *   store (relaxed: the writer thread) and without one; main-thread time per move and end to end;
 * - disk per move: the store file after `close()` (which checkpoints the WAL), minus the file
 *   after the first version alone, divided by the moves;
 * - reopen: a new registry over the file (it reads nothing yet: versions load on demand), heap
 *   after it (after gc, above the heap before), and the latest tree read (`getStoredTree`: its rows
 *   are read and built) right after the reopen, and again (from memory).
 *
 * Usage: node --expose-gc dist/bench/durable.js [--sizes 10x10,100x1000] [--rounds 3] [--out file]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generateMoves, DEFAULT_SEED, type Move } from './workload/moves';
import { sizeByLabel, type Size } from './workload/sizes';
import { databaseUrl, dropSchemas } from '../test/support/postgres';

type Framework = typeof import('../src');
type Model = typeof import('../examples/gridmap/model');
type GridMap = import('../examples/gridmap/model').GridMap;

const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
require('../examples/generated/abstractions.generated'); // generated metadata, as a user's build has it
const fw = require('../src') as Framework;
const model = require('../examples/gridmap/model') as Model;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const MOVES: Record<string, number> = { '10x10': 10_000, '100x1000': 500 };
if (process.env.BENCH_MOVES) for (const k of Object.keys(MOVES)) MOVES[k] = Number(process.env.BENCH_MOVES);

function args(): { sizes: Size[]; rounds: number; out: string | null } {
  const argv = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  return {
    sizes: (value('--sizes') ?? '10x10,100x1000').split(',').map(sizeByLabel),
    rounds: Number(value('--rounds') ?? 3),
    out: value('--out') ?? path.join(ROOT, 'bench', 'RESULTS.durable.md'),
  };
}

interface Run {
  mainUsPerMove: number;
  endToEndUsPerMove: number;
  diskBytesPerMove: number;
  reopenMs: number;
  reopenHeapMB: number;
  treeHeapMB: number;
  latestColdMs: number;
  latestWarmMs: number;
}

const fileSize = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const sizeOnDisk = (file: string): number => fileSize(file) + fileSize(`${file}-wal`);

type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** PostgreSQL ($DATABASE_URL, default the local server): each run in a schema of its own, dropped after. */
const PG_URL = databaseUrl();
let schemas = 0;

async function run(size: Size, moves: readonly Move[], store: StoreKind, reopen: boolean): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-durable-'));
  const file = path.join(dir, 'bench.db');
  const schema = `abs_bench_${process.pid}_${++schemas}`;
  const open = () => (store === 'sqlite' ? fw.sqliteStore(file) : fw.postgresStore(PG_URL, { schema }));
  try {
    const bus = new fw.EventBus(); // one per world, as in bench/framework/cases.ts
    const entities = new fw.EntityRegistry({ bus, store: store === 'memory' ? undefined : open() });
    const calls = new fw.CallableRegistry({ entities, events: bus });
    calls.register('move_agent', model.moveAgent);
    let g = entities.promoteToRoot(model.buildGridMap(size.nodes, size.agentsPerNode)).root as unknown as GridMap;
    await entities.flush();
    const lineageId = g.lineageId;
    const t0 = performance.now();
    for (const m of moves) g = calls.execute('move_agent', { gridmap: g, ...m });
    const t1 = performance.now();
    await entities.flush();
    const t2 = performance.now();
    await entities.close();
    const result: Run = {
      mainUsPerMove: ((t1 - t0) * 1000) / moves.length,
      endToEndUsPerMove: ((t2 - t0) * 1000) / moves.length,
      diskBytesPerMove: NaN,
      reopenMs: NaN,
      reopenHeapMB: NaN,
      treeHeapMB: NaN,
      latestColdMs: NaN,
      latestWarmMs: NaN,
    };
    if (store === 'memory' || !reopen) return result;
    if (store === 'sqlite') {
      // disk per move: against a store holding the first version alone
      const first = path.join(dir, 'first.db');
      const one = new fw.EntityRegistry({ store: fw.sqliteStore(first) });
      one.promoteToRoot(model.buildGridMap(size.nodes, size.agentsPerNode));
      await one.close();
      result.diskBytesPerMove = (sizeOnDisk(file) - sizeOnDisk(first)) / moves.length;
    }

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const r0 = performance.now();
    const again = new fw.EntityRegistry({ store: open() });
    const r1 = performance.now();
    gc();
    result.reopenHeapMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const versions = again.lineage(lineageId);
    const latest = versions[versions.length - 1].ecsId;
    const c0 = performance.now();
    again.getStoredTree(latest);
    const c1 = performance.now();
    again.getStoredTree(latest);
    const c2 = performance.now();
    gc();
    result.reopenMs = r1 - r0;
    result.treeHeapMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    result.latestColdMs = c1 - c0;
    result.latestWarmMs = c2 - c1;
    await again.close();
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    if (store === 'postgres') await dropSchemas([schema]);
  }
}

/** Whether the PostgreSQL server answers (its column is left out, saying so, when not). */
function postgresAnswers(): boolean {
  const services = require(path.join(ROOT, 'test/support/services.js')) as {
    missingServices(): { name: string }[];
  };
  return !services.missingServices().some((s) => s.name === 'PostgreSQL');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const f1 = (x: number): string => (Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));

async function main(): Promise<void> {
  const { sizes, rounds, out } = args();
  const kinds: StoreKind[] = postgresAnswers() ? ['memory', 'sqlite', 'postgres'] : ['memory', 'sqlite'];
  if (!kinds.includes('postgres')) process.stderr.write(`PostgreSQL not reachable (${PG_URL}): no postgres rows\n`);
  const lines = [
    '# Durable history: benchmark results',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; load ${os.loadavg()[0].toFixed(1)}`,
    `- Command: \`npm run bench:durable\` (${rounds} rounds per size, ${kinds.join(', ')} alternating; medians)`,
    '- postgres: the shared store (SPEC §13) on the local server, batched by its writer thread; one process; reads and the reopen go through the writer thread to the server.',
    '- One op = one move of SPEC §10 (`execute(move_agent)`); relaxed durability (writer thread, batches of 100 items or 1 ms).',
    '- main µs/move: the executes alone; end to end: until `flush()` resolved (every row written and fsynced).',
    '- disk/move: file size after `close()` minus a store holding only the first version, per move.',
    '- disk/move and reopen: measured in the last round. Reopen = `new EntityRegistry({ store })` over the file (versions load on demand: nothing is read yet); heap = after gc, above the heap before, right after the open and after the latest tree was read; latest tree = `getStoredTree` of the latest version right after the reopen (cold: read from its rows) and again (warm).',
    '',
    '| size | store | moves | main µs/move | end to end µs/move | moves/s | disk/move | reopen ms | heap after reopen MB | latest tree cold ms | warm ms | heap with the tree MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const size of sizes) {
    const count = MOVES[size.label] ?? 2_000;
    const moves = generateMoves(size, DEFAULT_SEED, count);
    const results: Record<StoreKind, Run[]> = { memory: [], sqlite: [], postgres: [] };
    // Warm-up (not counted): V8 is still tiering up the execute path for the first thousands of moves.
    for (const store of kinds) await run(size, moves, store, false);
    for (let r = 0; r < rounds; r++) {
      for (const store of kinds) {
        // Disk and reopen in the last round only.
        results[store].push(await run(size, moves, store, r === rounds - 1));
        process.stderr.write(`${size.label} ${store} round ${r + 1}/${rounds}\n`);
      }
    }
    for (const store of kinds) {
      const m = (k: keyof Run): number =>
        median(results[store].map((x) => x[k]).filter((x) => !Number.isNaN(x))) ?? NaN;
      lines.push(
        `| ${size.label} | ${store} | ${count.toLocaleString('en-US')} | ${f1(m('mainUsPerMove'))} | ${f1(m('endToEndUsPerMove'))} | ` +
          `${Math.round(1e6 / m('endToEndUsPerMove')).toLocaleString('en-US')} | ` +
          `${Number.isNaN(m('diskBytesPerMove')) ? '—' : `${f1(m('diskBytesPerMove') / 1024)} KB`} | ` +
          `${f1(m('reopenMs'))} | ${f1(m('reopenHeapMB'))} | ${f1(m('latestColdMs'))} | ${f1(m('latestWarmMs'))} | ${f1(m('treeHeapMB'))} |`,
      );
    }
  }
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (out !== null) fs.writeFileSync(out, text);
}

void main();
