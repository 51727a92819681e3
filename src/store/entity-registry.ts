/**
 * `EntityRegistry`: the user operations on entity trees (promote, version, detach, attach,
 * checkout) and their events, over a `VersionStore` that holds what they store. Commits go
 * through here too (`planVersion`, `commit`, `announce`) so that the execute pipeline and the
 * user operations share one path. `EntityRegistry.default` serves the static API and the entity
 * methods (`installEntityServices`).
 */
import { installEntityServices } from '../entity/services';
import { diffAgainst, emptyDiff, storedPlaceKey, type TreeDiff } from '../diff/diff-trees';
import { EntityDefinitionError } from '../metadata/errors';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { AnyClass } from '../metadata/class-registry';
import { describeValue } from '../metadata/describe-value';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import { events as defaultBus, type EventBus } from '../events';
import { runOperation } from '../events/operation';
import type {
  EntityAttachMetadata,
  EntityAttachStartMetadata,
  EntityDetachMetadata,
  EntityPromoteMetadata,
} from '../events/framework-events';
import { announceBranch, announceCommit, versionEventData, type BranchInfo } from './commit-events';
import { treeRequest, type CommitRequest, type CommitResult } from './commit';
import { EntityNotFoundError, StoreOptionError, VersioningError } from './errors';
import { checkKeep, type PruneKeep, type PruneReport } from './retention';
import type { Provenance } from './persist';
import { liveIndexOf, type LineageEntry, type RootVersion } from './root-version';
import { VersionStore } from './version-store';
import { defaultStore, storeAt, type HistoryStore, type LockHeads, type RecordToStore } from './history-store';
import { WorkingRoots, adoptWorkingTree, removeAt } from './working-tree';
import { workingCopyOf } from './working-copy';

/** The result of `version()`. */
export interface VersionResult {
  readonly created: boolean;
  /** The root's ecsId after the call (the new version's, or the unchanged one's). */
  readonly rootEcsId: string;
  /** Old ecsId -> new ecsId for every entity that forked. */
  readonly idMap: ReadonlyMap<string, string>;
  readonly diff: TreeDiff;
}

/** Options of `new EntityRegistry()`. */
export interface EntityRegistryOptions {
  /** Where this registry's events go (default: the default bus `events`). */
  readonly bus?: EventBus;
  /**
   * Where its history is kept besides memory (SPEC §12): `sqliteStore(path, options)`, or
   * `memoryStore()` (the default: nothing survives the process). A store's existing history is
   * read on demand, and memory holds a bounded part of it (`HistoryStoreOptions.cacheBytes`).
   */
  readonly store?: HistoryStore;
}

/**
 * Events between processes that share a store (SPEC §13): `natsEvents(...)` (JetStream). Connected
 * by `EntityRegistry.connect`, closed with the registry.
 */
export interface RegistryEvents {
  connect(registry: EntityRegistry, store: HistoryStore): Promise<{ close(): Promise<void> }>;
}

/** Options of `EntityRegistry.connect`. */
export interface ConnectOptions extends EntityRegistryOptions {
  /** Relays this registry's events to the other processes' buses and theirs to its bus. */
  readonly events?: RegistryEvents;
}

/**
 * The versioned store: every stored version of every tree, their lineages and indexes (kept by
 * its `VersionStore`), and the operations that make versions of working trees. Stored versions
 * are frozen and share unchanged entities with their parent version.
 * `EntityRegistry.default` serves the static API; `new EntityRegistry()` is an isolated world.
 */
export class EntityRegistry {
  private static current = new EntityRegistry();
  /** The bus this registry emits on. */
  readonly bus: EventBus;
  /** Where the history is kept besides memory. */
  private readonly history: HistoryStore;
  /** The stored versions, their lineages and indexes, the ecsId index. */
  private readonly store: VersionStore;
  /** True over a durable store: it holds the history, memory a bounded part of it. */
  private readonly durable: boolean;
  /** Working roots by liveId, so detach() can find the tree an entity sits in. */
  private readonly workingRoots = new WorkingRoots();
  /** The event relays `connect` opened. */
  private readonly connections: { close(): Promise<void> }[] = [];

