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
 * Reading: nothing is read when the registry is created (a store of any size opens in
 * milliseconds). The registry asks for what it does not hold (`attach` gives it a `StoredHistory`):
 * a version or entity is built from its rows on demand (`row-loader.ts`), sharing what memory holds;
 * lineages, heads, counts and execution records are read from the engine. Every read first writes
 * what is queued and waits for it (`sync`), so it never misses what was committed before it.
 */
import { Subject, type Observable } from 'rxjs';
import type { CommitResult } from '../store/commit';
import type { BranchInfo } from '../store/commit-events';
import type { EntityRegistry } from '../store/entity-registry';
import {
  installStoreOpener,
  type HistoryStore,
  type LockHeads,
  type RecordToStore,
  type StoredHistory,
  type StoredVersionInfo,
  type WithdrawnVersion,
} from '../store/history-store';
import type { JsonValue } from '../serialize';
import { DecodeContext, decodeValue } from '../serialize/codec';
import { FunctionExecution, type ExecutionError, type OutputSemantic } from '../callable/execution-record';
import { setOwn } from '../metadata/values';
import { errorText } from '../errors';
import {
  RowCache,
  entityRow,
  isJsonObject,
  lazyHistoryOf,
  rootVersionRow,
  valueText,
  type RowSource,
  type SpliceChains,
} from './entity-rows';
import type { EntityObject, IdChain } from '../metadata/object-model';
import { StoreClosedError, StoreCorruptError, StoreWriteError } from './errors';
import { loadStoredEntity } from './row-loader';
import type {
  EntityRow,
  ExecutionRow,
  OutboxRow,
  PruneKeep,
  PruneReport,
  RootVersionRow,
  SharedStorageEngine,
  StorageEngine,
  Withdrawal,
  WriteBatch,
} from './rows';
import { isShared } from './rows';
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
  /**
   * How many bytes of stored versions (estimated) the registry keeps in memory (default 64 MB);
   * the rest is read from the store when asked for. A tree in use stays in memory whatever its size.
   */
  readonly cacheBytes?: number;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** How many records read back from the store are kept, so asking twice gives one object. */
