/**
 * Retention at the engine (SPEC §12, `StorageEngine.prune`): stores written through a registry,
 * then pruned with the engine alone. Kept versions read exactly as before, nothing left names a
 * row that is gone, a second prune changes nothing, and a failure changes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, sqliteStore, versionToJSON } from '../../src';
import { RowCache, childRefs, readRow, rowOldIds, versionJSONFromRows } from '../../src/durable/entity-rows';
import { StoreCorruptError, StoreOptionError } from '../../src/durable/errors';
import type { PruneKeep, RootVersionRow, StorageEngine, WriteBatch } from '../../src/durable/rows';
import { openSqliteEngine } from '../../src/durable/sqlite-engine';
import { thrown } from '../support/thrown';

let dir: string;
let opened: StorageEngine[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-prune-'));
  opened = [];
});
afterEach(() => {
  for (const engine of opened) engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(file: string): StorageEngine {
  const engine = openSqliteEngine(file);
  opened.push(engine);
  return engine;
}

function inspect<T>(file: string, query: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

/** Every table's rows, in rowid order: what "the file is as it was" compares. */
function dump(file: string): Record<string, unknown[]> {
  return inspect(file, (db) => {
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    return Object.fromEntries(
      (names as string[]).map((n) => [n, db.prepare(`SELECT * FROM "${n}" ORDER BY rowid`).all()]),
    );
  });
}

/** What the built store holds, by role. */
interface Built {
  readonly map: string;
  readonly small: string;
  /** The map's main line, oldest first (V0 first version, V1 nudged node 2, then moves). */
  readonly main: readonly string[];
  /** A branch off main[4], committed between main[7] and main[8]. */
  readonly branch: string;
  readonly records: {
    readonly nudge: string;
    readonly failedOnOld: string;
    readonly failedOnHead: string;
    readonly valueOnly: string;
  };
}

/**
 * A store written through the real path: a 3 x 80 grid map (long arrays: splices) moved between
 * nodes 0 and 1 only, so node 2 (nudged once, by `nudge`) stays shared from main[1] on; a branch;
 * a small second lineage; failed executions on an old version and on the head; a call on no version.
 */
async function build(file: string): Promise<Built> {
  const registry = new EntityRegistry({ store: sqliteStore(file) });
  const calls = new CallableRegistry({ entities: registry });
  calls.register('move_agent', moveAgent);
  calls.register('nudge', ({ gridmap }: { gridmap: GridMap }) => {
    gridmap.nodes[2].position = [9, 9];
    return 0;
  });
  calls.register('twice', ({ n }: { n: number }) => n * 2);
  const recordOf = (name: string): string => {
    const all = calls.executions().filter((r) => r.functionName === name);
    return all[all.length - 1].id;
  };
  let g = registry.promoteToRoot(buildGridMap(3, 80)).root as unknown as GridMap;
  const main = [g.ecsId];
  calls.execute<unknown>('nudge', { gridmap: g });
  const nudge = recordOf('nudge');
  g = registry.latest<GridMap>(g.lineageId)!;
  main.push(g.ecsId);
  const move = (i: number): void => {
    const from = i % 2;
    const agents = g.nodes[from].agents;
    g = calls.execute<GridMap>('move_agent', {
      gridmap: g,
      sourceIndex: from,
      agentName: agents[(i * 7) % agents.length].name,
      targetIndex: 1 - from,
    });
    main.push(g.ecsId);
  };
  for (let i = 0; i < 6; i++) move(i);
  const older = registry.checkout<GridMap>(main[4]);
  older.width = 99;
  const branch = registry.version(older).rootEcsId;
  for (let i = 6; i < 12; i++) move(i);
  const bad = { sourceIndex: 0, agentName: 'nobody', targetIndex: 1 };
  expect(() =>
    calls.execute('move_agent', { gridmap: registry.getStoredTree(main[1]).root as unknown as GridMap, ...bad }),
  ).toThrow();
  const failedOnOld = recordOf('move_agent');
  expect(() => calls.execute('move_agent', { gridmap: g, ...bad })).toThrow();
  const failedOnHead = recordOf('move_agent');
  calls.execute<unknown>('twice', { n: 2 });
  const valueOnly = recordOf('twice');

  let s = registry.promoteToRoot(buildGridMap(2, 2)).root as unknown as GridMap;
  for (let i = 0; i < 3; i++)
    s = calls.execute<GridMap>('move_agent', {
      gridmap: s,
      sourceIndex: i % 2,
      agentName: s.nodes[i % 2].agents[0].name,
      targetIndex: 1 - (i % 2),
    });
  await registry.close();
  return {
    map: g.lineageId,
    small: s.lineageId,
    main,
    branch,
    records: { nudge, failedOnOld, failedOnHead, valueOnly },
  };
}