  constructor(options: EntityRegistryOptions = {}) {
    this.bus = options.bus ?? defaultBus;
    this.history = options.store ?? defaultStore();
    const stored = this.history.attach(this);
    this.durable = stored !== null;
    this.store = new VersionStore(this.history, stored, stored?.cacheBytes);
  }

  /**
   * A registry over the SQLite store at `path` (created if missing), which becomes the default
   * registry: its history is there after a restart.
   */
  static open(path: string): EntityRegistry {
    EntityRegistry.current = new EntityRegistry({ store: storeAt(path) });
    return EntityRegistry.current;
  }

  /** Resolves when everything before this call is written to the store (and fsynced for 'durable'). */
  flush(): Promise<void> {
    return this.history.flush();
  }

  /**
   * A registry over a store several processes share (SPEC §13), with their events relayed when
   * `events` is given:
   * `await EntityRegistry.connect({ store: postgresStore(url), events: natsEvents({ servers }) })`.
   * Rejects (closing what it opened) when the store or the broker cannot be reached.
   */
  static async connect(options: ConnectOptions): Promise<EntityRegistry> {
    const registry = new EntityRegistry(options);
    if (options.events !== undefined) {
      try {
        registry.connections.push(await options.events.connect(registry, registry.history));
      } catch (error) {
        await registry.close().catch(() => undefined);
        throw error;
      }
    }
    return registry;
  }

  /**
   * Flushes, then releases the store (and the event relay, after it published what was
   * written); the registry's in-memory versions stay readable.
   */
  async close(): Promise<void> {
    try {
      await this.history.flush();
    } finally {
      for (const c of this.connections.splice(0)) await c.close();
      await this.history.close();
    }
  }

  /**
   * @internal Resolves when what the operations before it wrote is as durable as an awaited call
   * promises (`durable` mode: written and fsynced); `aexecute` waits for it before it resolves.
   */
  acknowledged(): Promise<void> {
    return this.history.acknowledged();
  }

  /**
   * @internal True when the history store keeps execution records (a durable store): the caller
   * need not keep them all in memory.
   */
  get keepsRecords(): boolean {
    return this.durable;
  }

  /** @internal An execution record to keep in the store (called by the execute pipeline). */
  keepRecord(record: RecordToStore): void {
    this.history.recorded(record);
  }

  /**
   * @internal The execution records its history store holds (`HistoryStore.records`: the callable
   * layer's `FunctionExecution`s; `CallableRegistry.executions()` lists them first, this process's
   * own as the objects it made).
   */
  storedRecords(): readonly unknown[] {
    return this.history.records();
  }

  /** @internal One of `storedRecords()` by execution id. */
  storedRecord(executionId: string): unknown {
    return this.history.record(executionId);
  }

  /**
   * @internal The rows an import brings (`importHistory`), handed to the history store before
   * their versions are loaded: a durable store writes them now (all or none) or throws.
   */
  writeImported(rows: unknown): void {
    this.history.checkWritable();
    this.history.imported(rows);
    this.store.rowsWritten();
  }

  /** @internal Execution records an import brought: `storedRecords()` lists them from now on. */
  keepImportedRecords(records: readonly { readonly id: string }[]): void {
    this.history.importedRecords(records);
  }

  /** @internal An operation (an execution, a user operation) ended: a `strict` store writes now. */
  operationEnded(): void {
    this.history.operationEnded();
  }

  /** The end of a user operation: `v`, after the store had its say (a `strict` store writes here). */
  private ended<T>(v: T): T {
    this.history.operationEnded();
    return v;
  }

  /**
   * @internal Loads a version a history store holds (a working copy read from its rows, as
   * `versionFromJSON` gives it, and the time the version was created) through the ordinary load
   * path, without events: it is history being read back, not a new operation.
   */
  restore(root: object, createdAt: number): RootVersion {
    return this.store.restoring(createdAt, () => this.promoteNow(requireEntity(root, 'restore')));
  }

