/**
 * What a long history costs in memory: N executes of move_agent on the grid map (the workload of
 * SPEC §10), then
 *  - heap per version while the registry holds every version (all of them stay in memory until
 *    the durable store of SPEC §12 exists);
 *  - heap retained by the latest version alone, once the registries are dropped: what one stored
 *    version keeps of the history that led to it.
 *
 *   node --expose-gc --import tsx bench/memory-history.ts [moves=200000] [size=10x10]
 */
import '../examples/generated/abstractions.generated'; // as a user's build (and the bench's default cases) would
import { CallableRegistry, EntityRegistry, EventBus } from '../src';
import { buildGridMap, moveAgent, type GridMap } from '../examples/gridmap/model';
import { DEFAULT_SEED, generateMoves } from './workload/moves';
import { sizeByLabel } from './workload/sizes';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (see the header)');

const count = Number(process.argv[2] ?? 200_000);
const size = sizeByLabel(process.argv[3] ?? '10x10');
const moves = generateMoves(size, DEFAULT_SEED, count);

function heap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

/** A fresh world at version 1, running the first `n` moves; returns the latest version. */
function run(n: number, onVersions?: (before: number, after: number) => void): GridMap {
  const entities = new EntityRegistry({ bus: new EventBus() });
  const calls = new CallableRegistry({ entities, events: entities.bus });
  calls.register('move_agent', moveAgent);
  let latest = entities.promoteToRoot(buildGridMap(size.nodes, size.agentsPerNode)).root as unknown as GridMap;
  const before = onVersions ? heap() : 0;
  for (let i = 0; i < n; i++) latest = calls.execute<GridMap>('move_agent', { gridmap: latest, ...moves[i] });
  if (onVersions) {
    const after = heap();
    if (entities.stats.versions !== n + 1) throw new Error('expected every version to be held'); // also keeps the registry alive until here
    onVersions(before, after);
  }
  return latest;
}

run(Math.min(count, 2_000)); // code compiled and caches filled before the baseline
const base = heap();
let withRegistry = 0;
const latest = run(count, (before, after) => (withRegistry = (after - before) / count));
const alone = heap() - base;
const kb = (b: number): string => `${(b / 1024).toFixed(2)} KB`;
console.log(
  `${count.toLocaleString('en-US')} moves at ${size.label} (${size.entities.toLocaleString('en-US')} entities), Node ${process.version}`,
);
console.log(`  registry holding every version: ${kb(withRegistry)} per version`);
console.log(
  `  the latest version alone: ${(alone / 2 ** 20).toFixed(1)} MB, ${Math.round(alone / count)} B per past move`,
);
console.log(`  (latest: ${latest.ecsId}, ${latest.oldIds.length.toLocaleString('en-US')} earlier ids)`);
