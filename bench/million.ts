/**
 * Bounded memory over a long history (SPEC §12, issue 14): `npm run bench:million`.
 *
 * One SQLite store (relaxed durability, default 64 MB cache), one 10x10 grid, `--moves` moves
 * (default 1,000,000) executed back to back, each on the version the last one returned. Every
 * `--every` moves (default a twentieth) the heap is sampled after a full GC: flat means memory does
 * not grow with the length of history. Then the store is closed and opened again in this process:
 * the time to open it (`new EntityRegistry({ store })`), the heap after the open (after GC, above
 * the heap before it), and the time to read the latest tree (every entity of it), right after the
 * open (cold: read from the rows) and again (warm: from memory).
 *
 * Usage: node --expose-gc dist/bench/million.js [--moves N] [--every N] [--size 10x10] [--cache-mb N] [--dir D] [--out file]
 * The store file is made in --dir (default: the system's temporary directory) and deleted after.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { DEFAULT_SEED, moveStream } from './workload/moves';
import { sizeByLabel } from './workload/sizes';

type Framework = typeof import('../src');
type Model = typeof import('../examples/gridmap/model');
type GridMap = import('../examples/gridmap/model').GridMap;

const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
require('../examples/generated/abstractions.generated'); // generated metadata, as a user's build has it
const fw = require('../src') as Framework;
const model = require('../examples/gridmap/model') as Model;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:million does)');

function args() {
  const argv = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const moves = Number(value('--moves') ?? 1_000_000);
  return {
    moves,
    every: Number(value('--every') ?? Math.max(1, Math.floor(moves / 20))),
    size: sizeByLabel(value('--size') ?? '10x10'),
    dir: value('--dir') ?? os.tmpdir(),
    cacheBytes: value('--cache-mb') === undefined ? undefined : Number(value('--cache-mb')) * 2 ** 20,
    out: value('--out') ?? path.join(ROOT, 'bench', 'RESULTS.million.md'),
  };
}

/** Heap in use after a full GC, in MB. */
function heapMB(): number {
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const mb = (x: number): string => x.toFixed(1);
const fileMB = (f: string): number =>
  ((fs.existsSync(f) ? fs.statSync(f).size : 0) + (fs.existsSync(`${f}-wal`) ? fs.statSync(`${f}-wal`).size : 0)) /
  2 ** 20;

async function main(): Promise<void> {
  const { moves, every, size, dir, out, cacheBytes } = args();
  const work = fs.mkdtempSync(path.join(dir, 'abstractions-million-'));
  const file = path.join(work, 'history.db');
  const samples: { moves: number; heapMB: number; seconds: number }[] = [];
  try {
    const entities = new fw.EntityRegistry({ store: fw.sqliteStore(file, { cacheBytes }) });
    const calls = new fw.CallableRegistry({ entities });
    calls.register('move_agent', model.moveAgent);
    let g = entities.promoteToRoot(model.buildGridMap(size.nodes, size.agentsPerNode)).root as unknown as GridMap;
    const lineageId = g.lineageId;
    await entities.flush();
    const stream = moveStream(size, DEFAULT_SEED);
    const t0 = performance.now();
    samples.push({ moves: 0, heapMB: heapMB(), seconds: 0 });
    for (let done = 0; done < moves;) {
      const n = Math.min(every, moves - done);
      for (let i = 0; i < n; i++) g = calls.execute('move_agent', { gridmap: g, ...stream.next().value });
      done += n;
      await entities.flush(); // the writer catches up: what is sampled is what stays, not the queue
      samples.push({ moves: done, heapMB: heapMB(), seconds: (performance.now() - t0) / 1000 });
      process.stderr.write(
        `${done.toLocaleString('en-US')} moves, heap ${mb(samples[samples.length - 1].heapMB)} MB\n`,
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    await entities.close();
    g = null as unknown as GridMap; // the first process's objects go: the reopen starts from nothing

    const heapBefore = heapMB();
    const o0 = performance.now();
    const again = new fw.EntityRegistry({ store: fw.sqliteStore(file) });
    const openMs = performance.now() - o0;
    const heapAfterOpen = heapMB() - heapBefore;
    const readTree = (): number => {
      const r0 = performance.now();
      const tree = again.getStoredTree(again.latestVersion(lineageId)!.ecsId);
      if (tree.nodes.size !== 1 + size.nodes * (1 + size.agentsPerNode)) throw new Error('wrong tree');
      return performance.now() - r0;
    };
    const coldMs = readTree();
    const warmMs = readTree();
    const versions = again.stats.versions;
    await again.close();

    const first = samples[1] ?? samples[0];
    const last = samples[samples.length - 1];
    const lines = [
      '# Bounded memory over a long history: benchmark results',
      '',
      `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; load ${os.loadavg()[0].toFixed(1)}`,
      `- Command: \`npm run bench:million\` (${moves.toLocaleString('en-US')} moves at ${size.label} into one SQLite store, relaxed, ${cacheBytes === undefined ? 'default 64 MB' : `${cacheBytes / 2 ** 20} MB`} cache; file in ${dir})`,
      '- Heap: `process.memoryUsage().heapUsed` after a full GC, the writer caught up (`flush()`) before each sample.',
      '',
      `| moves | ${moves.toLocaleString('en-US')} |`,
      '| --- | ---: |',
      `| versions in the store | ${versions.toLocaleString('en-US')} |`,
      `| time | ${seconds.toFixed(0)} s (${Math.round(moves / seconds).toLocaleString('en-US')} moves/s, writer included) |`,
      `| file | ${mb(fileMB(file))} MB |`,
      `| heap after ${first.moves.toLocaleString('en-US')} moves / after all | ${mb(first.heapMB)} MB / ${mb(last.heapMB)} MB |`,
      `| reopen: open | ${openMs.toFixed(1)} ms |`,
      `| reopen: heap after open (above before) | ${mb(heapAfterOpen)} MB |`,
      `| reopen: latest tree cold / warm | ${coldMs.toFixed(1)} ms / ${warmMs.toFixed(2)} ms |`,
      '',
      'Heap samples (moves: MB after GC):',
      '',
      samples.map((s) => `${s.moves.toLocaleString('en-US')}: ${mb(s.heapMB)}`).join(' · '),
      '',
    ];
    const text = lines.join('\n');
    process.stdout.write(text);
    fs.writeFileSync(out, text);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