  /**
   * Removes the versions `keep` does not keep, and what only they hold (SPEC §12), before it
   * returns (synchronous, like every change to a registry; the SQLite engine is too): per lineage its
   * newest version always stays, with its `newest` newest, those created at or after `since`, and
   * those listed in `versions`. A durable store also removes the execution records about nothing
   * kept, rewrites the few rows that read from removed ones, and reports the space reclaimed.
   * `lineage`, `versionsContaining` and every kept version read exactly as before. Over a durable
   * store, objects read before the call are not the registry's afterwards: read them again.
   * @throws StoreOptionError for a bad `keep` (naming the option), StoreWriteError in fail-stop;
   * either changes nothing.
   */
  prune(options: { readonly keep: PruneKeep }): PruneReport {
    if (typeof options !== 'object' || options === null)
      throw new StoreOptionError('prune', describeValue(options), 'an object { keep }');
    const keep = checkKeep(options.keep);
    const report = this.history.prune(keep);
    if (report === null) return this.store.prune(keep);
    this.store.forgetAll();
    return report;
  }

  /** @internal A shared store wrote a version as a branch of its lineage: `lineage.branch`. */
  announceBranch(branch: BranchInfo): void {
    announceBranch(this.bus, branch);
  }

  /**
   * @internal Runs a conditional write (`aexecute` with `expect: 'latest'`, `aput`): on a shared
   * store the heads `body` locks stay as they are until what it commits is written; on a store
   * only this process writes, the heads are this registry's latest versions.
   */
  conditionally<T>(body: (lockHeads: LockHeads) => Promise<T>): Promise<T> {
    if (this.history.conditional !== undefined) return this.history.conditional(body);
    return body((lineageIds) => {
      const heads = new Map<string, string>();
      for (const id of lineageIds) {
        const latest = this.store.latestVersion(id);
        if (latest !== undefined) heads.set(id, latest.ecsId);
      }
      return heads;
    });
  }

  /**
   * Makes the newest versions of `lineageId` (every lineage, without one) that other processes
   * wrote to a shared store readable here without a round trip: writes what is queued, reads the
   * head and loads its tree into memory. Returns the head's ecsId (undefined: no such lineage).
   * On a store only this process writes, memory is current already: it returns the head.
   */
  async refresh(lineageId: string): Promise<string | undefined> {
    await this.history.flush();
    return this.store.latestVersion(lineageId)?.ecsId;
  }

  /**
   * Loads stored versions or entities (by ecsId) into memory, so synchronous reads of them need
   * no round trip to a server. Throws `EntityNotFoundError` for an id the store does not hold.
   */
  async load(ecsIds: readonly string[]): Promise<void> {
    await this.history.flush();
    for (const id of ecsIds) {
      if (!this.hasVersion(id)) this.getStoredEntity(id);
    }
  }

  /** @internal Throws `StoreWriteError` when the store is in fail-stop (before an execution starts). */
  checkWritable(): void {
    this.history.checkWritable();
  }

  /** The registry behind the static API and entity methods. */
  static get default(): EntityRegistry {
    return EntityRegistry.current;
  }
  /** Replaces the default registry with a fresh, empty one (tests, a new world) and returns it. */
  static reset(): EntityRegistry {
    EntityRegistry.current = new EntityRegistry();
    return EntityRegistry.current;
  }

  // ---- the static API: the default registry ------------------------------------------------

  static promoteToRoot(entity: object): RootVersion {
    return EntityRegistry.current.promoteToRoot(entity);
  }
  static version(root: object): VersionResult {
    return EntityRegistry.current.version(root);
  }
  static detach(entity: object): RootVersion {
    return EntityRegistry.current.detach(entity);
  }
  static attach(entity: object, newParentRoot: object): VersionResult {
    return EntityRegistry.current.attach(entity, newParentRoot);
  }
  static getVersion(rootEcsId: string): RootVersion {
    return EntityRegistry.current.getVersion(rootEcsId);
  }
  static getStoredTree(rootEcsId: string): EntityTree {
    return EntityRegistry.current.getStoredTree(rootEcsId);
  }
  static getStoredEntity<T extends object = object>(ecsId: string): T {
    return EntityRegistry.current.getStoredEntity<T>(ecsId);
  }
  static checkout<T extends object = object>(ecsId: string): T {
    return EntityRegistry.current.checkout<T>(ecsId);
  }
  static lineage(lineageId: string): LineageEntry[] {
    return EntityRegistry.current.lineage(lineageId);
  }
  static latest<T extends object = object>(lineageId: string): T | undefined {
    return EntityRegistry.current.latest<T>(lineageId);
  }
  static rootsOfType<T extends object>(cls: AnyClass & (abstract new (...args: never[]) => T)): T[] {
    return EntityRegistry.current.rootsOfType(cls);
  }
  static versionsContaining(ecsId: string): string[] {
    return EntityRegistry.current.versionsContaining(ecsId);
  }

