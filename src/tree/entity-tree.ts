import type { EntityObject } from '../metadata/object-model';
import type { ContainerKind, PathSegment } from '../metadata/types';

/** One parent -> child link of a tree. */
export interface TreeEdge {
  readonly parent: string;
  readonly child: string;
  /** The parent's field holding the child. */
  readonly field: string;
  /** Position from the parent: the field, then indices / keys, e.g. ['agents', 3]. */
  readonly path: readonly PathSegment[];
  /** The innermost container the child sits in. */
  readonly container: ContainerKind;
  /** The slot ignoring the final array index (same place = not a move). */
  readonly place: string;
}

/** The entities reachable from a root, with their links. Built by `buildEntityTree`. */
export class EntityTree<R extends object = object> {
  /** ecsId -> entity. */
  readonly nodes = new Map<string, EntityObject>();
  readonly edges: TreeEdge[] = [];
  /** child ecsId -> the edge leading to it. */
  readonly edgeTo = new Map<string, TreeEdge>();
  /** lineageId -> entity. */
  readonly byLineage = new Map<string, EntityObject>();
  readonly depth = new Map<string, number>();
  maxDepth = 0;

  constructor(
    readonly root: R,
    readonly rootEcsId: string,
  ) {}

  get nodeCount(): number {
    return this.nodes.size;
  }
  get edgeCount(): number {
    return this.edges.length;
  }
  get(ecsId: string): EntityObject | undefined {
    return this.nodes.get(ecsId);
  }
  /** The parent entity, or null for the root (undefined for an id not in the tree). */
  parentOf(ecsId: string): EntityObject | null | undefined {
    if (!this.nodes.has(ecsId)) return undefined;
    const e = this.edgeTo.get(ecsId);
    return e ? this.nodes.get(e.parent)! : null;
  }
  childrenOf(ecsId: string): EntityObject[] {
    return this.edges.filter((e) => e.parent === ecsId).map((e) => this.nodes.get(e.child)!);
  }
  /** ecsIds from the root down to `ecsId` (both included). */
  ancestryPath(ecsId: string): string[] {
    if (!this.nodes.has(ecsId)) return [];
    const path = [ecsId];
    for (let e = this.edgeTo.get(ecsId); e; e = this.edgeTo.get(e.parent)) path.push(e.parent);
    return path.reverse();
  }
}
