/**
 * The commit of one call: every changed input tree and every new root forked and frozen
 * (`prepareExecution`: nothing visible yet, a throw leaves the registry as it was), then made
 * visible together (`publishExecution`: plain bookkeeping that cannot fail), then announced
 * (`announceExecution`: events, never throws). Between publish and announce the caller keeps the
 * execution record, so no handler can stand between a version and its record.
 */
import { metaOf, type EntityObject } from '../metadata/object-model';
import { freezeFlatArray } from '../metadata/values';
import { forEachChildOf, placementIn, type DraftChanges } from '../diff/draft-diff';
import { fieldIndexOf, sameEntityKind } from '../diff/field-children';
import { TreeStructureError } from '../tree/errors';
import { excerpt } from '../util/excerpt';
import { formatPath } from '../util/paths';
import type { Draft } from './draft';
import type { CommitRequest, CommitResult } from './commit';
import type { EntityRegistry } from './entity-registry';
import type { InputTree } from './input-trees';
import { identityOf, type OutputPlan, type OutputSemantic } from './output-plan';
import type { IdentityOverride, Placement, Provenance } from './persist';
import { liveIndexOf, type RootVersion } from './root-version';

export interface ExecutionOutput {
  /** The stored version handed to the caller. */
  readonly entity: EntityObject;
  readonly semantic: OutputSemantic;
}

/** A call's commits, prepared and not yet visible. */
export interface PreparedExecution {
  readonly trees: readonly InputTree[];
  /** Per input tree, its commit (null: unchanged). */
  readonly treeResults: readonly (CommitResult | null)[];
  /** Per output stored as a new root, its commit. */
  readonly rootResults: ReadonlyMap<EntityObject, CommitResult> | undefined;
  /** Parallel to the plan's outputs. */
  readonly outputs: readonly ExecutionOutput[];
  /** The new root versions, in commit order. */
  readonly versions: readonly RootVersion[];
}

const NO_CHILDREN: readonly EntityObject[] = [];

/**
 * Forks and freezes every changed input tree and every output stored as a new root. Publishes
 * nothing: a throw (unsupported data, a tree that contains itself) leaves the registry as it was.
 */
export function prepareExecution(
  registry: EntityRegistry,
  draft: Draft,
  trees: readonly InputTree[],
  plan: OutputPlan,
  provenance: Provenance,
): PreparedExecution {
  const versions: RootVersion[] = [];
  const treeResults = trees.map((t, k): CommitResult | null => {
    const request = requestFor(draft, t, provenance, identityOf(plan, k));
    if (request === null) return null;
    const r = registry.prepareCommit(request);
    versions.push(r.version);
    return r;
  });
  let rootResults: Map<EntityObject, CommitResult> | undefined;
  // A new root forks what an earlier commit of this call stored of it (a child that stays in its
  // tree, a new entity inside another new root): one ecsId, one stored object.
  const storedEarlier = (e: EntityObject): EntityObject | undefined => {
    for (const r of treeResults) {
      const s = r?.stored.get(e);
      if (s !== undefined) return s;
    }
    if (rootResults !== undefined) {
      for (const r of rootResults.values()) {
        const s = r.stored.get(e);
        if (s !== undefined) return s;
      }
    }
    return undefined;
  };
  const { outputs, targets } = plan;
  targets.forEach((target, i) => {
    const o = outputs[i];
    if (target.kind !== 'root' || target.semantic === 'unchanged' || rootResults?.has(o)) return;
    const r = prepareNewRoot(registry, draft, o, provenance, identityOf(plan, o), storedEarlier);
    (rootResults ??= new Map()).set(o, r);
    versions.push(r.version);
  });

  const results = outputs.map((o, i): ExecutionOutput => {
    const target = targets[i];
    if (target.kind === 'tree') {
      const t = trees[target.tree];
      const { isInput } = target;
      const stored = treeResults[target.tree]?.stored.get(o);
      if (t.kind === 'copy') {
        if (stored !== undefined) return { entity: stored, semantic: isInput ? 'mutation' : 'creation' };
        return { entity: liveIndexOf(t.input).get(metaOf(o).lineageId)!, semantic: 'unchanged' };
      }
      if (treeResults[target.tree] === null) return { entity: o, semantic: isInput ? 'unchanged' : 'creation' };
      const entity = stored ?? o;
      return { entity, semantic: isInput ? (entity === o ? 'unchanged' : 'mutation') : 'creation' };
    }
    if (target.semantic === 'unchanged') return { entity: o, semantic: 'unchanged' };
    return { entity: rootResults!.get(o)!.version.root, semantic: target.semantic };
  });
  return { trees, treeResults, rootResults, outputs: results, versions };
}