  // ---- registration and versioning -------------------------------------------------------

  /**
   * Registers `entity`'s tree as version 1 of its lineage. A working copy of a version this
   * registry holds gives that version. A tree read with `fromJSON` from another registry or
   * process is loaded as the version it names, keeping its ids (see `loadNow` and the README's
   * Serialization section); it is then a working copy of that version here, to `version()` and
   * `execute` on.
   */
  promoteToRoot(entity: object): RootVersion {
    const root = requireEntity(entity, 'promoteToRoot');
    return runOperation(
      this.bus,
      () => ({ type: 'entity.promote', subjectType: root.constructor.name, subjectId: metaOf(root).ecsId }),
      () => this.ended(this.promoteNow(root)),
      (v) => ({ rootEcsId: v.ecsId, lineageId: v.lineageId }) satisfies EntityPromoteMetadata,
    );
  }

  private promoteNow(root: EntityObject): RootVersion {
    const m = metaOf(root);
    if (m.stored)
      throw new VersioningError(
        `${describeValue(root)} is a stored version already; checkout() it to get a working copy`,
      );
    if (m.rootEcsId !== null) {
      const existing = m.rootEcsId === m.ecsId ? this.store.findVersion(m.ecsId) : undefined;
      if (existing) return existing;
      // The top of a working tree (its own root, or a subtree read with fromJSON) whose version
      // this registry does not hold: loaded from another registry or process.
      if (m.rootEcsId === m.ecsId || m.rootLiveId === m.liveId) return this.loadNow(root);
      throw new VersioningError(
        `${describeValue(root)} belongs to the tree of root ${m.rootEcsId}; detach() it to make it a root`,
      );
    }
    return this.commitTree(buildEntityTree(root)).version;
  }

  /**
   * Registers a working tree that names a version this registry does not hold (`fromJSON` of
   * another registry's tree or version, in this process or another) as that version: every entity
   * this registry does not hold keeps its ids and provenance, so ids and history stay traceable
   * across registries. If this registry holds the root's previous version (same lineage), the
   * tree is stored as its child (what is unchanged since is shared, the lineage continues);
   * otherwise it is a first version of its lineage here. An entity whose ecsId this registry
   * already holds with other content (or elsewhere) forks, as in `version()`: one ecsId never
   * names two different stored objects.
   */
  private loadNow(root: EntityObject): RootVersion {
    const m = metaOf(root);
    const tree = buildEntityTree(root);
    const parent =
      m.rootEcsId === m.ecsId && m.previousEcsId !== null ? this.store.findVersion(m.previousEcsId) : undefined;
    if (parent !== undefined && parent.lineageId === m.lineageId)
      return this.commitAgainst(parent, tree).result!.version;
    return this.commitTree(tree).version;
  }

  /**
   * Versions a working tree against the stored version it came from (its `rootEcsId`):
   * every modified entity forks, in place on the working objects. No change, no version.
   */
  version(rootEntity: object): VersionResult {
    const root = requireEntity(rootEntity, 'version');
    return runOperation(
      this.bus,
      () => ({ type: 'entity.version', subjectType: root.constructor.name, subjectId: metaOf(root).ecsId }),
      () => this.ended(this.versionNow(root)),
      // The caller gets these maps too: the event keeps its own copies (its data is built on first read).
      (r) => versionEventData(r.created, r.rootEcsId, new Map(r.idMap), new Map(r.diff.changedFields)),
    );
  }

