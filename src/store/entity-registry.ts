import { runtimeOfObject } from '../entity/class-runtime';
import { installEntityServices } from '../entity/services';
import { diffAgainst, emptyDiff, storedPlaceKey, type TreeDiff } from '../diff/diff-trees';
import { EntityDefinitionError } from '../metadata/errors';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { AnyClass } from '../metadata/class-registry';
import { describeValue } from '../metadata/describe-value';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import { events as defaultBus, type EventBus } from '../events';
import { Event, LazyMetadata } from '../events/event';
import { runOperation } from '../events/operation';
import { EntityNotFoundError, VersioningError } from './errors';
import { LineageIndexes, type IndexDelta } from './lineage-index';
import { persist, type FieldSet, type IdentityOverride, type PersistPlan, type Placement, type Provenance } from './persist';
import { RootVersion, deltaOf, liveIndexOf, type LineageEntry } from './root-version';
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

/** A new state of one tree, ready to be committed (see `EntityRegistry.commit`). */
export interface CommitRequest {
  readonly base: RootVersion | null;
  readonly root: EntityObject;
  readonly modified: ReadonlySet<EntityObject>;
  valuesOf(entity: EntityObject): readonly unknown[];
  placementOf(entity: EntityObject): Placement;
  readonly dirtyFields: ReadonlyMap<EntityObject, FieldSet>;
  /** Lineages of the base version no longer in the tree. */
  readonly removedLineages: Iterable<string>;
  readonly provenance: Provenance | null;
  /** Pre-assigned ecsIds and extra identity (outputs of an execution: index, siblings, sources). */
  readonly identity?: ReadonlyMap<EntityObject, IdentityOverride>;
  readonly freezeOwned?: PersistPlan['freezeOwned'];
  readonly storedEarlier?: PersistPlan['storedEarlier'];
}

export interface CommitResult {
  readonly version: RootVersion;
  readonly base: RootVersion | null;
  /** What the version changed in the index (lineage -> entity, or null when removed). */
  readonly delta: IndexDelta;
  readonly stored: ReadonlyMap<EntityObject, EntityObject>;
  readonly idMap: ReadonlyMap<string, string>;
}

const ROOT: Placement = { parentLineageId: null, place: '' };

/**
 * The versioned store: every stored version of every tree, their lineages and indexes.
 * Stored versions are frozen and share unchanged entities with their parent version.
 * `EntityRegistry.default` serves the static API; `new EntityRegistry()` is an isolated world.
 */
export interface EntityRegistryOptions {
  /** Where this registry's events go (default: the default bus `events`). */
  readonly bus?: EventBus;
}

export class EntityRegistry {
  private static current = new EntityRegistry();
  /** The bus this registry emits on. */
  readonly bus: EventBus;

  constructor(options: EntityRegistryOptions = {}) {
    this.bus = options.bus ?? defaultBus;
  }

