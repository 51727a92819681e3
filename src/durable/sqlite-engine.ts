/**
 * The embedded storage engine (SPEC §12): the rows of `rows.ts` in one SQLite file, through
 * better-sqlite3 (synchronous; 12.x, as 13 needs Node 22). The tables follow the relational schema
 * of the design note (persistence-design.md §2.3) so a PostgreSQL engine can create the same ones;
 * nothing SQLite-specific leaves this module.
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { packageRequire } from '../util/module-format';
import { StoreClosedError, StoreFormatError, StoreOptionError } from './errors';
import { applyPrune, type PruneSink, type PruneSource } from './prune';
import { checkKeep } from '../store/retention';
import type {
  EntityRow,
  ExecutionRow,
  LineageHeadRow,
  PruneKeep,
  PruneReport,
  RootVersionRow,
  StorageEngine,
} from './rows';
import { inlineWriter, sqliteThreadWriter } from './sqlite-writer';
import type { ThreadWriter } from './writer-thread';
import {
  ENTITY,
  EXECUTION,
  MIGRATIONS,
  ROOT_VERSION,
  WRITER_TABLES,
  deleteSql,
  metaAfterMigrations,
  selectSql,
  storedSchemaVersion,
} from './schema';

/**
 * How far a commit is on disk when `write` returns. All three use WAL with `synchronous = FULL`:
 * every batch is fsynced when it commits, so neither a crash of the process (kill -9) nor a power
 * loss loses or tears a committed batch (SPEC §12: `relaxed` loses at most the batch window, which
 * `NORMAL` would not keep on power loss). The modes differ above the engine, in when the registry
 * writes and who waits for it (`engine-store.ts`), not here.
 */
export type Durability = 'relaxed' | 'durable' | 'strict';

export interface SqliteOptions {
  readonly durability?: Durability;
  /**
   * Write submitted batches on a worker thread with its own connection (default: true, except in
   * `strict` mode, whose every call waits for its own write anyway). `write` is always inline.
   */
  readonly writerThread?: boolean;
}

const DURABILITIES: readonly Durability[] = ['relaxed', 'durable', 'strict'];

/**
 * Every connection's settings (the engine's and the writer thread's): first how long a write
 * waits for another connection's write lock before failing with SQLITE_BUSY, then WAL with every
 * commit fsynced (see `Durability`).
 */
const CONNECTION_PRAGMAS: readonly string[] = [
  'busy_timeout = 5000',
  'journal_mode = WAL',
  'synchronous = FULL',
  'foreign_keys = OFF',
];

/**
 * The writer thread's: those, and a checkpoint every 64 MB of WAL instead of 4 (fewer, larger
 * copies into the main file, each also fsyncing it; measured +10-20 % writer throughput at 10x10).
 */
const WRITER_PRAGMAS: readonly string[] = [...CONNECTION_PRAGMAS, 'wal_autocheckpoint = 16384'];

/**
 * Opens (or creates, with missing parent directories) the store at `path`. Fails with
 * `StoreFormatError` if the file is not a store of ours or of a newer schema.
 */
