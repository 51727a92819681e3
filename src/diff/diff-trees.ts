import { runtimeOfObject } from '../entity/class-runtime';
import { VALUES, metaOf, type EntityObject } from '../metadata/object-model';
import type { EntityTree, TreeEdge } from '../tree/entity-tree';

/** What changed between two trees, by ecsId (see SPEC §3). */
export interface TreeDiff {
  readonly added: Set<string>;
  readonly removed: Set<string>;
  readonly moved: Set<string>;
  /** Own data differs, or its children differ (added, removed, moved in/out, reordered, other field). */
  readonly changed: Set<string>;
  /** added ∪ moved ∪ changed ∪ their ancestors in the new tree: exactly what gets new versions. */
  readonly modified: Set<string>;
  /** Per changed entity, the names of the fields that differ. */
  readonly changedFields: Map<string, string[]>;
}

export function emptyDiff(): TreeDiff {
  return {
    added: new Set(),
    removed: new Set(),
    moved: new Set(),
    changed: new Set(),
    modified: new Set(),
    changedFields: new Map(),
  };
}

/** Where an entity sits: its parent's lineage and the slot (ignoring the final array index). */
function placeKey(tree: EntityTree, edge: TreeEdge | undefined): string {
  if (!edge) return '';
  return `${metaOf(tree.nodes.get(edge.parent)!).lineageId}/${edge.place}`;
}

/** Names of the fields whose values differ (entity leaves compared by lineage). */
export function changedFieldNames(a: EntityObject, b: EntityObject): string[] {
  const { meta } = runtimeOfObject(b);
  if (a.constructor !== b.constructor) return meta.fields.map((f) => f.name);
  const va = a[VALUES];
  const vb = b[VALUES];
  const out: string[] = [];
  for (const f of meta.fields) if (!meta.fieldEquals(f.index, va[f.index], vb[f.index])) out.push(f.name);
  return out;
}

/** Exact diff of two trees; linear in their size. */
export function diffTrees(oldTree: EntityTree, newTree: EntityTree): TreeDiff {
  return diffAgainst(
    {
      get: (ecsId) => oldTree.nodes.get(ecsId),
      placeOf: (ecsId) => placeKey(oldTree, oldTree.edgeTo.get(ecsId)),
      ecsIds: () => oldTree.nodes.keys(),
    },
    newTree,
  );
}

/** The old side of a diff: a tree, or a stored version read through its index. */
export interface DiffBase {
  /** The old entity with this ecsId, if the old side holds it. */
  get(ecsId: string): EntityObject | undefined;
  /** Its place in the old side: parent lineage + slot ('' for the root). */
  placeOf(ecsId: string): string;
  ecsIds(): Iterable<string>;
}

/**
 * The diff of §3 against any old side. A stored version does not need a tree built for it: its
 * entities carry their parent's lineage and their place (true for every version sharing them).
 */
export function diffAgainst(base: DiffBase, newTree: EntityTree): TreeDiff {
  const d = emptyDiff();
  for (const [id, node] of newTree.nodes) {
    const old = base.get(id);
    if (!old) {
      d.added.add(id);
      continue;
    }
    if (base.placeOf(id) !== placeKey(newTree, newTree.edgeTo.get(id))) d.moved.add(id);
    const fields = old === node ? [] : changedFieldNames(old, node);
    if (fields.length > 0) {
      d.changed.add(id);
      d.changedFields.set(id, fields);
    }
  }
  for (const id of base.ecsIds()) if (!newTree.nodes.has(id)) d.removed.add(id);
  for (const set of [d.added, d.moved, d.changed]) {
    for (const id of set) {
      for (
        let cur: string | undefined = id;
        cur !== undefined && !d.modified.has(cur);
        cur = newTree.edgeTo.get(cur)?.parent
      ) {
        d.modified.add(cur);
      }
    }
  }
  return d;
}

/** The place key of a stored entity, from its own record (see `diffAgainst`). */
export function storedPlaceKey(entity: EntityObject): string {
  const m = metaOf(entity);
  return m.parentLineageId === null ? '' : `${m.parentLineageId}/${m.place}`;
}
