/**
 * The version store: every stored version of every tree, by root ecsId, by lineage, and every
 * stored entity by ecsId, with the lineage indexes the versions read through.
 *
 * It takes commits (`prepareCommit`, then `publish`) and answers lookups by id; it emits no
 * events and knows nothing of working trees (that is `EntityRegistry` and `working-tree.ts`).
 * This is the part a durable store sits behind: keep its surface small and typed.
 *
 * Two modes. Over the memory store it holds every version (memory is the history). Over a durable
 * store (`StoredHistory`) its maps are a cache (SPEC §12: memory is bounded): entities enter it
 * when committed or read from rows, and the oldest leave it once their estimated size passes the
 * budget (`memory-budget.ts`). An entity that left is still found, by a weak reference, for as
 * long as anything holds it (one object per ecsId while referenced: a tree in memory keeps its
 * entities); what nothing holds is read from the rows again when asked for. A version leaves with
 * its root entity.
 * Lineages, the heads of lineages not committed to lately, counts and the versions containing an
 * entity are read from the store.
 */
import { entityClassesOfType, type AnyClass } from '../metadata/class-registry';
import { isEntityObject, metaOf, type EntityObject, type IdChain } from '../metadata/object-model';
import type { CommitRequest, CommitResult } from './commit';
import { EntityNotFoundError } from './errors';
import { LineageIndexes, type IndexDelta } from './lineage-index';
import type { HistoryStore, StoredHistory, StoredVersionInfo } from './history-store';
import { keptRootVersions, type PruneKeep, type PruneReport } from './retention';
import { MemoryBudget, entityBytes } from './memory-budget';
import { persist } from './persist';
import { RootVersion, deltaOf, type LineageEntry } from './root-version';

export class VersionStore {
  /**
   * `history`: where published commits are queued for a durable store; `backing`: what that store
   * holds, read on demand (null: this store holds everything), with a cache of `budgetBytes`.
   */
  constructor(
    private readonly history: HistoryStore,
    private readonly backing: StoredHistory | null = null,
    budgetBytes = Infinity,
  ) {
    this.budget = backing === null ? null : new MemoryBudget(budgetBytes);
    this.indexes = new LineageIndexes(backing === null ? Infinity : OWNED_INDEXES);
    this.historyOf = backing === null ? null : historyReader(this, backing.rowHistory);
  }

  /** @internal A stored version's history, from memory or (written first) from its row. */
  historyFor(ecsId: string): IdChain | null {
    const e = this.cachedEntity(ecsId) ?? this.withdrawnEntities.get(ecsId);
    return e !== undefined ? metaOf(e).history : this.backing!.history(ecsId);
  }

  /** Over a durable store: a stored version's history, from memory or from its row (see `ForkLink`). */
  private readonly historyOf: ((ecsId: string) => IdChain | null) | null;
  /**
   * Over a durable store: the entities of withdrawn versions, whose rows go, for the history of a
   * fork of one (the failed call put it into another tree). Only failed calls add to it.
   */
  private readonly withdrawnEntities = new Map<string, EntityObject>();

  /** Set while versions read back from a history store are committed: their original time. */
  private restoredAt: number | null = null;

  /**
   * Runs `commit` as the restore of a version a history store holds: every version it creates is
   * dated `createdAt`, and none goes back to the history store (its rows are there already).
   */
  restoring<T>(createdAt: number, commit: () => T): T {
    this.restoredAt = createdAt;
    try {
      return commit();
    } finally {
      this.restoredAt = null;
    }
  }

  /**
   * Rows were written to the durable store besides this store's commits (an import): the heads
   * in memory may be behind, and are read from the store again.
   */
  rowsWritten(): void {
    this.heads.clear();
  }

  /** True inside `restoring`: what is committed is history being read back, not a new operation. */
  get isRestoring(): boolean {
    return this.restoredAt !== null;
  }

