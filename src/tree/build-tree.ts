import { runtimeOfObject } from '../entity/class-runtime';
import { fieldsError, isAnonymousDataError } from '../metadata/data-kinds';
import { describeValue } from '../metadata/describe-value';
import { EntityDefinitionError } from '../metadata/errors';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { PathSegment } from '../metadata/types';
import { excerpt } from '../util/excerpt';
import { EntityTree, type TreeEdge } from './entity-tree';
import { TreeStructureError } from './errors';
import { formatPath } from '../util/paths';

export { formatPath };

/**
 * Walks every entity reachable from `root` (through fields and containers at any depth).
 * An entity met twice (same object, same ecsId or same lineage) is a TreeStructureError naming
 * both paths; a cycle is reported as such. `valuesOf` (internal) reads an entity's values as a
 * function call's draft sees them; by default, as they are.
 */
export function buildEntityTree<R extends object>(
  root: R,
  valuesOf: (e: EntityObject) => readonly unknown[] = ownValues,
): EntityTree<R> {
  if (!isEntityObject(root)) {
    throw new EntityDefinitionError(`buildEntityTree: expected an entity, got ${describeValue(root)}`);
  }
  const rootMeta = metaOf(root);
  const tree = new EntityTree(root, rootMeta.ecsId);
  tree.nodes.set(rootMeta.ecsId, root as unknown as EntityObject);
  tree.byLineage.set(rootMeta.lineageId, root as unknown as EntityObject);
  tree.depth.set(rootMeta.ecsId, 0);
  // Depth-first; absolute paths are not built per node (only an error message needs them).
  const stack: EntityObject[] = [root as unknown as EntityObject];
  const found: EntityObject[] = [];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    const parentId = metaOf(parent).ecsId;
    const depth = tree.depth.get(parentId)! + 1;
    found.length = 0;
    const { meta } = runtimeOfObject(parent);
    try {
      meta.forEachChild(valuesOf(parent), (child, path, container, place) => {
        const m = metaOf(child);
        const clash = tree.nodes.get(m.ecsId) ?? tree.byLineage.get(m.lineageId);
        if (clash !== undefined) throw occursTwice(tree, child, clash, [...absolutePath(tree, parentId), ...path]);
        tree.nodes.set(m.ecsId, child);
        tree.byLineage.set(m.lineageId, child);
        tree.depth.set(m.ecsId, depth);
        const edge: TreeEdge = { parent: parentId, child: m.ecsId, field: path[0] as string, path, container, place };
        tree.edges.push(edge);
        tree.edgeTo.set(m.ecsId, edge);
        found.push(child);
      });
    } catch (err) {
      // Data too deep or cyclic inside a field: named with the entity's class, as when storing.
      throw isAnonymousDataError(err)
        ? fieldsError(
            meta.name,
            meta.fields.map((f) => f.name),
            valuesOf(parent),
            'walking',
            err,
          )
        : err;
    }
    if (found.length > 0 && depth > tree.maxDepth) tree.maxDepth = depth;
    for (let i = found.length - 1; i >= 0; i--) stack.push(found[i]);
  }
  return tree;
}

const ownValues = (e: EntityObject): readonly unknown[] => e[VALUES];

/** The path from the root to an entity already in the tree. */
function absolutePath(tree: EntityTree, ecsId: string): PathSegment[] {
  const parts: (readonly PathSegment[])[] = [];
  for (let e = tree.edgeTo.get(ecsId); e; e = tree.edgeTo.get(e.parent)) parts.push(e.path);
  return parts.reverse().flat();
}

function occursTwice(
  tree: EntityTree,
  e: EntityObject,
  clash: EntityObject,
  second: PathSegment[],
): TreeStructureError {
  const m = metaOf(e);
  const first = absolutePath(tree, metaOf(clash).ecsId);
  const isCycle = clash === e && first.length <= second.length && first.every((s, i) => second[i] === s);
  const what =
    clash === e
      ? isCycle
        ? 'a cycle: it contains itself'
        : 'a shared reference'
      : metaOf(clash).ecsId === m.ecsId
        ? 'two copies of the same version'
        : 'two versions of the same entity';
  const rootName = tree.root.constructor.name;
  const a = formatPath(rootName, first);
  const b = formatPath(rootName, second);
  return new TreeStructureError(
    `${e.constructor.name} ${m.ecsId} occurs twice in the tree (${what}): at ${excerpt(a)} and at ${excerpt(b)}`,
    a,
    b,
  );
}