const versionRows = (engine: StorageEngine): RootVersionRow[] => [...engine.rootVersions()];

/** Each version's `versionJSONFromRows`, read with a fresh cache (so `oldIds` are rebuilt from the rows). */
function readAll(engine: StorageEngine, ids: Iterable<string>): Map<string, string> {
  const cache = new RowCache();
  return new Map([...ids].map((id) => [id, JSON.stringify(versionJSONFromRows(id, engine, cache))]));
}

/** The versions a keep should keep, by the rule in words: heads, newest N, since, listed. */
function expectedKept(rows: readonly RootVersionRow[], keep: PruneKeep): Set<string> {
  const kept = new Set(keep.versions);
  const byLineage = new Map<string, RootVersionRow[]>();
  for (const r of rows) byLineage.set(r.lineageId, [...(byLineage.get(r.lineageId) ?? []), r]);
  for (const list of byLineage.values()) {
    const newest = list.slice(-Math.max(1, keep.newest ?? 1));
    for (const r of list)
      if (newest.includes(r) || (keep.since !== undefined && r.createdAt >= keep.since)) kept.add(r.ecsId);
  }
  return kept;
}

/**
 * Everything that must hold of a store's rows, as problems found: each version's root row exists
 * and the version reads; every `{ $ref }` (also in splice edits and records) names a row; every row
 * whose `oldIds` or splices follow from previous rows reads; every entity row is reached from a
 * version; each lineage head is its last version and counts its versions.
 */
function problems(engine: StorageEngine, file: string): string[] {
  const out: string[] = [];
  const cache = new RowCache();
  const versions = versionRows(engine);
  for (const v of versions) {
    try {
      versionJSONFromRows(v.ecsId, engine, cache);
    } catch (e) {
      out.push(`version ${v.ecsId}: ${(e as Error).message}`);
    }
  }
  const entityIds = inspect(file, (db) => db.prepare('SELECT ecs_id FROM entity_version').pluck().all() as string[]);
  for (const id of entityIds) {
    const row = engine.entity(id)!;
    for (const ref of childRefs(JSON.parse(row.data))) if (!engine.entity(ref)) out.push(`${id} names ${ref}`);
    try {
      for (const ref of childRefs(readRow(row, engine, cache).fields))
        if (!engine.entity(ref)) out.push(`${id} names ${ref}`);
      rowOldIds(row, engine, cache);
    } catch (e) {
      out.push(`entity ${id}: ${(e as Error).message}`);
    }
  }
  const reached = new Set<string>();
  const pending = versions.map((v) => v.ecsId);
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (reached.has(id) || !engine.entity(id)) continue;
    reached.add(id);
    pending.push(...childRefs(readRow(engine.entity(id)!, engine, cache).fields));
  }
  for (const id of entityIds) if (!reached.has(id)) out.push(`entity ${id} is in no version`);
  for (const r of engine.executions())
    for (const ref of childRefs(JSON.parse(r.record))) if (!engine.entity(ref)) out.push(`record ${r.id} names ${ref}`);
  const heads = inspect(file, (db) => db.prepare('SELECT * FROM lineage_head').all()) as {
    lineage_id: string;
    head_ecs_id: string;
    versions: number;
  }[];
  const lineages = new Set(versions.map((v) => v.lineageId));
  if (heads.length !== lineages.size) out.push(`${heads.length} heads for ${lineages.size} lineages`);
  for (const h of heads) {
    const list = versions.filter((v) => v.lineageId === h.lineage_id);
    if (list[list.length - 1]?.ecsId !== h.head_ecs_id) out.push(`head of ${h.lineage_id} is not its last version`);
    if (list.length !== h.versions) out.push(`head of ${h.lineage_id} counts ${h.versions}, not ${list.length}`);
  }
  return out;
}

