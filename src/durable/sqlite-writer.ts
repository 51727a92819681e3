/**
 * The SQLite engine's writer: one transaction per batch, on the calling thread (`inlineWriter`)
 * or on a worker thread with its own connection (`sqliteThreadWriter`), so fsyncs and WAL checkpoints
 * do not stall the event loop (persistence design note §2.4).
 *
 * Both run one implementation, `WRITE_TRANSACTION`, kept as JavaScript source: a worker thread
 * starts from source text (it cannot load this TypeScript module under ts-jest or tsx), and the
 * calling thread compiles the same text, so the two cannot drift apart.
 *
 * The thread's protocol (shared memory, so the calling thread can also wait synchronously) is
 * writer-thread.ts's.
 */
import type Database from 'better-sqlite3';
import { ThreadWriter, conflictError, type Described } from './writer-thread';
import { packageRequire } from '../util/module-format';
import type { WriteBatch } from './rows';

/** One row kind: its table, its key (first column), and which column holds which field. */
export interface TableSpec {
  readonly kind: string;
  readonly table: string;
  /** `SELECT <columns AS fields> FROM <table>`. */
  readonly select: string;
  readonly columns: readonly (readonly [column: string, field: string])[];
}

/** The tables a batch writes. */
export interface WriterTables {
  readonly entity: TableSpec;
  readonly version: TableSpec;
  readonly execution: TableSpec;
}

/**
 * `(db, tables) => (batch) => void`: writes a batch in one IMMEDIATE transaction (all or nothing;
 * IMMEDIATE takes the write lock at BEGIN, so waiting for another writer happens under
 * busy_timeout, not mid-batch). Each row is written at most once: a row already stored must be
 * stored identically, else an Error with `conflict = { kind, key, field }`. ON CONFLICT DO NOTHING
 * plus `changes`: a new row (the usual case) costs one insert and no read. A root version moves
 * its lineage's head (the last written version: write order is commit order) and count.
 *
 * The batch's withdrawals (`WriteBatch.withdrawn`) come first, in the same transaction (a row
 * that fails rolls them back too; the batch's rows, encoded after them, never need what they
 * delete): a withdrawn first
 * version's root version row and lineage head are deleted, so a reopened store does not have it,
 * and so is each entity row it stored, unless a row written after it needs it. Nothing was built
 * on the version itself (`VersionStore.withdrawFirstVersion` withdraws only a first version alone
 * in its lineage, holding only entities it stored), but the call that failed may have put its
 * config into another tree and committed that first: the other tree's version forks the config
 * entity (a new ecsId whose `previousEcsId` is the config's), and the fork's row may leave out
 * `oldIds` and write long arrays as splices against the config's row (entity-rows.ts, "History by
 * reference", "Long arrays by difference"). Only a row encoded before the withdrawal can (from
 * then on the registry no longer finds the config's entities, so rows naming them as previous are
 * written whole), so such a row is in the file already, written after the config's row: it has a
 * larger rowid (SQLite gives a new row one above every row's in the table), and the lookup
 * searches only those rows. The config's entity row then stays, as
 * the previous version of the fork (whose history names it, in memory too).
 */
