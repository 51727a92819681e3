import { runtimeOfObject } from '../entity/class-runtime';
import { VALUES, metaOf, type EntityObject } from '../metadata/object-model';

/** Read-only view of one version's index: lineageId -> the stored entity of that lineage. */
export interface LineageIndex extends Iterable<[string, EntityObject]> {
  get(lineageId: string): EntityObject | undefined;
  has(lineageId: string): boolean;
  readonly size: number;
  entries(): IterableIterator<[string, EntityObject]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<EntityObject>;
}

/**
 * What a version changed in its tree's index, as flat pairs: lineageId, then the new stored entity
 * of that lineage or null if it was removed (one array per version, not one per change).
 */
export type IndexDelta = ReadonlyArray<string | EntityObject | null>;

/** Anything with a stored root whose index can be built by walking it. */
interface Indexed {
  readonly lineageId: string;
  readonly root: EntityObject;
}

/** The one map a lineage's index moves along with, and the version it currently describes. */
interface OwnedMap {
  version: Indexed;
  readonly map: Map<string, EntityObject>;
}

const CACHE_SIZE = 4;

/**
 * The lineage indexes of stored versions, without a copy per version.
 *
 * A version's index (lineageId -> stored entity) is a plain `Map`. Versions do not each keep one:
 * when a new version is derived from the version that owns a map, the map is updated in place
 * (only the entities that changed) and handed to the new version, so a commit costs a few
 * `Map.set`s and no memory beyond its own entities. A version without a map (an older version
 * read again, a branch) gets one by walking its stored tree, kept in a small cache. Stored trees
 * never change, so a map built that way is always exact.
 */
export class LineageIndexes {
  /** By lineageId: extending the latest version only re-points the entry (no Map insert or delete). */
  private readonly owned = new Map<string, OwnedMap>();
  private readonly cache = new Map<Indexed, Map<string, EntityObject>>();

  /**
   * `ownedLimit`: how many lineages may hold a map (each keeps its version's tree in memory); past
   * it the lineage that got one first loses it, and rebuilds it by a walk when extended again.
   */
  constructor(private readonly ownedLimit = Infinity) {}

  /** The map of `version`, building it if no one holds it. Do not keep it across commits. */
  mapOf(version: Indexed): Map<string, EntityObject> {
    const owned = this.owned.get(version.lineageId);
    if (owned !== undefined && owned.version === version) return owned.map;
    let cached = this.cache.get(version);
    if (cached !== undefined) return cached;
    cached = buildIndex(version.root);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(version, cached);
    return cached;
  }

  /**
   * Records `next`, derived from `base` by `delta`. If `moveBase` and `base` holds a map, the map
   * moves to `next` (the common case: extending the latest version); otherwise `next` starts
   * without one. A first version (no base) takes the map it was built with.
   */
  advance(
    base: Indexed | null,
    next: Indexed,
    delta: IndexDelta,
    moveBase: boolean,
    initial?: Map<string, EntityObject>,
  ): void {
    if (base === null) {
      if (initial) this.own(next, initial);
      return;
    }
    if (!moveBase) return;
    const owned = this.owned.get(base.lineageId);
    if (owned !== undefined && owned.version === base) {
      applyDelta(owned.map, delta);
      owned.version = next;
      return;
    }
    const map = this.cache.get(base);
    if (map === undefined) return;
    this.cache.delete(base);
    applyDelta(map, delta);
    this.own(next, map);
  }

  private own(version: Indexed, map: Map<string, EntityObject>): void {
    this.owned.set(version.lineageId, { version, map });
    if (this.owned.size > this.ownedLimit) this.owned.delete(this.owned.keys().next().value!);
  }

  /** Forgets whatever map `version` holds (the version is being withdrawn). */
  forget(version: Indexed): void {
    if (this.owned.get(version.lineageId)?.version === version) this.owned.delete(version.lineageId);
    this.cache.delete(version);
  }

  /** A view that always reads `version`'s index, wherever its map lives at the time. */
  view(version: Indexed): LineageIndex {
    const map = (): Map<string, EntityObject> => this.mapOf(version);
    return Object.freeze({
      get: (lineageId: string) => map().get(lineageId),
      has: (lineageId: string) => map().has(lineageId),
      get size() {
        return map().size;
      },
      entries: () => new Map(map()).entries(),
      keys: () => new Map(map()).keys(),
      values: () => new Map(map()).values(),
      [Symbol.iterator]: () => new Map(map()).entries(),
    });
  }
}

function applyDelta(map: Map<string, EntityObject>, delta: IndexDelta): void {
  // Removals first: a lineage can leave and come back (as another entity) in one version.
  for (let i = 0; i < delta.length; i += 2) if (delta[i + 1] === null) map.delete(delta[i] as string);
  for (let i = 0; i < delta.length; i += 2) {
    const entity = delta[i + 1] as EntityObject | null;
    if (entity !== null) map.set(delta[i] as string, entity);
  }
}

/** lineageId -> entity for every entity of a stored tree. */
export function buildIndex(root: EntityObject): Map<string, EntityObject> {
  const map = new Map<string, EntityObject>();
  const stack = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    map.set(metaOf(e).lineageId, e);
    runtimeOfObject(e).meta.forEachChild(e[VALUES], (child) => {
      stack.push(child);
    });
  }
  return map;
}