const ZERO = {
  versionsRemoved: 0,
  entitiesRemoved: 0,
  executionsRemoved: 0,
  rowsRewritten: 0,
  bytesReclaimed: 0,
  fileBytesFreed: 0,
};

test('newest: kept versions read exactly as before, the rest and what only they hold are gone; a second prune changes nothing', async () => {
  const file = path.join(dir, 'h.db');
  const built = await build(file);
  const engine = open(file);
  const before = versionRows(engine);
  const keep = { newest: 3 };
  const kept = expectedKept(before, keep);
  const expected = readAll(engine, kept);
  const entitiesBefore = inspect(file, (db) => db.prepare('SELECT count(*) FROM entity_version').pluck().get());
  expect(problems(engine, file)).toEqual([]);

  const report = engine.prune(keep);

  const after = versionRows(engine);
  expect(after.map((v) => v.ecsId)).toEqual(before.filter((v) => kept.has(v.ecsId)).map((v) => v.ecsId));
  expect(readAll(engine, kept)).toEqual(expected);
  expect(problems(engine, file)).toEqual([]);
  const entitiesAfter = inspect(file, (db) => db.prepare('SELECT count(*) FROM entity_version').pluck().get());
  expect(report.versionsRemoved).toBe(before.length - kept.size);
  expect(report.entitiesRemoved).toBe((entitiesBefore as number) - (entitiesAfter as number));
  expect(report.entitiesRemoved).toBeGreaterThan(0);
  // the oldest kept main-line version had its parent removed: its rows leaning on removed rows were
  // written whole (oldIds, splices), and its delta is null; its parent id stays (its history)
  expect(report.rowsRewritten).toBeGreaterThan(1);
  const oldestKept = after.find((v) => v.lineageId === built.map)!;
  expect(oldestKept.parentEcsId).not.toBeNull();
  expect(engine.rootVersion(oldestKept.parentEcsId!)).toBeUndefined();
  expect(oldestKept.delta).toBeNull();
  expect(after.filter((v) => v.delta === null && v.parentEcsId !== null && engine.rootVersion(v.parentEcsId))).toEqual(
    [],
  );
  expect(report.bytesReclaimed).toBeGreaterThan(0);
  expect(report.fileBytesFreed).toBeGreaterThan(0);

  const pruned = dump(file);
  expect(engine.prune(keep)).toEqual(ZERO);
  expect(engine.prune({ newest: 5 })).toEqual(ZERO); // keeps more than is left
  expect(dump(file)).toEqual(pruned);
});

describe('each keep option, and combinations, keep the union of what each keeps', () => {
  let built: Built;
  let source: string;
  beforeAll(async () => {
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-prune-src-'));
    built = await build(path.join(source, 'h.db'));
  });
  afterAll(() => fs.rmSync(source, { recursive: true, force: true }));

  test.each<[string, (rows: RootVersionRow[], b: Built) => PruneKeep]>([
    ['newest: 0 (each lineage head)', () => ({ newest: 0 })],
    ['newest: 1', () => ({ newest: 1 })],
    ['newest: more than any lineage has', () => ({ newest: 100 })],
    ['since (half the versions)', (rows) => ({ since: rows[Math.floor(rows.length / 2)].createdAt })],
    ['since: in the future', () => ({ since: Date.now() + 60_000 })],
    ['versions', (_, b) => ({ versions: [b.main[2], b.branch] })],
    ['versions: upper case', (_, b) => ({ versions: [b.main[0].toUpperCase()] })],
    ['versions: empty', () => ({ versions: [] })],
    ['newest + versions', (_, b) => ({ newest: 2, versions: [b.main[1]] })],
    [
      'newest + since + versions',
      (rows, b) => ({ newest: 2, since: rows[rows.length - 3].createdAt, versions: [b.main[0]] }),
    ],
  ])('%s', (_, keepOf) => {
    const file = path.join(dir, 'h.db');
    fs.copyFileSync(path.join(source, 'h.db'), file);
    const engine = open(file);
    const before = versionRows(engine);
    const keep = keepOf(before, built);
    const kept = expectedKept(before, { ...keep, versions: keep.versions?.map((id) => id.toLowerCase()) });
    const expected = readAll(engine, kept);
    const report = engine.prune(keep);
    expect(new Set(versionRows(engine).map((v) => v.ecsId))).toEqual(kept);
    expect(report.versionsRemoved).toBe(before.length - kept.size);
    expect(readAll(engine, kept)).toEqual(expected);
    expect(problems(engine, file)).toEqual([]);
    expect(engine.prune(keep)).toEqual(ZERO);
  });
});

