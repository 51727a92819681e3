/**
 * The shared storage engine (SPEC §13): the rows of `rows.ts` in PostgreSQL, in the same tables as
 * SQLite (`schema.ts`, one list of migrations), so several processes share one history.
 *
 * The engine's interface is synchronous (the registry's reads are), and PostgreSQL clients are
 * not: a writer thread (`writer-thread.ts`) holds two connections, one writing batches in order,
 * one answering reads, and the calling thread blocks on its answers. A read is one round trip
 * (about 0.1-0.3 ms here, more to a remote server), made only for what the registry's memory does
 * not hold.
 *
 * Commit order across processes (persistence design note §2.6): a batch's transaction first locks
 * the head rows of the lineages it writes (`FOR UPDATE`, in one order, so two writers never wait on
 * each other in a cycle), then inserts its root versions, whose `seq` is drawn after the lock: per
 * lineage, `seq` order is commit order, in every process. A version whose parent is not the head it
 * replaces (two processes executing on one version, SPEC §4) is a branch; the write reports it
 * (`onBranch`).
 */
import { StoreClosedError, StoreFormatError, StoreOptionError } from './errors';
import { applyPrune, type PruneSink, type PruneSource } from './prune';
import { checkKeep } from '../store/retention';
import type { BranchInfo } from '../store/commit-events';
import type {
  EntityRow,
  ExecutionRow,
  LineageHeadRow,
  PruneReport,
  RootVersionRow,
  SharedStorageEngine,
  UnpublishedRow,
  WriteBatch,
} from './rows';
import {
  ENTITY,
  EXECUTION,
  INTEGER_COLUMNS,
  MIGRATIONS,
  ROOT_VERSION,
  WRITER_TABLES,
  deleteSql,
  metaAfterMigrations,
  postgresSql,
  selectSql,
  storedSchemaVersion,
  type Table,
} from './schema';
import type { Durability } from './sqlite-engine';
import { ThreadWriter, type ThreadCall } from './writer-thread';
import { resolvePeer } from './peers';

export interface PostgresOptions {
  /**
   * The PostgreSQL schema (namespace) that holds the tables, created if missing (default
   * 'public'). One schema is one store: several stores can share a database.
   */
  readonly schema?: string;
  readonly durability?: Durability;
  /** Called (asynchronously, after the commit) for each branch a batch of this engine wrote. */
  readonly onBranch?: (branch: BranchInfo) => void;
  /** Called (asynchronously) when any process committed outbox rows, once this engine leads the relay. */
  readonly onOutbox?: () => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The writer thread's engine part: two connections (BIGINT read as a number: the tables' integers
 * are times in ms and counts), the batch write, and calls (`PgCall`).
 */
