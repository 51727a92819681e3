import type { EntityObject } from '../metadata/object-model';
import type { IndexDelta, LineageIndex, LineageIndexes } from './lineage-index';

let indexMapOf: (version: RootVersion) => ReadonlyMap<string, EntityObject>;
let readDelta: (version: RootVersion) => IndexDelta | null;

/** One stored version of a tree. Immutable once created. */
export class RootVersion {
  declare readonly ecsId: string;
  declare readonly lineageId: string;
  /** The stored (frozen) root entity. */
  declare readonly root: EntityObject;
  /** The version it was derived from (null for a first version). */
  declare readonly parentEcsId: string | null;
  declare readonly createdAt: number;
  /** What this version changed in the index, relative to its parent version (null for a first version). */
  readonly #delta: IndexDelta | null;
  readonly #indexes: LineageIndexes;

  // Fields are `declare`d and assigned once each (class fields would first define every one as
  // undefined: a version is created per commit).
  constructor(
    ecsId: string,
    lineageId: string,
    root: EntityObject,
    parentEcsId: string | null,
    createdAt: number,
    delta: IndexDelta | null,
    indexes: LineageIndexes,
  ) {
    this.ecsId = ecsId;
    this.lineageId = lineageId;
    this.root = root;
    this.parentEcsId = parentEcsId;
    this.createdAt = createdAt;
    this.#delta = delta === null ? null : Object.freeze(delta);
    this.#indexes = indexes;
    Object.freeze(this);
  }

  /** lineageId -> stored entity, for every entity of this version. */
  get index(): LineageIndex {
    return this.#indexes.view(this);
  }

  static {
    indexMapOf = (v) => v.#indexes.mapOf(v);
    readDelta = (v) => v.#delta;
  }
}

/**
 * The index of a version as the live map, for the store's hot paths only (valid until the next
 * commit). Not on the class: what the public API hands out must not open a way into the store.
 */
export function liveIndexOf(version: RootVersion): ReadonlyMap<string, EntityObject> {
  return indexMapOf(version);
}

/** What `version` changed in its tree's index (flat pairs, see `IndexDelta`); null for a first version. Store-internal. */
export function deltaOf(version: RootVersion): IndexDelta | null {
  return readDelta(version);
}

/** A lineage's versions, oldest first, with their parents (a branch shows as two children of one parent). */
export interface LineageEntry {
  readonly ecsId: string;
  readonly parentEcsId: string | null;
}