  private readonly versions = new Map<string, RootVersion>();
  /** ecsId -> stored entity, for every stored version of every entity (see `entityIndex`). */
  private readonly entities = new Map<string, EntityObject>();
  /** Stored entities published but not yet in `entities`: indexed on the next lookup by ecsId. */
  private pendingEntities: EntityObject[] = [];
  /** lineageId -> its root versions, oldest first (entries for `lineage()` are made when asked for). */
  private readonly lineages = new Map<string, RootVersion[]>();
  private indexes: LineageIndexes;

  // Backed mode only (see the top of this file).
  /**
   * lineageId -> the ecsId of its newest version, for the lineages committed to (or read) lately:
   * ids only, so a head keeps no tree in memory; the most recent `HEADS_KEPT`.
   */
  private readonly heads = new Map<string, string>();
  /** What leaves `entities` and `versions` when memory is full, and how to find it while it lives. */
  private readonly budget: MemoryBudget<RootVersion> | null;

  /**
   * The stored entity of an ecsId as the store holds it (lower case), for the commit path
   * (`persist`, a diff against a stored version). Callers with an id from outside use `findStoredEntity`.
   */
  readonly lookupStored = (ecsId: string): EntityObject | undefined =>
    this.entityIndex().get(ecsId) ??
    (this.budget === null ? undefined : (this.budget.entity(ecsId) ?? this.loadEntity(ecsId)));

  /**
   * The stored entity of an ecsId if it is in memory, without reading the store: for a writer
   * encoding rows (which must not wait for itself) and for identity checks.
   */
  readonly cachedEntity = (ecsId: string): EntityObject | undefined =>
    this.entityIndex().get(ecsId) ?? this.budget?.entity(ecsId);

  // ---- commits -----------------------------------------------------------------------------

  /** Builds a commit without publishing it (several trees of one execution publish together). */
  prepareCommit(req: CommitRequest): CommitResult {
    // A store in fail-stop takes no new history: refused before anything is built.
    this.history.checkWritable();
    const persisted = persist(req, this.lookupStored, this.historyOf);
    const rootMeta = metaOf(persisted.root);
    const delta = indexDelta(req.removedLineages, persisted.stored);
    const version = new RootVersion(
      rootMeta.ecsId,
      rootMeta.lineageId,
      persisted.root,
      req.base ? req.base.ecsId : null,
      this.restoredAt ?? Date.now(),
      req.base ? delta : null,
      this.indexes,
    );
    return { version, base: req.base, delta, stored: persisted.stored, idMap: persisted.idMap };
  }

  /**
   * Makes a prepared commit visible. Plain bookkeeping that cannot fail: its events come after,
   * from `EntityRegistry.announce`, so nothing a handler does can stand between a version and its record.
   */
  publish(prepared: CommitResult): void {
    const { version, base } = prepared;
    if (base === null) {
      this.indexes.advance(null, version, prepared.delta, false, lineageMap(prepared.stored));
    } else {
      // Extending the latest version moves its index along; a branch builds its own when needed.
      this.indexes.advance(base, version, prepared.delta, this.latestOf(base.lineageId) === base);
    }
    appendValues(this.pendingEntities, prepared.stored);
    this.versions.set(version.ecsId, version);
    if (this.backing === null) {
      const versions = this.lineages.get(version.lineageId);
      if (versions === undefined) this.lineages.set(version.lineageId, [version]);
      else versions.push(version);
    } else {
      this.keepHead(version.lineageId, version.ecsId);
      this.budget!.addedAll(prepared.stored);
    }
    if (this.restoredAt === null) this.history.committed(prepared);
    if (this.budget?.over === true) this.budget.evict(this.entityIndex(), this.versions);
  }

