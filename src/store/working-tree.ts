/**
 * Working trees around a commit: after one, the working objects take the ids the commit gave
 * them (SPEC §4: in place), and `WorkingRoots` remembers each working root so that an entity
 * inside it can find it again (detach, a function call's arguments). `removeAt` and `replaceAt`
 * edit a working parent at a path of its tree.
 */
import { containerKind, readItem, removeItem, replaceItem, type DataContainerKind } from '../metadata/containers';
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { PathSegment } from '../metadata/types';
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
    replaceAt(parent, edge.path, copy);
  }
  roots.add(tree.root as EntityObject);
}

/** Removes the value at `path` (from the parent's field) in a working parent. */
export function removeAt(parent: EntityObject, path: readonly PathSegment[]): void {
  const container = containerAt(parent, path);
  const last = path[path.length - 1];
  if (container === parent) (parent as unknown as Record<string, unknown>)[last as string] = null;
  else withKind(container, (c, kind) => removeItem(c, kind, last as never));
}

/** Puts `next` where `previous` sits (at `path` from the parent's field) in a working parent. */
export function replaceAt(parent: EntityObject, path: readonly PathSegment[], next: EntityObject): void {
  const container = containerAt(parent, path);
  const last = path[path.length - 1];
  if (container === parent) (parent as unknown as Record<string, unknown>)[last as string] = next;
  else withKind(container, (c, kind) => replaceItem(c, kind, last as never, next));
}

/** The value at one segment of a path: an entity's field, or an item of a container (see `readItem`). */
export function readSegment(container: unknown, seg: PathSegment): unknown {
  if (isEntityObject(container)) return (container as unknown as Record<string, unknown>)[seg as string];
  let value: unknown;
  withKind(container, (c, kind) => (value = readItem(c, kind, seg as never)));
  return value;
}

/** The container that holds the last segment of `path`, from the parent entity. */
function containerAt(parent: EntityObject, path: readonly PathSegment[]): unknown {
  let container: unknown = parent;
  for (let i = 0; i < path.length - 1; i++) container = readSegment(container, path[i]);
  return container;
}

function withKind(container: unknown, fn: (c: object, kind: DataContainerKind) => void): void {
  const kind = typeof container === 'object' && container !== null ? containerKind(container, 'any') : null;
  if (kind !== null) fn(container as object, kind);
}
