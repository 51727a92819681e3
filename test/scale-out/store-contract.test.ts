/**
 * The store contract (SPEC §12-13; persistence design note §2.8), run against every engine:
 * - the storage engines (SQLite, PostgreSQL): append and reads, lineage order, heads, idempotent
 *   re-insert and conflicts, fail-stop, executions paging, outbox order;
 * - the registry over every store (memory, SQLite, PostgreSQL): reads back what it committed, in
 *   commit order, and compare-and-set (`expect: 'latest'`).
 * Here because PostgreSQL is one of the engines (jest.config.js leaves test/scale-out/ out without it).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseUrl, dropSchemas } from '../support/postgres';
import {
  CallableRegistry,
  EntityRegistry,
  StaleVersionError,
  memoryStore,
  postgresStore,
  sqliteStore,
  type HistoryStore,
} from '../../src';
import { StoreConflictError } from '../../src/durable/errors';
import { openPostgresEngine } from '../../src/durable/postgres-engine';
import {
  isShared,
  type EntityRow,
  type ExecutionRow,
  type RootVersionRow,
  type StorageEngine,
} from '../../src/durable/rows';
import { openSqliteEngine } from '../../src/durable/sqlite-engine';
import { entityRow, versionRow } from '../support/rows';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';

const URL_ = databaseUrl();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-contract-'));
const schemas: string[] = [];
let n = 0;
const newSchema = () => {
  const s = `abs_contract_${process.pid}_${++n}`;
  schemas.push(s);
  return s;
};

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

/** Each engine: a fresh store, and the same store opened again (another connection, as another process). */
const ENGINES: [string, () => { engine: StorageEngine; again: () => StorageEngine }][] = [
  [
    'sqlite',
    () => {
      const file = path.join(dir, `e${++n}.db`);
      return { engine: openSqliteEngine(file), again: () => openSqliteEngine(file) };
    },
  ],
  [
    'postgres',
    () => {
      const schema = newSchema();
      return { engine: openPostgresEngine(URL_, { schema }), again: () => openPostgresEngine(URL_, { schema }) };
    },
  ],
];

const DATA = JSON.stringify({ text: 'quote " backslash \\ ünïcode 🙂', n: 1 });
const entity = (lineageId: string, ecsId: string): EntityRow => entityRow(ecsId, lineageId, { data: DATA });
const version = (ecsId: string, lineageId: string, parentEcsId: string | null): RootVersionRow =>
  versionRow(ecsId, lineageId, parentEcsId);
const execution = (i: number): ExecutionRow => ({
  id: randomUUID(),
  functionName: i % 2 === 0 ? 'even' : 'odd',
  status: 'succeeded',
  startedAt: 1_700_000_000_000 + i,
  record: JSON.stringify({ i }),
});
/** A chain of `count` versions of one lineage (one entity each), in one batch. */
function chain(count: number, lineageId = randomUUID()) {
  const ids = Array.from({ length: count }, () => randomUUID());
  return {
    lineageId,
    ids,
    batch: {
      entities: ids.map((id) => entity(lineageId, id)),
      versions: ids.map((id, i) => version(id, lineageId, i === 0 ? null : ids[i - 1])),
      executions: [],
      withdrawn: [],
    },
  };
}

