import { runtimeOfObject } from '../entity/class-runtime';
import { EntityDefinitionError } from '../metadata/errors';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { PathSegment } from '../metadata/types';
import { EntityTree } from './entity-tree';
import { TreeStructureError } from './errors';

/** Human-readable position: `GridMap.nodes[3].agents[0]`. */
export function formatPath(rootName: string, segments: readonly PathSegment[]): string {
  let s = rootName;
  for (const seg of segments) s += typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  return s;
}

/**
 * Walks every entity reachable from `root` (through fields and containers at any depth).
 * An entity met twice (same object, same ecsId or same lineage) is a TreeStructureError naming
 * both paths; a cycle is reported as such.
 */
export function buildEntityTree<R extends object>(root: R): EntityTree<R> {
  if (!isEntityObject(root)) {
    throw new EntityDefinitionError(`buildEntityTree: expected an entity, got ${describeValue(root)}`);
  }
  const rootMeta = metaOf(root);
  const tree = new EntityTree(root, rootMeta.ecsId);
  const rootName = root.constructor.name;
  const pathOf = new Map<string, PathSegment[]>(); // ecsId -> absolute path
  const register = (e: EntityObject, absPath: PathSegment[], depth: number): void => {
    const m = metaOf(e);
    const clash = tree.nodes.get(m.ecsId) ?? tree.byLineage.get(m.lineageId);
    if (clash) {
      const first = pathOf.get(metaOf(clash).ecsId)!;
      const isCycle = clash === e && first.length <= absPath.length && first.every((s, i) => absPath[i] === s);
      const what = clash === e ? (isCycle ? 'a cycle: it contains itself' : 'a shared reference') : clash !== e && metaOf(clash).ecsId === m.ecsId ? 'two copies of the same version' : 'two versions of the same entity';
      const a = formatPath(rootName, first);
      const b = formatPath(rootName, absPath);
      throw new TreeStructureError(`${e.constructor.name} ${m.ecsId} occurs twice in the tree (${what}): at ${a} and at ${b}`, a, b);
    }
    tree.nodes.set(m.ecsId, e);
    tree.byLineage.set(m.lineageId, e);
    tree.depth.set(m.ecsId, depth);
    pathOf.set(m.ecsId, absPath);
    if (depth > tree.maxDepth) tree.maxDepth = depth;
  };
  register(root as unknown as EntityObject, [], 0);
  const stack: EntityObject[] = [root as unknown as EntityObject];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    const pm = metaOf(parent);
    const parentPath = pathOf.get(pm.ecsId)!;
    const depth = tree.depth.get(pm.ecsId)! + 1;
    const found: EntityObject[] = [];
    runtimeOfObject(parent).meta.forEachChild(parent[VALUES], (child, path, container, place) => {
      register(child, [...parentPath, ...path], depth);
      const edge = { parent: pm.ecsId, child: metaOf(child).ecsId, field: path[0] as string, path, container, place };
      tree.edges.push(edge);
      tree.edgeTo.set(edge.child, edge);
      found.push(child);
    });
    for (let i = found.length - 1; i >= 0; i--) stack.push(found[i]);
  }
  return tree;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return `${typeof v} ${JSON.stringify(v)}`;
  return `an instance of ${(v as object).constructor?.name ?? 'Object'} that is not an entity`;
}