  private readonly versions = new Map<string, RootVersion>();
  /** ecsId -> stored entity, for every stored version of every entity (see `entityIndex`). */
  private readonly entities = new Map<string, EntityObject>();
  /** Stored entities published but not yet in `entities`: indexed on the next lookup by ecsId. */
  private pendingEntities: EntityObject[] = [];
  /** lineageId -> its root versions, oldest first (entries for `lineage()` are made when asked for). */
  private readonly lineages = new Map<string, RootVersion[]>();
  private readonly indexes = new LineageIndexes();
  private readonly lookupStored = (ecsId: string): EntityObject | undefined => this.entityIndex().get(ecsId);
  /** Working roots by liveId, so detach() can find the tree an entity sits in. */
  private readonly workingRoots = new Map<string, WeakRef<EntityObject>>();

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
      () => this.promoteNow(root),
      (v) => ({ rootEcsId: v.ecsId, lineageId: v.lineageId }),
    );
  }

  private promoteNow(root: EntityObject): RootVersion {
    const m = metaOf(root);
    if (m.stored) throw new VersioningError(`${describeValue(root)} is a stored version already; checkout() it to get a working copy`);
    if (m.rootEcsId !== null) {
      const existing = m.rootEcsId === m.ecsId ? this.versions.get(m.ecsId) : undefined;
      if (existing) return existing;
      // The top of a working tree (its own root, or a subtree read with fromJSON) whose version
      // this registry does not hold: loaded from another registry or process.
      if (m.rootEcsId === m.ecsId || m.rootLiveId === m.liveId) return this.loadNow(root);
      throw new VersioningError(`${describeValue(root)} belongs to the tree of root ${m.rootEcsId}; detach() it to make it a root`);
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
    const parent = m.rootEcsId === m.ecsId && m.previousEcsId !== null ? this.versions.get(m.previousEcsId) : undefined;
    if (parent !== undefined && parent.lineageId === m.lineageId) return this.commitAgainst(parent, tree).result!.version;
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
      () => this.versionNow(root),
      // The caller gets these maps too: the event keeps its own copies (its data is built on first read).
      (r) => versionEventData(r.created, r.rootEcsId, new Map(r.idMap), new Map(r.diff.changedFields)),
    );
  }

  private versionNow(root: EntityObject): VersionResult {
    const m = metaOf(root);
    if (m.stored) return { created: false, rootEcsId: m.ecsId, idMap: new Map(), diff: emptyDiff() };
    if (m.rootEcsId === null) throw new VersioningError(`${describeValue(root)} is an orphan: promoteToRoot() it first`);
    if (m.rootEcsId !== m.ecsId) throw new VersioningError(`${describeValue(root)} is not a root: version its root ${m.rootEcsId}`);
    const base = this.versions.get(m.rootEcsId);
    if (!base) throw new EntityNotFoundError(m.rootEcsId, `${describeValue(root)} says it came from this version, which this registry does not hold (promoteToRoot() it to load it here)`);
    const { result, diff } = this.commitAgainst(base, buildEntityTree(root));
    return result === null ? { created: false, rootEcsId: m.ecsId, idMap: new Map(), diff } : { created: true, rootEcsId: result.version.ecsId, idMap: result.idMap, diff };
  }

  /** Commits `tree` as a child of `base`: what differs from it is stored, the rest shared (no change: no commit). */
  private commitAgainst(base: RootVersion, tree: EntityTree): { result: CommitResult | null; diff: TreeDiff } {
    const { diff, request } = this.planVersion(base, tree, null);
    if (request === null) return { result: null, diff };
    const result = this.commit(request);
    this.adoptWorkingTree(tree, result);
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
    const entities = this.entityIndex();
    const inBase = (ecsId: string): EntityObject | undefined => {
      const e = entities.get(ecsId);
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
    for (const id of diff.removed) removed.push(metaOf(entities.get(id)!).lineageId);
    return { diff, request: treeRequest(base, tree, modified, provenance, removed, valuesOf) };
  }

  /** Stores a working tree as a first version (promote, detach), then gives its objects their ids. */
  private commitTree(tree: EntityTree): CommitResult {
    const result = this.prepareFirstVersion(tree);
    this.publish(result);
    this.announce(result, null);
    this.adoptWorkingTree(tree, result);
    return result;
  }

  /**
   * A working tree's first version, built and not published (`publish` makes it visible): the
   * tree's objects keep their working state. Used for a config built for a call, which is
   * published with the call's commits.
   */
  prepareFirstVersion(tree: EntityTree): CommitResult {
    return this.prepareCommit(treeRequest(null, tree, new Set(tree.nodes.values()), null, [], ownValues));
  }

  /** After a commit: working objects take their new ids and root ids (SPEC §4: in place). */
  private adoptWorkingTree(tree: EntityTree, result: CommitResult): void {
    const rootMeta = metaOf(result.version.root);
    for (const e of tree.nodes.values()) {
      const m = metaOf(e);
      if (m.stored) continue;
      const s = result.stored.get(e);
      if (s) {
        const sm = metaOf(s);
        m.ecsId = sm.ecsId;
        m.previousEcsId = sm.previousEcsId;
        m.history = sm.history;
        m.forkedAt = sm.forkedAt;
        m.derivedFromFunction = sm.derivedFromFunction;
        m.derivedFromExecutionId = sm.derivedFromExecutionId;
      }
      m.rootEcsId = rootMeta.ecsId;
      m.rootLiveId = metaOf(tree.root).liveId;
    }
    // A stored entity the caller put into this working tree forked: from now on the tree holds a
    // working copy of its new version, so the next version() does not see it as moved in again.
    for (const [e, s] of result.stored) {
      const edge = metaOf(e).stored ? tree.edgeTo.get(metaOf(e).ecsId) : undefined;
      const parent = edge ? tree.nodes.get(edge.parent)! : undefined;
      if (!edge || !parent || metaOf(parent).stored) continue; // inside a stored parent: copied with it
      const copy = workingCopyOf(s, false);
      buildEntityTree(copy).nodes.forEach((n) => {
        metaOf(n).rootEcsId = rootMeta.ecsId;
        metaOf(n).rootLiveId = metaOf(tree.root).liveId;
      });
      replaceAt(parent, edge.path, e, copy);
    }
    this.workingRoots.set(metaOf(tree.root).liveId, new WeakRef(tree.root as EntityObject));
  }

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
    const persisted = persist(req, this.lookupStored);
    const rootMeta = metaOf(persisted.root);
    const delta = indexDelta(req.removedLineages, persisted.stored);
    const version = new RootVersion(
      rootMeta.ecsId,
      rootMeta.lineageId,
      persisted.root,
      req.base ? req.base.ecsId : null,
      Date.now(),
      req.base ? delta : null,
      this.indexes,
    );
    return { version, base: req.base, delta, stored: persisted.stored, idMap: persisted.idMap };
  }

  /**
   * Makes a prepared commit visible. Plain bookkeeping that cannot fail: its events come after,
   * from `announce`, so nothing a handler does can stand between a version and its record.
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
    const versions = this.lineages.get(version.lineageId);
    if (versions === undefined) this.lineages.set(version.lineageId, [version]);
    else versions.push(version);
  }

  /**
   * The events of a published commit: `entity.register` for the first version of a lineage,
   * otherwise `entity.version` (with the fields a function changed, when one did). Never throws:
   * the version is stored already, so a failure while announcing it goes to `errors$`.
   */
  announce(prepared: CommitResult, changedFields: ReadonlyMap<string, string[]> | null): void {
    if (!this.bus.isObserved) return;
    const { version } = prepared;
    const root = version.root;
    try {
      if (version.parentEcsId === null) {
        runOperation(
          this.bus,
          () => ({ type: 'entity.register', subjectType: root.constructor.name, subjectId: version.ecsId }),
          () => undefined,
          () => ({ rootEcsId: version.ecsId, lineageId: version.lineageId, entityCount: prepared.stored.size }),
        );
      } else if (changedFields !== null) {
        runOperation(
          this.bus,
          () => ({ type: 'entity.version', subjectType: root.constructor.name, subjectId: version.parentEcsId ?? undefined }),
          () => undefined,
          () => versionEventData(true, version.ecsId, prepared.idMap, changedFields),
        );
      }
    } catch (error) {
      this.bus.reportError(error, new Event({ type: version.parentEcsId === null ? 'entity.register' : 'entity.version', subjectId: version.ecsId }), 'announce');
    }
  }

  /**
   * Withdraws the first version of a lineage nothing has built on yet, as if it had never been
   * registered (used when an execution that registered it beforehand fails). Returns false, and
   * changes nothing, when the version is not such a version.
   */
  withdrawFirstVersion(rootEcsId: string): boolean {
    const version = this.versions.get(rootEcsId);
    const entries = version && this.lineages.get(version.lineageId);
    if (!version || version.parentEcsId !== null || !entries || entries.length !== 1 || entries[0] !== version) return false;
    const index = this.indexes.mapOf(version);
    const withdrawn = new Set(index.values());
    for (const e of [...index.values()]) {
      // Only entities this version stored itself (a first version forks everything it holds).
      if (metaOf(e).rootEcsId !== rootEcsId) return false;
    }
    const entityIndex = this.entityIndex();
    for (const e of withdrawn) entityIndex.delete(metaOf(e).ecsId);
    this.indexes.forget(version);
    this.versions.delete(rootEcsId);
    this.lineages.delete(version.lineageId);
    return true;
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
      () => this.detachNow(e),
      (v) => ({ rootEcsId: v.ecsId, previousEcsId: metaOf(v.root).previousEcsId }),
    );
  }

  private detachNow(e: EntityObject): RootVersion {
    const m = metaOf(e);
    if (m.stored) throw new VersioningError(`${describeValue(e)} is a stored version; detach works on working trees (checkout() first)`);
    if (m.rootEcsId === null) throw new VersioningError(`${describeValue(e)} is an orphan: there is no tree to detach it from`);
    if (m.rootEcsId === m.ecsId) throw new VersioningError(`${describeValue(e)} is a root already`);
    const parentRoot = m.rootLiveId ? this.workingRoots.get(m.rootLiveId)?.deref() : undefined;
    if (!parentRoot) throw new VersioningError(`${describeValue(e)}: its working root (liveId ${m.rootLiveId}) is no longer available`);
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
      () => ({ type: 'entity.attach', subjectType: e.constructor.name, subjectId: metaOf(e).ecsId, metadata: { parentEcsId: metaOf(parent).ecsId } }),
      () => this.attachNow(e, parent),
      (r) => ({ rootEcsId: r.rootEcsId, created: r.created }),
    );
  }

  private attachNow(e: EntityObject, parent: EntityObject): VersionResult {
    const tree = buildEntityTree(parent);
    if (tree.nodes.get(metaOf(e).ecsId) !== e) {
      throw new VersioningError(`${describeValue(e)} is not inside ${describeValue(parent)}: put it into the tree first, then attach()`);
    }
    return this.version(parent);
  }

  /** The working root object an entity of a working tree belongs to (if it is still alive). */
  workingRootOf<T extends object = object>(entity: object): T | undefined {
    const m = metaOf(requireEntity(entity, 'workingRootOf'));
    return m.rootLiveId === null ? undefined : (this.workingRoots.get(m.rootLiveId)?.deref() as T | undefined);
  }

  // ---- queries -----------------------------------------------------------------------------

  /** The stored version record of a root (throws EntityNotFoundError). */
  getVersion(rootEcsId: string): RootVersion {
    const v = this.versions.get(idKey(rootEcsId));
    if (!v) throw notFound(rootEcsId, 'not a stored root version');
    return v;
  }
  hasVersion(rootEcsId: string): boolean {
    return this.versions.has(idKey(rootEcsId));
  }
  /** The tree of a stored root version (stored, frozen entities). */
  getStoredTree(rootEcsId: string): EntityTree {
    // A tree of its own for every caller: nothing handed out may reach the store's own state.
    return buildEntityTree(this.getVersion(rootEcsId).root);
  }
  /** Any stored version of any entity, root or child (frozen). */
  getStoredEntity<T extends object = object>(ecsId: string): T {
    const e = this.entityIndex().get(idKey(ecsId));
    if (!e) throw notFound(ecsId);
    return e as unknown as T;
  }
  findStoredEntity<T extends object = object>(ecsId: string): T | undefined {
    return this.entityIndex().get(idKey(ecsId)) as unknown as T | undefined;
  }
  /** True when `entity` is a stored version held by this registry (cheap for root versions). */
  holds(entity: object): boolean {
    if (!isEntityObject(entity)) return false;
    const m = metaOf(entity);
    if (!m.stored) return false;
    if (m.rootEcsId === m.ecsId) return this.versions.get(m.ecsId)?.root === entity;
    return this.entityIndex().get(m.ecsId) === entity;
  }
  /** A mutable working copy (new liveIds) of a stored root version or of any stored entity's subtree. */
  checkout<T extends object = object>(ecsId: string): T {
    const stored = this.getStoredEntity<EntityObject>(ecsId);
    const isRootVersion = this.versions.has(metaOf(stored).ecsId);
    const copy = workingCopyOf(stored, isRootVersion);
    if (isRootVersion) this.workingRoots.set(metaOf(copy).liveId, new WeakRef(copy));
    return copy as unknown as T;
  }
  /** Root versions of a lineage, oldest first, with their parents. */
  lineage(lineageId: string): LineageEntry[] {
    const versions = this.lineages.get(idKey(lineageId)) ?? [];
    return versions.map((v) => Object.freeze({ ecsId: v.ecsId, parentEcsId: v.parentEcsId }));
  }
  /** The newest stored root of a lineage. */
  latest<T extends object = object>(lineageId: string): T | undefined {
    return this.latestVersion(lineageId)?.root as unknown as T | undefined;
  }
  latestVersion(lineageId: string): RootVersion | undefined {
    return this.latestOf(idKey(lineageId));
  }
  private latestOf(lineageId: string): RootVersion | undefined {
    const versions = this.lineages.get(lineageId);
    return versions === undefined ? undefined : versions[versions.length - 1];
  }
  /** The newest stored root of every lineage whose root is an instance of `cls`. */
  rootsOfType<T extends object>(cls: AnyClass & (abstract new (...args: never[]) => T)): T[] {
    const out: T[] = [];
    for (const versions of this.lineages.values()) {
      const root = versions[versions.length - 1].root;
      if (root instanceof cls) out.push(root as unknown as T);
    }
    return out;
  }
  /** Every stored root version that contains this stored entity version. */
  versionsContaining(ecsId: string): string[] {
    const e = this.getStoredEntity<EntityObject>(ecsId);
    const m = metaOf(e);
    const out: string[] = [];
    // Versions come in creation order (parents first): each answer follows from its delta or its parent's.
    const contains = new Map<string, boolean>();
    for (const v of this.versions.values()) {
      let c: boolean;
      const delta = deltaOf(v);
      if (delta === null) c = m.rootEcsId === v.ecsId; // a first version forks everything it holds
      else {
        let at = -1;
        for (let i = 0; i < delta.length && at < 0; i += 2) if (delta[i] === m.lineageId) at = i;
        c = at >= 0 ? delta[at + 1] === e : contains.get(v.parentEcsId!) === true;
      }
      contains.set(v.ecsId, c);
      if (c) out.push(v.ecsId);
    }
    return out;
  }
  /** Counts, for tests and diagnostics. */
  get stats(): { versions: number; entities: number; lineages: number } {
    return { versions: this.versions.size, entities: this.entityIndex().size, lineages: this.lineages.size };
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

const ownValues = (e: EntityObject): readonly unknown[] => e[VALUES];

/** An id as the maps hold it (ids are case-insensitive); anything but a string finds nothing. */
function idKey(id: unknown): string {
  return typeof id === 'string' ? id.toLowerCase() : '';
}

function notFound(id: unknown, detail?: string): EntityNotFoundError {
  if (typeof id === 'string') return new EntityNotFoundError(id, detail);
  return new EntityNotFoundError(`(${id === null ? 'null' : typeof id})`, `an id is a string`);
}

/** The commit request of a working tree's new state: placements and rebuilt fields from its edges. */
function treeRequest(
  base: RootVersion | null,
  tree: EntityTree,
  modified: ReadonlySet<EntityObject>,
  provenance: Provenance | null,
  removedLineages: Iterable<string>,
  valuesOf: (e: EntityObject) => readonly unknown[],
): CommitRequest {
  const dirtyFields = new Map<EntityObject, Set<number>>();
  for (const e of modified) {
    const edge = tree.edgeTo.get(metaOf(e).ecsId);
    if (!edge) continue;
    const parent = tree.nodes.get(edge.parent)!;
    const index = runtimeOfObject(parent).meta.fieldIndex.get(edge.field)!;
    let set = dirtyFields.get(parent);
    if (!set) dirtyFields.set(parent, (set = new Set()));
    set.add(index);
  }
  return {
    base,
    root: tree.root as EntityObject,
    modified,
    valuesOf,
    placementOf: (e) => {
      const edge = tree.edgeTo.get(metaOf(e).ecsId);
      return edge ? { parentLineageId: metaOf(tree.nodes.get(edge.parent)!).lineageId, place: edge.place } : ROOT;
    },
    dirtyFields,
    removedLineages,
    provenance,
  };
}

function versionEventData(
  created: boolean,
  rootEcsId: string,
  idMap: ReadonlyMap<string, string>,
  changedFields: ReadonlyMap<string, string[]>,
): Record<string, unknown> {
  return {
    created,
    rootEcsId,
    idMap: new LazyMetadata(() => Object.fromEntries(idMap)),
    changedFields: new LazyMetadata(() => Object.fromEntries(changedFields)),
  };
}

function requireEntity(value: unknown, operation: string): EntityObject {
  if (!isEntityObject(value)) throw new EntityDefinitionError(`${operation}: expected an entity, got ${describeValue(value)}`);
  return value;
}

/** Removes the value at `path` (from the parent's field) in a working parent. */
function removeAt(parent: EntityObject, path: readonly (string | number)[]): void {
  let container: unknown = parent;
  for (let i = 0; i < path.length - 1; i++) container = readSegment(container, path[i]);
  const last = path[path.length - 1];
  if (container === parent) (parent as unknown as Record<string, unknown>)[last as string] = null;
  else if (Array.isArray(container)) container.splice(last as number, 1);
  else if (container instanceof Map) container.delete(last);
  else if (container instanceof Set) {
    for (const item of container) if (isEntityObject(item) && metaOf(item).ecsId === last) container.delete(item);
  } else delete (container as Record<string, unknown>)[last as string];
}

/** Puts `next` where `previous` sits (at `path` from the parent's field) in a working parent. */
function replaceAt(parent: EntityObject, path: readonly (string | number)[], previous: EntityObject, next: EntityObject): void {
  let container: unknown = parent;
  for (let i = 0; i < path.length - 1; i++) container = readSegment(container, path[i]);
  const last = path[path.length - 1];
  if (container instanceof Map) container.set(last, next);
  else if (container instanceof Set) {
    // keep the member's position: rebuild the set in order
    const items = [...container].map((item) => (item === previous ? next : item));
    container.clear();
    items.forEach((item) => container.add(item));
  } else (container as Record<string | number, unknown>)[last] = next;
}

function readSegment(container: unknown, seg: string | number): unknown {
  if (container instanceof Map) return container.get(seg);
  // A Set member is at its ecsId (an entity) or its position in iteration order (a container).
  if (container instanceof Set) {
    let i = 0;
    for (const item of container) {
      if (typeof seg === 'number' ? i++ === seg : isEntityObject(item) && metaOf(item).ecsId === seg) return item;
    }
    return undefined;
  }
  return (container as Record<string | number, unknown>)[seg];
}

installEntityServices({
  getTree: (root) => buildEntityTree(root),
  promoteToRoot: (e) => void EntityRegistry.default.promoteToRoot(e),
  detach: (e) => void EntityRegistry.default.detach(e),
  attach: (e, p) => void EntityRegistry.default.attach(e, p),
});

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
