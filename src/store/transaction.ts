import { runtimeOfObject, withAsyncDraft, withSyncDraft, type DraftAccess } from '../entity/class-runtime';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { ChildVisitor, ContainerKind, PathSegment } from '../metadata/types';
import { fieldsError, isAnonymousDataError } from '../metadata/data-kinds';
import { forEachEntityIn, freezeFlatArray, isFlatFrozenArray, keepsArrayFlat, valueEquals } from '../metadata/values';
import { ImmutableVersionError } from '../metadata/errors';
import { TreeStructureError } from '../tree/errors';
import { buildEntityTree, formatPath } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import { excerpt } from '../util/excerpt';
import { newId } from '../util/ids';
import { SmallMap } from '../util/small-map';
import type { CommitRequest, CommitResult, EntityRegistry } from './entity-registry';
import { VersioningError } from './errors';
import type { FieldSet, IdentityOverride, Placement, Provenance } from './persist';
import { liveIndexOf, type RootVersion } from './root-version';
import { workingCopyOf } from './working-copy';

export type OutputSemantic = 'mutation' | 'creation' | 'detachment' | 'unchanged';

export interface TransactionOutput {
  /** The stored version handed to the caller. */
  readonly entity: EntityObject;
  readonly semantic: OutputSemantic;
}

export interface CommitOptions {
  /** Per new (working) entity: field -> ecsId the value was borrowed from. */
  readonly attributeSource?: ReadonlyMap<EntityObject, Record<string, string | null>>;
  /**
   * The entities handed to the function (see `addInput`). Returning one of them that is still in
   * its tree is a mutation of that tree (not a detachment), even when it is not the tree's root.
   */
  readonly arguments?: readonly EntityObject[];
  /** The outputs came as an array: give them outputIndex / siblings even when there is one. */
  readonly multiple?: boolean;
}

const UNSET: unique symbol = Symbol('unset');
/** Shared empty collections for trees a call did not touch; never written to. */
const NONE = new Set<never>();
const NO_ENTRIES = new Map<never, never>();
const NO_CHILDREN: readonly EntityObject[] = [];
type Overlay = unknown[];

/** What `enter` needs of a map from entities to their new places. */
interface PlaceMap {
  get(child: EntityObject): NewPlace | undefined;
  set(child: EntityObject, np: NewPlace): unknown;
}

/** Where an entity now sits (new or moved entities). */
interface NewPlace {
  readonly owner: EntityObject;
  readonly fieldIndex: number;
  readonly place: string;
  readonly path: readonly PathSegment[];
}

/** The new state of one input tree, computed from the draft. */
interface TreeChanges {
  readonly kind: 'draft';
  readonly input: RootVersion;
  /** The root the function received (the stored root itself). */
  readonly root: EntityObject;
  /** The input version's index (lineage -> stored entity), read once per commit. */
  readonly index: ReadonlyMap<string, EntityObject>;
  readonly modified: Set<EntityObject>;
  readonly entered: Map<EntityObject, NewPlace>;
  readonly removedLineages: string[];
  /** ecsId (before the call) -> names of the fields the function changed. */
  readonly changedFields: Map<string, string[]>;
  /** parent -> its fields holding modified children: fields to rebuild, children to patch into owned arrays. */
  readonly dirtyChildren: Map<EntityObject, DirtyFields>;
}

/**
 * An input tree of a lineage another input of the call already drafts (two versions of one
 * entity as two arguments). The two versions share their unchanged stored entities and the draft
 * is keyed by entity, so this one is handed to the function as a working copy instead: the two
 * arguments stay independent.
 */
interface CopiedInput {
  readonly input: RootVersion;
  /** The working copy of the input's root the function received. */
  readonly root: EntityObject;
  /** Stored entity -> the copy the function received. */
  readonly copies: ReadonlyMap<EntityObject, EntityObject>;
  readonly copied: ReadonlySet<EntityObject>;
}

