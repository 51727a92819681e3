import type { EntityObject } from '../metadata/object-model';
import type { PersistentMap } from './persistent-map';

/** One stored version of a tree. Immutable once created. */
export interface RootVersion {
  readonly ecsId: string;
  readonly lineageId: string;
  /** The stored (frozen) root entity. */
  readonly root: EntityObject;
  /** lineageId -> stored entity, for every entity of this version (shares structure with its parent version). */
  readonly index: PersistentMap<EntityObject>;
  /** The version it was derived from (null for a first version). */
  readonly parentEcsId: string | null;
  readonly createdAt: number;
}

/** A lineage's versions, oldest first, with their parents (a branch shows as two children of one parent). */
export interface LineageEntry {
  readonly ecsId: string;
  readonly parentEcsId: string | null;
}
