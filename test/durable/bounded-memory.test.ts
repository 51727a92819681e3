/**
 * Memory is bounded over a durable store (SPEC §12): what a registry keeps of its history does not
 * grow with the length of it, and a store opens holding nothing. The million-move figures are
 * `npm run bench:million`; this is the same check at a size a test can afford, with a small cache.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, sqliteStore } from '../../src';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-bounded-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Heap in use after full collections, in MB. */
function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

test('heap stays flat over thousands of moves with a small cache; a reopen holds nothing until read', async () => {
  const file = path.join(dir, 'history.db');
  const entities = new EntityRegistry({ store: sqliteStore(file, { cacheBytes: 1024 * 1024 }) });
  const calls = new CallableRegistry({ entities });
  calls.register('move_agent', moveAgent);
  let g = entities.promoteToRoot(buildGridMap(10, 10)).root as unknown as GridMap;
  const lineageId = g.lineageId;
  let n = 0;
  const moves = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++, n++) {
      const from = g.nodes.findIndex((node) => node.agents.length > 0);
      g = calls.execute<GridMap>('move_agent', {
        gridmap: g,
        sourceIndex: from,
        agentName: g.nodes[from].agents[0].name,
        targetIndex: (from + 1 + (n % 9)) % 10,
      });
    }
    await entities.flush();
  };
  await moves(6_000); // past the cache and the records ring: what stays from here on is the steady state
  const steady = heapMB();
  await moves(12_000);
  const after = heapMB();
  // Unbounded, 12,000 more moves would keep ~40 MB (about 3.4 KB each); bounded, the heap stays
  // put, give or take what the engine and the test runner allocate (a few MB either way).
  expect(after - steady).toBeLessThan(8);
  expect(entities.lineage(lineageId)).toHaveLength(18_001);
  const latestId = g.ecsId;
  await entities.close();
  g = null as unknown as GridMap;

  const before = heapMB();
  const again = new EntityRegistry({ store: sqliteStore(file) });
  expect(heapMB() - before).toBeLessThan(1); // nothing is read when a store opens
  const tree = again.getStoredTree(latestId); // read from its rows
  expect(tree.nodes.size).toBe(111);
  expect(again.latest<GridMap>(lineageId)!.ecsId).toBe(latestId);
  await again.close();
}, 120_000);