  /**
   * Withdraws the first version of a lineage nothing has built on yet, as if it had never been
   * registered (used when an execution that registered it beforehand fails). Returns false, and
   * changes nothing, when the version is not such a version.
   */
  withdrawFirstVersion(rootEcsId: string): boolean {
    const version = this.findVersion(rootEcsId);
    if (version === undefined || version.parentEcsId !== null || !this.aloneInLineage(version)) return false;
    const index = this.indexes.mapOf(version);
    const withdrawn = new Set(index.values());
    for (const e of [...index.values()]) {
      // Only entities this version stored itself (a first version forks everything it holds).
      if (metaOf(e).rootEcsId !== rootEcsId) return false;
    }
    const entityIndex = this.entityIndex();
    for (const e of withdrawn) {
      const ecsId = metaOf(e).ecsId;
      if (entityIndex.delete(ecsId)) this.budget?.removed(e);
      if (this.budget !== null) {
        this.budget.forget(ecsId);
        this.withdrawnEntities.set(ecsId, e);
      }
    }
    this.indexes.forget(version);
    this.versions.delete(rootEcsId);
    this.lineages.delete(version.lineageId);
    this.heads.delete(version.lineageId);
    this.history.withdrawn({
      ecsId: version.ecsId,
      lineageId: version.lineageId,
      entities: [...withdrawn].map((e) => metaOf(e).ecsId),
    });
    return true;
  }

  // ---- retention ---------------------------------------------------------------------------

  /**
   * Over the memory store: removes the versions `keep` does not keep (`keptRootVersions`) and the
   * stored entities no kept version holds. Kept versions and their objects stay as they are.
   */
  prune(keep: PruneKeep): PruneReport {
    const all = [...this.versions.values()];
    const kept = keptRootVersions(keep, all);
    // What kept versions hold: a version whose parent is kept holds its parent's entities and its
    // delta's (versions come parents first), any other its whole tree.
    const held = new Set<EntityObject>();
    for (const v of all) {
      if (!kept.has(v.ecsId)) continue;
      const delta = deltaOf(v);
      if (delta !== null && v.parentEcsId !== null && kept.has(v.parentEcsId)) {
        for (let i = 1; i < delta.length; i += 2) if (delta[i] !== null) held.add(delta[i] as EntityObject);
      } else for (const e of this.indexes.mapOf(v).values()) held.add(e);
    }
    let versionsRemoved = 0;
    for (const v of all) {
      if (kept.has(v.ecsId)) continue;
      this.versions.delete(v.ecsId);
      this.indexes.forget(v);
      versionsRemoved++;
    }
    for (const [lineageId, versions] of this.lineages)
      this.lineages.set(
        lineageId,
        versions.filter((v) => kept.has(v.ecsId)),
      );
    const entities = this.entityIndex();
    let entitiesRemoved = 0;
    let bytesReclaimed = 0;
    for (const [ecsId, e] of entities) {
      if (held.has(e)) continue;
      entities.delete(ecsId);
      entitiesRemoved++;
      bytesReclaimed += entityBytes(e);
    }
    return {
      versionsRemoved,
      entitiesRemoved,
      executionsRemoved: 0,
      rowsRewritten: 0,
      bytesReclaimed,
      fileBytesFreed: 0,
    };
  }

  /**
   * Over a durable store, after it pruned its rows: memory forgets everything it held, so every
   * read goes to the rows as they are now (objects read before are no longer this store's).
   */
  forgetAll(): void {
    this.entities.clear();
    this.pendingEntities = [];
    this.versions.clear();
    this.budget?.clear();
    this.heads.clear();
    this.withdrawnEntities.clear();
    this.indexes = new LineageIndexes(OWNED_INDEXES);
  }

  // ---- lookups by id -----------------------------------------------------------------------