export function openSqliteEngine(
  path: string,
  options: SqliteOptions = {},
): StorageEngine & { readonly path: string; readonly durability: Durability } {
  const durability = options.durability ?? 'relaxed';
  if (!DURABILITIES.includes(durability)) {
    throw new StoreOptionError('durability', String(durability), "'relaxed', 'durable' or 'strict'");
  }
  const writerThread = options.writerThread ?? durability !== 'strict';
  const db = openDatabase(path);
  const writeInline = inlineWriter(db, WRITER_TABLES);
  // Created by the first `submit`: a store that is only read never starts a thread.
  let thread: ThreadWriter | null = null;
  const entityById = db.prepare(`${selectSql(ENTITY)} WHERE ecs_id = ?`);
  const versionById = db.prepare(`${selectSql(ROOT_VERSION)} WHERE ecs_id = ?`);
  const executionById = db.prepare(`${selectSql(EXECUTION)} WHERE id = ?`);
  const lineageVersions = db.prepare(
    'SELECT ecs_id AS ecsId, parent_ecs_id AS parentEcsId FROM root_version WHERE lineage_id = ? ORDER BY seq',
  );
  const headOf = db.prepare('SELECT head_ecs_id FROM lineage_head WHERE lineage_id = ?').pluck();
  const allHeads = db.prepare(
    'SELECT lineage_id AS lineageId, head_ecs_id AS headEcsId, root_class AS rootClass FROM lineage_head',
  );
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck();
  const counts = [count('root_version'), count('entity_version'), count('lineage_head')];
  const entity = (ecsId: string) => entityById.get(ecsId) as EntityRow | undefined;
  const rootVersion = (ecsId: string) => versionById.get(ecsId) as RootVersionRow | undefined;
  // Made by the first `prune`: most stores never prune.
  let prune: ((keep: PruneKeep) => PruneReport) | null = null;

  let open = true;
  const live = (): Database.Database => {
    if (!open) throw new StoreClosedError(path);
    return db;
  };
  /** The scans not finished yet: `close` ends them (SQLite cannot close under an open statement). */
  const scans = new Set<Iterator<unknown>>();
  /**
   * A lazy scan, re-iterable. Each iteration prepares its own statement (a few µs), because one
   * statement runs one iteration at a time and scans may nest. While a scan is open the connection
   * cannot write: finish (or break out of) it before the next `write`.
   */
  function* rows<R>(sql: string): Generator<R> {
    const it = live().prepare(sql).iterate() as IterableIterator<R>;
    scans.add(it);
    try {
      for (let r = it.next(); !r.done; r = it.next()) {
        yield r.value;
        live(); // closed while the caller held the scan: say so rather than end it early
      }
    } finally {
      if (scans.delete(it)) it.return?.();
    }
  }
  const scan = <R>(sql: string): Iterable<R> => {
    live();
    return { [Symbol.iterator]: () => rows<R>(sql) };
  };

  return {
    path,
    durability,
    write(batch) {
      live();
      // After whatever the thread still has: write order is commit order.
      thread?.settleSync();
      writeInline(batch);
    },
    submit(batch) {
      live();
      if (!writerThread) writeInline(batch);
      else (thread ??= sqliteThreadWriter(path, WRITER_TABLES, WRITER_PRAGMAS)).submit(batch);
    },
    // Nothing to wait for without a thread (inline writes are done when `submit` returns): a
    // flush or close of a store that never wrote starts none.
    settleSync() {
      thread?.settleSync();
    },
    settle() {
      return thread?.settle() ?? Promise.resolve();
    },
    pendingBatches() {
      return thread?.pending() ?? 0;
    },
    writeFailure() {
      return thread?.failure() ?? null; // the inline writer throws its failures from submit
    },
    entity(ecsId) {
      live();
      return entity(ecsId);
    },
    entities(ecsIds) {
      live();
      return ecsIds.flatMap((id) => entity(id) ?? []);
    },
    rootVersion(ecsId) {
      live();
      return rootVersion(ecsId);
    },
    rootVersions: () => scan<RootVersionRow>(`${selectSql(ROOT_VERSION)} ORDER BY seq`),
    lineage(lineageId) {
      live();
      return lineageVersions.all(lineageId) as { ecsId: string; parentEcsId: string | null }[];
    },
    head(lineageId) {
      live();
      return headOf.get(lineageId) as string | undefined;
    },
    heads() {
      live();
      return allHeads.all() as LineageHeadRow[];
    },
    executions: () => scan<ExecutionRow>(`${selectSql(EXECUTION)} ORDER BY seq`),
    execution(id) {
      live();
      return executionById.get(id) as ExecutionRow | undefined;
    },
    counts() {
      live();
      const [versions, entities, lineages] = counts.map((c) => c.get() as number);
      return { versions, entities, lineages };
    },
    prune(keep) {
      const checked = checkKeep(keep);
      live();
      thread?.settleSync(); // every submitted batch first: they may hold versions to keep or remove
      prune ??= pruneTransaction(db, { entity, rootVersion });
      return prune(checked);
    },
    close() {
      if (!open) return;
      open = false;
      for (const it of scans) it.return?.();
      scans.clear();
      try {
        thread?.close();
      } finally {
        db.close();
      }
    },
  };
}

/** The UTF-8 bytes of a text column (`deleteSql`). */
const SQLITE_BYTES = (column: string) => `length(CAST(${column} AS BLOB))`;

