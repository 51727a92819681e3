import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AbstractionsError } from '../../src/errors';
import { StoreClosedError, StoreConflictError, StoreFormatError, StoreOptionError } from '../../src/durable/errors';
import type { EntityRow, ExecutionRow, RootVersionRow, StorageEngine, WriteBatch } from '../../src/durable/rows';
import { openSqliteEngine, type Durability, type SqliteOptions } from '../../src/durable/sqlite-engine';
import { MIGRATIONS, STORE_FORMAT, WRITER_TABLES } from '../../src/durable/schema';
import { sqliteThreadWriter } from '../../src/durable/sqlite-writer';
import type { Worker } from 'node:worker_threads';
import { BATCH, LINEAGES } from './crash-writer';

let dir: string;
let opened: StorageEngine[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-sqlite-'));
  opened = [];
});
afterEach(() => {
  for (const engine of opened) engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const file = (name = 'store.db') => path.join(dir, name);
function open(p = file(), options?: SqliteOptions) {
  const engine = openSqliteEngine(p, options);
  opened.push(engine);
  return engine;
}
/** A second, plain connection to look at what the engine wrote. */
function inspect<T>(p: string, query: (db: Database.Database) => T): T {
  const db = new Database(p, { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}
/** Every table's rows, in rowid order: what "the store is exactly as before" compares. */
function dump(p: string): Record<string, unknown[]> {
  return inspect(p, (db) => {
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    return Object.fromEntries(
      (names as string[]).map((n) => [n, db.prepare(`SELECT * FROM "${n}" ORDER BY rowid`).all()]),
    );
  });
}

function entity(over: Partial<EntityRow> = {}): EntityRow {
  return {
    ecsId: randomUUID(),
    lineageId: randomUUID(),
    className: 'GridNode',
    rootEcsId: randomUUID(),
    previousEcsId: null,
    parentLineageId: null,
    place: '',
    createdAt: 1_700_000_000_000,
    forkedAt: null,
    derivedFromExecutionId: null,
    identity: '{}',
    data: '{"x":1}',
    ...over,
  };
}
function version(over: Partial<RootVersionRow> = {}): RootVersionRow {
  return {
    ecsId: randomUUID(),
    lineageId: randomUUID(),
    parentEcsId: null,
    createdAt: 1_700_000_000_001,
    rootClass: 'GridMap',
    delta: null,
    ...over,
  };
}
function execution(over: Partial<ExecutionRow> = {}): ExecutionRow {
  return {
    id: randomUUID(),
    functionName: 'move_agent',
    status: 'succeeded',
    startedAt: 1_700_000_000_002,
    record: '{}',
    ...over,
  };
}
/**
 * The rows as objects of this realm: better-sqlite3 builds them in Node's main realm, and Jest's
 * toStrictEqual tells its vm realm's Object from that one (outside Jest they are plain objects).
 */
const own = <T extends object>(row: T | undefined) => (row ? { ...row } : row);
const all = <T extends object>(rows: Iterable<T>) => [...rows].map(own);
const batch = (over: Partial<WriteBatch> = {}): WriteBatch => ({
  entities: [],
  versions: [],
  executions: [],
  withdrawn: [],
  ...over,
});

describe('openSqliteEngine', () => {
  it('round-trips every row kind: nulls, long data, unicode', () => {
    const unicode = 'héllo ✓ 日本語 🧪 \u{1F600} "quotes" \\ \n\t \u0000 after-nul';
    const full = entity({
      previousEcsId: randomUUID(),
      parentLineageId: randomUUID(),
      place: 'agents[3]',
      forkedAt: 1_700_000_000_123,
      derivedFromExecutionId: randomUUID(),
      identity: JSON.stringify({ derivedFromFunction: 'move_agent', oldIds: [randomUUID()] }),
      data: JSON.stringify({ text: unicode, long: 'a'.repeat(2_000_000) }),
      className: 'Ünïcode✓',
    });
    const bare = entity();
    const first = version();
    const next = version({ lineageId: first.lineageId, parentEcsId: first.ecsId, delta: JSON.stringify([unicode]) });
    const exec = execution({ record: unicode, status: 'failed', startedAt: 0 });
    const store = open();
    store.write(batch({ entities: [full, bare], versions: [first, next], executions: [exec] }));

    expect(own(store.entity(full.ecsId))).toStrictEqual(full);
    expect(own(store.entity(bare.ecsId))).toStrictEqual(bare);
    expect(own(store.rootVersion(first.ecsId))).toStrictEqual(first);
    expect(own(store.rootVersion(next.ecsId))).toStrictEqual(next);
    expect(all(store.executions())).toStrictEqual([exec]);
    expect(store.entity(randomUUID())).toBeUndefined();
    expect(store.rootVersion(full.ecsId)).toBeUndefined();
    expect(typeof store.entity(full.ecsId)?.createdAt).toBe('number');
  });

  it('gives root versions and executions back in write order across batches', () => {
    const store = open();
    const lineage = randomUUID();
    const versions: RootVersionRow[] = [];
    const executions: ExecutionRow[] = [];
    for (let b = 0; b < 4; b++) {
      const vs = Array.from({ length: 5 }, (_, i) => version({ lineageId: i % 2 ? lineage : randomUUID() }));
      const es = Array.from({ length: 3 }, () => execution({ startedAt: 1_000 - b }));
      store.write(batch({ versions: vs, executions: es }));
      versions.push(...vs);
      executions.push(...es);
    }
    expect(all(store.rootVersions())).toStrictEqual(versions);
    expect(all(store.executions())).toStrictEqual(executions);
    // Re-iterable, and scans may nest.
    let pairs = 0;
    for (const v of store.rootVersions()) for (const e of store.executions()) pairs += v && e ? 1 : 0;
    expect(pairs).toBe(versions.length * executions.length);
  });

  it('reads lazily; breaking out of a scan frees the connection for the next write', () => {
    const store = open();
    store.write(batch({ versions: [version(), version(), version()] }));
    const it = store.rootVersions()[Symbol.iterator]();
    it.next();
    expect(() => store.write(batch({ versions: [version()] }))).toThrow(/busy/);
    it.return?.();
    for (const v of store.rootVersions()) if (v) break;
    store.write(batch({ versions: [version()] }));
    expect([...store.rootVersions()]).toHaveLength(4);
  });

  it('keeps lineage_head at the last written version with the count of versions', () => {
    const store = open();
    const a = randomUUID();
    const b = randomUUID();
    const a1 = version({ lineageId: a });
    const a2 = version({ lineageId: a, parentEcsId: a1.ecsId });
    const b1 = version({ lineageId: b, rootClass: 'Other' });
    const a3 = version({ lineageId: a, parentEcsId: a1.ecsId, rootClass: 'Renamed' });
    store.write(batch({ versions: [a1, a2, b1] }));
    store.write(batch({ versions: [a3] }));
    const heads = inspect(file(), (db) =>
      db.prepare('SELECT lineage_id, head_ecs_id, root_class, versions, updated_at FROM lineage_head').all(),
    );
    expect(heads).toEqual(
      expect.arrayContaining([
        { lineage_id: a, head_ecs_id: a3.ecsId, root_class: 'Renamed', versions: 3, updated_at: expect.any(Number) },
        { lineage_id: b, head_ecs_id: b1.ecsId, root_class: 'Other', versions: 1, updated_at: expect.any(Number) },
      ]),
    );
    expect(heads).toHaveLength(2);
  });

  it.each([
    [
      'a NOT NULL column',
      (good: EntityRow) => ({ ...good, ecsId: randomUUID(), className: null as unknown as string }),
    ],
    ['conflicting content', (good: EntityRow) => ({ ...good, data: '{"x":2}' })],
  ])('rolls back a whole batch whose third row violates %s', (_, bad) => {
    const store = open();
    const before = entity();
    store.write(batch({ entities: [before], versions: [version()], executions: [execution()] }));
    const snapshot = dump(file());
    const lineage = randomUUID();
    const failing = batch({
      // Rows before the bad one in every table, and a head move, all to be undone.
      versions: [version({ lineageId: lineage }), version({ lineageId: lineage })],
      executions: [execution()],
      entities: [entity(), entity(), bad(before), entity()],
    });
    expect(() => store.write(failing)).toThrow();
    expect(dump(file())).toEqual(snapshot);
    // The store is still usable after the rollback.
    store.write(batch({ entities: [entity()] }));
  });

  it('rolls back rows and head moves when a root version conflicts', () => {
    const store = open();
    const stored = version();
    store.write(batch({ versions: [stored] }));
    const snapshot = dump(file());
    const bad = { ...stored, delta: '[]' };
    expect(() => store.write(batch({ entities: [entity()], versions: [version(), version(), bad] }))).toThrow(
      StoreConflictError,
    );
    expect(dump(file())).toEqual(snapshot);
  });

  it('accepts an identical re-write of stored rows and changes nothing', () => {
    const store = open();
    const rows = batch({
      entities: [entity({ previousEcsId: randomUUID() }), entity()],
      versions: [version(), version()],
      executions: [execution()],
    });
    store.write(rows);
    const snapshot = dump(file());
    store.write(rows);
    // undefined for a nullable field is the same as null; duplicates within a batch are fine too.
    const loose = { ...rows.entities[1], forkedAt: undefined } as unknown as EntityRow;
    store.write(batch({ entities: [loose, loose], versions: [rows.versions[0], rows.versions[0]] }));
    // Every row as it was; only sqlite_sequence moved (a skipped insert still uses a seq number up:
    // seq is the write order, not a count).
    const after = dump(file());
    delete after.sqlite_sequence;
    delete snapshot.sqlite_sequence;
    expect(after).toEqual(snapshot);
    expect(all(store.rootVersions())).toStrictEqual(rows.versions);
  });

  it('refuses different content under a stored id, naming the kind, id and field', () => {
    const store = open();
    const e = entity();
    const v = version();
    const x = execution();
    store.write(batch({ entities: [e], versions: [v], executions: [x] }));
    const conflict = (b: WriteBatch) => {
      try {
        store.write(b);
      } catch (error) {
        return error;
      }
      throw new Error('no error');
    };
    const onEntity = conflict(batch({ entities: [{ ...e, previousEcsId: 'other' }] }));
    expect(onEntity).toBeInstanceOf(StoreConflictError);
    expect(onEntity).toBeInstanceOf(AbstractionsError);
    expect(onEntity).toMatchObject({ kind: 'entity', id: e.ecsId, field: 'previousEcsId' });
    expect(String(onEntity)).toContain(e.ecsId);
    expect(conflict(batch({ versions: [{ ...v, createdAt: v.createdAt + 1 }] }))).toMatchObject({
      kind: 'root version',
      field: 'createdAt',
    });
    expect(conflict(batch({ executions: [{ ...x, record: '{"other":1}' }] }))).toMatchObject({
      kind: 'execution',
      field: 'record',
    });
    expect(own(store.entity(e.ecsId))).toStrictEqual(e);
  });

  it('sees everything after a reopen, and keeps the store id', () => {
    const p = file('nested/dirs/store.db');
    const rows = batch({ entities: [entity()], versions: [version(), version()], executions: [execution()] });
    const first = open(p);
    first.write(rows);
    first.close();
    const meta = () =>
      inspect(p, (db) =>
        Object.fromEntries(db.prepare('SELECT key, value FROM store_meta').raw().all() as [string, string][]),
      );
    const before = meta();
    expect(before).toEqual({
      format: STORE_FORMAT,
      schema_version: String(MIGRATIONS.length),
      store_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      created_at: expect.any(String),
    });
    const again = open(p);
    expect(own(again.entity(rows.entities[0].ecsId))).toStrictEqual(rows.entities[0]);
    expect(all(again.rootVersions())).toStrictEqual(rows.versions);
    expect(all(again.executions())).toStrictEqual(rows.executions);
    expect(meta()).toEqual(before);
  });

  describe('refuses a file that is not a store it can open (StoreFormatError, file untouched)', () => {
    const refuse = (p: string, found: RegExp) => {
      const bytes = fs.readFileSync(p);
      let error: unknown;
      try {
        open(p);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreFormatError);
      expect(error).toBeInstanceOf(AbstractionsError);
      expect((error as StoreFormatError).path).toBe(p);
      expect((error as Error).message).toContain(p);
      expect((error as Error).message).toMatch(found);
      expect(fs.readFileSync(p).equals(bytes)).toBe(true);
    };
    const sqlite = (p: string, sql: string) => {
      const db = new Database(p);
      db.exec(sql);
      db.close();
    };

    it('another program database', () => {
      sqlite(file(), 'CREATE TABLE users (id INTEGER PRIMARY KEY)');
      refuse(file(), /without store_meta \(tables: users\)/);
    });
    it('another format', () => {
      sqlite(file(), "CREATE TABLE store_meta (key TEXT, value TEXT); INSERT INTO store_meta VALUES ('format', 'x/y')");
      refuse(file(), /format 'x\/y'/);
    });
    it('a newer schema version', () => {
      open().close();
      sqlite(file(), "UPDATE store_meta SET value = '4' WHERE key = 'schema_version'");
      refuse(file(), /schema_version 4 \(this version reads up to 3\)/);
    });
    it('a garbled schema version', () => {
      open().close();
      sqlite(file(), "UPDATE store_meta SET value = '1.5' WHERE key = 'schema_version'");
      refuse(file(), /schema_version '1.5'/);
    });
    it('a file that is not a database', () => {
      fs.writeFileSync(file(), 'not a database, just text. '.repeat(100));
      refuse(file(), /not an SQLite database/);
    });
  });

  it.each([
    ['relaxed', undefined, 2],
    ['relaxed', 'relaxed', 2],
    ['durable', 'durable', 2],
    ['strict', 'strict', 2],
  ] as const)('sets the pragmas of %s (durability: %s): WAL, synchronous %d', (name, durability, synchronous) => {
    const pragma = jest.spyOn(Database.prototype, 'pragma');
    try {
      const store = open(file(), durability ? { durability } : {});
      expect(store.durability).toBe(name);
      expect(store.path).toBe(file());
      const db = pragma.mock.contexts[0] as Database.Database;
      expect(db.pragma('synchronous', { simple: true })).toBe(synchronous);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    } finally {
      pragma.mockRestore();
    }
  });

  it('rejects an unknown durability', () => {
    expect(() => openSqliteEngine(file(), { durability: 'fast' as never })).toThrow(StoreOptionError);
  });

  it('throws StoreClosedError on every use after close; closing twice is harmless', () => {
    const store = open();
    store.write(batch({ versions: [version()] }));
    store.write(batch({ versions: [version()], executions: [execution(), execution()] }));
    const scan = store.rootVersions();
    const pending = store.executions()[Symbol.iterator]();
    pending.next();
    store.close();
    expect(() => pending.next()).toThrow(StoreClosedError);
    store.close();
    const uses: (() => unknown)[] = [
      () => store.write(batch()),
      () => store.entity('x'),
      () => store.rootVersion('x'),
      () => store.rootVersions(),
      () => store.executions(),
      () => [...scan],
    ];
    for (const use of uses) expect(use).toThrow(StoreClosedError);
    expect(uses[1]).toThrow(`the store ${file()} is closed`);
  });

  // thread: two batches in flight on the writer thread, reported once settle() resolves.
  it.each([
    ['inline', 1],
    ['thread', 2],
  ] as const)(
    'never tears a batch when the writing process is killed (SIGKILL), writing %s',
    async (mode, inFlight) => {
      const p = file();
      const script = path.join(__dirname, 'crash-writer.ts');
      let reported = 0;
      for (let run = 0; run < 5; run++) {
        const delay = 50 + Math.floor(Math.random() * 250);
        const last = await new Promise<number>((resolve, reject) => {
          const child = fork(script, [p, mode], {
            execArgv: ['-r', 'tsx/cjs'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          let committed = 0;
          child.on('message', (n) => {
            if (committed++ === 0) setTimeout(() => child.kill('SIGKILL'), delay);
            committed = n as number;
          });
          child.on('error', reject);
          child.on('exit', (code, signal) =>
            signal === 'SIGKILL' ? resolve(committed) : reject(new Error(`writer exited with ${code}`)),
          );
        });
        reported += last;
        // Reopen as the next process would (recovering the WAL), then count through a plain connection.
        const store = openSqliteEngine(p);
        const scanned = [[...store.rootVersions()].length, [...store.executions()].length];
        store.close();
        const { counts, heads, integrity } = inspect(p, (db) => ({
          counts: ['entity_version', 'root_version', 'execution'].map(
            (t) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number,
          ),
          heads: db.prepare('SELECT count(*) AS n, sum(versions) AS versions FROM lineage_head').get(),
          integrity: db.pragma('integrity_check', { simple: true }),
        }));
        expect(scanned).toEqual(counts.slice(1));
        const context = `run ${run}, killed ${delay} ms after the first commit`;
        expect({ context, integrity }).toEqual({ context, integrity: 'ok' });
        // Whole batches only, the same number in every table: every reported commit, plus at most
        // the ones that committed but were not reported yet.
        const batches = counts[0] / BATCH;
        expect({ context, counts }).toEqual({ context, counts: [batches * BATCH, batches * BATCH, batches * BATCH] });
        expect(Number.isInteger(batches) && batches >= reported && batches <= reported + inFlight).toBe(true);
        expect(heads).toEqual({ n: LINEAGES, versions: counts[1] });
        reported = batches;
      }
      // The store opens normally after the crashes and holds what was counted.
      expect([...open(p).executions()]).toHaveLength(reported * BATCH);
    },
    30_000,
  );

  describe.each<[string, Durability]>([
    ['on the calling thread (strict)', 'strict'],
    ['on the writer thread (relaxed)', 'relaxed'],
  ])('withdrawals %s', (_, durability) => {
    const written = async (store: StorageEngine, b: WriteBatch) => {
      store.submit(b);
      await store.settle();
    };
    /** A first version V (root entity R, child C) of its own lineage, written; then `more`. */
    async function withdrawable(store: StorageEngine) {
      const v = version();
      const root = entity({ ecsId: v.ecsId, lineageId: v.lineageId, rootEcsId: v.ecsId });
      const child = entity({ rootEcsId: v.ecsId });
      await written(store, batch({ entities: [root, child], versions: [v] }));
      return {
        v,
        root,
        child,
        withdrawal: { ecsId: v.ecsId, lineageId: v.lineageId, entities: [root.ecsId, child.ecsId] },
      };
    }

    it('deletes the root version, the lineage head and the entity rows, except one a later row needs', async () => {
      const p = file();
      const store = open(p, { durability });
      const { v, root, child, withdrawal } = await withdrawable(store);
      const other = await withdrawable(store);
      // Forks of the withdrawn entities in another tree: one read against its previous row (no
      // oldIds), one written whole (oldIds, no splice), which does not need it.
      const needs = entity({ previousEcsId: child.ecsId, identity: '{}' });
      const whole = entity({ previousEcsId: root.ecsId, identity: JSON.stringify({ oldIds: [root.ecsId] }) });
      const spliced = entity({
        previousEcsId: other.child.ecsId,
        identity: JSON.stringify({ oldIds: [other.child.ecsId] }),
        data: '{"xs":{"$splice":[[0,1,[]]]}}',
      });
      await written(store, batch({ entities: [needs, whole, spliced], versions: [version()] }));
      await written(store, batch({ executions: [execution()], withdrawn: [withdrawal, other.withdrawal] }));
      const left = dump(p);
      expect(left.root_version.map((r) => (r as { ecs_id: string }).ecs_id)).not.toContain(v.ecsId);
      expect(left.root_version.map((r) => (r as { ecs_id: string }).ecs_id)).not.toContain(other.v.ecsId);
      expect(left.lineage_head.map((r) => (r as { lineage_id: string }).lineage_id)).not.toContain(v.lineageId);
      expect(left.lineage_head.map((r) => (r as { lineage_id: string }).lineage_id)).not.toContain(other.v.lineageId);
      expect(left.entity_version.map((r) => (r as { ecs_id: string }).ecs_id).sort()).toEqual(
        [child.ecsId, other.child.ecsId, needs.ecsId, whole.ecsId, spliced.ecsId].sort(),
      );
      expect(left.execution).toHaveLength(1);
    });

    it('a batch that fails withdraws nothing (one transaction with its rows)', async () => {
      const p = file();
      const store = open(p, { durability });
      const { withdrawal } = await withdrawable(store);
      const x = execution();
      await written(store, batch({ executions: [x] }));
      const snapshot = dump(p);
      const failing = batch({ withdrawn: [withdrawal], executions: [{ ...x, record: '{"other":1}' }] });
      await expect(written(store, failing)).rejects.toBeInstanceOf(StoreConflictError);
      expect(dump(p)).toEqual(snapshot);
    });
  });

  describe('the writer thread (submit)', () => {
    it('writes submitted batches in order on its own connection; settle waits for them', async () => {
      const p = file();
      const store = open(p); // relaxed: a writer thread
      const versions = Array.from({ length: 30 }, () => version({ lineageId: 'L' }));
      for (const v of versions) store.submit(batch({ entities: [entity({ ecsId: v.ecsId })], versions: [v] }));
      store.settleSync();
      expect(inspect(p, (db) => db.prepare('SELECT ecs_id FROM root_version ORDER BY seq').pluck().all())).toEqual(
        versions.map((v) => v.ecsId),
      );
      const more = version({ lineageId: 'L' });
      store.submit(batch({ versions: [more] }));
      await store.settle();
      expect(inspect(p, (db) => db.prepare('SELECT head_ecs_id, versions FROM lineage_head').get())).toEqual({
        head_ecs_id: more.ecsId,
        versions: 31,
      });
      // an inline write goes after what the thread was given
      const last = version({ lineageId: 'L' });
      store.submit(batch({ versions: [version({ lineageId: 'L' })] }));
      store.write(batch({ versions: [last] }));
      expect(inspect(p, (db) => db.prepare('SELECT head_ecs_id FROM lineage_head').pluck().get())).toBe(last.ecsId);
    });

    it('a failed batch is rolled back, reported by writeFailure/settle/settleSync, and nothing after it is written', async () => {
      const p = file();
      const store = open(p);
      const e = entity();
      store.submit(batch({ entities: [e] }));
      store.submit(batch({ entities: [entity(), { ...e, data: '{"changed":1}' }] }));
      try {
        store.submit(batch({ versions: [version()] })); // handed over before the failure is known, or refused
      } catch (error) {
        expect(error).toBeInstanceOf(StoreConflictError);
      }
      await expect(store.settle()).rejects.toMatchObject({ kind: 'entity', id: e.ecsId, field: 'data' });
      expect(store.writeFailure()).toBeInstanceOf(StoreConflictError);
      expect(() => store.settleSync()).toThrow(StoreConflictError);
      expect(() => store.submit(batch({ versions: [version()] }))).toThrow(StoreConflictError);
      expect(dump(p)).toMatchObject({
        entity_version: [expect.objectContaining({ ecs_id: e.ecsId })],
        root_version: [],
      });
    });

    it('keeps many batches in order under backpressure (the submitter waits when the thread is behind)', () => {
      const p = file();
      const store = open(p);
      const ids: string[] = [];
      for (let b = 0; b < 60; b++) {
        const vs = Array.from({ length: 20 }, () => version({ lineageId: 'L' }));
        ids.push(...vs.map((v) => v.ecsId));
        store.submit(batch({ versions: vs, entities: vs.map((v) => entity({ ecsId: v.ecsId })) }));
      }
      store.settleSync();
      expect(inspect(p, (db) => db.prepare('SELECT ecs_id FROM root_version ORDER BY seq').pluck().all())).toEqual(ids);
    });

    it('a writer thread that ends on its own is a write failure, not a hang', async () => {
      const p = file();
      open(p); // creates the store
      const writer = sqliteThreadWriter(p, WRITER_TABLES, ['busy_timeout = 5000']);
      await (writer as unknown as { worker: Worker }).worker.terminate();
      await new Promise((resolve) => setImmediate(resolve)); // its exit event
      expect(writer.failure()?.message).toMatch(/writer thread ended unexpectedly/);
      expect(() => writer.submit(batch({ versions: [version()] }))).toThrow(/ended unexpectedly/);
      await expect(writer.settle()).rejects.toThrow(/ended unexpectedly/);
      expect(() => writer.settleSync()).toThrow(/ended unexpectedly/);
      writer.close(); // returns
    });

    it('a store that never wrote starts no thread to settle or close (none opens the file)', async () => {
      const p = file();
      const store = open(p);
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(p + suffix, { force: true });
      await store.settle();
      store.settleSync();
      // A writer thread would have opened the file on its own connection (creating it again)
      // before close returns: close waits for it to release the file.
      store.close();
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it('strict mode writes inline: submit returns after the write', () => {
      const p = file();
      const store = open(p, { durability: 'strict' });
      const v = version();
      store.submit(batch({ versions: [v] }));
      expect(inspect(p, (db) => db.prepare('SELECT count(*) FROM root_version').pluck().get())).toBe(1);
    });
  });
});
