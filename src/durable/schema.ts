/**
 * The tables of a durable store, one definition for every engine (persistence design note §2.3):
 * SQLite creates them as written here, PostgreSQL through `postgresSql` (the few type names that
 * differ). One list of migrations, so both engines go through the same schema versions.
 */
import { randomUUID } from 'node:crypto';
import { StoreFormatError } from './errors';
import type { EntityRow, ExecutionRow, RootVersionRow } from './rows';
import type { TableSpec, WriterTables } from './sqlite-writer';

/** `store_meta.format`: what marks a file as ours. */
export const STORE_FORMAT = 'abstractions-ts/store';

/**
 * `MIGRATIONS[i]` takes a store from schema_version i to i + 1; a new file runs them all, a file
 * of an older schema runs the rest (never rewriting rows), and `schema_version` = how many ran.
 * All tables are rowid tables: entity_version rows can be large (design note §2.3), and on
 * lineage_head (small rows, text key) WITHOUT ROWID measured 3x slower per upsert (9 vs 3 µs).
 * No foreign keys: rows name each other by id across batches and the writer orders them.
 * `seq` (AUTOINCREMENT: never reused, even after deletes) is the write order, not a count: a
 * re-written row skipped by ON CONFLICT still uses a number up, as with a PostgreSQL sequence.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE entity_version (
    ecs_id TEXT PRIMARY KEY, lineage_id TEXT NOT NULL, class_name TEXT NOT NULL, root_ecs_id TEXT NOT NULL,
    previous_ecs_id TEXT, parent_lineage_id TEXT, place TEXT NOT NULL, created_at INTEGER NOT NULL,
    forked_at INTEGER, exec_id TEXT, identity TEXT NOT NULL, data TEXT NOT NULL);
  CREATE TABLE root_version (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ecs_id TEXT NOT NULL UNIQUE, lineage_id TEXT NOT NULL,
    parent_ecs_id TEXT, created_at INTEGER NOT NULL, root_class TEXT NOT NULL, delta TEXT);
  CREATE TABLE lineage_head (
    lineage_id TEXT PRIMARY KEY, head_ecs_id TEXT NOT NULL, root_class TEXT NOT NULL,
    versions INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE execution (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, function_name TEXT NOT NULL,
    status TEXT NOT NULL, started_at INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE INDEX execution_by_function ON execution (function_name, started_at);`,
  // 2: a lineage's versions are read on demand (`lineage()`), not by a scan of every version.
  `CREATE INDEX root_version_by_lineage ON root_version (lineage_id, seq);`,
  // 3: events to relay to other processes (SPEC §13), written with the versions they describe.
  `CREATE TABLE event_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, lineage_id TEXT, type TEXT NOT NULL,
    payload TEXT NOT NULL, published_at INTEGER);
  CREATE INDEX event_outbox_unpublished ON event_outbox (seq) WHERE published_at IS NULL;`,
];

/** One row kind: its table, its key, and which column holds which field (all of them, in order). */
export interface Table<R> {
  readonly kind: string;
  readonly name: string;
  readonly columns: readonly (readonly [column: string, field: keyof R & string])[];
}

export const ENTITY: Table<EntityRow> = {
  kind: 'entity',
  name: 'entity_version',
  columns: [
    ['ecs_id', 'ecsId'],
    ['lineage_id', 'lineageId'],
    ['class_name', 'className'],
    ['root_ecs_id', 'rootEcsId'],
    ['previous_ecs_id', 'previousEcsId'],
    ['parent_lineage_id', 'parentLineageId'],
    ['place', 'place'],
    ['created_at', 'createdAt'],
    ['forked_at', 'forkedAt'],
    ['exec_id', 'derivedFromExecutionId'],
    ['identity', 'identity'],
    ['data', 'data'],
  ],
};

export const ROOT_VERSION: Table<RootVersionRow> = {
  kind: 'root version',
  name: 'root_version',
  columns: [
    ['ecs_id', 'ecsId'],
    ['lineage_id', 'lineageId'],
    ['parent_ecs_id', 'parentEcsId'],
    ['created_at', 'createdAt'],
    ['root_class', 'rootClass'],
    ['delta', 'delta'],
  ],
};