  /** The stored version record of a root (throws EntityNotFoundError). */
  getVersion(rootEcsId: string): RootVersion {
    const v = this.findVersion(rootEcsId);
    if (!v) throw notFound(rootEcsId, 'not a stored root version');
    return v;
  }
  /** The stored version record of a root, if this store holds it. */
  findVersion(rootEcsId: string): RootVersion | undefined {
    const key = idKey(rootEcsId);
    return this.cachedVersion(key) ?? (this.backing === null ? undefined : this.loadVersion(key));
  }
  hasVersion(rootEcsId: string): boolean {
    const key = idKey(rootEcsId);
    if (this.cachedVersion(key) !== undefined) return true;
    if (this.backing === null) return false;
    this.backing.sync();
    return this.backing.version(key) !== undefined;
  }
  /** Any stored version of any entity, root or child (frozen; throws EntityNotFoundError). */
  getStoredEntity(ecsId: string): EntityObject {
    const e = this.lookupStored(idKey(ecsId));
    if (!e) throw notFound(ecsId);
    return e;
  }
  /** `getStoredEntity`, or undefined when this store does not hold that ecsId. */
  findStoredEntity(ecsId: string): EntityObject | undefined {
    return this.lookupStored(idKey(ecsId));
  }
  /** True when `entity` is a stored version held by this store (cheap for root versions). */
  holds(entity: object): boolean {
    if (!isEntityObject(entity)) return false;
    const m = metaOf(entity);
    if (!m.stored) return false;
    // An object something holds is in memory: never a reason to read the store.
    if (this.backing !== null) return this.cachedEntity(m.ecsId) === entity;
    if (m.rootEcsId === m.ecsId) return this.versions.get(m.ecsId)?.root === entity;
    return this.entityIndex().get(m.ecsId) === entity;
  }
  /** Every stored root version, in commit order (a copy: an export reads it while commits go on). */
  allVersions(): RootVersion[] {
    if (this.backing === null) return [...this.versions.values()];
    this.backing.sync();
    const ids = Array.from(this.backing.versions(), (v) => v.ecsId);
    return ids.map((id) => this.getVersion(id));
  }
  /**
   * Root versions of a lineage, oldest first, with their parents. A lineage without root versions
   * (an entity that has only ever been a child) gives that entity's stored versions instead, in the
   * order they were stored, each with the version it was forked from (`childVersions`).
   */
  lineage(lineageId: string): LineageEntry[] {
    const key = idKey(lineageId);
    const roots = this.rootLineage(key);
    if (roots.length > 0 || key === '') return roots;
    return this.childVersions(key).map((e) => {
      const m = metaOf(e);
      return Object.freeze({ ecsId: m.ecsId, parentEcsId: m.previousEcsId });
    });
  }
  private rootLineage(key: string): LineageEntry[] {
    if (this.backing !== null) {
      this.backing.sync();
      return this.backing.lineage(key).map((e) => Object.freeze({ ecsId: e.ecsId, parentEcsId: e.parentEcsId }));
    }
    const versions = this.lineages.get(key) ?? [];
    return versions.map((v) => Object.freeze({ ecsId: v.ecsId, parentEcsId: v.parentEcsId }));
  }
  /** The newest stored version of a lineage. */
  latestVersion(lineageId: string): RootVersion | undefined {
    return this.latestOf(idKey(lineageId));
  }
  /**
   * The root of a lineage's newest version; for a lineage without root versions, the newest stored
   * version of its (child) entity, the last of `lineage()`.
   */
  latestEntity(lineageId: string): EntityObject | undefined {
    const key = idKey(lineageId);
    const root = this.latestOf(key)?.root;
    return root !== undefined || key === '' ? root : this.childVersions(key).at(-1);
  }
  /** The newest stored root of every lineage whose root is an instance of `cls`. */
  rootsOfType<T extends object>(cls: AnyClass & (abstract new (...args: never[]) => T)): T[] {
    const out: T[] = [];
    if (this.backing !== null) {
      this.backing.sync();
      // Only heads whose stored type can be `cls` are read: a store may hold many lineages.
      const heads = this.backing.heads().filter((h) => typeMayBe(h.rootType, cls));
      for (const h of heads) {
        const root = this.latestOf(h.lineageId)?.root;
        if (root instanceof cls) out.push(root as unknown as T);
      }
      return out;
    }
    for (const versions of this.lineages.values()) {
      const root = versions[versions.length - 1].root;
      if (root instanceof cls) out.push(root as unknown as T);
    }
    return out;
  }
  /** Every stored root version that contains this stored entity version. */
  versionsContaining(ecsId: string): string[] {
    const e = this.getStoredEntity(ecsId);
    const m = metaOf(e);
    // Versions come in creation order (parents first): each answer follows from its delta or its
    // parent's. Only the versions that contain it are remembered (the answer), not one per version.
    // A version whose parent was pruned answers from its own tree (its delta says nothing then).
    const inTree = (versionId: string): boolean => this.getVersion(versionId).index.get(m.lineageId) === e;
    const contains = new Set<string>();
    /** `ownTree`: the answer of a version whose parent was pruned, from its own tree. */
    const step = (
      ecsId: string,
      delta: IndexDelta | StoredDelta | null,
      parentEcsId: string | null,
      ownTree?: boolean,
    ) => {
      let c: boolean;
      if (ownTree !== undefined) c = ownTree;
      else if (delta === null)
        c = m.rootEcsId === ecsId; // a first version forks everything it holds
      else {
        let at = -1;
        for (let i = 0; i < delta.length && at < 0; i += 2) if (delta[i] === m.lineageId) at = i;
        c = at >= 0 ? delta[at + 1] === e || delta[at + 1] === m.ecsId : contains.has(parentEcsId!);
      }
      if (c) contains.add(ecsId);
    };
    if (this.backing === null) {
      for (const v of this.versions.values()) {
        const gone = v.parentEcsId !== null && !this.versions.has(v.parentEcsId);
        step(v.ecsId, deltaOf(v), v.parentEcsId, gone ? inTree(v.ecsId) : undefined);
      }
      return [...contains];
    }
    this.backing.sync();
    // A store gives such a version a null delta (rows.ts). Its tree cannot be read during the scan
    // (which allows no other read while it is open): the scan notes those versions (the few just
    // after a prune's cut), and only if it met any is it run again, their trees read in between.
    const cut = new Map<string, boolean>();
    for (const v of this.backing.versions()) {
      if (v.delta === null && v.parentEcsId !== null) cut.set(v.ecsId, false);
      else if (cut.size === 0) step(v.ecsId, v.delta, v.parentEcsId);
    }
    if (cut.size === 0) return [...contains];
    for (const id of cut.keys()) cut.set(id, inTree(id));
    contains.clear();
    for (const v of this.backing.versions()) step(v.ecsId, v.delta, v.parentEcsId, cut.get(v.ecsId));
    return [...contains];
  }
  /**
   * Every stored version of the entity of `lineageId`, in the order the root versions that stored
   * them were committed. Read from what every store has (as `versionsContaining` is): a root
   * version's index delta names the entity versions it stored; a version without one (a first
   * version, or one whose parent was pruned) holds them in its tree, whose index is read instead.
   * No index by entity lineage is kept, so this scans every root version and reads the tree of
   * each first version: a query, not for hot paths.
   */
  private childVersions(lineageId: string): EntityObject[] {
    /** Per root version in commit order: an entity version it names, or a version whose tree to read. */
    const steps: (EntityObject | string | { readonly tree: string })[] = [];
    const named = (delta: IndexDelta | StoredDelta): void => {
      for (let i = 0; i < delta.length; i += 2) {
        if (delta[i] === lineageId && delta[i + 1] !== null) steps.push(delta[i + 1] as EntityObject | string);
      }
    };
    if (this.backing === null) {
      for (const v of this.versions.values()) {
        const delta = deltaOf(v);
        if (delta !== null && this.versions.has(v.parentEcsId!)) named(delta);
        else steps.push({ tree: v.ecsId });
      }
    } else {
      this.backing.sync();
      // A lazy scan: trees are read after it (it allows no other read while it is open).
      for (const v of this.backing.versions()) {
        if (v.delta === null) steps.push({ tree: v.ecsId });
        else named(v.delta);
      }
    }
    const out: EntityObject[] = [];
    const seen = new Set<string>();
    for (const step of steps) {
      const e =
        typeof step === 'string'
          ? this.getStoredEntity(step)
          : isEntityObject(step)
            ? step
            : this.getVersion(step.tree).index.get(lineageId);
      if (e === undefined) continue;
      const ecsId = metaOf(e).ecsId;
      if (seen.has(ecsId)) continue; // a version whose parent was pruned holds what earlier ones stored
      seen.add(ecsId);
      out.push(e);
    }
    return out;
  }
  /** Counts, for tests and diagnostics. */
  get stats(): { versions: number; entities: number; lineages: number } {
    if (this.backing !== null) {
      this.backing.sync();
      return this.backing.counts();
    }
    return { versions: this.versions.size, entities: this.entityIndex().size, lineages: this.lineages.size };
  }