test('execution records go when they are about nothing kept, or their result is gone', async () => {
  const file = path.join(dir, 'h.db');
  const built = await build(file);
  const engine = open(file);
  const ids = () => new Set([...engine.executions()].map((r) => r.id));
  const records = [...engine.executions()];
  const moveProducing = (versionId: string) =>
    records.find((r) => (JSON.parse(r.record) as { versionIds: string[] }).versionIds.includes(versionId))!.id;
  const report = engine.prune({ newest: 1 });
  const left = ids();
  expect(report.executionsRemoved).toBe(records.length - left.size);
  // names no version: nothing to judge it by
  expect(left).toContain(built.records.valueOnly);
  // failed on a removed version: goes with it; failed on the head: stays
  expect(left).not.toContain(built.records.failedOnOld);
  expect(left).toContain(built.records.failedOnHead);
  // produced the head (and its result, the head's root, is kept)
  expect(left).toContain(moveProducing(built.main[built.main.length - 1]));
  // produced a removed version, whose root its result names: gone
  expect(left).not.toContain(moveProducing(built.main[5]));
  // its version is removed, but the node it changed is still in the head and names it
  expect(left).toContain(built.records.nudge);
  expect(problems(engine, file)).toEqual([]);
});

test('a record about a kept version goes when its result names a removed entity: it would not read back', async () => {
  const file = path.join(dir, 'h.db');
  const built = await build(file);
  const engine = open(file);
  const head = built.main[built.main.length - 1];
  const producing = [...engine.executions()].find((r) =>
    (JSON.parse(r.record) as { versionIds: string[] }).versionIds.includes(head),
  )!;
  const stale = { ...producing, id: '00000000-0000-4000-8000-00000000000a' };
  stale.record = JSON.stringify({ ...JSON.parse(producing.record), id: stale.id, result: { $ref: built.main[5] } });
  engine.write({ entities: [], versions: [], executions: [stale], withdrawn: [] });
  engine.prune({ newest: 1 });
  const left = new Set([...engine.executions()].map((r) => r.id));
  expect(left).toContain(producing.id);
  expect(left).not.toContain(stale.id);
});

test('a prune waits for every submitted batch, and keeps or removes its versions like the rest', async () => {
  const original = path.join(dir, 'h.db');
  await build(original);
  const from = open(original);
  const rows = inspect(original, (db) => db.prepare('SELECT ecs_id FROM entity_version').pluck().all() as string[]);
  const batch: WriteBatch = {
    entities: rows.map((id) => from.entity(id)!),
    versions: versionRows(from),
    executions: [...from.executions()],
    withdrawn: [],
  };
  const file = path.join(dir, 'copy.db');
  const engine = open(file);
  engine.submit(batch); // on the writer thread
  const report = engine.prune({ newest: 2 });
  expect(report.versionsRemoved).toBe(batch.versions.length - expectedKept(batch.versions, { newest: 2 }).size);
  expect(problems(engine, file)).toEqual([]);
});