const POSTGRES_THREAD = `
const { Client, types } = require(workerData.driver);
const int8 = (text) => Number(text);
// The user, when the URL names none: $PGUSER, else the OS user (as psql does; a worker may lack $USER).
const url = new URL(workerData.url);
if (url.username === '') url.username = process.env.PGUSER || require('node:os').userInfo().username;
const config = {
  connectionString: url.toString(),
  types: { getTypeParser: (oid, format) => (oid === 20 ? int8 : types.getTypeParser(oid, format)) },
};
const connect = async () => {
  const client = new Client(config);
  // A lost connection fails its queries (and so the store); without a listener it would end the thread.
  client.on('error', () => undefined);
  await client.connect();
  await client.query('SET search_path TO ' + workerData.schema);
  return client;
};
const [writer, reader] = await Promise.all([connect(), connect()]);
// The reader writes one thing, which is safe to lose in a crash: which outbox rows were published
// (lost, they are published again and dropped as duplicates). It need not wait for an fsync.
await reader.query('SET synchronous_commit = off');
const tables = workerData.tables;
const integers = new Set(workerData.integers);
let inTransaction = false;

/** INSERT of many rows (one array parameter per column, in order), returning the keys inserted. */
const rowWriter = (t) => {
  const columns = t.columns.map((c) => c[0]);
  const key = t.columns[0][1];
  const insert = 'INSERT INTO ' + t.table + ' (' + columns.join(', ') + ') SELECT ' + columns.join(', ') +
    ' FROM unnest(' + columns.map((c, i) => '$' + (i + 1) + '::' + (integers.has(c) ? 'bigint' : 'text') + '[]').join(', ') +
    ') WITH ORDINALITY AS u(' + columns.join(', ') + ', ord) ORDER BY ord ON CONFLICT (' + columns[0] + ') DO NOTHING RETURNING ' +
    columns[0] + ' AS key';
  const stored = t.select + ' WHERE ' + columns[0] + ' = ANY($1)';
  const differs = (old, row) => t.columns.find(([, f]) => old[f] !== (row[f] ?? null));
  const conflict = (row, field) => {
    const e = new Error(t.kind + ' ' + row[key] + ' is stored with another ' + field[1]);
    e.conflict = { kind: t.kind, key: String(row[key]), field: field[1] };
    return e;
  };
  return async (rows) => {
    // Each key once (a row given twice must be given identically), then what is stored already.
    const first = new Map();
    for (const row of rows) {
      const seen = first.get(row[key]);
      if (seen === undefined) first.set(row[key], row);
      else if (differs(seen, row)) throw conflict(row, differs(seen, row));
    }
    const unique = [...first.values()];
    if (unique.length === 0) return new Set();
    const params = t.columns.map(([, f]) => unique.map((r) => r[f] ?? null));
    const inserted = new Set((await writer.query(insert, params)).rows.map((r) => r.key));
    const others = unique.filter((r) => !inserted.has(r[key]));
    if (others.length > 0) {
      const old = new Map((await writer.query(stored, [others.map((r) => r[key])])).rows.map((r) => [r[key], r]));
      for (const row of others) {
        const field = differs(old.get(row[key]), row);
        if (field !== undefined) throw conflict(row, field);
      }
    }
    return inserted;
  };
};
const writeEntities = rowWriter(tables.entity);
const writeVersions = rowWriter(tables.version);
const writeExecutions = rowWriter(tables.execution);
const lockHeads = 'SELECT lineage_id, head_ecs_id FROM lineage_head WHERE lineage_id = ANY($1) ORDER BY lineage_id FOR UPDATE';
const moveHeads = 'INSERT INTO lineage_head (lineage_id, head_ecs_id, root_class, versions, updated_at) ' +
  'SELECT l, h, c, n, $5::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(l, h, c, n) ' +
  'ON CONFLICT (lineage_id) DO UPDATE SET head_ecs_id = excluded.head_ecs_id, root_class = excluded.root_class, ' +
  'versions = lineage_head.versions + excluded.versions, updated_at = excluded.updated_at';
// A withdrawn first version's entity rows, but one a later row reads from (sqlite-writer.ts says why).
const dropEntities = 'DELETE FROM entity_version WHERE ecs_id = ANY($1) AND root_ecs_id = $2 AND NOT EXISTS (' +
  'SELECT 1 FROM entity_version AS later WHERE later.rowid > entity_version.rowid AND later.previous_ecs_id = entity_version.ecs_id ' +
  "AND ((later.identity::jsonb -> 'oldIds') IS NULL OR position('\\"$splice\\":' in later.data) > 0))";

// The rows, and a notification that wakes the relaying process (delivered on commit): one round trip.
const writeOutbox = 'WITH written AS (INSERT INTO event_outbox (event_id, lineage_id, type, payload) ' +
  'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (event_id) DO NOTHING) ' +
  "SELECT pg_notify($5, '')";

/** One batch, in the open conditional transaction if there is one, else in its own. */
const write = async (batch) => {
  const own = !inTransaction;
  if (own) await writer.query('BEGIN');
  try {
    for (const w of batch.withdrawn) {
      await writer.query(dropEntities, [w.entities, w.ecsId]);
      await writer.query('DELETE FROM root_version WHERE ecs_id = $1', [w.ecsId]);
      await writer.query('DELETE FROM lineage_head WHERE lineage_id = $1 AND head_ecs_id = $2', [w.lineageId, w.ecsId]);
    }
    const heads = new Map();
    if (batch.versions.length > 0) {
      const lineages = [...new Set(batch.versions.map((v) => v.lineageId))].sort();
      for (const r of (await writer.query(lockHeads, [lineages])).rows) heads.set(r.lineage_id, r.head_ecs_id);
    }
    await writeEntities(batch.entities);
    const inserted = await writeVersions(batch.versions);
    const moved = new Map();
    const branches = [];
    for (const v of batch.versions) {
      if (!inserted.has(v.ecsId)) continue; // stored before (an import given twice): no move
      const head = moved.has(v.lineageId) ? moved.get(v.lineageId).ecsId : heads.get(v.lineageId);
      if (head !== undefined && head !== v.parentEcsId)
        branches.push({ lineageId: v.lineageId, ecsId: v.ecsId, parentEcsId: v.parentEcsId, replacedHead: head });
      moved.set(v.lineageId, { ecsId: v.ecsId, rootClass: v.rootClass, n: (moved.get(v.lineageId)?.n ?? 0) + 1 });
    }
    if (moved.size > 0) {
      const m = [...moved];
      await writer.query(moveHeads, [m.map(([l]) => l), m.map(([, h]) => h.ecsId), m.map(([, h]) => h.rootClass), m.map(([, h]) => h.n), Date.now()]);
    }
    await writeExecutions(batch.executions);
    const o = batch.outbox ?? [];
    if (o.length > 0) {
      await writer.query(writeOutbox, [o.map((r) => r.eventId), o.map((r) => r.lineageId), o.map((r) => r.type), o.map((r) => r.payload), workerData.channel]);
    }
    if (own) await writer.query('COMMIT');
    return branches.length > 0 ? { branches } : undefined;
  } catch (e) {
    if (own) await writer.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
};

return {
  write,
  call: async (r) => {
    switch (r.op) {
      case 'write':
        return write(r.batch);
      case 'begin':
        await writer.query('BEGIN');
        inTransaction = true;
        return null;
      case 'lead': {
        // A session lock: held by this connection (so by this process) until it closes.
        const [{ led }] = (await reader.query('SELECT pg_try_advisory_lock(hashtext($1)) AS led', [workerData.channel])).rows;
        if (led) {
          reader.on('notification', () => parentPort.postMessage({ notified: true }));
          await reader.query('LISTEN ' + workerData.channel);
        }
        return led;
      }
      case 'commit':
      case 'rollback':
        inTransaction = false;
        await writer.query(r.op === 'commit' ? 'COMMIT' : 'ROLLBACK');
        return null;
      default:
        // In a conditional transaction every read sees it: on its connection.
        return (await (r.conn === 'write' || inTransaction ? writer : reader).query(r.sql, r.params)).rows;
    }
  },
  close: async () => {
    await writer.end();
    await reader.end();
  },
};
`;

