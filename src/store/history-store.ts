/**
 * Where a registry's history goes besides memory (SPEC §12). The registry calls it at fixed points
 * (a commit published, an execution record kept, an operation ended) and never waits on it; a
 * durable store (`src/durable/`, SQLite) implements it above the store layer, so the store layer
 * stays free of I/O. `memoryStore()` is the absence of one: today's behaviour.
 */
import type { EntityObject, IdChain } from '../metadata/object-model';
import type { CommitResult } from './commit';
import type { EntityRegistry } from './entity-registry';
import type { LineageEntry } from './root-version';
import type { PruneKeep, PruneReport } from './retention';

/** A stored root version as a store holds it: the root's ecsId is the version's. */
export interface StoredVersionInfo {
  readonly ecsId: string;
  readonly lineageId: string;
  readonly parentEcsId: string | null;
  readonly createdAt: number;
  /**
   * What it changed in its tree's index, relative to its parent, as flat pairs `lineageId, ecsId`
   * (null: the lineage left the tree); null for a version that holds everything itself (a first version).
   */
  readonly delta: readonly (string | null)[] | null;
}

/** A lineage's newest version and its root's type name (`@entity({ name })` or the class name). */
export interface StoredHead {
  readonly lineageId: string;
  readonly headEcsId: string;
  readonly rootType: string;
}

/**
 * What a durable store holds, read on demand (SPEC §12: memory is bounded). The registry keeps a
 * bounded cache of stored versions and asks here for the rest. A store keeps what it was handed
 * in memory (referenced) until its rows can be read, so a read by id (`version`, `entity`) needs
 * no wait: what it misses in the rows was never committed, or is still in the registry's memory.
 * Reads over many rows (`lineage`, `head`, `heads`, `versions`, `counts`) are made exact by `sync` first.
 */
export interface StoredHistory {
  /** How many bytes (estimated) of stored versions the registry keeps in memory. */
  readonly cacheBytes: number;
  /**
   * True when other processes write to the store too (PostgreSQL, SPEC §13): a lineage's head is
   * then read from the store whenever it is asked for, never taken from memory.
   */
  readonly shared: boolean;
  /** Writes what is queued and waits for it (blocking); never throws (a failure is fail-stop). */
  sync(): void;
  /** The root version `ecsId`, if stored. */
  version(ecsId: string): StoredVersionInfo | undefined;
  /**
   * The stored entity `ecsId`, built from its row, and the entities it holds that `known` does not
   * give, built the same way; each entity built is handed to `built` (children first). Undefined
   * when the store holds no such entity.
   */
  entity(
    ecsId: string,
    known: (ecsId: string) => EntityObject | undefined,
    built: (entity: EntityObject) => void,
  ): EntityObject | undefined;
  /** The history (`oldIds`, newest first) of the stored entity version `ecsId`, read as it is walked. */
  history(ecsId: string): IdChain | null;
  /**
   * `history`, for a version whose row is written, without `sync`: it holds the engine alone (not
   * the store, nor the registry), so a fork link may keep it.
   */
  readonly rowHistory: (ecsId: string) => IdChain | null;
  /** A lineage's versions in commit order. */
  lineage(lineageId: string): LineageEntry[];
  /** A lineage's newest version (undefined for a lineage the store does not hold). */
  head(lineageId: string): string | undefined;
  /**
   * The newest version of the lineage this process committed and the store has not written yet
   * (queued, or with the writer), if any: a shared store's `head` does not have it yet.
   */
  pendingHead(lineageId: string): string | undefined;
  /** The head of every lineage. */
  heads(): StoredHead[];
  /** Every root version in commit order: a lazy scan, so read nothing else from the store inside the loop. */
  versions(): Iterable<StoredVersionInfo>;
  counts(): { versions: number; entities: number; lineages: number };
}

/** What the store keeps of an execution record (`FunctionExecution`, from the callable layer). */
export interface RecordToStore {
  readonly id: string;
  readonly functionName: string;
  readonly status: string;
  readonly startedAt: number;
  /** The record as plain data, without keeping what it builds for that. */
  toStoredJSON(): unknown;
}

/** A withdrawn first version (`HistoryStore.withdrawn`). */
export interface WithdrawnVersion {
  readonly ecsId: string;
  readonly lineageId: string;
  /** The ecsIds of every entity version it stored (a first version stores all of its entities). */
  readonly entities: readonly string[];
}

/**
 * Locks the stored heads of `lineageIds` until the end of a `HistoryStore.conditional` call (no
 * other process moves them meanwhile) and returns them (a lineage the store does not hold: none).
 */
export type LockHeads = (lineageIds: readonly string[]) => ReadonlyMap<string, string>;