  private versionNow(root: EntityObject): VersionResult {
    const m = metaOf(root);
    if (m.stored) return { created: false, rootEcsId: m.ecsId, idMap: new Map(), diff: emptyDiff() };
    if (m.rootEcsId === null)
      throw new VersioningError(`${describeValue(root)} is an orphan: promoteToRoot() it first`);
    if (m.rootEcsId !== m.ecsId)
      throw new VersioningError(`${describeValue(root)} is not a root: version its root ${m.rootEcsId}`);
    const base = this.store.findVersion(m.rootEcsId);
    if (!base)
      throw new EntityNotFoundError(
        m.rootEcsId,
        `${describeValue(root)} says it came from this version, which this registry does not hold (promoteToRoot() it to load it here)`,
      );
    const { result, diff } = this.commitAgainst(base, buildEntityTree(root));
    return result === null
      ? { created: false, rootEcsId: m.ecsId, idMap: new Map(), diff }
      : { created: true, rootEcsId: result.version.ecsId, idMap: result.idMap, diff };
  }

  /** Commits `tree` as a child of `base`: what differs from it is stored, the rest shared (no change: no commit). */
  private commitAgainst(base: RootVersion, tree: EntityTree): { result: CommitResult | null; diff: TreeDiff } {
    const { diff, request } = this.planVersion(base, tree, null);
    if (request === null) return { result: null, diff };
    const result = this.commit(request);
    adoptWorkingTree(tree, result, this.workingRoots);
    return { result, diff };
  }

  /**
   * What versioning a working tree against the stored version `base` takes: the diff, and the
   * commit request (null when nothing changed). Publishes nothing. `valuesOf` reads an entity's
   * values as they are now (a function call's draft, for stored entities a call put in the tree).
   */
  planVersion(
    base: RootVersion,
    tree: EntityTree,
    provenance: Provenance | null,
    valuesOf: (e: EntityObject) => readonly unknown[] = ownValues,
  ): { diff: TreeDiff; request: CommitRequest | null } {
    // Diffed against the stored version through its index: no tree is built for the old side.
    const index = liveIndexOf(base);
    const stored = this.store.lookupStored;
    const inBase = (ecsId: string): EntityObject | undefined => {
      const e = stored(ecsId);
      return e !== undefined && index.get(metaOf(e).lineageId) === e ? e : undefined;
    };
    const diff = diffAgainst(
      {
        get: inBase,
        placeOf: (ecsId) => storedPlaceKey(inBase(ecsId)!),
        ecsIds: function* () {
          for (const e of index.values()) yield metaOf(e).ecsId;
        },
      },
      tree,
    );
    if (diff.modified.size === 0) return { diff, request: null };
    const modified = new Set<EntityObject>();
    for (const id of diff.modified) modified.add(tree.nodes.get(id)!);
    const removed: string[] = [];
    for (const id of diff.removed) removed.push(metaOf(stored(id)!).lineageId);
    return { diff, request: treeRequest(base, tree, modified, provenance, removed, valuesOf) };
  }

  /** Stores a working tree as a first version (promote, detach), then gives its objects their ids. */
  private commitTree(tree: EntityTree): CommitResult {
    const result = this.commit(treeRequest(null, tree, new Set(tree.nodes.values()), null, [], ownValues));
    adoptWorkingTree(tree, result, this.workingRoots);
    return result;
  }

  // ---- commits: prepare, publish, announce, withdraw ---------------------------------------

  /**
   * Commits one tree's new state: creates the stored versions, the version record with its
   * index, and appends it to the lineage. Nothing in the registry changes until everything is
   * built, so a failure leaves it exactly as it was.
   */
  commit(req: CommitRequest): CommitResult {
    const prepared = this.prepareCommit(req);
    this.publish(prepared);
    this.announce(prepared, null);
    return prepared;
  }

  /** Builds a commit without publishing it (several trees of one execution publish together). */
  prepareCommit(req: CommitRequest): CommitResult {
    return this.store.prepareCommit(req);
  }

  /**
   * Makes a prepared commit visible. Plain bookkeeping that cannot fail: its events come after,
   * from `announce`, so nothing a handler does can stand between a version and its record.
   */
  publish(prepared: CommitResult): void {
    this.store.publish(prepared);
  }

  /**
   * The events of a published commit: `entity.register` for the first version of a lineage,
   * otherwise `entity.version` (with the fields a function changed, when one did). Never throws:
   * the version is stored already, so a failure while announcing it goes to `errors$`.
   */
  announce(prepared: CommitResult, changedFields: ReadonlyMap<string, string[]> | null): void {
    if (!this.store.isRestoring) announceCommit(this.bus, prepared, changedFields);
  }