  /** `latestVersion` for a lineageId as the store holds it. */
  private latestOf(lineageId: string): RootVersion | undefined {
    if (this.backing !== null) {
      if (this.backing.shared) {
        // Other processes move heads (SPEC §13). A commit of this process the store has not written
        // yet will be written after everything it holds: the newest such commit is the head. Else
        // the store is asked (no wait for the writer: nothing of this lineage is pending).
        const id = this.backing.pendingHead(lineageId) ?? this.backing.head(lineageId);
        return id === undefined ? undefined : this.findVersion(id);
      }
      let id = this.heads.get(lineageId);
      if (id === undefined) {
        this.backing.sync();
        id = this.backing.head(lineageId);
        if (id === undefined) return undefined;
        this.keepHead(lineageId, id);
      }
      return this.findVersion(id);
    }
    const versions = this.lineages.get(lineageId);
    return versions === undefined ? undefined : versions[versions.length - 1];
  }

  /**
   * True when `version` is its lineage's only version. Over a store, without writing what is
   * queued (a withdrawal must not make the store write what it withdraws): nothing was committed
   * on it here (it is the head), and the store holds no other version of its lineage. A version
   * of its lineage committed here before it and still queued would go unseen; a withdrawn version
   * is a config the failed call registered, in a lineage of its own.
   */
  private aloneInLineage(version: RootVersion): boolean {
    if (this.backing === null) {
      const entries = this.lineages.get(version.lineageId);
      return entries !== undefined && entries.length === 1 && entries[0] === version;
    }
    if (this.heads.get(version.lineageId) !== version.ecsId) return false;
    return this.backing.lineage(version.lineageId).every((e) => e.ecsId === version.ecsId);
  }