/** Makes the prepared commits visible (plain bookkeeping: cannot fail). */
export function publishExecution(registry: EntityRegistry, prepared: PreparedExecution): void {
  for (const r of prepared.treeResults) if (r !== null) registry.publish(r);
  prepared.rootResults?.forEach((r) => registry.publish(r));
}

/** The events of the published commits (never throws: failures go to `errors$`). */
export function announceExecution(registry: EntityRegistry, prepared: PreparedExecution): void {
  const { trees, treeResults, rootResults } = prepared;
  treeResults.forEach((r, k) => {
    if (r !== null) registry.announce(r, trees[k].changedFields);
  });
  rootResults?.forEach((r) => registry.announce(r, null));
}

/** The commit request of one input tree's new state, or null when the function left it unchanged. */
function requestFor(
  draft: Draft,
  t: InputTree,
  provenance: Provenance,
  identity: ReadonlyMap<EntityObject, IdentityOverride> | undefined,
): CommitRequest | null {
  if (t.kind === 'copy') return t.request === null ? null : { ...t.request, identity };
  if (t.modified.size === 0) return null;
  return {
    base: t.input,
    root: t.input.root,
    modified: t.modified,
    valuesOf: draft.valuesOf,
    placementOf: (e) => placementIn(t, e),
    dirtyFields: t.dirtyChildren, // a field holding a modified child is rebuilt
    removedLineages: t.removedLineages,
    provenance,
    identity,
    freezeOwned: (e, i, value, mapLeaf) => freezeOwned(draft, t, e, i, value, mapLeaf),
  };
}

/**
 * A flat array the draft copied for the function is not shared with anything stored: it becomes
 * the stored array itself, with only its modified children swapped in.
 */
function freezeOwned(
  draft: Draft,
  t: DraftChanges<RootVersion>,
  e: EntityObject,
  i: number,
  value: unknown,
  mapLeaf: (leaf: EntityObject) => EntityObject,
): unknown {
  const source = draft.flatSourceOf(value);
  // Frozen already: the same copy sits in a second place (possible for entity-free arrays).
  if (source === undefined || Object.isFrozen(value)) return undefined;
  let array = value as unknown[];
  // A grown array has spare capacity (V8 grows by half): keep an exact-size copy instead.
  if (array.length > source.length) array = array.slice();
  for (const child of t.dirtyChildren.get(e)?.children[i] ?? NO_CHILDREN) {
    // A child that entered this array was seen at its index; others are searched for.
    const at = t.entered.get(child)?.path;
    const k =
      at !== undefined && at.length === 2 && array[at[1] as number] === child
        ? (at[1] as number)
        : array.indexOf(child);
    if (k >= 0) array[k] = mapLeaf(child);
  }
  return freezeFlatArray(array);
}

/** A returned entity that becomes the root of a new lineage version (creation or detachment). */
function prepareNewRoot(
  registry: EntityRegistry,
  draft: Draft,
  root: EntityObject,
  provenance: Provenance,
  identity: ReadonlyMap<EntityObject, IdentityOverride> | undefined,
  storedEarlier: (e: EntityObject) => EntityObject | undefined,
): CommitResult {
  const modified = new Set<EntityObject>();
  const placements = new Map<EntityObject, Placement>();
  const dirtyFields = new Map<EntityObject, Set<number>>();
  const paths = new Map<EntityObject, string>([[root, root.constructor.name]]);
  // One entity per lineage: a checkout copy next to its stored version is two versions of one entity.
  const byLineage = new Map<string, EntityObject>([[metaOf(root).lineageId, root]]);
  placements.set(root, { parentLineageId: null, place: '' });
  const stack = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    modified.add(e);
    forEachChildOf(draft, e, (child, path, _c, place) => {
      const at = formatPath(paths.get(e)!, path);
      const clash = byLineage.get(metaOf(child).lineageId);
      if (clash !== undefined) {
        const first = paths.get(clash)!;
        throw new TreeStructureError(
          `${child.constructor.name} ${metaOf(child).ecsId} occurs twice in the returned tree (${sameEntityKind(clash, child)}): at ${excerpt(first)} and at ${excerpt(at)}`,
          first,
          at,
        );
      }
      byLineage.set(metaOf(child).lineageId, child);
      paths.set(child, at);
      placements.set(child, { parentLineageId: metaOf(e).lineageId, place });
      let set = dirtyFields.get(e);
      if (!set) dirtyFields.set(e, (set = new Set()));
      set.add(fieldIndexOf(e, path[0] as string));
      stack.push(child);
    });
  }
  // A working entity returned as a new root has no root ids yet: it is its own root.
  return registry.prepareCommit({
    base: null,
    root,
    modified,
    valuesOf: draft.valuesOf,
    placementOf: (e) => placements.get(e)!,
    dirtyFields,
    removedLineages: [],
    provenance,
    identity,
    storedEarlier,
  });
}
