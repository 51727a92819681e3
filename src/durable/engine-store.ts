/**
 * A history store over a storage engine (SPEC §12), and `sqliteStore`, the default one: what a
 * registry commits is written to the engine behind the in-memory commit, and a registry created
 * over the same store later gets it all back. The engine knows rows only (`rows.ts`); this file
 * decides when rows are written and what a failure means.
 *
 * Writing: a published commit or a kept execution record is queued by reference (stored versions
 * are frozen, so nothing is copied or encoded on the calling path); the queue is encoded into rows
 * and written in one transaction when it holds `batchSize` items, or `batchDelayMs` after the
 * first one, or on `flush()` / `close()` / process exit. A first version withdrawn after its
 * commit (a failed call's config) is dropped from the queue, or, written already, deleted by the
 * next batch. A batch is all or nothing. A failed write puts the store in fail-stop: `errors$`
 * emits, `flush()` rejects, and every later change to the registry throws `StoreWriteError`
 * before doing anything.
 *
 * Reading: this first version loads the whole history when the registry is created, replaying
 * every root version in commit order through the registry's ordinary load path
 * (`registry.restore`, which keeps every id and shares what did not change); each version's
 * rows are decoded only for the entities it stored itself, the rest are the stored entities an
 * earlier version loaded (`versionFromStoredJSON`).
 */
import { Subject, type Observable } from 'rxjs';
import type { CommitResult } from '../store/commit';
import type { EntityRegistry } from '../store/entity-registry';
import {
  installStoreOpener,
  type HistoryStore,
  type RecordToStore,
  type WithdrawnVersion,
} from '../store/history-store';
import { versionFromStoredJSON, type JsonValue } from '../serialize';
import { DecodeContext, decodeValue } from '../serialize/codec';
import { FunctionExecution, type ExecutionError, type OutputSemantic } from '../callable/execution-record';
import { setOwn } from '../metadata/values';
import { errorText } from '../errors';
import {
  RowCache,
  entityRow,
  isJsonObject,
  rootVersionRow,
  valueText,
  versionJSONFromRows,
  type SpliceChains,
} from './entity-rows';
import type { EntityObject } from '../metadata/object-model';
import { StoreCorruptError, StoreWriteError } from './errors';
import type { EntityRow, ExecutionRow, RootVersionRow, StorageEngine, Withdrawal, WriteBatch } from './rows';
import { openSqliteEngine, type Durability } from './sqlite-engine';

export interface HistoryStoreOptions {
  /**
   * Every mode fsyncs each batch it writes (README, "Durable history"). `relaxed` (default): a call
   * returns after the in-memory commit; a `kill -9` or a power loss loses what was queued or with
   * the writer thread, never part of a batch. `durable`: the same, and `aexecute`/`flush()`
   * resolve only once their rows are written. `strict`: every call writes its rows before it returns.
   */
  readonly durability?: Durability;
  /** Queued items (commits and records) that make a batch be written at once (default 100). */
  readonly batchSize?: number;
  /** How long the first queued item waits for more before its batch is written (default 1 ms). */
  readonly batchDelayMs?: number;
}

/** How many batches' worth of items the queue may grow to while the writer is busy. */
const GROUP_LIMIT = 10;

/**
 * Stores with queued items or batches their writer has not written yet: the exit hook writes and
 * waits for them. A store leaves once nothing is pending, so a dropped registry can be collected.
 */
const open = new Set<EngineHistoryStore>();
let exitHook = false;

/** @internal Exported for engines and tests; users call `sqliteStore`. */
export class EngineHistoryStore implements HistoryStore {
  private engine: StorageEngine | null;
  /** Commits, records and withdrawals in the order they happened; encoded when written. */
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failure: StoreWriteError | null = null;
  private readonly errors = new Subject<StoreWriteError>();
  /** The registry whose history this is (set by `attach`). */
  private registry: EntityRegistry | null = null;
  /** The records the store held when it was attached, then those imported since, by id, oldest first. */
  private readonly restoredRecords = new Map<string, FunctionExecution>();
  /** The write failure that put the store in fail-stop (emitted once). */
  readonly errors$: Observable<StoreWriteError> = this.errors.asObservable();
  private readonly durability: Durability;
  private readonly batchSize: number;
  private readonly batchDelayMs: number;
  /** What this store wrote long arrays against (see entity-rows.ts, "Long arrays by difference"). */
  private readonly chains: SpliceChains = new WeakMap();