const RECORDS_KEPT = 256;

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
  /** A full batch waiting for the end of the current turn (see `enqueue`). */
  private endOfTurn: ReturnType<typeof setImmediate> | null = null;
  private failure: StoreWriteError | null = null;
  private readonly errors = new Subject<StoreWriteError>();
  /** The registry whose history this is (set by `attach`). */
  private registry: EntityRegistry | null = null;
  /**
   * Entity versions of withdrawn first versions: never written against, though their rows may
   * still be in the store until the withdrawal is written (see `withdrawn`). Only failed calls add to it.
   */
  private readonly withdrawnEntities = new Set<string>();
  /**
   * The items of the batches handed to the engine and not written yet, oldest first. Held so what
   * they stored stays in memory until its rows can be read: with the queue, this makes a read by
   * id exact without waiting for the writer (memory has it, or the rows do; `StoredHistory`).
   */
  private readonly inFlight: Queued[][] = [];
  /**
   * lineageId -> the newest commit of it in the queue or in flight (`pendingHead`): set as a commit
   * is queued, dropped once the batch holding it is written (or the commit is withdrawn).
   */
  private readonly pendingHeads = new Map<string, string>();
  /** Records read back lately, by id (see `recordOf`). */
  private readonly recentRecords = new Map<string, FunctionExecution>();
  /** The write failure that put the store in fail-stop (emitted once). */
  readonly errors$: Observable<StoreWriteError> = this.errors.asObservable();
  private readonly durability: Durability;
  private readonly batchSize: number;
  private readonly batchDelayMs: number;
  private readonly cacheBytes: number;
  /** What this store wrote long arrays against (see entity-rows.ts, "Long arrays by difference"). */
  private chains: SpliceChains = new WeakMap();

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
    this.cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.engine = engine;
    if (isShared(engine)) this.conditional = (body) => this.runConditional(engine, body);
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

  /** See `HistoryStore.conditional`: set over a shared engine only. */
  readonly conditional?: <T>(body: (lockHeads: LockHeads) => Promise<T>) => Promise<T>;
  /** The end of the last conditional write begun (they run one after another). */
  private conditionalTail: Promise<void> = Promise.resolve();

  private async runConditional<T>(engine: SharedStorageEngine, body: (lockHeads: LockHeads) => Promise<T>): Promise<T> {
    const before = this.conditionalTail;
    let release!: () => void;
    this.conditionalTail = new Promise((resolve) => (release = resolve));
    await before;
    try {
      this.sync();
      this.checkWritable();
      engine.beginConditional();
      try {
        return await body((lineageIds) => engine.lockHeads(lineageIds));
      } finally {
        // What the body committed (or its failed record) is written in the transaction, then
        // committed: always, since everything the registry queued meanwhile may be in it too. A
        // batch that failed in it is fail-stop, as any (the server rolls the transaction back).
        this.writeNow();
        try {
          engine.endConditional();
        } catch (error) {
          this.fail(error);
        }
        this.checkWritable();
      }
    } finally {
      release();
    }
  }

  /**
   * A version the engine wrote is a branch of its lineage (its parent was not the head it
   * replaced: another process, or a call here, wrote on the same version first): announced.
   */
  branched(branch: BranchInfo): void {
    this.registry?.announceBranch(branch);
  }

  attach(registry: EntityRegistry): StoredHistory {
    this.registry = registry;
    const rows: RowSource = {
      entity: (ecsId) => this.live().entity(ecsId),
      entityRows: (ecsIds) => this.live().entities(ecsIds),
      rootVersion: (ecsId) => this.live().rootVersion(ecsId),
    };
    const cache = new RowCache();
    const sync = (): void => this.sync();
    const rowHistory = historyFromRows(this.live());
    return {
      cacheBytes: this.cacheBytes,
      shared: isShared(this.live()),
      sync,
      rowHistory,
      history: (ecsId) => {
        sync(); // a version committed here may still be queued
        return rowHistory(ecsId);
      },
      version: (ecsId) => {
        const row = this.live().rootVersion(ecsId);
        return row === undefined ? undefined : versionInfo(row);
      },
      entity: (ecsId, known, built) => loadStoredEntity(ecsId, rows, cache, known, built, rowHistory),
      lineage: (lineageId) => this.live().lineage(lineageId),
      head: (lineageId) => this.live().head(lineageId),
      pendingHead: (lineageId) => this.pendingHead(lineageId),
      heads: () =>
        this.live()
          .heads()
          .map((h) => ({ lineageId: h.lineageId, headEcsId: h.headEcsId, rootType: h.rootClass })),
      versions: () => mapIterable(this.live().rootVersions(), versionInfo),
      counts: () => this.live().counts(),
    };
  }

  /** See `StoredHistory.pendingHead`: the newest commit of the lineage in the queue or in flight. */
  private pendingHead(lineageId: string): string | undefined {
    if (this.inFlight.length > 0) this.releaseWritten();
    return this.pendingHeads.get(lineageId);
  }

  /** The engine, to read from; `StoreClosedError` once the store is closed. */
  private live(): StorageEngine {
    if (this.engine === null) throw new StoreClosedError(this.path);
    return this.engine;
  }

  /** Writes what is queued and waits for it, so the engine's rows are what was committed. Never throws. */
  private sync(): void {
    this.writeNow();
    this.settleNow();
  }

  records(): readonly FunctionExecution[] {
    if (this.engine === null) return [];
    this.sync();
    const rows = [...this.engine.executions()];
    return rows.map((row) => this.recordOf(row));
  }

  record(executionId: string): FunctionExecution | undefined {
    const kept = this.recentRecords.get(executionId);
    if (kept !== undefined || this.engine === null) return kept;
    this.sync();
    const row = this.engine.execution(executionId);
    return row === undefined ? undefined : this.recordOf(row);
  }

  /** A record row read back (the last few kept, so asking twice gives the same object). */
  private recordOf(row: ExecutionRow): FunctionExecution {
    const kept = this.recentRecords.get(row.id);
    if (kept !== undefined) return kept;
    const registry = this.registry!;
    const record = restoredRecord(row, (ecsId, at) => {
      const e = registry.findStoredEntity<EntityObject>(ecsId);
      if (e === undefined)
        throw new StoreCorruptError(`${at} names entity ${ecsId}, which the store does not hold`, ecsId);
      return e;
    });
    this.recentRecords.set(row.id, record);
    if (this.recentRecords.size > RECORDS_KEPT) this.recentRecords.delete(this.recentRecords.keys().next().value!);
    return record;
  }

  imported(rows: unknown): void {
    // What this process committed before goes first: the file keeps commit order.
    this.writeNow();
    this.checkWritable();
    // One transaction: a failure writes none of the rows and leaves the store as it was (no fail-stop).
    this.engine!.write(rows as WriteBatch);
  }

  importedRecords(): void {
    // Written with the import's rows (`imported`): `records()` reads them from there.
  }

  committed(commit: CommitResult): void {
    if (this.failure === null) this.pendingHeads.set(commit.version.lineageId, commit.version.ecsId);
    this.enqueue(commit);
  }

  recorded(record: RecordToStore): void {
    this.enqueue(record);
  }

  /** @internal An event to relay to other processes: written with what was queued before it (event-relay.ts). */
  relayed(row: OutboxRow): void {
    this.enqueue({ outbox: row });
  }

  private outboxListener: (() => void) | null = null;

  /** @internal Who to tell when a process (this one or another) committed outbox rows (the relay). */
  watchOutbox(listener: (() => void) | null): void {
    this.outboxListener = listener;
  }

  /** @internal The engine says outbox rows were committed. */
  outboxChanged(): void {
    this.outboxListener?.();
  }

  /** @internal The engine, when other processes share it (the relay reads its outbox). */
  sharedEngine(): SharedStorageEngine | null {
    const engine = this.live();
    return isShared(engine) ? engine : null;
  }

  withdrawn(version: WithdrawnVersion): void {
    // Still queued: it is simply not written. Handed to the engine already: its rows are deleted
    // by a later batch, in the same transaction as that batch's rows (sqlite-writer.ts). Rows
    // encoded from now on are never written against its entities (the registry no longer finds
    // them, so no `oldIds` left out, no splice; their `chains` entries go unused).
    for (const ecsId of version.entities) this.withdrawnEntities.add(ecsId);
    this.forgetPending(version);
    const at = this.queue.findIndex((item) => isCommit(item) && item.version.ecsId === version.ecsId);
    if (at >= 0) this.queue.splice(at, 1);
    else this.enqueue({ withdrawal: version }); // plain data (ids): it may cross to the writer thread
  }

  prune(keep: PruneKeep): PruneReport {
    this.sync();
    this.checkWritable();
    const report = this.engine!.prune(keep);
    // What this store wrote against may be gone: the next rows are written whole, records read again.
    this.chains = new WeakMap();
    this.recentRecords.clear();
    return report;
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
    if (this.inFlight.length > 0) this.releaseWritten();
    open.add(this);
    const n = this.queue.length;
    // Group commit: while the writer is still busy with earlier batches, the queue grows (up to
    // GROUP_LIMIT batches' worth) into one bigger batch instead of many, one fsync for all of them.
    // A full batch is written at the end of the current turn, not at once: what an operation
    // queues after its commit (its record, its events for the outbox) goes in the same batch. Only
    // a loop that never yields meets GROUP_LIMIT, and is written there.
    if (n >= this.batchSize * GROUP_LIMIT) this.writeNow();
    else if (n >= this.batchSize && this.engine?.pendingBatches() === 0)
      this.endOfTurn ??= setImmediate(() => this.writeNow());
    else this.timer ??= setTimeout(() => this.writeNow(), this.batchDelayMs);
  }

  /** Writes the queue as one batch. Never throws: a failure puts the store in fail-stop. */
  private writeNow(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.endOfTurn !== null) {
      clearImmediate(this.endOfTurn);
      this.endOfTurn = null;
    }
    const items = this.queue;
    if (items.length === 0 || this.engine === null || this.failure !== null) return;
    this.queue = [];
    try {
      const registry = this.registry!;
      const engine = this.engine;
      // Never a read of the registry's store (which would wait for this very write): memory, else the rows.
      const stored = (ecsId: string): object | undefined =>
        registry.cachedStoredEntity(ecsId) ??
        (this.withdrawnEntities.has(ecsId) || engine.entity(ecsId) === undefined ? undefined : STORED);
      engine.submit(batchOf(items, stored, this.chains));
      this.inFlight.push(items);
      this.releaseWritten();
    } catch (error) {
      this.fail(error);
    }
    this.leaveIfSettled();
  }

  /** Lets go of the items of every batch the engine has written (see `inFlight`). */
  private releaseWritten(): void {
    const pending = this.engine?.pendingBatches() ?? 0;
    if (this.inFlight.length <= pending) return;
    for (const batch of this.inFlight.splice(0, this.inFlight.length - pending))
      for (const item of batch) if (isCommit(item)) this.forgetPending(item.version);
  }

  /** `version` is written (or will never be): no longer a pending head. */
  private forgetPending(version: { readonly lineageId: string; readonly ecsId: string }): void {
    if (this.pendingHeads.get(version.lineageId) === version.ecsId) this.pendingHeads.delete(version.lineageId);
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
    this.pendingHeads.clear(); // nothing queued or in flight will be written now
    this.failure = new StoreWriteError(this.path, 'a write failed', error);
    this.errors.next(this.failure);
  }
}