describe.each(ENGINES)('storage engine contract: %s', (_name, make) => {
  test('append, then every read: rows by id, lineage in commit order, heads, counts, in another connection too', () => {
    const { engine, again } = make();
    const a = chain(5);
    const b = chain(3);
    engine.submit(a.batch);
    engine.submit(b.batch);
    engine.settleSync();
    const other = again();
    try {
      for (const e of [engine, other]) {
        expect(e.entity(a.ids[2])).toEqual(a.batch.entities[2]);
        expect(
          e
            .entities([a.ids[0], 'missing', b.ids[1]])
            .map((r) => r.ecsId)
            .sort(),
        ).toEqual([a.ids[0], b.ids[1]].sort());
        expect(e.rootVersion(b.ids[2])).toEqual(b.batch.versions[2]);
        expect(e.lineage(a.lineageId)).toEqual(
          a.ids.map((id, i) => ({ ecsId: id, parentEcsId: i === 0 ? null : a.ids[i - 1] })),
        );
        expect(e.head(a.lineageId)).toBe(a.ids[4]);
        expect(
          e
            .heads()
            .map((h) => [h.lineageId, h.headEcsId])
            .sort(),
        ).toEqual(
          [
            [a.lineageId, a.ids[4]],
            [b.lineageId, b.ids[2]],
          ].sort(),
        );
        expect(e.counts()).toEqual({ versions: 8, entities: 8, lineages: 2 });
        expect([...e.rootVersions()].map((v) => v.ecsId)).toEqual([...a.ids, ...b.ids]);
      }
    } finally {
      other.close();
      engine.close();
    }
  });

  test('a batch written again is idempotent; the same id with other content is a StoreConflictError that writes nothing', () => {
    const { engine } = make();
    const a = chain(3);
    engine.write(a.batch);
    engine.write(a.batch);
    expect(engine.counts()).toEqual({ versions: 3, entities: 3, lineages: 1 });
    expect(engine.lineage(a.lineageId)).toHaveLength(3);
    const changed = { ...a.batch.entities[1], data: '{"other":true}' };
    const fresh = chain(1);
    expect(() => engine.write({ ...fresh.batch, entities: [...fresh.batch.entities, changed] })).toThrow(
      StoreConflictError,
    );
    expect(engine.counts()).toEqual({ versions: 3, entities: 3, lineages: 1 });
    engine.close();
  });

  test('fail-stop: a submitted batch that fails is reported, writes nothing, and later submits throw', async () => {
    const { engine } = make();
    const a = chain(2);
    engine.write(a.batch);
    const bad = { ...chain(1).batch, entities: [{ ...a.batch.entities[0], data: '{"x":2}' }] };
    engine.submit(bad);
    await expect(engine.settle()).rejects.toThrow(StoreConflictError);
    expect(engine.writeFailure()).toBeInstanceOf(StoreConflictError);
    expect(() => engine.submit(chain(1).batch)).toThrow(StoreConflictError);
    expect(engine.counts()).toEqual({ versions: 2, entities: 2, lineages: 1 });
    engine.close();
  });

  test('executions: every record, oldest first, also past a page (2,100 records)', () => {
    const { engine } = make();
    const records = Array.from({ length: 2100 }, (_, i) => execution(i));
    engine.write({ entities: [], versions: [], executions: records, withdrawn: [] });
    expect([...engine.executions()].map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(engine.execution(records[1234].id)).toEqual(records[1234]);
    engine.close();
  });

  test('two versions on one parent are both kept, in the order written; the head is the later', () => {
    const { engine } = make();
    const a = chain(2);
    engine.write(a.batch);
    const [x, y] = [randomUUID(), randomUUID()];
    for (const id of [x, y])
      engine.write({
        entities: [entity(a.lineageId, id)],
        versions: [version(id, a.lineageId, a.ids[1])],
        executions: [],
        withdrawn: [],
      });
    expect(engine.lineage(a.lineageId).map((e) => e.ecsId)).toEqual([...a.ids, x, y]);
    expect(engine.head(a.lineageId)).toBe(y);
    engine.close();
  });
});

test('postgres: outbox rows come back unpublished in the order written, once each; the relay is led by one connection', () => {
  const schema = newSchema();
  const engine = openPostgresEngine(URL_, { schema });
  const other = openPostgresEngine(URL_, { schema });
  try {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      eventId: randomUUID(),
      lineageId: i % 2 === 0 ? randomUUID() : null,
      type: 'function.execute',
      payload: JSON.stringify({ i }),
    }));
    engine.write({ ...chain(1).batch, outbox: rows.slice(0, 6) });
    engine.write({ ...chain(1).batch, outbox: [...rows.slice(4, 6), ...rows.slice(6)] }); // 4 and 5 again: kept once
    if (!isShared(engine) || !isShared(other)) throw new Error('postgres engines are shared');
    expect(engine.leadRelay()).toBe(true);
    expect(other.leadRelay()).toBe(false);
    const unpublished = engine.unpublished(100);
    expect(
      unpublished.map((r) => ({ eventId: r.eventId, lineageId: r.lineageId, type: r.type, payload: r.payload })),
    ).toEqual(rows);
    engine.markPublished(unpublished.slice(0, 7).map((r) => r.seq));
    expect(engine.unpublished(100).map((r) => r.eventId)).toEqual(rows.slice(7).map((r) => r.eventId));
  } finally {
    engine.close();
    other.close();
  }
  // The lead goes with its connection: the next process takes it.
  const next = openPostgresEngine(URL_, { schema });
  try {
    expect(isShared(next) && next.leadRelay()).toBe(true);
  } finally {
    next.close();
  }
});

const STORES: [string, () => HistoryStore][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(path.join(dir, `r${++n}.db`))],
  ['postgres', () => postgresStore(URL_, { schema: newSchema() })],
];

describe.each(STORES)('registry over the %s store', (_name, store) => {
  test("commits read back in commit order; expect: 'latest' refuses a stale input with only a failed record", async () => {
    const registry = new EntityRegistry({ store: store() });
    const calls = new CallableRegistry({ entities: registry });
    calls.register('move_agent', moveAgent);
    const root = registry.promoteToRoot(buildGridMap(4, 1));
    const first = registry.latest<GridMap>(root.lineageId)!;
    const move = (map: GridMap, k: number) => ({
      gridmap: map,
      sourceIndex: k,
      agentName: `agent-${k}-0`,
      targetIndex: k + 1,
    });
    await calls.aexecute('move_agent', move(first, 0), { expect: 'latest' });
    const head = registry.latestVersion(root.lineageId)!.ecsId;
    const records = calls.executions().length;
    const error = await calls.aexecute('move_agent', move(first, 1), { expect: 'latest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleVersionError);
    expect((error as StaleVersionError).latestEcsId).toBe(head);
    expect(calls.executions()).toHaveLength(records + 1);
    expect(calls.executions()[records].status).toBe('failed');
    await calls.aexecute('move_agent', move(first, 1)); // without expect: a branch, kept
    const lineage = registry.lineage(root.lineageId);
    expect(lineage.map((e) => e.parentEcsId)).toEqual([null, root.ecsId, root.ecsId]);
    expect(registry.latestVersion(root.lineageId)!.ecsId).toBe(lineage[2].ecsId);
    await registry.close();
  });
});
