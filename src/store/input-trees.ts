/**
 * The input trees of a call once the function has returned: each drafted tree diffed from its
 * overlays (`diff/draft-diff.ts`), each copied tree (a second version of a lineage) diffed like
 * `version()`, and the checks that span trees: every entity the function changed belongs to an
 * input tree, and no entity ends up in two of them.
 */
import { runtimeOfObject } from '../entity/class-runtime';
import { VALUES, metaOf, type EntityObject } from '../metadata/object-model';
import { UNSET, diffDraft, holdsEntity, type DraftChanges } from '../diff/draft-diff';
import { buildEntityTree } from '../tree/build-tree';
import { TreeStructureError } from '../tree/errors';
import type { EntityTree } from '../tree/entity-tree';
import { excerpt } from '../util/excerpt';
import { formatPath } from '../util/paths';
import type { CopiedInput, Draft } from './draft';
import type { CommitRequest } from './commit';
import type { EntityRegistry } from './entity-registry';
import { VersioningError } from './errors';
import type { Provenance } from './persist';
import { liveIndexOf, type RootVersion } from './root-version';

/** The new state of a copied input tree: its working copy as the function left it, diffed like `version()`. */
export interface CopiedChanges {
  readonly kind: 'copy';
  readonly input: RootVersion;
  readonly root: EntityObject;
  readonly copied: ReadonlySet<EntityObject>;
  readonly tree: EntityTree;
  /** The commit of the new state (provenance set, no output identity yet); null when unchanged. */
  readonly request: CommitRequest | null;
  readonly modified: ReadonlySet<EntityObject>;
  readonly changedFields: ReadonlyMap<string, string[]>;
}

/** One input tree after the call. */
export type InputTree = DraftChanges<RootVersion> | CopiedChanges;

const NONE: ReadonlySet<never> = new Set<never>();

/**
 * Closes the draft and computes what the function changed in every input tree.
 * @throws VersioningError for a change to an entity outside the inputs; TreeStructureError for an
 * entity put into two places (in one tree or across trees) and for unsupported field data.
 */
export function changesOfInputs(draft: Draft, registry: EntityRegistry, provenance: Provenance): InputTree[] {
  draft.close();
  const drafted = draft.drafted.map((input) => diffDraft(draft, input, input.root, liveIndexOf(input)));
  checkOverlaysBelongToInputs(draft, drafted);
  const trees: InputTree[] =
    draft.copied.length === 0
      ? drafted
      : [...drafted, ...draft.copied.map((c) => changesOfCopy(draft, registry, provenance, c))];
  if (trees.length > 1) checkTreesDisjoint(trees);
  return trees;
}

/** True when `e` is part of tree `t`'s new state. */
export function holds(t: InputTree, e: EntityObject): boolean {
  if (t.kind === 'copy') return t.tree.nodes.get(metaOf(e).ecsId) === e;
  return holdsEntity(t, e);
}

/** A copied input's working copy as the function left it, planned like `version()` of it. */
function changesOfCopy(draft: Draft, registry: EntityRegistry, provenance: Provenance, c: CopiedInput): CopiedChanges {
  const tree = buildEntityTree(c.root, draft.valuesOf);
  const { diff, request } = registry.planVersion(c.input, tree, provenance, draft.valuesOf);
  return {
    kind: 'copy',
    input: c.input,
    root: c.root,
    copied: c.copied,
    tree,
    request,
    modified: request?.modified ?? NONE,
    changedFields: diff.changedFields,
  };
}

/** Stored entities the function changed must belong to an input tree (or be returned). */
function checkOverlaysBelongToInputs(draft: Draft, trees: readonly DraftChanges<RootVersion>[]): void {
  // Every overlay claimed by exactly one input tree (the usual case): nothing to check.
  if (trees.length === 1 && trees[0].claimed === draft.overlays.size) return;
  for (const [e, overlay] of draft.overlays) {
    if (trees.some((t) => t.index.get(metaOf(e).lineageId) === e)) continue;
    const values = e[VALUES];
    const { meta } = runtimeOfObject(e);
    for (let i = 0; i < overlay.length; i++) {
      if (overlay[i] !== UNSET && !meta.fieldEquals(i, overlay[i], values[i])) {
        throw new VersioningError(
          `${e.constructor.name} ${metaOf(e).ecsId}: the function changed field '${meta.fields[i].name}' of an entity that is not part of its inputs`,
        );
      }
    }
  }
}

/**
 * An entity occurs in one tree only, across the input trees of a call too: one put into two of
 * them (or into one while it stays in another) would be stored twice. An input's root put into
 * another tree is an attachment: it has no parent in its own tree, whose versions stay as they are.
 */
function checkTreesDisjoint(trees: readonly InputTree[]): void {
  for (const t of trees) {
    const joined: [EntityObject, string][] = [];
    if (t.kind === 'draft') {
      for (const [e, np] of t.entered)
        if (t.index.get(metaOf(e).lineageId) !== e) joined.push([e, formatPath(np.owner.constructor.name, np.path)]);
    } else {
      for (const edge of t.tree.edges) {
        const e = t.tree.nodes.get(edge.child)!;
        if (!t.copied.has(e)) joined.push([e, formatPath(t.tree.nodes.get(edge.parent)!.constructor.name, edge.path)]);
      }
    }
    for (const [e, here] of joined) {
      const other = trees.find((u) => u !== t && u.root !== e && holds(u, e));
      if (other === undefined) continue;
      const there = `the input tree of ${other.root.constructor.name} ${other.input.ecsId}`;
      throw new TreeStructureError(
        `${e.constructor.name} ${metaOf(e).ecsId} occurs in two trees of this call (a shared reference): it is in ${there} and was also put into ${excerpt(here)}`,
        there,
        here,
      );
    }
  }
}