/** A call to the thread's engine part. */
type PgCall =
  | { readonly op: 'query'; readonly conn: 'read' | 'write'; readonly sql: string; readonly params?: unknown[] }
  | { readonly op: 'write'; readonly batch: WriteBatch }
  | { readonly op: 'begin' | 'commit' | 'rollback' | 'lead' };

/** Rows come back in pages of this many from a scan (`rootVersions`, `executions`). */
const PAGE = 1000;

/** The engine over PostgreSQL, with what the store above it needs besides `StorageEngine`. */
export interface PostgresEngine extends SharedStorageEngine {
  /** The server and schema, for messages (never the password). */
  readonly path: string;
  readonly durability: Durability;
}

/**
 * Opens the store in `schema` of the database at `url` (created if missing). Fails with
 * `StoreFormatError` when the schema holds tables that are not a store of ours, or of a newer
 * schema version; with the driver's error when the server cannot be reached.
 */
export function openPostgresEngine(url: string, options: PostgresOptions = {}): PostgresEngine {
  const durability = options.durability ?? 'relaxed';
  if (!['relaxed', 'durable', 'strict'].includes(durability))
    throw new StoreOptionError('durability', String(durability), "'relaxed', 'durable' or 'strict'");
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))
    throw new StoreOptionError('schema', String(schema), 'a lower-case SQL name (letters, digits, _)');
  const path = `${serverOf(url)} (schema ${schema})`;
  const thread = new ThreadWriter(
    POSTGRES_THREAD,
    {
      driver: resolvePeer('pg', 'postgresStore()'),
      url,
      schema,
      tables: WRITER_TABLES,
      integers: INTEGER_COLUMNS,
      channel: `abs_outbox_${schema}`.slice(0, 63),
    },
    {
      calls: true,
      onReport: (report) => {
        const { branches, notified } = report as { branches?: BranchInfo[]; notified?: boolean };
        for (const branch of branches ?? []) options.onBranch?.(branch);
        if (notified === true) options.onOutbox?.();
      },
    },
  );
  const call = <T>(request: PgCall & ThreadCall): T => thread.call<T>(request);
  const read = <R>(sql: string, params?: unknown[]): R[] => call<R[]>({ op: 'query', conn: 'read', sql, params });
  let storeId: string;
  try {
    storeId = prepareSchema(
      <R>(sql: string, params?: unknown[]) => call<R[]>({ op: 'query', conn: 'write', sql, params, afterWrites: true }),
      schema,
      path,
    );
  } catch (e) {
    thread.close();
    throw e;
  }

  let open = true;
  let led = false;
  const live = (): void => {
    if (!open) throw new StoreClosedError(path);
  };
  const entity = (ecsId: string) => read<EntityRow>(`${selectSql(ENTITY)} WHERE ecs_id = $1`, [ecsId])[0];
  const rootVersion = (ecsId: string) =>
    read<RootVersionRow>(`${selectSql(ROOT_VERSION)} WHERE ecs_id = $1`, [ecsId])[0];
  /** Every row of a table with `seq`, in `seq` order, a page at a time. */
  const scan = <R>(table: Table<R>): Iterable<R> => ({
    *[Symbol.iterator]() {
      for (let after = 0; ;) {
        live();
        const page = read<R & { $seq: number }>(
          `${selectSql(table, 'seq AS "$seq"')} WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
          [after],
        );
        for (const { $seq, ...row } of page) {
          after = $seq;
          yield row as R;
        }
        if (page.length < PAGE) return;
      }
    },
  });

  return {
    path,
    durability,
    storeId,
    write(batch) {
      live();
      call({ op: 'write', batch, afterWrites: true });
    },
    submit(batch) {
      live();
      thread.submit(batch);
    },
    settleSync: () => thread.settleSync(),
    settle: () => thread.settle(),
    pendingBatches: () => thread.pending(),
    writeFailure: () => thread.failure(),
    entity(ecsId) {
      live();
      return entity(ecsId);
    },
    entities(ecsIds) {
      live();
      return read<EntityRow>(`${selectSql(ENTITY)} WHERE ecs_id = ANY($1)`, [ecsIds]);
    },
    rootVersion(ecsId) {
      live();
      return rootVersion(ecsId);
    },
    rootVersions: () => scan(ROOT_VERSION),
    lineage(lineageId) {
      live();
      return read<{ ecsId: string; parentEcsId: string | null }>(
        'SELECT ecs_id AS "ecsId", parent_ecs_id AS "parentEcsId" FROM root_version WHERE lineage_id = $1 ORDER BY seq',
        [lineageId],
      );
    },
    head(lineageId) {
      live();
      return read<{ h: string }>('SELECT head_ecs_id AS h FROM lineage_head WHERE lineage_id = $1', [lineageId])[0]?.h;
    },
    heads() {
      live();
      return read<LineageHeadRow>(
        'SELECT lineage_id AS "lineageId", head_ecs_id AS "headEcsId", root_class AS "rootClass" FROM lineage_head ORDER BY lineage_id',
      );
    },
    executions: () => scan(EXECUTION),
    execution(id) {
      live();
      return read<ExecutionRow>(`${selectSql(EXECUTION)} WHERE id = $1`, [id])[0];
    },
    counts() {
      live();
      const [c] = read<{ versions: number; entities: number; lineages: number }>(
        'SELECT (SELECT count(*) FROM root_version) AS versions, (SELECT count(*) FROM entity_version) AS entities, ' +
          '(SELECT count(*) FROM lineage_head) AS lineages',
      );
      return c;
    },
    beginConditional() {
      live();
      call({ op: 'begin', afterWrites: true });
    },
    lockHeads(lineageIds) {
      live();
      const rows = call<{ l: string; h: string }[]>({
        op: 'query',
        conn: 'write',
        sql: 'SELECT lineage_id AS l, head_ecs_id AS h FROM lineage_head WHERE lineage_id = ANY($1) ORDER BY lineage_id FOR UPDATE',
        params: [[...new Set(lineageIds)].sort()],
        afterWrites: true,
      });
      return new Map(rows.map((r) => [r.l, r.h]));
    },
    endConditional() {
      live();
      call({ op: 'commit', afterWrites: true });
    },
    leadRelay() {
      live();
      return (led ||= call<boolean>({ op: 'lead' }));
    },
    unpublished(limit) {
      live();
      return read<UnpublishedRow>(
        'SELECT seq, event_id AS "eventId", lineage_id AS "lineageId", type, payload FROM event_outbox ' +
          `WHERE published_at IS NULL ORDER BY seq LIMIT ${Math.trunc(limit)}`,
      );
    },
    markPublished(seqs) {
      live();
      read('UPDATE event_outbox SET published_at = $1 WHERE seq = ANY($2)', [Date.now(), seqs]);
    },
    prune(keep) {
      const checked = checkKeep(keep);
      live();
      thread.settleSync(); // every submitted batch first: they may hold versions to keep or remove
      const q = <R>(sql: string, params?: unknown[]) =>
        call<R[]>({ op: 'query', conn: 'write', sql, params, afterWrites: true });
      call({ op: 'begin', afterWrites: true });
      let done = false;
      try {
        // Writers of every process wait (they upsert heads) while the plan is made and applied.
        q('LOCK TABLE lineage_head IN SHARE ROW EXCLUSIVE MODE');
        const source: PruneSource = {
          entity: (ecsId) => q<EntityRow>(`${selectSql(ENTITY)} WHERE ecs_id = $1`, [ecsId])[0],
          rootVersion: (ecsId) => q<RootVersionRow>(`${selectSql(ROOT_VERSION)} WHERE ecs_id = $1`, [ecsId])[0],
          rootVersions: () => q<RootVersionRow>(`${selectSql(ROOT_VERSION)} ORDER BY seq`),
          entityIds: () => q<{ id: string }>('SELECT ecs_id AS id FROM entity_version').map((r) => r.id),
          executions: () => q<ExecutionRow>(`${selectSql(EXECUTION)} ORDER BY seq`),
        };
        const bytes = (column: string) => `octet_length(${column})`;
        const dropped = (table: 'root_version' | 'entity_version' | 'execution', key: string) => (id: string) =>
          q<{ n: number }>(deleteSql(table, key, '$1', bytes), [id])[0]?.n ?? 0;
        const sink: PruneSink = {
          rewrite: (row) =>
            q('UPDATE entity_version SET identity = $1, data = $2 WHERE ecs_id = $3', [
              row.identity,
              row.data,
              row.ecsId,
            ]),
          wholeDelta: (ecsId) => q('UPDATE root_version SET delta = NULL WHERE ecs_id = $1', [ecsId]),
          dropVersion: dropped('root_version', 'ecs_id'),
          dropEntity: dropped('entity_version', 'ecs_id'),
          dropExecution: dropped('execution', 'id'),
          uncount: (lineageId, n) =>
            q('UPDATE lineage_head SET versions = versions - $1 WHERE lineage_id = $2', [n, lineageId]),
        };
        const report = applyPrune(checked, source, sink);
        call({ op: 'commit', afterWrites: true });
        done = true;
        // The server frees the space when it vacuums the tables: nothing is freed in a file yet.
        return { ...report, fileBytesFreed: 0 } satisfies PruneReport;
      } finally {
        if (!done) call({ op: 'rollback', afterWrites: true });
      }
    },
    close() {
      if (!open) return;
      open = false;
      thread.close();
    },
  };
}

/**
 * Creates the tables in `schema` (and the schema) or checks and migrates them, in one transaction
 * under an advisory lock, so two processes opening a new store create it once. Returns the store id.
 */
function prepareSchema(query: <R>(sql: string, params?: unknown[]) => R[], schema: string, where: string): string {
  query('BEGIN');
  try {
    query('SELECT pg_advisory_xact_lock(hashtext($1))', [`abstractions-ts/${schema}`]);
    query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const tables = query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    ).map((t) => t.name);
    let version = 0;
    if (tables.length > 0) {
      if (!tables.includes('store_meta'))
        throw new StoreFormatError(where, `a schema without store_meta (tables: ${tables.join(', ')})`);
      const meta = query<{ key: string; value: string }>('SELECT key, value FROM store_meta');
      version = storedSchemaVersion(new Map(meta.map((m) => [m.key, m.value])), where);
    }
    for (const sql of MIGRATIONS.slice(version)) query(postgresSql(sql));
    for (const [key, value] of metaAfterMigrations(version))
      query(
        'INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    const [id] = query<{ value: string }>("SELECT value FROM store_meta WHERE key = 'store_id'");
    query('COMMIT');
    return id.value;
  } catch (e) {
    query('ROLLBACK');
    throw e;
  }
}

/** `postgres://user@host:port/db` of a connection string, without its password. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return `${u.protocol}//${u.username === '' ? '' : `${u.username}@`}${u.host}${u.pathname}`;
  } catch {
    return 'postgres (connection string not a URL)';
  }
}
