/**
 * The reopen check of the SQLite test modes (test/support/reopen-check.ts) finds what it is
 * there to find: a store whose rows say something else than the registry that wrote them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, sqliteStore, versionToJSON } from '../../src';
import { firstDifference, keptRecord, reopenDifferences, type KeptRecord } from '../support/reopen-check';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-reopen-check-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

class Opaque {
  constructor(readonly n: number) {}
}

/** A registry over a file with two versions of a grid and two records; what the check keeps of it. */
async function written() {
  const file = path.join(dir, 'history.db');
  const registry = new EntityRegistry({ store: sqliteStore(file) });
  const calls = new CallableRegistry({ entities: registry });
  calls.register('move_agent', moveAgent);
  calls.register('opaque', ({ o }: { o: Opaque }) => o.n);
  const g = buildGridMap(2, 2);
  registry.promoteToRoot(g);
  const latest = registry.latest<GridMap>(g.lineageId)!;
  const moved = calls.execute<GridMap>('move_agent', {
    gridmap: latest,
    sourceIndex: 0,
    agentName: latest.nodes[0].agents[0].name,
    targetIndex: 1,
  });
  calls.execute<unknown>('opaque', { o: new Opaque(3) }); // not data: the store names it
  const copy = registry.checkout<GridMap>(moved.ecsId);
  copy.width = 5;
  registry.version(copy); // a version no record names
  await registry.flush();
  const records: KeptRecord[] = calls.executions().map(keptRecord);
  const versions = new Map([
    [
      g.lineageId,
      registry.lineage(g.lineageId).map((v) => ({ ...v, json: JSON.stringify(versionToJSON(registry, v.ecsId)) })),
    ],
  ]);
  return { file, registry, kept: { lineages: new Set([g.lineageId]), records, versions }, moved, edited: copy };
}

function tamper(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run();
  } finally {
    db.close();
  }
}

test('an exact reopen has no differences', async () => {
  const { file, registry, kept } = await written();
  expect(await reopenDifferences(() => sqliteStore(file), registry, kept)).toEqual([]);
  await registry.close();
});

test('a changed field names the version and the path', async () => {
  const { file, registry, kept, moved } = await written();
  tamper(file, `UPDATE entity_version SET data = replace(data, '"width":2', '"width":3')`);
  const found = await reopenDifferences(() => sqliteStore(file), registry, kept);
  expect(found).toContainEqual(
    expect.stringMatching(`^version ${moved.ecsId} .*root\\.fields\\.width: original 2, reopened 3$`),
  );
  await registry.close();
});

test('a version missing from the store: its lineage and the counts differ', async () => {
  const { file, registry, kept, edited } = await written();
  tamper(file, `DELETE FROM root_version WHERE ecs_id = '${edited.ecsId}'`);
  const found = await reopenDifferences(() => sqliteStore(file), registry, kept);
  expect(found).toContainEqual(expect.stringMatching(/^lineage .*: its versions .* original has 3 items, reopened 2$/));
  // (no count differs: a registry over a durable store counts what the store holds)
  await registry.close();
});

test('a changed record names the record and the part; a record that should be named must be', async () => {
  const { file, registry, kept } = await written();
  const [move, opaque] = kept.records;
  tamper(
    file,
    `UPDATE execution SET record = json_set(record, '$.inputs.values.sourceIndex', 5) WHERE id = '${move.id}'`,
  );
  tamper(file, `UPDATE execution SET record = json_set(record, '$.inputs.values.o', 3) WHERE id = '${opaque.id}'`);
  const found = await reopenDifferences(() => sqliteStore(file), registry, kept);
  expect(found).toContainEqual(
    `execution record ${move.id} (move_agent): inputs.values.sourceIndex: original 0, reopened 5`,
  );
  expect(found).toContainEqual(
    expect.stringMatching(`^execution record ${opaque.id} \\(opaque\\): inputs\\.values\\.o: the value is not data`),
  );
  await registry.close();
});

test('a missing record, and a registry that was dropped: only lineages and records are compared', async () => {
  const { file, registry, kept } = await written();
  await registry.close();
  tamper(file, `DELETE FROM execution WHERE id = '${kept.records[1].id}'`);
  expect(await reopenDifferences(() => sqliteStore(file), undefined, kept)).toEqual([
    `execution record #1: opaque ${kept.records[1].id} was kept, none came back`,
  ]);
});

test('firstDifference: key order counts, any depth, the path is named', () => {
  expect(firstDifference({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(
    '(top): original has keys ["a","b"], reopened ["b","a"]',
  );
  let a: unknown = 1;
  let b: unknown = 2;
  for (let i = 0; i < 50_000; i++) {
    a = [a];
    b = [b];
  }
  expect(firstDifference(a, b)).toMatch(/^\[0\]\[0\].*…\(50000 levels\)….*\[0\]: original 1, reopened 2$/);
  expect(firstDifference({ x: [1, { y: -0 }] }, { x: [1, { y: 0 }] })).toBe('x[1].y: original -0, reopened 0');
});
