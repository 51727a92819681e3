/**
 * The version store: every stored version of every tree, by root ecsId, by lineage, and every
 * stored entity by ecsId, with the lineage indexes the versions read through.
 *
 * It takes commits (`prepareCommit`, then `publish`) and answers lookups by id; it emits no
 * events and knows nothing of working trees (that is `EntityRegistry` and `working-tree.ts`).
 * This is the part a durable store sits behind: keep its surface small and typed.
 */
import type { AnyClass } from '../metadata/class-registry';
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { CommitRequest, CommitResult } from './commit';
import { EntityNotFoundError } from './errors';
import { LineageIndexes, type IndexDelta } from './lineage-index';
import type { HistoryStore } from './history-store';
import { persist } from './persist';
import { RootVersion, deltaOf, type LineageEntry } from './root-version';

export class VersionStore {
  /** `history`: where published commits are queued for a durable store. */
  constructor(private readonly history: HistoryStore) {}

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
  private readonly indexes = new LineageIndexes();

  /**
   * The stored entity of an ecsId as the store holds it (lower case), for the commit path
   * (`persist`, a diff against a stored version). Callers with an id from outside use `findStoredEntity`.
   */
  readonly lookupStored = (ecsId: string): EntityObject | undefined => this.entityIndex().get(ecsId);

  // ---- commits -----------------------------------------------------------------------------

  /** Builds a commit without publishing it (several trees of one execution publish together). */
  prepareCommit(req: CommitRequest): CommitResult {
    // A store in fail-stop takes no new history: refused before anything is built.
    this.history.checkWritable();
    const persisted = persist(req, this.lookupStored);
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
    const versions = this.lineages.get(version.lineageId);
    if (versions === undefined) this.lineages.set(version.lineageId, [version]);
    else versions.push(version);
    if (this.restoredAt === null) this.history.committed(prepared);
  }

  /**
   * Withdraws the first version of a lineage nothing has built on yet, as if it had never been
   * registered (used when an execution that registered it beforehand fails). Returns false, and
   * changes nothing, when the version is not such a version.
   */
  withdrawFirstVersion(rootEcsId: string): boolean {
    const version = this.versions.get(rootEcsId);
    const entries = version && this.lineages.get(version.lineageId);
    if (!version || version.parentEcsId !== null || !entries || entries.length !== 1 || entries[0] !== version)
      return false;
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
    this.history.withdrawn({
      ecsId: version.ecsId,
      lineageId: version.lineageId,
      entities: [...withdrawn].map((e) => metaOf(e).ecsId),
    });
    return true;
  }

  // ---- lookups by id -----------------------------------------------------------------------

  /** The stored version record of a root (throws EntityNotFoundError). */
  getVersion(rootEcsId: string): RootVersion {
    const v = this.versions.get(idKey(rootEcsId));
    if (!v) throw notFound(rootEcsId, 'not a stored root version');
    return v;
  }
  /** The stored version record of a root, if this store holds it. */
  findVersion(rootEcsId: string): RootVersion | undefined {
    return this.versions.get(idKey(rootEcsId));
  }
  hasVersion(rootEcsId: string): boolean {
    return this.versions.has(idKey(rootEcsId));
  }
  /** Any stored version of any entity, root or child (frozen; throws EntityNotFoundError). */
  getStoredEntity(ecsId: string): EntityObject {
    const e = this.entityIndex().get(idKey(ecsId));
    if (!e) throw notFound(ecsId);
    return e;
  }
  /** `getStoredEntity`, or undefined when this store does not hold that ecsId. */
  findStoredEntity(ecsId: string): EntityObject | undefined {
    return this.entityIndex().get(idKey(ecsId));
  }
  /** True when `entity` is a stored version held by this store (cheap for root versions). */
  holds(entity: object): boolean {
    if (!isEntityObject(entity)) return false;
    const m = metaOf(entity);
    if (!m.stored) return false;
    if (m.rootEcsId === m.ecsId) return this.versions.get(m.ecsId)?.root === entity;
    return this.entityIndex().get(m.ecsId) === entity;
  }
  /** Every stored root version, in commit order (a copy: an export reads it while commits go on). */
  allVersions(): RootVersion[] {
    return [...this.versions.values()];
  }
  /** Root versions of a lineage, oldest first, with their parents. */
  lineage(lineageId: string): LineageEntry[] {
    const versions = this.lineages.get(idKey(lineageId)) ?? [];
    return versions.map((v) => Object.freeze({ ecsId: v.ecsId, parentEcsId: v.parentEcsId }));
  }
  /** The newest stored version of a lineage. */
  latestVersion(lineageId: string): RootVersion | undefined {
    return this.latestOf(idKey(lineageId));
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
    const e = this.getStoredEntity(ecsId);
    const m = metaOf(e);
    const out: string[] = [];
    // Versions come in creation order (parents first): each answer follows from its delta or its parent's.
    const contains = new Map<string, boolean>();
    for (const v of this.versions.values()) {
      let c: boolean;
      const delta = deltaOf(v);
      if (delta === null)
        c = m.rootEcsId === v.ecsId; // a first version forks everything it holds
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

  /** `latestVersion` for a lineageId as the store holds it. */
  private latestOf(lineageId: string): RootVersion | undefined {
    const versions = this.lineages.get(lineageId);
    return versions === undefined ? undefined : versions[versions.length - 1];
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
