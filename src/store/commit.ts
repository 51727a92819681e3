/**
 * What one commit is: the new state of one tree going into the version store (`CommitRequest`)
 * and what storing it made (`CommitResult`). A function call's transaction builds its requests
 * from its drafts; `treeRequest` builds one from a working tree's edges (promote, version,
 * detach, and the call's input trees).
 */
import { runtimeOfObject } from '../entity/class-runtime';
import { metaOf, type EntityObject } from '../metadata/object-model';
import type { EntityTree } from '../tree/entity-tree';
import type { IndexDelta } from './lineage-index';
import type { FieldSet, IdentityOverride, PersistPlan, Placement, Provenance } from './persist';
import type { RootVersion } from './root-version';

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

/** The commit request of a working tree's new state: placements and rebuilt fields from its edges. */
export function treeRequest(
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