  /**
   * Withdraws the first version of a lineage nothing has built on yet, as if it had never been
   * registered (used when an execution that registered it beforehand fails). Returns false, and
   * changes nothing, when the version is not such a version.
   */
  withdrawFirstVersion(rootEcsId: string): boolean {
    return this.store.withdrawFirstVersion(rootEcsId);
  }

  // ---- detach / attach -------------------------------------------------------------------

  /**
   * Detaches `entity` from the working tree it belongs to: removes it from its parent if still
   * there, versions the parent tree, and registers the entity as the root of its own tree
   * (forked: previousEcsId = its id inside the parent; lineage kept).
   */
  detach(entity: object): RootVersion {
    const e = requireEntity(entity, 'detach');
    return runOperation(
      this.bus,
      () => ({ type: 'entity.detach', subjectType: e.constructor.name, subjectId: metaOf(e).ecsId }),
      () => this.ended(this.detachNow(e)),
      (v) => ({ rootEcsId: v.ecsId, previousEcsId: metaOf(v.root).previousEcsId }) satisfies EntityDetachMetadata,
    );
  }

  private detachNow(e: EntityObject): RootVersion {
    const m = metaOf(e);
    if (m.stored)
      throw new VersioningError(
        `${describeValue(e)} is a stored version; detach works on working trees (checkout() first)`,
      );
    if (m.rootEcsId === null)
      throw new VersioningError(`${describeValue(e)} is an orphan: there is no tree to detach it from`);
    if (m.rootEcsId === m.ecsId) throw new VersioningError(`${describeValue(e)} is a root already`);
    const parentRoot = this.workingRoots.rootOf(e);
    if (!parentRoot)
      throw new VersioningError(
        `${describeValue(e)}: its working root (liveId ${m.rootLiveId}) is no longer available`,
      );
    // Both trees are checked before anything changes: a malformed subtree must not leave the
    // parent's new version behind.
    const tree = buildEntityTree(e);
    const parentTree = buildEntityTree(parentRoot);
    const edge = parentTree.edgeTo.get(m.ecsId);
    if (edge && parentTree.nodes.get(m.ecsId) === e) removeAt(parentTree.nodes.get(edge.parent)!, edge.path);
    this.version(parentRoot);
    // The entity is now outside its old tree: register it as a new root (every stored entity forks).
    m.rootEcsId = null;
    m.rootLiveId = null;
    for (const node of tree.nodes.values()) {
      metaOf(node).rootEcsId = null;
    }
    return this.commitTree(tree).version;
  }

  /** After the caller put root `entity` inside `newParentRoot`'s working tree: versions that tree. */
  attach(entity: object, newParentRoot: object): VersionResult {
    const e = requireEntity(entity, 'attach');
    const parent = requireEntity(newParentRoot, 'attach');
    return runOperation(
      this.bus,
      () => ({
        type: 'entity.attach',
        subjectType: e.constructor.name,
        subjectId: metaOf(e).ecsId,
        metadata: { parentEcsId: metaOf(parent).ecsId } satisfies EntityAttachStartMetadata,
      }),
      () => this.ended(this.attachNow(e, parent)),
      (r) =>
        ({ rootEcsId: r.rootEcsId, created: r.created }) satisfies Omit<
          EntityAttachMetadata,
          keyof EntityAttachStartMetadata
        >,
    );
  }

  private attachNow(e: EntityObject, parent: EntityObject): VersionResult {
    const tree = buildEntityTree(parent);
    if (tree.nodes.get(metaOf(e).ecsId) !== e) {
      throw new VersioningError(
        `${describeValue(e)} is not inside ${describeValue(parent)}: put it into the tree first, then attach()`,
      );
    }
    return this.version(parent);
  }

  /** The working root object an entity of a working tree belongs to (if it is still alive). */
  workingRootOf<T extends object = object>(entity: object): T | undefined {
    return this.workingRoots.rootOf(requireEntity(entity, 'workingRootOf')) as T | undefined;
  }

  // ---- queries -----------------------------------------------------------------------------