/**
 * `StorageEngine.prune` on this connection: plans (prune.ts) and applies the plan in one IMMEDIATE
 * transaction, so the rows read for the plan are the rows changed, and a failure changes nothing.
 */
function pruneTransaction(
  db: Database.Database,
  rows: Pick<PruneSource, 'entity' | 'rootVersion'>,
): (keep: PruneKeep) => PruneReport {
  // All read with `all()`: the connection cannot look rows up while a statement iterates.
  const allVersions = db.prepare(`${selectSql(ROOT_VERSION)} ORDER BY seq`);
  const allEntityIds = db.prepare('SELECT ecs_id FROM entity_version').pluck();
  const allExecutions = db.prepare(`${selectSql(EXECUTION)} ORDER BY seq`);
  const source: PruneSource = {
    ...rows,
    rootVersions: () => allVersions.all() as RootVersionRow[],
    entityIds: () => allEntityIds.all() as string[],
    executions: () => allExecutions.all() as ExecutionRow[],
  };
  const dropVersion = db.prepare(deleteSql('root_version', 'ecs_id', '?', SQLITE_BYTES)).pluck();
  const dropEntity = db.prepare(deleteSql('entity_version', 'ecs_id', '?', SQLITE_BYTES)).pluck();
  const dropExecution = db.prepare(deleteSql('execution', 'id', '?', SQLITE_BYTES)).pluck();
  const rewrite = db.prepare('UPDATE entity_version SET identity = ?, data = ? WHERE ecs_id = ?');
  const wholeDelta = db.prepare('UPDATE root_version SET delta = NULL WHERE ecs_id = ?');
  const uncount = db.prepare('UPDATE lineage_head SET versions = versions - ? WHERE lineage_id = ?');
  const freePages = (): number => db.pragma('freelist_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const sink: PruneSink = {
    rewrite: (row) => rewrite.run(row.identity, row.data, row.ecsId),
    wholeDelta: (ecsId) => wholeDelta.run(ecsId),
    dropVersion: (ecsId) => dropVersion.get(ecsId) as number,
    dropEntity: (ecsId) => dropEntity.get(ecsId) as number,
    dropExecution: (id) => dropExecution.get(id) as number,
    uncount: (lineageId, n) => uncount.run(n, lineageId),
  };
  return db.transaction((keep: PruneKeep): PruneReport => {
    const freeBefore = freePages();
    const report = applyPrune(keep, source, sink);
    return { ...report, fileBytesFreed: (freePages() - freeBefore) * pageSize };
  }).immediate;
}

/** The connection, with the schema checked (or created) and the pragmas set; closed again on failure. */
function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    // Loaded here, not imported: an application that keeps its history in memory never loads the
    // native driver, and a bundle of it (esbuild, Vite) leaves the driver in node_modules.
    const Driver = packageRequire('better-sqlite3') as typeof Database;
    db = new Driver(path);
    db.pragma(CONNECTION_PRAGMAS[0]); // busy_timeout
    // Check (or initialise) before switching to WAL, which rewrites the header of any database.
    prepareSchema(db, path);
    for (const pragma of CONNECTION_PRAGMAS.slice(1)) db.pragma(pragma);
    return db;
  } catch (e) {
    db?.close();
    // By code, not `instanceof SqliteError`: the native addon keeps the error class of the first
    // copy of better-sqlite3 loaded in the process (module registries such as Jest's load several).
    if ((e as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new StoreFormatError(path, 'not an SQLite database', { cause: e });
    }
    throw e;
  }
}

/**
 * Initialises a new (empty) file or checks an existing one, migrating an older schema. IMMEDIATE
 * so two processes creating the same file do it once: the second waits, then finds it done.
 */
function prepareSchema(db: Database.Database, path: string): void {
  db.transaction(() => {
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
      .pluck()
      .all() as string[];
    let version = 0;
    if (tables.length > 0) {
      if (!tables.includes('store_meta')) {
        throw new StoreFormatError(path, `an SQLite database without store_meta (tables: ${tables.join(', ')})`);
      }
      version = storedSchemaVersion(
        new Map(db.prepare('SELECT key, value FROM store_meta').raw().all() as [string, string][]),
        path,
      );
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    const setMeta = db.prepare(
      'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    for (const [key, value] of metaAfterMigrations(version)) setMeta.run(key, value);
  }).immediate();
}