/**
 * The history of an entity version from its row, for a version whose row is written (a row names
 * only written rows). Holds the engine alone: fork links keep it (see `StoredHistory.rowHistory`).
 */
function historyFromRows(engine: StorageEngine): (ecsId: string) => IdChain | null {
  const read = (ecsId: string): IdChain | null => {
    const row = engine.entity(ecsId);
    if (row === undefined)
      throw new StoreCorruptError(`missing entity row ${ecsId} (a previous version whose history is read)`, ecsId);
    return lazyHistoryOf(row, read);
  };
  return read;
}

/** What a row lookup answers for a version whose row is stored but which is not in memory. */
const STORED = Object.freeze({});

/** A root version row as the registry reads it. */
function versionInfo(row: RootVersionRow): StoredVersionInfo {
  let delta: (string | null)[] | null = null;
  if (row.delta !== null) {
    const parsed = JSON.parse(row.delta) as unknown;
    if (!Array.isArray(parsed) || parsed.some((x) => x !== null && typeof x !== 'string'))
      throw new StoreCorruptError(`the delta of root version row ${row.ecsId} is not a list of ids`, row.ecsId);
    delta = parsed as (string | null)[];
  }
  return {
    ecsId: row.ecsId,
    lineageId: row.lineageId,
    parentEcsId: row.parentEcsId,
    createdAt: row.createdAt,
    delta,
  };
}