  constructor(
    /** Engine name, for messages. */
    readonly kind: string,
    /** Where the engine keeps its rows (a file path), for messages. */
    readonly path: string,
    engine: StorageEngine,
    options: HistoryStoreOptions,
  ) {
    this.durability = options.durability ?? 'relaxed';
    this.batchSize = options.batchSize ?? 100;
    this.batchDelayMs = options.batchDelayMs ?? 1;
    this.engine = engine;
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const store of open) {
          store.writeNow();
          store.settleNow();
        }
      });
    }
  }

  attach(registry: EntityRegistry): void {
    this.registry = registry;
    const engine = this.engine!;
    try {
      const cache = new RowCache();
      const reader = { loaded: (ecsId: string): boolean => registry.findStoredEntity(ecsId) !== undefined };
      const stored = (ecsId: string): unknown => registry.findStoredEntity(ecsId);
      const history = (ecsId: string) => cache.histories.get(ecsId);
      // Read first: the engine cannot answer the row lookups below while a scan is open.
      for (const row of [...engine.rootVersions()]) {
        // Children loaded with an earlier version stay references: each version decodes what it stored.
        const json = versionJSONFromRows(row.ecsId, engine, cache, reader);
        registry.restore(versionFromStoredJSON(json, stored, history), row.createdAt);
      }
      const find = (ecsId: string, at: string): EntityObject => {
        const e = registry.findStoredEntity<EntityObject>(ecsId);
        if (e === undefined)
          throw new StoreCorruptError(`${at} names entity ${ecsId}, which the store does not hold`, ecsId);
        return e;
      };
      for (const row of engine.executions()) {
        const record = restoredRecord(row, find);
        this.restoredRecords.set(record.id, record);
      }
    } catch (error) {
      // The registry being created fails with this error: release the file it would have used.
      engine.close();
      this.engine = null;
      throw error;
    }
  }

  records(): readonly FunctionExecution[] {
    return [...this.restoredRecords.values()];
  }

  record(executionId: string): FunctionExecution | undefined {
    return this.restoredRecords.get(executionId);
  }

  imported(rows: unknown): void {
    // What this process committed before goes first: the file keeps commit order.
    this.writeNow();
    this.checkWritable();
    // One transaction: a failure writes none of the rows and leaves the store as it was (no fail-stop).
    this.engine!.write(rows as WriteBatch);
  }

  importedRecords(records: readonly { readonly id: string }[]): void {
    for (const r of records)
      if (!this.restoredRecords.has(r.id)) this.restoredRecords.set(r.id, r as FunctionExecution);
  }

  committed(commit: CommitResult): void {
    this.enqueue(commit);
  }

  recorded(record: RecordToStore): void {
    this.enqueue(record);
  }

  withdrawn(version: WithdrawnVersion): void {
    // Still queued: it is simply not written. Handed to the engine already: its rows are deleted
    // by a later batch, in the same transaction as that batch's rows (sqlite-writer.ts). Rows
    // encoded from now on are never written against its entities (the registry no longer finds
    // them, so no `oldIds` left out, no splice; their `chains` entries go unused).
    const at = this.queue.findIndex((item) => isCommit(item) && item.version.ecsId === version.ecsId);
    if (at >= 0) this.queue.splice(at, 1);
    else this.enqueue({ withdrawal: version }); // plain data (ids): it may cross to the writer thread
  }

  operationEnded(): void {
    if (this.durability !== 'strict' || this.queue.length === 0) return;
    this.writeNow();
    this.settleNow();
    this.checkWritable();
  }

  checkWritable(): void {
    if (this.failure === null) {
      const failed = this.engine?.writeFailure() ?? null;
      if (failed !== null) this.fail(failed); // found by a writer thread since the last look
    }
    if (this.failure !== null) throw this.failure;
  }

  async flush(): Promise<void> {
    this.writeNow();
    if (this.failure === null && this.engine !== null) {
      try {
        await this.engine.settle();
      } catch (error) {
        this.fail(error);
      }
    }
    this.leaveIfSettled();
    if (this.failure !== null) throw this.failure;
  }

  acknowledged(): Promise<void> {
    return this.durability === 'durable' ? this.flush() : Promise.resolve();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      // Released also when the last write failed: the file is no use to this process any more.
      open.delete(this);
      this.engine?.close();
      this.engine = null;
      this.failure ??= new StoreWriteError(this.path, 'the store is closed', null);
    }
  }

  private enqueue(item: Queued): void {
    if (this.failure !== null) return; // fail-stop: checkWritable refuses the next change
    this.queue.push(item);
    open.add(this);
    const n = this.queue.length;
    // Group commit: while the writer is still busy with earlier batches, the queue grows (up to
    // GROUP_LIMIT batches' worth) into one bigger batch instead of many, one fsync for all of them.
    if (n >= this.batchSize && (n >= this.batchSize * GROUP_LIMIT || this.engine?.pendingBatches() === 0))
      this.writeNow();
    else this.timer ??= setTimeout(() => this.writeNow(), this.batchDelayMs);
  }

  /** Writes the queue as one batch. Never throws: a failure puts the store in fail-stop. */
  private writeNow(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const items = this.queue;
    if (items.length === 0 || this.engine === null || this.failure !== null) return;
    this.queue = [];
    try {
      const registry = this.registry!;
      this.engine.submit(batchOf(items, (ecsId) => registry.findStoredEntity(ecsId), this.chains));
    } catch (error) {
      this.fail(error);
    }
    this.leaveIfSettled();
  }

  /** Out of `open` once nothing is queued or in flight (see there). */
  private leaveIfSettled(): void {
    if (this.queue.length === 0 && (this.engine === null || this.engine.pendingBatches() === 0)) open.delete(this);
  }

  /** Waits (blocking) for the engine to have written everything submitted. Never throws. */
  private settleNow(): void {
    if (this.engine === null || this.failure !== null) return;
    try {
      this.engine.settleSync();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Fail-stop: from now on the store takes no more changes. */
  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = new StoreWriteError(this.path, 'a write failed', error);
    this.errors.next(this.failure);
  }
}