  // ---- the cache over a durable store ------------------------------------------------------

  /** The newest version of a lineage is `ecsId`: kept as the most recent head (see `heads`). */
  private keepHead(lineageId: string, ecsId: string): void {
    // Re-inserted (to the young end) only when the map is full: otherwise a commit costs one set.
    if (this.heads.size >= HEADS_KEPT && this.heads.delete(lineageId) === false)
      this.heads.delete(this.heads.keys().next().value!);
    this.heads.set(lineageId, ecsId);
  }

  private cachedVersion(ecsId: string): RootVersion | undefined {
    return this.versions.get(ecsId) ?? this.budget?.version(ecsId);
  }

  /** Reads a stored entity (and what it holds that memory does not) from the store. */
  private loadEntity(ecsId: string): EntityObject | undefined {
    const backing = this.backing!;
    // No sync: what is committed and not readable in the store yet is in memory (`StoredHistory`).
    this.entityIndex(); // what was published goes in first: the cache is in age order
    const budget = this.budget!;
    const e = backing.entity(ecsId, this.cachedEntity, (built) => {
      this.entities.set(metaOf(built).ecsId, built);
      budget.added(built);
    });
    if (budget.over) budget.evict(this.entityIndex(), this.versions);
    return e;
  }

  /** Reads a stored root version from the store, its tree with it. */
  private loadVersion(ecsId: string): RootVersion | undefined {
    const backing = this.backing!;
    const info = backing.version(ecsId);
    if (info === undefined) return undefined;
    const root = this.lookupStored(ecsId);
    if (root === undefined)
      throw new EntityNotFoundError(ecsId, 'the store holds this root version but not its root entity');
    // A version stays in memory as long as its root does (`MemoryBudget.evict`): back in with it.
    if (!this.entityIndex().has(ecsId)) {
      this.budget!.forget(ecsId);
      this.entities.set(ecsId, root);
      this.budget!.added(root);
    }
    const version = new RootVersion(
      info.ecsId,
      info.lineageId,
      root,
      info.parentEcsId,
      info.createdAt,
      this.deltaFromStore(info),
      this.indexes,
    );
    this.versions.set(ecsId, version);
    return version;
  }