/** The new state of a copied input tree: its working copy as the function left it, diffed like `version()`. */
interface CopiedChanges {
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

type InputTree = TreeChanges | CopiedChanges;

/** Commits prepared by `prepare`, published by `publish` and announced by `announce`. */
interface PreparedCommits {
  readonly trees: readonly InputTree[];
  /** Per input tree, its commit (null: unchanged). */
  readonly treeResults: readonly (CommitResult | null)[];
  readonly rootResults: ReadonlyMap<EntityObject, CommitResult> | undefined;
}

/** One parent's fields that hold modified children, with those children (by field index). */
class DirtyFields implements FieldSet {
  readonly children: (EntityObject[] | undefined)[] = [];
  has(fieldIndex: number): boolean {
    return this.children[fieldIndex] !== undefined;
  }
  add(fieldIndex: number, child: EntityObject): void {
    const list = this.children[fieldIndex];
    if (list === undefined) this.children[fieldIndex] = [child];
    else list.push(child);
  }
}

/**
 * One registered-function call: copy-on-write over stored versions, then commit.
 *
 * The function receives stored objects. While it runs, this transaction is the active draft:
 * a write to a stored entity lands in an overlay, a read of a container or data field returns a
 * private mutable copy (made once, on first read). Nothing stored changes. Afterwards only the
 * overlaid entities are compared with their stored versions, so the cost follows what the
 * function touched, not the size of the trees.
 */
export class Transaction implements DraftAccess {
  writes = 0;
  private readonly overlays = new Map<EntityObject, Overlay>();
  private readonly inputs: RootVersion[] = [];
  private readonly copiedInputs: CopiedInput[] = [];
  /** Set when the function has returned: a late write (a promise it left running) is refused. */
  private closed = false;
  private prepared: PreparedCommits | null = null;
  /** How many overlaid entities the input trees claimed in `changesOf`. */
  private claimed = 0;
  /**
   * Copies of flat stored arrays made for the function (owned by this transaction, still flat)
   * -> the stored array each was copied from. Such a copy can become the stored array itself.
   */
  private readonly flatCopies = new Map<unknown[], readonly unknown[]>();

  constructor(
    private readonly registry: EntityRegistry,
    private readonly provenance: Provenance,
  ) {}

  /**
   * Declares a stored root version as an input tree; returns the object to hand to the function:
   * the stored root itself, or a working copy for a second version of a lineage (`CopiedInput`).
   */
  addInput(storedRoot: EntityObject): EntityObject {
    const version = this.registry.getVersion(metaOf(storedRoot).ecsId);
    if (this.inputs.includes(version)) return storedRoot;
    const copied = this.copiedInputs.find((c) => c.input === version);
    if (copied !== undefined) return copied.root;
    if (!this.inputs.some((v) => v.lineageId === version.lineageId)) {
      this.inputs.push(version);
      return storedRoot;
    }
    const copies = new Map<EntityObject, EntityObject>();
    const root = workingCopyOf(version.root, true, copies);
    this.copiedInputs.push({ input: version, root, copies, copied: new Set(copies.values()) });
    return root;
  }

  /** What the function receives for `entity` of the input tree whose stored root is `root`. */
  handedOut(entity: EntityObject, root: EntityObject): EntityObject {
    return this.copiedInputs.find((c) => c.input.root === root)?.copies.get(entity) ?? entity;
  }

  run<T>(fn: () => T): T {
    try {
      return withSyncDraft(this, fn);
    } finally {
      this.closed = true;
    }
  }

