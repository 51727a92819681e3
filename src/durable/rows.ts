/**
 * The rows of a durable store (SPEC §12), as every engine reads and writes them. One row per stored
 * entity version (children referenced by ecsId: structural sharing on disk, as in memory), one per
 * root version (its parent and index delta), one per execution record. Rows are immutable once
 * written; a lineage's order is the order its root versions were written in. The exceptions:
 * a first version withdrawn after it was written (`Withdrawal`) loses its rows, and retention
 * (`StorageEngine.prune`) deletes rows and rewrites the few kept rows that read from deleted ones.
 */
import type { PruneKeep, PruneReport } from '../store/retention';

export type { PruneKeep, PruneReport } from '../store/retention';

/** One stored entity version. */
export interface EntityRow {
  readonly ecsId: string;
  readonly lineageId: string;
  /** The entity's type name (`@entity({ name })` or the class name), as `toJSON` writes `$class`. */
  readonly className: string;
  /** The root version that first stored it (SPEC §2). */
  readonly rootEcsId: string;
  readonly previousEcsId: string | null;
  /** Where it sits in its tree: true for every version that shares it. */
  readonly parentLineageId: string | null;
  readonly place: string;
  readonly createdAt: number;
  readonly forkedAt: number | null;
  readonly derivedFromExecutionId: string | null;
  /**
   * JSON: the rest of its identity, as `toJSON` writes `$id` but without the columns above and
   * without `oldIds` when they are the previous version's `oldIds` plus the previous ecsId (the
   * usual fork), so a row's size does not grow with the length of its history:
   * `{ derivedFromFunction, siblingOutputEntities, outputIndex, attributeSource, oldIds? }`.
   */
  readonly identity: string;
  /**
   * JSON: the field values by name in `toJSON`'s tagged form (`$map`, `$set`, `$date`, ...), with
   * each child entity written as `{ "$ref": "<ecsId>" }` instead of inline.
   */
  readonly data: string;
}

/** One stored root version. */
export interface RootVersionRow {
  readonly ecsId: string;
  readonly lineageId: string;
  readonly parentEcsId: string | null;
  readonly createdAt: number;
  /** The root entity's type name. */
  readonly rootClass: string;
  /**
   * JSON: what it changed in its tree's index, `[lineageId, ecsId | null, ...]`, relative to its
   * parent's. Null when its index is not relative to a stored parent: a first version, or a version
   * whose parent was pruned (`parentEcsId` then still names that parent, as the version's history
   * says, but its row is gone). Null means: the index is the tree itself, every entity in it.
   */
  readonly delta: string | null;
}

/** One execution record: `FunctionExecution.toJSON()` as JSON. */
export interface ExecutionRow {
  readonly id: string;
  readonly functionName: string;
  readonly status: string;
  readonly startedAt: number;
  readonly record: string;
}

/**
 * A first version withdrawn after its rows were written (the config of an execution that failed,
 * SPEC §5: as if it had never been registered): its root version row, its lineage's head and the
 * entity rows it stored are deleted, except an entity row a later row names as its previous
 * version (the failed call put the config into another tree: sqlite-writer.ts says why that row
 * must stay). Plain data: it crosses to the writer thread.
 */
export interface Withdrawal {
  readonly ecsId: string;
  readonly lineageId: string;
  /** Every entity version it stored (each row names it as `rootEcsId`). */
  readonly entities: readonly string[];
}

/** A lineage's head: its newest root version and that root's type name. */
export interface LineageHeadRow {
  readonly lineageId: string;
  readonly headEcsId: string;
  readonly rootClass: string;
}

/**
 * An event to relay to other processes (SPEC §13): written with the versions it describes, in the
 * same transaction, and published from the table after the commit (an outbox).
 */
export interface OutboxRow {
  readonly eventId: string;
  readonly lineageId: string | null;
  readonly type: string;
  /** The event as JSON. */
  readonly payload: string;
}

/** An outbox row as read back to publish: with its place in the table. */
export interface UnpublishedRow extends OutboxRow {
  readonly seq: number;
}

/** What one write transaction stores: all of it or nothing. */
export interface WriteBatch {
  readonly entities: readonly EntityRow[];
  /** In commit order. */
  readonly versions: readonly RootVersionRow[];
  readonly executions: readonly ExecutionRow[];
  /** In the order the events were emitted, after the rows they describe. */
  readonly outbox?: readonly OutboxRow[];
  /** Versions written by an earlier batch and withdrawn since: their rows are deleted. */
  readonly withdrawn: readonly Withdrawal[];
}

/**
 * A storage engine: where rows go and come back from. Engines know rows, never entities: the
 * encoding lives above them (`entity-rows.ts`), so a server engine (PostgreSQL) implements the same
 * few methods over the same tables.
 */
