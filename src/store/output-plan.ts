/**
 * Where each returned entity goes, decided once per call, before anything is persisted: into the
 * commit of the input tree that holds it, or into a commit of its own as a new root (a creation
 * or a detachment), or nowhere (returned unchanged). Also the identity each output gets in the
 * commit that stores it (its new ecsId, output index and siblings; SPEC §5), since several
 * outputs name each other's new ids.
 */
import { metaOf, type EntityObject } from '../metadata/object-model';
import { newId } from '../util/ids';
import type { Draft } from './draft';
import type { EntityRegistry } from './entity-registry';
import { holds, type InputTree } from './input-trees';
import type { IdentityOverride } from './persist';
// Defined with the events that report it (`function.execute`'s `semantics`), below this layer.
import type { OutputSemantic } from '../events/framework-events';

export type { OutputSemantic };

/** Where one output is stored: in input tree `tree`'s commit, or as (or in) a root of its own. */
export type OutputTarget =
  | {
      readonly kind: 'tree';
      readonly tree: number;
      /** The tree's root or an argument: a mutation, not a creation. */ readonly isInput: boolean;
    }
  | { readonly kind: 'root'; readonly semantic: OutputSemantic };

/** How the call's result was given, as `planOutputs` needs it. */
export interface OutputOptions {
  /**
   * The entities handed to the function. Returning one of them that is still in its tree is a
   * mutation of that tree (not a detachment), even when it is not the tree's root.
   */
  readonly handed: readonly EntityObject[];
  /** The outputs came as an array: give them outputIndex / siblings even when there is one. */
  readonly multiple: boolean;
  /** Per new (working) entity: field -> ecsId the value was borrowed from. */
  readonly attributeSource?: ReadonlyMap<EntityObject, Record<string, string | null>>;
}

/** Commit key: an input tree's index, or the output that is stored as a root of its own. */
type CommitKey = number | EntityObject;

export interface OutputPlan {
  readonly outputs: readonly EntityObject[];
  /** Parallel to `outputs`. */
  readonly targets: readonly OutputTarget[];
  /** Identity shared by every commit (attribute sources), or undefined. */
  readonly shared: ReadonlyMap<EntityObject, IdentityOverride> | undefined;
  /** Identity per commit, when there are several outputs. */
  readonly perCommit: ReadonlyMap<CommitKey, ReadonlyMap<EntityObject, IdentityOverride>> | undefined;
}

/** The identity overrides of one commit of the call. */
export function identityOf(plan: OutputPlan, key: CommitKey): ReadonlyMap<EntityObject, IdentityOverride> | undefined {
  return plan.perCommit?.get(key) ?? plan.shared;
}

export function planOutputs(
  trees: readonly InputTree[],
  draft: Draft,
  registry: EntityRegistry,
  outputs: readonly EntityObject[],
  options: OutputOptions,
): OutputPlan {
  const wasCopied = (o: EntityObject): boolean => draft.copied.some((c) => c.copied.has(o));
  const targets = outputs.map((o): OutputTarget => {
    const tree = trees.findIndex((t) => holds(t, o));
    if (tree >= 0) {
      const isInput = trees[tree].root === o || options.handed.includes(o);
      if (isInput) return { kind: 'tree', tree, isInput };
      if (!metaOf(o).stored && !wasCopied(o)) return { kind: 'tree', tree, isInput }; // created inside an input tree
      return { kind: 'root', semantic: 'detachment' };
    }
    if (metaOf(o).stored) {
      // A stored root outside the inputs: `changesOfInputs` refused any change to it, so it is
      // returned as it is (an overlay only means the function read one of its containers).
      if (registry.hasVersion(metaOf(o).ecsId)) return { kind: 'root', semantic: 'unchanged' };
      return { kind: 'root', semantic: 'detachment' };
    }
    return { kind: 'root', semantic: wasCopied(o) ? 'detachment' : 'creation' };
  });

  let shared: Map<EntityObject, IdentityOverride> | undefined;
  if (options.attributeSource !== undefined) {
    shared = new Map();
    for (const [e, attributeSource] of options.attributeSource) shared.set(e, { attributeSource });
  }
  if (outputs.length <= 1 && !options.multiple) return { outputs, targets, shared, perCommit: undefined };

  // An output's id and index belong to the commit that stores it as that output (a child
  // returned on its own next to its tree is stored twice: forked in the tree, and as a new root).
  const perCommit = new Map<CommitKey, Map<EntityObject, IdentityOverride>>();
  const assigned = new Map<EntityObject, string>(); // the same entity returned twice keeps one id
  const finalIds = outputs.map((o, i) => {
    const target = targets[i];
    const m = metaOf(o);
    const forks = target.kind === 'tree' ? trees[target.tree].modified.has(o) : target.semantic !== 'unchanged';
    if (!forks) return m.ecsId;
    let id = assigned.get(o);
    if (id === undefined) assigned.set(o, (id = m.stored || registry.findStoredEntity(m.ecsId) ? newId() : m.ecsId));
    return id;
  });
  outputs.forEach((o, i) => {
    const target = targets[i];
    const key = target.kind === 'tree' ? target.tree : o;
    let ids = perCommit.get(key);
    if (ids === undefined) perCommit.set(key, (ids = new Map(shared)));
    const ecsId = assigned.get(o);
    ids.set(o, {
      ...ids.get(o),
      ...(ecsId === undefined ? {} : { ecsId }),
      outputIndex: i,
      siblingOutputEntities: finalIds.filter((_, j) => j !== i),
    });
  });
  return { outputs, targets, shared, perCommit };
}