/** What the write queue holds: a commit, an execution record, or a withdrawal of a written version. */
type Queued = CommitResult | RecordToStore | { readonly withdrawal: WithdrawnVersion };

function isCommit(item: Queued): item is CommitResult {
  return 'version' in item && 'stored' in item;
}

/** The rows of queued commits and records, in their order, and the withdrawals. */
function batchOf(
  items: readonly Queued[],
  storedVersion: (ecsId: string) => EntityObject | undefined,
  chains: SpliceChains,
): WriteBatch {
  const entities: EntityRow[] = [];
  const versions: RootVersionRow[] = [];
  const executions: ExecutionRow[] = [];
  const withdrawn: Withdrawal[] = [];
  for (const item of items) {
    if (isCommit(item)) {
      for (const stored of item.stored.values()) entities.push(entityRow(stored, storedVersion, chains));
      versions.push(rootVersionRow(item.version));
    } else if ('withdrawal' in item) {
      withdrawn.push(item.withdrawal);
    } else {
      executions.push(executionRow(item));
    }
  }
  return { entities, versions, executions, withdrawn };
}

/**
 * An execution record as JSON that always encodes, so a record can never put the store in
 * fail-stop: values in the tagged form (`$bigint`, `$map`, ...; entities as `{ $ref }`), and a
 * value that is not data (a class instance a function was given as it is) named instead.
 */