describe('a prune that fails changes nothing', () => {
  test.each<[string, unknown]>([
    ['keep', undefined],
    ['keep', null],
    ['keep', {}],
    ['keep', { newest: undefined }],
    ['keep.newest', { newest: -1 }],
    ['keep.newest', { newest: 1.5 }],
    ['keep.newest', { newest: '2' }],
    ['keep.since', { since: NaN }],
    ['keep.since', { since: '2024-01-01' }],
    ['keep.versions', { versions: 'v1' }],
    ['keep.versions', { versions: [1] }],
    ['keep.versions', { versions: ['00000000-0000-4000-8000-000000000000'] }],
    ['keep.nwest', { nwest: 1 }],
  ])('bad option %s: %p', async (option, keep) => {
    const file = path.join(dir, 'h.db');
    await build(file);
    const engine = open(file);
    const before = dump(file);
    const error = thrown(() => engine.prune(keep as PruneKeep));
    expect(error).toBeInstanceOf(StoreOptionError);
    expect((error as StoreOptionError).option).toBe(option);
    expect(error.message).toContain(option);
    expect(dump(file)).toEqual(before);
  });

  test('a row that cannot be read: StoreCorruptError naming it', async () => {
    const file = path.join(dir, 'h.db');
    const built = await build(file);
    const db = new Database(file);
    const node = db
      .prepare("SELECT ecs_id FROM entity_version WHERE root_ecs_id = ? AND class_name = 'GridNode'")
      .pluck()
      .get(built.main[built.main.length - 1]) as string;
    db.prepare("UPDATE entity_version SET data = '{not json' WHERE ecs_id = ?").run(node);
    db.close();
    const engine = open(file);
    const before = dump(file);
    const error = thrown(() => engine.prune({ newest: 1 }));
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as StoreCorruptError).ecsId).toBe(node);
    expect(dump(file)).toEqual(before);
  });

  test('a failure while rows are being deleted: all of it is rolled back', async () => {
    const file = path.join(dir, 'h.db');
    await build(file);
    const db = new Database(file);
    // execution rows are deleted last, after versions, entity rows and the rewrites
    db.exec("CREATE TRIGGER no_delete BEFORE DELETE ON execution BEGIN SELECT RAISE(ABORT, 'refused'); END");
    db.close();
    const engine = open(file);
    const before = dump(file);
    expect(() => engine.prune({ newest: 1 })).toThrow('refused');
    expect(dump(file)).toEqual(before);
  });
});

/** A store pruned to `newest: 3`, with what the registry held of the kept versions before. */
async function prunedStore(file: string) {
  const built = await build(file);
  const registry = new EntityRegistry({ store: sqliteStore(file) });
  const all = registry.allVersions();
  const kept = expectedKept(
    all.map((v) => ({ ecsId: v.ecsId, lineageId: v.lineageId, createdAt: v.createdAt }) as RootVersionRow),
    { newest: 3 },
  );
  const removed = new Set(all.map((v) => v.ecsId).filter((id) => !kept.has(id)));
  const json = new Map([...kept].map((id) => [id, versionToJSON(registry, id)]));
  const lineage = registry.lineage(built.map).filter((v) => kept.has(v.ecsId));
  const head = registry.getStoredTree(built.main[built.main.length - 1]).root as unknown as GridMap;
  const shared = head.nodes[2].agents[0].ecsId; // stored by main[0], in every main-line version
  const containing = registry.versionsContaining(shared).filter((id) => kept.has(id));
  expect(containing.length).toBeGreaterThan(2);
  await registry.close();
  const engine = openSqliteEngine(file);
  engine.prune({ newest: 3 });
  engine.close();
  return { built, kept, removed, json, lineage, shared, containing };
}

test('a pruned store reopens with each kept version exactly as before the prune; versionsContaining agrees', async () => {
  const file = path.join(dir, 'h.db');
  const { built, kept, json, lineage, shared, containing } = await prunedStore(file);
  const again = new EntityRegistry({ store: sqliteStore(file) });
  try {
    expect(new Set(again.allVersions().map((v) => v.ecsId))).toEqual(kept);
    expect(new Map([...kept].map((id) => [id, versionToJSON(again, id)]))).toEqual(json);
    expect(again.lineage(built.map)).toEqual(lineage);
    // the oldest kept version's parent is gone: its entities are found in its tree, not by its delta
    expect(again.versionsContaining(shared)).toEqual(containing);
  } finally {
    await again.close();
  }
});
