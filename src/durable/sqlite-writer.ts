/**
 * The SQLite engine's writer: one transaction per batch, on the calling thread (`inlineWriter`)
 * or on a worker thread with its own connection (`ThreadWriter`), so fsyncs and WAL checkpoints
 * do not stall the event loop (persistence design note §2.4).
 *
 * Both run one implementation, `WRITE_TRANSACTION`, kept as JavaScript source: a worker thread
 * starts from source text (it cannot load this TypeScript module under ts-jest or tsx), and the
 * calling thread compiles the same text, so the two cannot drift apart.
 *
 * The thread writer reports through shared memory, not messages, so the calling thread can also
 * wait for it synchronously (`settleSync`: strict writes, process exit, backpressure):
 * `progress[0]` counts batches handled, `progress[1]` is 1 after a failure, `progress[2]` is the
 * length of the failure's description in `failureText`, `progress[3]` is 1 once its connection is
 * closed. After a failure it writes nothing more.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { StoreConflictError } from './errors';
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
  }).immediate;
}`;

/** The worker thread: opens its own connection and writes each batch it is sent, in order. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const progress = new Int32Array(workerData.progress);
const failureText = new Uint8Array(workerData.failureText);
let db = null;
let write = null;
const fail = (e) => {
  const text = Buffer.from(JSON.stringify({ message: String(e && e.message), code: e && e.code, conflict: e && e.conflict }));
  const n = Math.min(text.length, failureText.length);
  failureText.set(text.subarray(0, n));
  Atomics.store(progress, 2, n);
  Atomics.store(progress, 1, 1);
};
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.path);
  for (const pragma of workerData.pragmas) db.pragma(pragma);
  write = (${WRITE_TRANSACTION})(db, workerData.tables);
} catch (e) {
  fail(e);
}
parentPort.on('message', (batch) => {
  if (batch === null) {
    try {
      if (db !== null) db.close();
    } finally {
      Atomics.store(progress, 3, 1);
      Atomics.notify(progress, 3);
      parentPort.close();
    }
    return;
  }
  if (Atomics.load(progress, 1) === 0) {
    try {
      write(batch);
    } catch (e) {
      fail(e);
    }
  }
  Atomics.add(progress, 0, 1);
  Atomics.notify(progress, 0);
});
`;

/** A write failure as the writer describes it (a thrown error, or its description from the thread). */
interface Described {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly conflict?: { readonly kind: string; readonly key: string; readonly field: string };
}

/** A conflict the write transaction reported, as ours; anything else (the driver's own error) undefined. */
function conflictError({ conflict }: Described): StoreConflictError | undefined {
  return conflict === undefined ? undefined : new StoreConflictError(conflict.kind, conflict.key, conflict.field);
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

/** Batches a submitter may be ahead of the writer thread before `submit` waits (backpressure). */
export const MAX_BATCHES_IN_FLIGHT = 8;

/** Writes batches on a worker thread with its own connection to the file at `path`. */
export class ThreadWriter {
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(16));
  private readonly failureText = new Uint8Array(new SharedArrayBuffer(4096));
  private submitted = 0;
  /** `settle` calls in progress (the worker is ref'd while there are any). */
  private awaited = 0;
  private closed = false;

  /**
   * @param pragmas run on the thread's connection first (the engine's connection settings, and
   * what only the writer sets).
   */
  constructor(path: string, tables: WriterTables, pragmas: readonly string[]) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        path,
        tables,
        pragmas,
        progress: this.progress.buffer,
        failureText: this.failureText.buffer,
      },
    });
    this.worker.unref(); // an idle writer does not keep the process alive; exit writes go through settleSync
    this.worker.once('exit', () => Atomics.notify(this.progress, 0)); // wakes a `settle` waiting on it
  }

  submit(batch: WriteBatch): void {
    const failed = this.failure();
    if (failed !== null) throw failed;
    this.worker.postMessage(batch);
    this.submitted++;
    // Backpressure: a writer that falls behind makes the caller wait, rather than queue without bound.
    this.waitUntil(MAX_BATCHES_IN_FLIGHT);
  }

  settleSync(): void {
    this.waitUntil(0);
    const failed = this.failure();
    if (failed !== null) throw failed;
  }

  /**
   * Blocks until at most `pending` batches are unwritten, or the thread has ended (a thread that
   * ends on its own, out of memory or killed, writes nothing more: `failure()` says so, no hang).
   */
  private waitUntil(pending: number): void {
    for (let done = Atomics.load(this.progress, 0); this.submitted - done > pending && !this.ended();) {
      Atomics.wait(this.progress, 0, done, 1000);
      done = Atomics.load(this.progress, 0);
    }
  }

  /** True once the thread is gone: `threadId` is -1 then, even before its exit event is delivered. */
  private ended(): boolean {
    return this.worker.threadId === -1;
  }

  async settle(): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: AtomicsWaitAsync }).waitAsync;
    // A pending waitAsync does not keep the process alive: the worker does, while it is awaited.
    if (this.awaited++ === 0) this.worker.ref();
    try {
      for (let done = Atomics.load(this.progress, 0); done < this.submitted && !this.ended();) {
        const r = waitAsync(this.progress, 0, done, 1000);
        if (r.async) await r.value;
        done = Atomics.load(this.progress, 0);
      }
    } finally {
      if (--this.awaited === 0) this.worker.unref();
    }
    const failed = this.failure();
    if (failed !== null) throw failed;
  }

  pending(): number {
    return this.submitted - Atomics.load(this.progress, 0);
  }

  failure(): Error | null {
    if (Atomics.load(this.progress, 1) === 0)
      return this.ended() && !this.closed ? new Error('the writer thread ended unexpectedly') : null;
    const n = Atomics.load(this.progress, 2);
    const text = Buffer.from(this.failureText.subarray(0, n)).toString('utf8');
    try {
      const described = JSON.parse(text) as Described;
      return conflictError(described) ?? withCode(new Error(String(described.message)), described.code);
    } catch {
      return new Error(text);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waitUntil(0); // a failure is the submitter's to report (settle), not close's
    if (this.ended()) return;
    this.worker.postMessage(null); // the worker closes its connection and ends
    // Returns once the file is released (so a next open, a copy or a delete sees it whole).
    Atomics.wait(this.progress, 3, 0, 5000);
  }
}

type AtomicsWaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** The driver's error code (SQLITE_FULL, ...) kept on the error rebuilt from the thread's description. */
function withCode(error: Error, code: unknown): Error {
  if (code !== undefined) (error as Error & { code: unknown }).code = code;
  return error;
}