  async runAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await withAsyncDraft(this, fn);
    } finally {
      this.closed = true;
    }
  }

  // ---- DraftAccess: called by stored objects' field accessors ---------------------------

  read(entity: EntityObject, index: number, stored: unknown): unknown {
    if (this.closed) return stored;
    let overlay = this.overlays.get(entity);
    if (overlay !== undefined) {
      const v = overlay[index];
      if (v !== UNSET) return v;
    }
    if (typeof stored !== 'object' || stored === null || isEntityObject(stored)) return stored;
    if (overlay === undefined) overlay = this.overlayOf(entity);
    const copy = runtimeOfObject(entity).meta.thawField(index, stored);
    if (isFlatFrozenArray(stored)) this.flatCopies.set(copy as unknown[], stored);
    overlay[index] = copy;
    return copy;
  }

  write(entity: EntityObject, index: number, value: unknown): void {
    if (this.closed) {
      const { meta } = runtimeOfObject(entity);
      throw new ImmutableVersionError(
        `cannot set ${meta.name}.${meta.fields[index].name} on stored version ${metaOf(entity).ecsId}: ` +
          `the registered function that received it has returned, and a write after that is part of no execution`,
      );
    }
    this.overlayOf(entity)[index] = value;
    this.writes++;
  }

  private overlayOf(entity: EntityObject): Overlay {
    let overlay = this.overlays.get(entity);
    if (overlay === undefined) {
      overlay = new Array<unknown>(entity[VALUES].length).fill(UNSET);
      this.overlays.set(entity, overlay);
    }
    return overlay;
  }

  /** An entity's values as the function left them. */
  private valuesOf = (e: EntityObject): readonly unknown[] => {
    const overlay = this.overlays.get(e);
    const values = e[VALUES];
    if (overlay === undefined) return values;
    // Only called once the function has returned: the overlay itself becomes the merged values
    // (a slot equal to the stored value reads the same), which saves a copy per entity.
    for (let i = 0; i < overlay.length; i++) if (overlay[i] === UNSET) overlay[i] = values[i];
    return overlay;
  };

  // ---- commit -------------------------------------------------------------------------------

  /**
   * Versions every input tree the function changed, registers new entities and detached
   * children as new roots, and resolves each returned entity to its stored result.
   */
  commit(outputs: readonly EntityObject[], options: CommitOptions = {}): { outputs: TransactionOutput[]; versions: RootVersion[] } {
    const committed = this.prepare(outputs, options);
    this.publish();
    this.announce();
    return committed;
  }

  /**
   * Prepares the commit of the call (see `commit`) without making anything visible: a throw
   * leaves the registry as it was. `publish` and `announce` finish it.
   */
  prepare(outputs: readonly EntityObject[], options: CommitOptions = {}): { outputs: TransactionOutput[]; versions: RootVersion[] } {
    this.closed = true;
    const drafts = this.inputs.map((input) => this.changesOf(input));
    this.checkOverlaysBelongToInputs(drafts);
    const trees: InputTree[] = this.copiedInputs.length === 0 ? drafts : [...drafts, ...this.copiedInputs.map((c) => this.changesOfCopy(c))];
    if (trees.length > 1) this.checkTreesDisjoint(trees);

    // Classify outputs.
    const isArgument = (o: EntityObject): boolean => options.arguments?.includes(o) === true;
    type Plan = { kind: 'tree'; tree: number } | { kind: 'root'; semantic: OutputSemantic };
    const outputPlans: Plan[] = outputs.map((o) => {
      const tree = trees.findIndex((t) => this.holds(t, o));
      if (tree >= 0) {
        const t = trees[tree];
        if (t.root === o || isArgument(o)) return { kind: 'tree', tree };
        if (!metaOf(o).stored && !this.copiedInputs.some((c) => c.copied.has(o))) return { kind: 'tree', tree }; // created inside an input tree
        return { kind: 'root', semantic: 'detachment' };
      }
      if (metaOf(o).stored) {
        if (this.registry.hasVersion(metaOf(o).ecsId) && !this.overlays.has(o)) return { kind: 'root', semantic: 'unchanged' };
        return { kind: 'root', semantic: 'detachment' };
      }
      return { kind: 'root', semantic: this.copiedInputs.some((c) => c.copied.has(o)) ? 'detachment' : 'creation' };
    });

    // Identity decided before anything is persisted: several outputs name each other's new ids.
    // An output's id and index belong to the commit that stores it as that output (a child
    // returned on its own next to its tree is stored twice: forked in the tree, and as a new root).
    let shared: Map<EntityObject, IdentityOverride> | undefined;
    if (options.attributeSource !== undefined) {
      shared = new Map();
      for (const [e, attributeSource] of options.attributeSource) shared.set(e, { attributeSource });
    }
    let perCommit: Map<number | EntityObject, Map<EntityObject, IdentityOverride>> | undefined;
    if (outputs.length > 1 || options.multiple) {
      perCommit = new Map();
      const assigned = new Map<EntityObject, string>(); // the same entity returned twice keeps one id
      const finalIds = outputs.map((o, i) => {
        const plan = outputPlans[i];
        const m = metaOf(o);
        const forks = plan.kind === 'tree' ? trees[plan.tree].modified.has(o) : plan.semantic !== 'unchanged';
        if (!forks) return m.ecsId;
        let id = assigned.get(o);
        if (id === undefined) assigned.set(o, (id = m.stored || this.registry.findStoredEntity(m.ecsId) ? newId() : m.ecsId));
        return id;
      });
      outputs.forEach((o, i) => {
        const plan = outputPlans[i];
        const key = plan.kind === 'tree' ? plan.tree : o;
        let ids = perCommit!.get(key);
        if (ids === undefined) perCommit!.set(key, (ids = new Map(shared)));
        const ecsId = assigned.get(o);
        ids.set(o, { ...ids.get(o), ...(ecsId === undefined ? {} : { ecsId }), outputIndex: i, siblingOutputEntities: finalIds.filter((_, j) => j !== i) });
      });
    }
    const identityOf = (key: number | EntityObject): ReadonlyMap<EntityObject, IdentityOverride> | undefined => perCommit?.get(key) ?? shared;

    // Prepare every commit; `publish` makes them visible together.
    const versions: RootVersion[] = [];
    const treeResults = trees.map((t, k): CommitResult | null => {
      const request = this.requestFor(t, identityOf(k));
      if (request === null) return null;
      const r = this.registry.prepareCommit(request);
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
    outputPlans.forEach((plan, i) => {
      if (plan.kind !== 'root' || plan.semantic === 'unchanged' || rootResults?.has(outputs[i])) return;
      const r = this.prepareNewRoot(outputs[i], identityOf(outputs[i]), storedEarlier);
      (rootResults ??= new Map()).set(outputs[i], r);
      versions.push(r.version);
    });
    this.prepared = { trees, treeResults, rootResults };

    const results: TransactionOutput[] = outputs.map((o, i) => {
      const plan = outputPlans[i];
      if (plan.kind === 'tree') {
        const t = trees[plan.tree];
        const isInput = t.root === o || isArgument(o);
        const stored = treeResults[plan.tree]?.stored.get(o);
        if (t.kind === 'copy') {
          if (stored !== undefined) return { entity: stored, semantic: isInput ? 'mutation' : 'creation' };
          return { entity: liveIndexOf(t.input).get(metaOf(o).lineageId)!, semantic: 'unchanged' };
        }
        if (treeResults[plan.tree] === null) return { entity: o, semantic: isInput ? 'unchanged' : 'creation' };
        const entity = stored ?? o;
        return { entity, semantic: isInput ? (entity === o ? 'unchanged' : 'mutation') : 'creation' };
      }
      if (plan.semantic === 'unchanged') return { entity: o, semantic: 'unchanged' };
      return { entity: rootResults!.get(o)!.version.root, semantic: plan.semantic };
    });
    return { outputs: results, versions };
  }

  /** Makes the prepared commits visible (plain bookkeeping: cannot fail). */
  publish(): void {
    const { treeResults, rootResults } = this.prepared!;
    for (const r of treeResults) if (r !== null) this.registry.publish(r);
    rootResults?.forEach((r) => this.registry.publish(r));
  }

  /** The events of the published commits (never throws: failures go to `errors$`). */
  announce(): void {
    const { trees, treeResults, rootResults } = this.prepared!;
    treeResults.forEach((r, k) => {
      if (r !== null) this.registry.announce(r, trees[k].changedFields);
    });
    rootResults?.forEach((r) => this.registry.announce(r, null));
  }

  /** The commit request of one input tree's new state, or null when the function left it unchanged. */
  private requestFor(t: InputTree, identity: ReadonlyMap<EntityObject, IdentityOverride> | undefined): CommitRequest | null {
    if (t.kind === 'copy') return t.request === null ? null : { ...t.request, identity };
    if (t.modified.size === 0) return null;
    return {
      base: t.input,
      root: t.input.root,
      modified: t.modified,
      valuesOf: this.valuesOf,
      placementOf: (e) => this.placementIn(t, e),
      dirtyFields: t.dirtyChildren, // a field holding a modified child is rebuilt
      removedLineages: t.removedLineages,
      provenance: this.provenance,
      identity,
      freezeOwned: (e, i, value, mapLeaf) => this.freezeOwned(t, e, i, value, mapLeaf),
    };
  }

  /** True when `e` is part of tree `t`'s new state. */
  private holds(t: InputTree, e: EntityObject): boolean {
    if (t.kind === 'copy') return t.tree.nodes.get(metaOf(e).ecsId) === e;
    return t.entered.has(e) || (t.index.get(metaOf(e).lineageId) === e && !this.isRemoved(t, e));
  }

  /**
   * An entity occurs in one tree only, across the input trees of a call too: one put into two of
   * them (or into one while it stays in another) would be stored twice. An input's root put into
   * another tree is an attachment: it has no parent in its own tree, whose versions stay as they are.
   */
  private checkTreesDisjoint(trees: readonly InputTree[]): void {
    for (const t of trees) {
      const joined: [EntityObject, string][] = [];
      if (t.kind === 'draft') {
        for (const [e, np] of t.entered) if (t.index.get(metaOf(e).lineageId) !== e) joined.push([e, formatPath(np.owner.constructor.name, np.path)]);
      } else {
        for (const edge of t.tree.edges) {
          const e = t.tree.nodes.get(edge.child)!;
          if (!t.copied.has(e)) joined.push([e, formatPath(t.tree.nodes.get(edge.parent)!.constructor.name, edge.path)]);
        }
      }
      for (const [e, here] of joined) {
        const other = trees.find((u) => u !== t && u.root !== e && this.holds(u, e));
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

  /** A copied input's working copy as the function left it, planned like `version()` of it. */
  private changesOfCopy(c: CopiedInput): CopiedChanges {
    const tree = buildEntityTree(c.root, this.valuesOf);
    const { diff, request } = this.registry.planVersion(c.input, tree, this.provenance, this.valuesOf);
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

  /**
   * A flat array this transaction copied for the function is not shared with anything stored:
   * it becomes the stored array itself, with only its modified children swapped in.
   */
  private freezeOwned(t: TreeChanges, e: EntityObject, i: number, value: unknown, mapLeaf: (leaf: EntityObject) => EntityObject): unknown {
    const source = this.flatCopies.get(value as unknown[]);
    // Frozen already: the same copy sits in a second place (possible for entity-free arrays).
    if (source === undefined || Object.isFrozen(value)) return undefined;
    let array = value as unknown[];
    // A grown array has spare capacity (V8 grows by half): keep an exact-size copy instead.
    if (array.length > source.length) array = array.slice();
    for (const child of t.dirtyChildren.get(e)?.children[i] ?? NO_CHILDREN) {
      // A child that entered this array was seen at its index; others are searched for.
      const at = t.entered.get(child)?.path;
      const k = at !== undefined && at.length === 2 && array[at[1] as number] === child ? (at[1] as number) : array.indexOf(child);
      if (k >= 0) array[k] = mapLeaf(child);
    }
    return freezeFlatArray(array);
  }

  /** Stored entities the function changed must belong to an input tree (or be returned). */
  private checkOverlaysBelongToInputs(trees: readonly TreeChanges[]): void {
    // Every overlay claimed by exactly one input tree (the usual case): nothing to check.
    if (trees.length === 1 && this.claimed === this.overlays.size) return;
    for (const [e, overlay] of this.overlays) {
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

  private isRemoved(t: TreeChanges, e: EntityObject): boolean {
    return t.removedLineages.includes(metaOf(e).lineageId) && !t.entered.has(e);
  }

  /** The placement of an entity of tree `t` in its new state. */
  private placementIn(t: TreeChanges, e: EntityObject): Placement {
    const np = t.entered.get(e);
    if (np) return { parentLineageId: metaOf(np.owner).lineageId, place: np.place };
    const m = metaOf(e);
    return { parentLineageId: m.parentLineageId, place: m.place };
  }

  /** The parent of `e` in tree `t`'s new state (null for the root). */
  private parentIn(t: TreeChanges, e: EntityObject): EntityObject | null {
    const np = t.entered.get(e);
    if (np) return np.owner;
    const parentLineage = metaOf(e).parentLineageId;
    return parentLineage === null ? null : t.index.get(parentLineage) ?? null;
  }

  /** Compares the overlays of one input tree with its stored version. */
  private changesOf(input: RootVersion): TreeChanges {
    const index = liveIndexOf(input);
    const own: EntityObject[] = []; // the overlaid entities of this tree (one index lookup each)
    for (const e of this.overlays.keys()) if (index.get(metaOf(e).lineageId) === e) own.push(e);
    this.claimed += own.length;
    // Untouched tree (a read-only call): nothing below would add to these, so share empty ones.
    if (own.length === 0) return { kind: 'draft', input, root: input.root, index, modified: NONE, entered: NO_ENTRIES, removedLineages: [], changedFields: NO_ENTRIES, dirtyChildren: NO_ENTRIES };
    const t: TreeChanges = { kind: 'draft', input, root: input.root, index, modified: new Set(), entered: new Map(), removedLineages: [], changedFields: new Map(), dirtyChildren: new Map() };
    const left = new Map<EntityObject, EntityObject>(); // child -> old owner
    const changed: EntityObject[] = [];
    const inTree = (e: EntityObject): boolean => t.index.get(metaOf(e).lineageId) === e;

    for (const e of own) {
      const overlay = this.overlays.get(e)!;
      const { meta } = runtimeOfObject(e);
      const stored = e[VALUES];
      let names: string[] | null = null;
      try {
        for (let i = 0; i < overlay.length; i++) {
          const now = overlay[i];
          if (now === UNSET || now === stored[i]) continue;
          // The copy of this very field's flat array is compared in the same pass that finds its
          // children; anything else (also a copy moved here from another field) is compared first.
          const source = this.flatCopies.get(now as unknown[]);
          const ownCopy = source !== undefined && source === stored[i];
          if (!ownCopy && meta.fieldEquals(i, now, stored[i]) && sameEntityObjects(now, stored[i], meta.fields[i].name)) continue;
          const outcome = diffChildren(meta.fields[i].name, i, stored[i], now, ownCopy, e, left, t.entered);
          if (outcome === UNCHANGED) continue;
          (names ??= []).push(meta.fields[i].name);
          if (outcome === CHANGED_NOT_FLAT) this.flatCopies.delete(now as unknown[]);
        }
      } catch (error) {
        throw this.dataErrorOf(e, error);
      }
      if (names !== null) {
        changed.push(e);
        t.changedFields.set(metaOf(e).ecsId, names);
      }
    }

    // New (working) entities brought in: their whole subtrees are new to this tree.
    const pending = [...t.entered.keys()];
    while (pending.length > 0) {
      const e = pending.pop()!;
      if (metaOf(e).stored && inTree(e) && left.has(e)) continue; // a move inside the tree: subtree unchanged
      this.forEachChildOf(e, (child, path, _container, place) => {
        if (enter(t.entered, child, { owner: e, fieldIndex: fieldIndexOf(e, path[0] as string), place, path })) pending.push(child);
      });
    }

    // Removed: what left and did not come back, with its subtree (minus what entered elsewhere).
    // What entered an entity that is itself removed is gone too (it is in no tree).
    const gone = left.size === 0 ? NONE : new Set<EntityObject>();
    for (const e of left.keys()) {
      if (t.entered.has(e) || gone.has(e)) continue;
      this.collectRemoved(e, t, gone, left);
    }

    // Entities that entered while still sitting at their old place would occur twice
    // (checked after removals: an entity put into something that was then removed is gone, not twice).
    // A working entity of a lineage the tree still holds (a checkout copy next to its stored
    // version) would give the version two entities of one lineage.
    let newLineages: Map<string, EntityObject> | undefined;
    for (const [e, np] of t.entered) {
      if (!inTree(e)) {
        const lineage = metaOf(e).lineageId;
        const other = t.index.get(lineage) ?? newLineages?.get(lineage);
        if (other !== undefined && other !== e && !gone.has(other)) {
          const here = formatPath(np.owner.constructor.name, np.path);
          const there = t.entered.get(other);
          const first = there ? formatPath(there.owner.constructor.name, there.path) : metaOf(other).place;
          throw new TreeStructureError(
            `${e.constructor.name} ${metaOf(e).ecsId} occurs twice in the tree (${sameEntityKind(other, e)}): ${metaOf(other).ecsId} is at ${excerpt(first)} ` +
              `and ${metaOf(e).ecsId} was put into ${excerpt(here)}`,
            first,
            here,
          );
        }
        (newLineages ??= new Map()).set(lineage, e);
        continue;
      }
      if (left.has(e)) continue;
      // Entered at the slot it already held because its parent moved and was walked whole (which
      // finds a second occurrence inside the parent itself): one place, not two.
      if (t.entered.has(np.owner) && metaOf(np.owner).lineageId === metaOf(e).parentLineageId && np.place === metaOf(e).place) continue;
      if (!this.oldPlaceRemoved(t, e, left)) {
        throw new TreeStructureError(
          `${e.constructor.name} ${metaOf(e).ecsId} occurs twice in the tree (a shared reference): it is still at ${excerpt(metaOf(e).place)} ` +
            `and was also put into ${excerpt(formatPath(np.owner.constructor.name, np.path))}`,
          metaOf(e).place,
          formatPath(np.owner.constructor.name, np.path),
        );
      }
    }

    // Modified: changed, entered (moved or added), and all their ancestors in the new tree.
    const mark = (start: EntityObject): void => {
      for (let cur: EntityObject | null = start; cur !== null && !t.modified.has(cur); ) {
        t.modified.add(cur);
        const parent = this.parentIn(t, cur);
        if (parent) {
          const np = t.entered.get(cur);
          const fieldIndex = np ? np.fieldIndex : fieldIndexOf(parent, fieldOfPlace(metaOf(cur).place));
          let dirty = t.dirtyChildren.get(parent);
          if (!dirty) t.dirtyChildren.set(parent, (dirty = new DirtyFields()));
          dirty.add(fieldIndex, cur);
        }
        cur = parent;
      }
    };
    for (const e of changed) if (!gone.has(e)) mark(e);
    for (const [e, np] of t.entered) {
      const m = metaOf(e);
      const moved = !m.stored || !inTree(e) || m.parentLineageId !== metaOf(np.owner).lineageId || m.place !== np.place;
      if (moved) mark(e);
    }
    return t;
  }

  /**
   * Whether the place an entity held in the stored version (and did not leave) is gone from the
   * new tree: its ancestry is walked as it is now, through where moved ancestors went, up to the
   * root (still there) or to an ancestor that left without entering anywhere (gone with it).
   */
  private oldPlaceRemoved(t: TreeChanges, e: EntityObject, left: Map<EntityObject, EntityObject>): boolean {
    const lineage = metaOf(e).parentLineageId;
    let cur = lineage === null ? undefined : t.index.get(lineage);
    const seen = new Set<EntityObject>();
    while (cur !== undefined) {
      if (cur === t.root) return false;
      if (seen.has(cur)) return true; // a cycle the root does not reach
      seen.add(cur);
      const np = t.entered.get(cur);
      if (np !== undefined) {
        cur = np.owner;
        continue;
      }
      if (left.has(cur)) return true;
      const up = metaOf(cur).parentLineageId;
      cur = up === null ? undefined : t.index.get(up);
    }
    return true;
  }

  private collectRemoved(e: EntityObject, t: TreeChanges, gone: Set<EntityObject>, left: ReadonlyMap<EntityObject, EntityObject>): void {
    const stack = [e];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (gone.has(cur)) continue;
      gone.add(cur);
      if (metaOf(cur).stored && t.index.get(metaOf(cur).lineageId) === cur) t.removedLineages.push(metaOf(cur).lineageId);
      this.forEachChildOf(cur, (child) => {
        const np = t.entered.get(child);
        if (np === undefined) {
          stack.push(child);
        } else if (np.owner === cur) {
          // it entered an entity that is removed: it leaves with it, unless it also stayed where it was
          t.entered.delete(child);
          const stayed = metaOf(child).stored && t.index.get(metaOf(child).lineageId) === child && !left.has(child);
          if (!stayed) stack.push(child);
        }
      });
    }
  }

  /** `forEachChild` over an entity's values as the function left them. */
  private forEachChildOf(e: EntityObject, visit: ChildVisitor): void {
    try {
      runtimeOfObject(e).meta.forEachChild(this.valuesOf(e), visit);
    } catch (error) {
      throw this.dataErrorOf(e, error);
    }
  }

  /** An error met walking `e`'s data, named with its class and field when the walk could not. */
  private dataErrorOf(e: EntityObject, error: unknown): unknown {
    if (!isAnonymousDataError(error)) return error;
    const { meta } = runtimeOfObject(e);
    return fieldsError(meta.name, meta.fields.map((f) => f.name), this.valuesOf(e), 'storing', error);
  }

  /** A returned entity that becomes the root of a new lineage version (creation or detachment). */
  private prepareNewRoot(
    root: EntityObject,
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
      this.forEachChildOf(e, (child, path, _c, place) => {
        const at = formatPath(paths.get(e)!, path);
        const clash = byLineage.get(metaOf(child).lineageId);
        if (clash !== undefined) {
          const first = paths.get(clash)!;
          throw new TreeStructureError(`${child.constructor.name} ${metaOf(child).ecsId} occurs twice in the returned tree (${sameEntityKind(clash, child)}): at ${excerpt(first)} and at ${excerpt(at)}`, first, at);
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
    return this.registry.prepareCommit({
      base: null,
      root,
      modified,
      valuesOf: this.valuesOf,
      placementOf: (e) => placements.get(e)!,
      dirtyFields,
      removedLineages: [],
      provenance: this.provenance,
      identity,
      storedEarlier,
    });
  }
}

const UNCHANGED = 0;
const CHANGED = 1;
/** Changed, and the new value holds containers: no longer a flat array. */
const CHANGED_NOT_FLAT = 2;

/**
 * Records the children that left or entered one field (a prefix and suffix shared by identity
 * are skipped). `beforeFlat`: `before` is a flat array (entities and primitives only); then this
 * also decides equality (as `fieldEquals` would) in the same pass, and identical items need no
 * container check.
 */
function diffChildren(
  field: string,
  fieldIndex: number,
  before: unknown,
  after: unknown,
  beforeFlat: boolean,
  owner: EntityObject,
  left: Map<EntityObject, EntityObject>,
  entered: Map<EntityObject, NewPlace>,
): typeof UNCHANGED | typeof CHANGED | typeof CHANGED_NOT_FLAT {
  let outcome: typeof CHANGED | typeof CHANGED_NOT_FLAT = CHANGED;
  // Made once the field is known to differ: an array the function only read needs neither.
  let oldChildren: SmallMap<EntityObject, string>;
  let newChildren: SmallMap<EntityObject, NewPlace>;
  if (Array.isArray(before) && Array.isArray(after)) {
    let start = 0;
    let endB = before.length;
    let endA = after.length;
    const max = endB < endA ? endB : endA;
    // V8 reads frozen arrays element by element 3-5x slower than plain ones, and a loop that has
    // seen both kinds reads both slowly; it spreads them fast (slice() is slow). So the flat scans
    // only see plain arrays: a spread copy of the stored one, and the function's own.
    const b: readonly unknown[] = beforeFlat ? [...before] : before;
    if (beforeFlat) {
      start = sharedPrefix(b, after, max);
      const suffix = sharedSuffix(b, after, max - start);
      endB -= suffix;
      endA -= suffix;
      if (endB === endA && middleEquals(b, after, start, endB)) return UNCHANGED;
    } else {
      while (start < max && b[start] === after[start] && !isContainer(b[start])) start++;
      while (endB > start && endA > start && b[endB - 1] === after[endA - 1] && !isContainer(b[endB - 1])) {
        endB--;
        endA--;
      }
    }
    oldChildren = new SmallMap();
    newChildren = new SmallMap();
    for (let i = start; i < endB; i++) walkItem(b[i], field, i, (c, _p, _k, place) => oldChildren.set(c, place));
    for (let i = start; i < endA; i++) {
      // Not flat: frozen by freezeField, which also refuses what is not field data (a function).
      if (!keepsArrayFlat(after[i])) outcome = CHANGED_NOT_FLAT;
      walkItem(after[i], field, i, (c, path, _k, place) => enter(newChildren, c, { owner, fieldIndex, place, path }));
    }
  } else {
    oldChildren = new SmallMap();
    newChildren = new SmallMap();
    if (Array.isArray(after) && !after.every(keepsArrayFlat)) outcome = CHANGED_NOT_FLAT;
    forEachEntityIn(before, [field], field, 'field', (c, _p, _k, place) => oldChildren.set(c, place));
    forEachEntityIn(after, [field], field, 'field', (c, path, _k, place) => enter(newChildren, c, { owner, fieldIndex, place, path }));
  }
  newChildren.forEach((np, c) => {
    if (oldChildren.get(c) !== np.place) enter(entered, c, np);
  });
  oldChildren.forEach((place, c) => {
    if (newChildren.get(c)?.place !== place) left.set(c, owner);
  });
  return outcome;
}

/** How many items two plain arrays share by identity at their start, up to `max`. */
function sharedPrefix(a: readonly unknown[], b: readonly unknown[], max: number): number {
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}

/** How many items two plain arrays share by identity at their end, up to `max`. */
function sharedSuffix(a: readonly unknown[], b: readonly unknown[], max: number): number {
  let i = a.length - 1;
  let j = b.length - 1;
  let n = 0;
  while (n < max && a[i - n] === b[j - n]) n++;
  return n;
}

/**
 * Items [start, end) of two flat arrays of equal length are the same: primitives equal, entities
 * the same objects (another object of the same lineage is another version: it entered).
 */
function middleEquals(a: readonly unknown[], b: readonly unknown[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && (isEntityObject(x) || isEntityObject(y) || !valueEquals(x, y))) return false;
  }
  return true;
}

/**
 * Two values `fieldEquals` found equal hold the same entity objects. `fieldEquals` compares
 * entities by lineage (right between versions); inside a call, a child replaced by another object
 * of its lineage (a working copy, another version) is a child that left and one that entered.
 */
function sameEntityObjects(a: unknown, b: unknown, field: string): boolean {
  if (isEntityObject(a) || isEntityObject(b)) return a === b;
  if (typeof a !== 'object' || a === null) return true;
  const objects = new Set<EntityObject>();
  forEachEntityIn(a, [field], field, 'field', (c) => void objects.add(c));
  let count = 0;
  let same = true;
  forEachEntityIn(b, [field], field, 'field', (c) => {
    count++;
    if (!objects.has(c)) same = false;
  });
  return same && count === objects.size;
}

/** Records where `child` now sits; the same entity put in two places is a TreeStructureError. */
function enter(entered: PlaceMap, child: EntityObject, np: NewPlace): boolean {
  const first = entered.get(child);
  if (first === undefined) {
    entered.set(child, np);
    return true;
  }
  if (first.owner === np.owner && first.path.length === np.path.length && first.path.every((s, i) => s === np.path[i])) return false;
  const a = formatPath(first.owner.constructor.name, first.path);
  const b = formatPath(np.owner.constructor.name, np.path);
  throw new TreeStructureError(`${child.constructor.name} ${metaOf(child).ecsId} occurs twice in the tree (a shared reference): at ${excerpt(a)} and at ${excerpt(b)}`, a, b);
}

/** What two different objects of one lineage in one tree are, for error messages. */
function sameEntityKind(a: EntityObject, b: EntityObject): string {
  if (a === b) return 'a shared reference';
  return metaOf(a).ecsId === metaOf(b).ecsId ? 'two copies of the same version' : 'two versions of the same entity';
}

function isContainer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !isEntityObject(v);
}

function walkItem(
  item: unknown,
  field: string,
  index: number,
  visit: (c: EntityObject, path: PathSegment[], k: ContainerKind, place: string) => void,
): void {
  if (typeof item !== 'object' || item === null) return;
  if (isEntityObject(item)) visit(item, [field, index], 'array', `${field}[]`);
  else forEachEntityIn(item, [field, index], `${field}[${index}]`, 'array', visit);
}

function fieldIndexOf(e: EntityObject, field: string): number {
  return runtimeOfObject(e).meta.fieldIndex.get(field)!;
}

/** The field name at the start of a place signature (`agents[]` -> `agents`). */
function fieldOfPlace(place: string): string {
  for (let i = 0; i < place.length; i++) {
    const c = place.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */ || c === 0x2e /* . */ || c === 0x3c /* < */) return i === 0 ? place : place.slice(0, i);
  }
  return place;
}