const WRITE_TRANSACTION = `(db, tables) => {
  const rowWriter = (t) => {
    const key = t.columns[0][1];
    const insert = db.prepare('INSERT INTO ' + t.table + ' (' + t.columns.map((c) => c[0]).join(', ') +
      ') VALUES (' + t.columns.map((c) => '@' + c[1]).join(', ') + ') ON CONFLICT (' + t.columns[0][0] + ') DO NOTHING');
    const stored = db.prepare(t.select + ' WHERE ' + t.columns[0][0] + ' = ?');
    return (row) => {
      if (insert.run(row).changes === 1) return true;
      const old = stored.get(row[key]);
      for (const [, field] of t.columns) {
        if (old[field] !== (row[field] ?? null)) {
          const e = new Error(t.kind + ' ' + row[key] + ' is stored with another ' + field);
          e.conflict = { kind: t.kind, key: String(row[key]), field };
          throw e;
        }
      }
      return false;
    };
  };
  const writeEntity = rowWriter(tables.entity);
  const writeVersion = rowWriter(tables.version);
  const writeExecution = rowWriter(tables.execution);
  const moveHead = db.prepare(
    'INSERT INTO lineage_head (lineage_id, head_ecs_id, root_class, versions, updated_at) VALUES (?, ?, ?, 1, ?) ' +
    'ON CONFLICT (lineage_id) DO UPDATE SET head_ecs_id = excluded.head_ecs_id, root_class = excluded.root_class, ' +
    'versions = lineage_head.versions + 1, updated_at = excluded.updated_at');
  const entityTable = tables.entity.table;
  const dropEntity = db.prepare('DELETE FROM ' + entityTable + ' WHERE ecs_id = @ecsId AND root_ecs_id = @rootEcsId ' +
    'AND NOT EXISTS (SELECT 1 FROM ' + entityTable + ' AS later WHERE later.rowid > ' + entityTable + '.rowid ' +
    'AND later.previous_ecs_id = @ecsId ' +
    "AND (json_type(later.identity, '$.oldIds') IS NULL OR instr(later.data, char(34) || '$splice' || char(34) || ':') > 0))");
  const dropVersion = db.prepare('DELETE FROM ' + tables.version.table + ' WHERE ecs_id = ?');
  const writeOutbox = db.prepare('INSERT INTO event_outbox (event_id, lineage_id, type, payload) ' +
    'VALUES (@eventId, @lineageId, @type, @payload) ON CONFLICT (event_id) DO NOTHING');
  const dropHead = db.prepare('DELETE FROM lineage_head WHERE lineage_id = ? AND head_ecs_id = ?');
  return db.transaction((batch) => {
    for (const w of batch.withdrawn) {
      for (const ecsId of w.entities) dropEntity.run({ ecsId, rootEcsId: w.ecsId });
      dropVersion.run(w.ecsId);
      dropHead.run(w.lineageId, w.ecsId);
    }
    const now = Date.now();
    for (const row of batch.entities) writeEntity(row);
    for (const row of batch.versions) {
      if (writeVersion(row)) moveHead.run(row.lineageId, row.ecsId, row.rootClass, now);
    }
    for (const row of batch.executions) writeExecution(row);
    for (const row of batch.outbox ?? []) writeOutbox.run(row);
  }).immediate;
}`;

/**
 * The SQLite writer thread's engine part (see writer-thread.ts): its own connection to the file,
 * with the pragmas, and the write transaction.
 */
const SQLITE_THREAD = `
const Database = require(workerData.driver);
const db = new Database(workerData.path);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const write = (${WRITE_TRANSACTION})(db, workerData.tables);
return { write, close: () => db.close() };
`;

/** A writer thread with its own connection to the SQLite file at `path`. */
export function sqliteThreadWriter(path: string, tables: WriterTables, pragmas: readonly string[]): ThreadWriter {
  return new ThreadWriter(SQLITE_THREAD, { driver: packageRequire.resolve('better-sqlite3'), path, tables, pragmas });
}

/**
 * The write transaction on the calling thread's connection: writes a batch before it returns and
 * throws its failure there (the batch is rolled back; whether to go on is the caller's decision).
 */
export function inlineWriter(db: Database.Database, tables: WriterTables): (batch: WriteBatch) => void {
  const write = (new Function(`return ${WRITE_TRANSACTION}`)() as WriteTransaction)(db, tables);
  return (batch) => {
    try {
      write(batch);
    } catch (e) {
      throw conflictError(e as Described) ?? e;
    }
  };
}

type WriteTransaction = (db: Database.Database, tables: WriterTables) => (batch: WriteBatch) => void;