  /** The stored version record of a root (throws EntityNotFoundError). */
  getVersion(rootEcsId: string): RootVersion {
    return this.store.getVersion(rootEcsId);
  }
  hasVersion(rootEcsId: string): boolean {
    return this.store.hasVersion(rootEcsId);
  }
  /** The tree of a stored root version (stored, frozen entities). */
  getStoredTree(rootEcsId: string): EntityTree {
    // A tree of its own for every caller: nothing handed out may reach the store's own state.
    return buildEntityTree(this.store.getVersion(rootEcsId).root);
  }
  /** Any stored version of any entity, root or child (frozen). */
  getStoredEntity<T extends object = object>(ecsId: string): T {
    return this.store.getStoredEntity(ecsId) as unknown as T;
  }
  findStoredEntity<T extends object = object>(ecsId: string): T | undefined {
    return this.store.findStoredEntity(ecsId) as unknown as T | undefined;
  }
  /**
   * @internal The stored entity of a (lower-case) ecsId if it is in memory, without reading the
   * store: what a store's writer may ask while it encodes rows.
   */
  cachedStoredEntity(ecsId: string): EntityObject | undefined {
    return this.store.cachedEntity(ecsId);
  }
  /** True when `entity` is a stored version held by this registry (cheap for root versions). */
  holds(entity: object): boolean {
    return this.store.holds(entity);
  }
  /** A mutable working copy (new liveIds) of a stored root version or of any stored entity's subtree. */
  checkout<T extends object = object>(ecsId: string): T {
    const stored = this.store.getStoredEntity(ecsId);
    const isRootVersion = this.store.hasVersion(metaOf(stored).ecsId);
    const copy = workingCopyOf(stored, isRootVersion);
    if (isRootVersion) this.workingRoots.add(copy);
    return copy as unknown as T;
  }
  /** @internal Every stored root version, in commit order (what an export reads). */
  allVersions(): RootVersion[] {
    return this.store.allVersions();
  }
  /**
   * Root versions of a lineage, oldest first, with their parents (a branch: two entries with one
   * parent). The lineage of an entity that has only ever been a child of other trees has no root
   * versions: it gives that entity's own history instead, every stored version of it in the order
   * they were stored, each with the version it was forked from (`previousEcsId`); read them with
   * `getStoredEntity`, and `versionsContaining(ecsId)` names the trees that hold each. That answer
   * is a scan of every root version (and of each first version's tree): a query, not for hot paths.
   * An unknown lineage gives `[]`.
   */
  lineage(lineageId: string): LineageEntry[] {
    return this.store.lineage(lineageId);
  }
  /**
   * The root of a lineage's newest version; for a child entity's lineage (see `lineage`), that
   * entity's newest stored version, which a later version of its tree may no longer hold.
   */
  latest<T extends object = object>(lineageId: string): T | undefined {
    return this.store.latestEntity(lineageId) as unknown as T | undefined;
  }
  /** The newest version of a root lineage (undefined for a child entity's lineage: it has no root versions). */
  latestVersion(lineageId: string): RootVersion | undefined {
    return this.store.latestVersion(lineageId);
  }
  /** The newest stored root of every lineage whose root is an instance of `cls`. */
  rootsOfType<T extends object>(cls: AnyClass & (abstract new (...args: never[]) => T)): T[] {
    return this.store.rootsOfType(cls);
  }
  /** Every stored root version that contains this stored entity version. */
  versionsContaining(ecsId: string): string[] {
    return this.store.versionsContaining(ecsId);
  }
  /** Counts, for tests and diagnostics. */
  get stats(): { versions: number; entities: number; lineages: number } {
    return this.store.stats;
  }
}

const ownValues = (e: EntityObject): readonly unknown[] => e[VALUES];

function requireEntity(value: unknown, operation: string): EntityObject {
  if (!isEntityObject(value))
    throw new EntityDefinitionError(`${operation}: expected an entity, got ${describeValue(value)}`);
  return value;
}

installEntityServices({
  getTree: (root) => buildEntityTree(root),
  promoteToRoot: (e) => void EntityRegistry.default.promoteToRoot(e),
  detach: (e) => void EntityRegistry.default.detach(e),
  attach: (e, p) => void EntityRegistry.default.attach(e, p),
});