export const EXECUTION: Table<ExecutionRow> = {
  kind: 'execution',
  name: 'execution',
  columns: [
    ['id', 'id'],
    ['function_name', 'functionName'],
    ['status', 'status'],
    ['started_at', 'startedAt'],
    ['record', 'record'],
  ],
};

/**
 * `SELECT` of a table's columns under their field names, so rows come back as the row objects
 * (`more`: other columns, first).
 */
export const selectSql = <R>(t: Table<R>, ...more: readonly string[]) =>
  `SELECT ${[...more, ...t.columns.map(([c, f]) => (c === f ? c : `${c} AS "${f}"`))].join(', ')} FROM ${t.name}`;

/** A table as the writer (which may run on another thread) takes it: plain data. */
const spec = <R>(t: Table<R>): TableSpec => ({ kind: t.kind, table: t.name, select: selectSql(t), columns: t.columns });

/** @internal The tables a batch writes, for the writers of sqlite-writer.ts. */
export const WRITER_TABLES: WriterTables = {
  entity: spec(ENTITY),
  version: spec(ROOT_VERSION),
  execution: spec(EXECUTION),
};

/**
 * A migration's SQL for PostgreSQL. The SQLite text is the definition; what differs is named here:
 * integers are 64-bit (`BIGINT`; times are milliseconds), an `AUTOINCREMENT` key is a `BIGSERIAL`
 * (both never reuse a number), and SQLite's implicit `rowid` (the write order of `entity_version`,
 * which a withdrawal reads) is an explicit column.
 */
export function postgresSql(sql: string): string {
  return sql
    .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/g, 'BIGSERIAL PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/CREATE TABLE entity_version \(/, 'CREATE TABLE entity_version (rowid BIGSERIAL NOT NULL,');
}

/**
 * The schema version of an existing store from its `store_meta` rows; `StoreFormatError` (naming
 * `where`) when they are not a store of ours, or of a newer schema than this version reads.
 */
export function storedSchemaVersion(meta: ReadonlyMap<string, string>, where: string): number {
  const format = meta.get('format');
  if (format !== STORE_FORMAT) {
    throw new StoreFormatError(where, format === undefined ? 'store_meta has no format' : `format '${format}'`);
  }
  const found = meta.get('schema_version');
  const version = Number(found);
  if (!Number.isSafeInteger(version) || version < 1 || String(version) !== found) {
    throw new StoreFormatError(where, `schema_version '${found}'`);
  }
  if (version > MIGRATIONS.length) {
    throw new StoreFormatError(where, `schema_version ${version} (this version reads up to ${MIGRATIONS.length})`);
  }
  return version;
}

/** The `store_meta` rows to set once a store of schema `from` (0: a new one) has run the migrations. */
export function metaAfterMigrations(from: number): [key: string, value: string][] {
  const meta: [string, string][] = [];
  if (from === 0)
    meta.push(['format', STORE_FORMAT], ['store_id', randomUUID()], ['created_at', new Date().toISOString()]);
  if (from < MIGRATIONS.length) meta.push(['schema_version', String(MIGRATIONS.length)]);
  return meta;
}

/** Text columns, by table: what `PruneReport.bytesReclaimed` counts of a removed row. */
const TEXT_COLUMNS = {
  entity_version: [
    'ecs_id',
    'lineage_id',
    'class_name',
    'root_ecs_id',
    'previous_ecs_id',
    'parent_lineage_id',
    'place',
    'exec_id',
    'identity',
    'data',
  ],
  root_version: ['ecs_id', 'lineage_id', 'parent_ecs_id', 'root_class', 'delta'],
  execution: ['id', 'function_name', 'status', 'record'],
};

/**
 * `DELETE` of one row by its key (`param`: the engine's placeholder), returning the UTF-8 bytes of its text
 * columns as `n`; `bytesOf` is the engine's expression for one column's.
 */
export function deleteSql(
  table: keyof typeof TEXT_COLUMNS,
  key: string,
  param: string,
  bytesOf: (column: string) => string,
): string {
  const bytes = TEXT_COLUMNS[table].map((c) => `coalesce(${bytesOf(c)}, 0)`).join(' + ');
  return `DELETE FROM ${table} WHERE ${key} = ${param} RETURNING ${bytes} AS n`;
}

/** The INTEGER columns of the tables above (a server engine types its parameters). */
export const INTEGER_COLUMNS: readonly string[] = ['created_at', 'forked_at', 'started_at'];