  /** A stored delta with the entities it names (all in the version's tree, so in memory now). */
  private deltaFromStore(info: StoredVersionInfo): IndexDelta | null {
    if (info.delta === null) return null;
    return info.delta.map((x, i) => {
      if (i % 2 === 0 || x === null) return x;
      const e = this.lookupStored(x);
      if (e === undefined) throw notFound(x, `named by the index delta of version ${info.ecsId}`);
      return e;
    });
  }

  /**
   * The ecsId index, brought up to date. Publishing only queues new entities: most executions are
   * never followed by a lookup of each entity they stored, and a queue push is far cheaper than a
   * Map insertion on the hot path; the first lookup pays for the whole queue once.
   */
  private entityIndex(): Map<string, EntityObject> {
    if (this.pendingEntities.length > 0) {
      for (const e of this.pendingEntities) this.entities.set(metaOf(e).ecsId, e);
      this.pendingEntities = [];
    }
    return this.entities;
  }
}

/** An id as the maps hold it (ids are case-insensitive); anything but a string finds nothing. */
function idKey(id: unknown): string {
  return typeof id === 'string' ? id.toLowerCase() : '';
}

function notFound(id: unknown, detail?: string): EntityNotFoundError {
  if (typeof id === 'string') return new EntityNotFoundError(id, detail);
  return new EntityNotFoundError(`(${id === null ? 'null' : typeof id})`, `an id is a string`);
}

// Loops of the commit path live in these small functions. Registering a large tree runs them over
// every entity, so V8 compiles them on the spot (on-stack replacement); a loop inside
// prepareCommit or publish would have them compiled from that first call's type feedback,
// and every later commit re-entered that stale code and bailed out of it (measured: one
// deoptimization per execute at 100,101 entities).

/** The index delta of a commit: removed lineages, then the new stored entities. */
function indexDelta(removed: Iterable<string>, stored: ReadonlyMap<EntityObject, EntityObject>): IndexDelta {
  const delta: (string | EntityObject | null)[] = [];
  for (const lineage of removed) delta.push(lineage, null);
  for (const s of stored.values()) delta.push(metaOf(s).lineageId, s);
  return delta;
}

/** lineageId -> stored entity, for a first version's entities. */
function lineageMap(stored: ReadonlyMap<EntityObject, EntityObject>): Map<string, EntityObject> {
  const map = new Map<string, EntityObject>();
  for (const s of stored.values()) map.set(metaOf(s).lineageId, s);
  return map;
}

function appendValues<T>(list: T[], map: ReadonlyMap<unknown, T>): void {
  for (const v of map.values()) list.push(v);
}

/**
 * What a fork link reads its history with (`ForkLink`): the store's memory and queue while the
 * store is alive, and once nothing holds it, the rows alone (its queue is written by then: see the
 * exit hook of engine-store.ts). Weakly, so a version a caller keeps does not keep the registry's
 * whole cache alive through its history.
 */
function historyReader(
  store: VersionStore,
  rows: (ecsId: string) => IdChain | null,
): (ecsId: string) => IdChain | null {
  const ref = new WeakRef(store);
  return (ecsId) => {
    const live = ref.deref();
    return live === undefined ? rows(ecsId) : live.historyFor(ecsId);
  };
}

/** How many lineages' heads (ids) backed mode keeps; older ones are read from the store again. */
const HEADS_KEPT = 65_536;

/** How many lineages keep their index map in backed mode (each holds one version's tree). */
const OWNED_INDEXES = 64;

/** A delta as a store gives it: ecsIds where the version's own holds entities. */
type StoredDelta = readonly (string | null)[];

/** True when a root stored under the type name `type` may be an instance of `cls`. */
function typeMayBe(type: string, cls: AnyClass): boolean {
  const classes = entityClassesOfType(type);
  return classes.some((c) => c.ctor === cls || c.ctor.prototype instanceof cls);
}
