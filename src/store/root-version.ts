import type { EntityObject } from '../metadata/object-model';
import type { IndexDelta, LineageIndex, LineageIndexes } from './lineage-index';

/** One stored version of a tree. Immutable once created. */
export class RootVersion {
  /** What this version changed in the index, relative to its parent version (null for a first version). */
  readonly delta: IndexDelta | null;
  readonly #indexes: LineageIndexes;

  constructor(
    readonly ecsId: string,
    readonly lineageId: string,
    /** The stored (frozen) root entity. */
    readonly root: EntityObject,
    /** The version it was derived from (null for a first version). */
    readonly parentEcsId: string | null,
    readonly createdAt: number,
    delta: IndexDelta | null,
    indexes: LineageIndexes,
  ) {
    this.delta = delta;
    this.#indexes = indexes;
    Object.freeze(this);
  }

  /** lineageId -> stored entity, for every entity of this version. */
  get index(): LineageIndex {
    return this.#indexes.view(this);
  }

  /** The index as a plain map, for internal hot paths (valid until the next commit). */
  indexMap(): ReadonlyMap<string, EntityObject> {
    return this.#indexes.mapOf(this);
  }
}

/** A lineage's versions, oldest first, with their parents (a branch shows as two children of one parent). */
export interface LineageEntry {
  readonly ecsId: string;
  readonly parentEcsId: string | null;
}