export function recordJSON(record: RecordToStore): string {
  const { inputs, ...rest } = record.toStoredJSON() as { inputs: Record<string, unknown> } & Record<string, unknown>;
  // Each part written on its own: one that cannot be written does not take the others with it.
  const given = inputs.values as Record<string, unknown>;
  const values = Object.keys(given).map((key) => member(key, partText(given[key], `inputs.values.${key}`)));
  const parts = [
    member(
      'inputs',
      `{${[
        member('entities', partText(inputs.entities, 'inputs.entities')),
        member('addresses', partText(inputs.addresses, 'inputs.addresses')),
        member('rootIds', partText(inputs.rootIds, 'inputs.rootIds')),
        member('values', `{${values.join(',')}}`),
      ].join(',')}}`,
    ),
    ...Object.keys(rest).map((key) => member(key, partText(rest[key], key))),
  ];
  return `{${parts.join(',')}}`;
}

/** `"key":value` of a JSON object's text. */
function member(key: string, valueText: string): string {
  return `${JSON.stringify(key)}:${valueText}`;
}

/**
 * One part of a record as JSON text: encoded in the tagged form, or, when it cannot be written
 * (not data, or nested deeper than `JSON.stringify` goes), named instead.
 */
function partText(value: unknown, path: string): string {
  try {
    return valueText(value, path);
  } catch (error) {
    return JSON.stringify({ $unserialisable: errorText(error) });
  }
}

/** An execution record as the row the store writes. */
export function executionRow(record: RecordToStore): ExecutionRow {
  return {
    id: record.id,
    functionName: record.functionName,
    status: record.status,
    startedAt: record.startedAt,
    record: recordJSON(record),
  };
}

/** What a part `partText` named instead of writing reads back as; null for a part that was written. */
export function unstoredPart(raw: JsonValue | undefined): string | null {
  return isJsonObject(raw) && '$unserialisable' in raw ? `(not stored: ${String(raw.$unserialisable)})` : null;
}

/** A record row read back: every part decoded, stored entities the registry's own. */
export function restoredRecord(
  row: ExecutionRow,
  find: (ecsId: string, at: string) => EntityObject,
): FunctionExecution {
  const json = JSON.parse(row.record) as Record<string, JsonValue>;
  const ctx = new DecodeContext(find);
  const part = (raw: JsonValue | undefined, at: string): unknown =>
    unstoredPart(raw) ?? decodeValue(raw, `execution ${row.id}: ${at}`, ctx);
  const inputs = json.inputs as Record<string, JsonValue>;
  const values: Record<string, unknown> = {};
  const stored = inputs.values as Record<string, JsonValue>;
  for (const key of Object.keys(stored)) setOwn(values, key, part(stored[key], `inputs.values.${key}`));
  return FunctionExecution.restored({
    id: row.id,
    functionName: row.functionName,
    startedAt: row.startedAt,
    durationMs: part(json.durationMs, 'durationMs') as number,
    inputs: {
      entities: part(inputs.entities, 'inputs.entities') as Record<string, string>,
      addresses: part(inputs.addresses, 'inputs.addresses') as Record<string, string>,
      values: Object.freeze(values),
      rootIds: part(inputs.rootIds, 'inputs.rootIds') as readonly string[],
    },
    outputIds: part(json.outputIds, 'outputIds') as readonly string[],
    semantics: part(json.semantics, 'semantics') as readonly OutputSemantic[],
    versionIds: part(json.versionIds, 'versionIds') as readonly string[],
    result: part(json.result, 'result'),
    error: part(json.error, 'error') as ExecutionError | null,
  });
}

/**
 * A history store in the SQLite file at `path` (created if missing):
 * `new EntityRegistry({ store: sqliteStore('data/history.db') })`.
 */
export function sqliteStore(path: string, options: HistoryStoreOptions = {}): EngineHistoryStore {
  return new EngineHistoryStore('sqlite', path, openSqliteEngine(path, { durability: options.durability }), options);
}

installStoreOpener((path) => sqliteStore(path));