function* mapIterable<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/**
 * What the write queue holds: a commit, an execution record, a withdrawal of a written version,
 * or an event to relay (written after the rows it describes: they were queued before it).
 */
type Queued = CommitResult | RecordToStore | { readonly withdrawal: WithdrawnVersion } | { readonly outbox: OutboxRow };

function isCommit(item: Queued): item is CommitResult {
  return 'version' in item && 'stored' in item;
}

/** The rows of queued commits and records, in their order, and the withdrawals. */
function batchOf(
  items: readonly Queued[],
  storedVersion: (ecsId: string) => object | undefined,
  chains: SpliceChains,
): WriteBatch {
  const entities: EntityRow[] = [];
  const versions: RootVersionRow[] = [];
  const executions: ExecutionRow[] = [];
  const withdrawn: Withdrawal[] = [];
  const outbox: OutboxRow[] = [];
  for (const item of items) {
    if (isCommit(item)) {
      for (const stored of item.stored.values()) entities.push(entityRow(stored, storedVersion, chains));
      versions.push(rootVersionRow(item.version));
    } else if ('withdrawal' in item) {
      withdrawn.push(item.withdrawal);
    } else if ('outbox' in item) {
      outbox.push(item.outbox);
    } else {
      executions.push(executionRow(item));
    }
  }
  return { entities, versions, executions, withdrawn, outbox };
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
