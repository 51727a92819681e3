import { diffTrees, type TreeDiff } from '../diff/diff-trees';
import { metaOf } from '../metadata/object-model';
import { EntityTree, type TreeEdge } from '../tree/entity-tree';

/**
 * The same tree keyed by lineageId instead of ecsId (nodes, edges, edgeTo, depth), so that two
 * versions of one entity carry the same key. Edges keep their original path and container.
 */
export function rekeyByLineage(tree: EntityTree): EntityTree {
  const lineageOf = (ecsId: string): string => metaOf(tree.nodes.get(ecsId)!).lineageId;
  const out = new EntityTree(tree.root, lineageOf(tree.rootEcsId));
  for (const [ecsId, entity] of tree.nodes) {
    const lineage = metaOf(entity).lineageId;
    out.nodes.set(lineage, entity);
    out.byLineage.set(lineage, entity);
    out.depth.set(lineage, tree.depth.get(ecsId) ?? 0);
  }
  for (const e of tree.edges) {
    const edge: TreeEdge = { ...e, parent: lineageOf(e.parent), child: lineageOf(e.child) };
    out.edges.push(edge);
    out.edgeTo.set(edge.child, edge);
  }
  out.maxDepth = tree.maxDepth;
  return out;
}

/** A diff whose sets and `changedFields` keys are lineageIds, with both trees rekeyed by lineage. */
export interface LineageDiff {
  readonly diff: TreeDiff;
  readonly oldTree: EntityTree;
  readonly newTree: EntityTree;
}

/**
 * `diffTrees` with entities matched by lineage rather than ecsId: the versions of one entity
 * in two stored root versions (which have different ecsIds once forked) count as one entity,
 * so the result says what happened to it (moved, changed, ...) instead of "removed + added".
 * Same semantics as §3 otherwise.
 */
export function diffByLineage(oldTree: EntityTree, newTree: EntityTree): LineageDiff {
  const o = rekeyByLineage(oldTree);
  const n = rekeyByLineage(newTree);
  return { diff: diffTrees(o, n), oldTree: o, newTree: n };
}