export interface StorageEngine {
  /**
   * Writes a batch in one transaction (all or nothing) before it returns, after every batch
   * submitted before it. Throws what the engine throws.
   */
  write(batch: WriteBatch): void;
  /**
   * Hands a batch over to be written in one transaction after the ones before it. An engine may
   * return before it is written (a writer thread) and may make the caller wait when it is behind
   * (backpressure). Throws the write failure, if an earlier batch failed.
   */
  submit(batch: WriteBatch): void;
  /** Returns once every submitted batch is written; throws the write failure. */
  settleSync(): void;
  /** Resolves once every submitted batch is written; rejects with the write failure. */
  settle(): Promise<void>;
  /** The failure of a submitted batch, if one failed (then nothing more is written). */
  writeFailure(): Error | null;
  /** Submitted batches not written yet (0 for an engine that writes them in `submit`). */
  pendingBatches(): number;
  entity(ecsId: string): EntityRow | undefined;
  /** The rows of those of `ecsIds` that are stored, in any order. */
  entities(ecsIds: readonly string[]): EntityRow[];
  rootVersion(ecsId: string): RootVersionRow | undefined;
  /**
   * Every root version, in the order they were written (per lineage: commit order). A lazy scan:
   * read no other row while it is open.
   */
  rootVersions(): Iterable<RootVersionRow>;
  /** A lineage's root versions (ecsId and parent), in the order they were written. */
  lineage(lineageId: string): { readonly ecsId: string; readonly parentEcsId: string | null }[];
  /** A lineage's newest root version. */
  head(lineageId: string): string | undefined;
  /** Every lineage's head. */
  heads(): LineageHeadRow[];
  /** Every execution record, oldest first (a lazy scan, as `rootVersions`). */
  executions(): Iterable<ExecutionRow>;
  execution(id: string): ExecutionRow | undefined;
  /** How many root versions, entity versions and lineages are stored. */
  counts(): { versions: number; entities: number; lineages: number };
  /**
   * Retention (SPEC §12), after every submitted batch is written, in one transaction (all or
   * nothing; `keep` is checked first: a `StoreOptionError` names the bad option and changes nothing):
   * - Root versions: kept when it is its lineage's head (newest), or among its newest `newest`, or
   *   created at or after `since`, or listed in `versions`; the rest are removed. Kept versions keep
   *   their order, ids and `parentEcsId` (a version's history, as `versionToJSON` gives it, stays as
   *   it was, even when its parent is gone); one whose parent is removed gets a null `delta`.
   * - Entity rows: kept when a kept version reaches it through `{ $ref }`s (long arrays read whole);
   *   the rest are removed. A kept row that read from a removed row (its `oldIds` left out, a
   *   splice) is rewritten whole first, so every kept version reads exactly as before.
   * - Execution records: kept when they are still about something kept (a kept version is in their
   *   `versionIds` or `inputs.rootIds`, or a kept entity row names them as `derivedFromExecutionId`)
   *   or they name no root version at all, and every entity their JSON names by `{ $ref }` (their
   *   result) is kept, so they still read back; the rest are removed. So the record of a failed call
   *   goes with the versions it was called on.
   * - Lineage heads stay (heads are kept); their version counts drop by what was removed.
   * Throws `StoreCorruptError` (changing nothing) when a row it must read cannot be read. Whatever a
   * caller holds of removed rows in memory is stale afterwards.
   */
  prune(keep: PruneKeep): PruneReport;
  /** Releases the engine (after this, every method throws). */
  close(): void;
}

/**
 * An engine other processes write to as well (PostgreSQL, SPEC §13), with compare-and-set: a
 * transaction on its writing connection that the batches submitted meanwhile join, holding head
 * rows locked until it ends.
 */
export interface SharedStorageEngine extends StorageEngine {
  /** The store's id (`store_meta.store_id`): the same in every process that opens it. */
  readonly storeId: string;
  /** Opens the transaction, after every submitted batch. */
  beginConditional(): void;
  /** Locks the head rows of `lineageIds` until the transaction ends; returns the stored heads. */
  lockHeads(lineageIds: readonly string[]): ReadonlyMap<string, string>;
  /** Commits the transaction, after every batch submitted in it. */
  endConditional(): void;
  /**
   * Tries to become the process that publishes the outbox (one at a time, so events leave in
   * commit order); true once it is (for as long as the engine is open).
   */
  leadRelay(): boolean;
  /** The oldest unpublished outbox rows, in table order. */
  unpublished(limit: number): UnpublishedRow[];
  /** Marks outbox rows published. */
  markPublished(seqs: readonly number[]): void;
}

/** True for an engine other processes write to as well. */
export function isShared(engine: StorageEngine): engine is SharedStorageEngine {
  return typeof (engine as Partial<SharedStorageEngine>).beginConditional === 'function';
}
