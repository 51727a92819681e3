/**
 * Working trees around a commit: after one, the working objects take the ids the commit gave
 * them (SPEC §4: in place), and `WorkingRoots` remembers each working root so that an entity
 * inside it can find it again (detach, a function call's arguments). `removeAt` and `replaceAt`
 * edit a working parent at a path of its tree.
 */
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import type { CommitResult } from './commit';
import { workingCopyOf } from './working-copy';

/** Working roots by liveId, held weakly: a root nobody else holds is not kept for this. */
export class WorkingRoots {
  private readonly roots = new Map<string, WeakRef<EntityObject>>();

  add(root: EntityObject): void {
    this.roots.set(metaOf(root).liveId, new WeakRef(root));
  }

  /** The working root `entity` belongs to (its `rootLiveId`), if it is still alive. */
  rootOf(entity: EntityObject): EntityObject | undefined {
    const liveId = metaOf(entity).rootLiveId;
    return liveId === null ? undefined : this.roots.get(liveId)?.deref();
  }
}

/** After a commit: working objects take their new ids and root ids (SPEC §4: in place). */
export function adoptWorkingTree(tree: EntityTree, result: CommitResult, roots: WorkingRoots): void {
  const rootMeta = metaOf(result.version.root);
  for (const e of tree.nodes.values()) {
    const m = metaOf(e);
    if (m.stored) continue;
    const s = result.stored.get(e);
    if (s) {
      const sm = metaOf(s);
      m.ecsId = sm.ecsId;
      m.previousEcsId = sm.previousEcsId;
      m.history = sm.history;
      m.forkedAt = sm.forkedAt;
      m.derivedFromFunction = sm.derivedFromFunction;
      m.derivedFromExecutionId = sm.derivedFromExecutionId;
    }
    m.rootEcsId = rootMeta.ecsId;
    m.rootLiveId = metaOf(tree.root).liveId;
  }
  // A stored entity the caller put into this working tree forked: from now on the tree holds a
  // working copy of its new version, so the next version() does not see it as moved in again.
  for (const [e, s] of result.stored) {
    const edge = metaOf(e).stored ? tree.edgeTo.get(metaOf(e).ecsId) : undefined;
    const parent = edge ? tree.nodes.get(edge.parent)! : undefined;
    if (!edge || !parent || metaOf(parent).stored) continue; // inside a stored parent: copied with it
    const copy = workingCopyOf(s, false);
    buildEntityTree(copy).nodes.forEach((n) => {
      metaOf(n).rootEcsId = rootMeta.ecsId;
      metaOf(n).rootLiveId = metaOf(tree.root).liveId;
    });
    replaceAt(parent, edge.path, e, copy);
  }
  roots.add(tree.root as EntityObject);
}

/** Removes the value at `path` (from the parent's field) in a working parent. */
export function removeAt(parent: EntityObject, path: readonly (string | number)[]): void {
  let container: unknown = parent;
  for (let i = 0; i < path.length - 1; i++) container = readSegment(container, path[i]);
  const last = path[path.length - 1];
  if (container === parent) (parent as unknown as Record<string, unknown>)[last as string] = null;
  else if (Array.isArray(container)) container.splice(last as number, 1);
  else if (container instanceof Map) container.delete(last);
  else if (container instanceof Set) {
    for (const item of container) if (isEntityObject(item) && metaOf(item).ecsId === last) container.delete(item);
  } else delete (container as Record<string, unknown>)[last as string];
}

/** Puts `next` where `previous` sits (at `path` from the parent's field) in a working parent. */
export function replaceAt(parent: EntityObject, path: readonly (string | number)[], previous: EntityObject, next: EntityObject): void {
  let container: unknown = parent;
  for (let i = 0; i < path.length - 1; i++) container = readSegment(container, path[i]);
  const last = path[path.length - 1];
  if (container instanceof Map) container.set(last, next);
  else if (container instanceof Set) {
    // keep the member's position: rebuild the set in order
    const items = [...container].map((item) => (item === previous ? next : item));
    container.clear();
    items.forEach((item) => container.add(item));
  } else (container as Record<string | number, unknown>)[last] = next;
}

/** The value at one segment of a path inside a container (a Map key, a Set member, an index or key). */
export function readSegment(container: unknown, seg: string | number): unknown {
  if (container instanceof Map) return container.get(seg);
  // A Set member is at its ecsId (an entity) or its position in iteration order (a container).
  if (container instanceof Set) {
    let i = 0;
    for (const item of container) {
      if (typeof seg === 'number' ? i++ === seg : isEntityObject(item) && metaOf(item).ecsId === seg) return item;
    }
    return undefined;
  }
  return (container as Record<string | number, unknown>)[seg];
}