export interface HistoryStore {
  /** Engine name, for messages ('memory', 'sqlite', 'postgres'). */
  readonly kind: string;
  /**
   * A store that other processes write to (SPEC §13) runs a conditional write (`aexecute` with
   * `expect: 'latest'`, `aput`): `body` may lock heads (`LockHeads`), and what it commits is
   * written before they are released, in one transaction with the lock. Conditional writes of one
   * registry run one after another. Absent on a store only this process writes.
   */
  conditional?<T>(body: (lockHeads: LockHeads) => Promise<T>): Promise<T>;
  /**
   * Called once, by the registry's constructor, before anything else happens to it. Returns what
   * the store holds for the registry to read on demand, or null when the registry's memory is
   * the whole history (the memory store).
   */
  attach(registry: EntityRegistry): StoredHistory | null;
  /**
   * A commit was published in memory: queue it for writing (never throws, never blocks on I/O).
   * Not called for versions restored from rows a store holds already (an import).
   */
  committed(commit: CommitResult): void;
  /**
   * A first version committed earlier, alone in its lineage, was withdrawn (the config of an
   * execution that failed, SPEC §5): it must not come back from the store either, whether it is
   * still queued or written already. Another tree may hold a fork of one of its entities (the
   * failed call put the config there): what that fork's stored form needs of it stays.
   */
  withdrawn(version: WithdrawnVersion): void;
  /** An execution record was kept: queue it for writing. */
  recorded(record: RecordToStore): void;
  /** A user operation or execution ended: a `strict` store writes what it queued now. */
  operationEnded(): void;
  /** Throws `StoreWriteError` when an earlier write failed (fail-stop): checked before every change. */
  checkWritable(): void;
  /**
   * The execution records the store holds, in the order it was given them: a durable store's
   * every record (this process's too, once written), read from its rows; the memory store's,
   * those imported (`FunctionExecution`s of the callable layer, typed loosely here to keep layers
   * apart).
   */
  records(): readonly unknown[];
  /** One of `records()` by execution id. */
  record(executionId: string): unknown;
  /**
   * An import (`importHistory`, SPEC §12) brings these rows (the durable layer's `WriteBatch`,
   * opaque to this layer), before the registry loads their versions: a store that keeps rows
   * writes what it queued, then these, in one transaction, and throws, having written none of
   * them, when it cannot. A store without rows ignores them.
   */
  imported(rows: unknown): void;
  /** Execution records an import brought, once their versions are loaded: kept like `records()` (by id). */
  importedRecords(records: readonly { readonly id: string }[]): void;
  /**
   * Retention (SPEC §12): a store that holds rows writes what it queued, then prunes them (all or
   * nothing) and says what it did; null from a store without rows (the registry prunes its memory).
   * Throws `StoreOptionError` for a bad `keep`, `StoreWriteError` in fail-stop, changing nothing.
   */
  prune(keep: PruneKeep): PruneReport | null;
  /** Resolves when everything queued before the call is written (and fsynced where the mode says so). */
  flush(): Promise<void>;
  /**
   * What an awaited operation (`aexecute`) waits for before it resolves: `flush()` in the
   * `durable` mode (its promise: what an awaited call wrote survives a crash), nothing otherwise.
   */
  acknowledged(): Promise<void>;
  /** Flushes, then releases the store. */
  close(): Promise<void>;
}

/** No durable store: history lives in this process's memory only (tests, throwaway worlds). */
export function memoryStore(): HistoryStore {
  // Imported records only: this process's own stay with the CallableRegistry that made them.
  const records = new Map<string, unknown>();
  return {
    kind: 'memory',
    attach: () => null,
    committed: () => undefined,
    withdrawn: () => undefined,
    recorded: () => undefined,
    operationEnded: () => undefined,
    checkWritable: () => undefined,
    records: () => [...records.values()],
    record: (executionId) => records.get(executionId),
    imported: () => undefined,
    importedRecords: (list) => {
      for (const r of list) if (!records.has(r.id)) records.set(r.id, r);
    },
    prune: () => null,
    flush: () => Promise.resolve(),
    acknowledged: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

let defaultFactory: (() => HistoryStore) | null = null;

/**
 * @internal Installs what a registry created without a `store` option gets (`new EntityRegistry()`,
 * `EntityRegistry.reset()`, the static default registry created after the call); `null` restores
 * `memoryStore()`. For the test suite, which runs again over SQLite (`jest --selectProjects
 * sqlite`); deliberately not exported from the package.
 */
export function installDefaultStore(factory: (() => HistoryStore) | null): void {
  defaultFactory = factory;
}

/** The store of a registry created without a `store` option: `memoryStore()` unless a test installed another. */
export function defaultStore(): HistoryStore {
  return defaultFactory === null ? memoryStore() : defaultFactory();
}

let openStore: ((path: string) => HistoryStore) | null = null;

/** Installs the engine `EntityRegistry.open(path)` uses (the durable layer installs SQLite when loaded). */
export function installStoreOpener(open: (path: string) => HistoryStore): void {
  openStore = open;
}

/** The store `EntityRegistry.open(path)` opens. */
export function storeAt(path: string): HistoryStore {
  if (openStore === null) {
    throw new Error('internal: no durable store engine is installed (import abstractions-ts, not a deep path)');
  }
  return openStore(path);
}
