/**
 * The draft diff: what a registered function changed in one input tree, read from the draft
 * (`store/draft.ts`) after the function returned. It sits next to the tree diff
 * (`diff-trees.ts`, which serves `version()`): both answer "what changed", this one from a
 * copy-on-write overlay instead of two whole trees, so its cost follows what the function touched.
 *
 * The result is plain data (`DraftChanges`): modified entities, where entered entities now sit,
 * removed lineages, changed field names and, per parent, the fields holding modified children.
 * The commit (`store/commit-execution.ts`) reads it; nothing here writes anything.
 */
import { runtimeOfObject } from '../entity/class-runtime';
import { VALUES, metaOf, type EntityObject } from '../metadata/object-model';
import type { ChildVisitor } from '../metadata/types';
import { fieldsError, isAnonymousDataError } from '../metadata/data-kinds';
import { TreeStructureError } from '../tree/errors';
import { excerpt } from '../util/excerpt';
import { formatPath } from '../util/paths';
import {
  diffChildren,
  enter,
  fieldIndexOf,
  fieldOfPlace,
  sameEntityKind,
  sameEntityObjects,
  type NewPlace,
} from './field-children';

/** An overlay slot the function neither wrote nor read as a copy. */
export const UNSET: unique symbol = Symbol('unset');
/** A stored entity's values as the function sees them: UNSET, or the written / copied value. */
export type Overlay = unknown[];

/** What the draft diff reads of a draft (implemented by `store/draft.ts`). */
export interface DraftView {
  /** Stored entity -> its overlay, for every entity the function wrote or read a container of. */
  readonly overlays: ReadonlyMap<EntityObject, Overlay>;
  /** An entity's values as the function left them. */
  valuesOf(entity: EntityObject): readonly unknown[];
  /** The stored flat array `value` is the draft's own copy of, else undefined. */
  flatSourceOf(value: unknown): readonly unknown[] | undefined;
  /** `value` is no longer flat: it can no longer become the stored array itself. */
  releaseFlat(value: unknown): void;
}

/** Shared empty collections for trees a call did not touch; never written to. */
const NONE = new Set<never>();
const NO_ENTRIES = new Map<never, never>();

/** The new state of one input tree, computed from the draft (`input`: the caller's handle on the tree). */
export interface DraftChanges<I> {
  readonly kind: 'draft';
  readonly input: I;
  /** The root the function received (the stored root itself). */
  readonly root: EntityObject;
  /** The input version's index (lineage -> stored entity), read once per commit. */
  readonly index: ReadonlyMap<string, EntityObject>;
  /** How many overlaid entities belong to this tree. */
  readonly claimed: number;
  readonly modified: Set<EntityObject>;
  readonly entered: Map<EntityObject, NewPlace>;
  readonly removedLineages: string[];
  /** ecsId (before the call) -> names of the fields the function changed. */
  readonly changedFields: Map<string, string[]>;
  /** parent -> its fields holding modified children: fields to rebuild, children to patch into owned arrays. */
  readonly dirtyChildren: Map<EntityObject, DirtyFields>;
}

/** One parent's fields that hold modified children, with those children (by field index). */
export class DirtyFields {
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
 * What the function changed in one input tree: its overlays compared with the stored entities
 * (`index`: lineage -> stored entity of the input version). Only overlaid entities are read, so
 * the cost follows what the function touched, not the size of the tree.
 */
export function diffDraft<I>(
  draft: DraftView,
  input: I,
  root: EntityObject,
  index: ReadonlyMap<string, EntityObject>,
): DraftChanges<I> {
  const own: EntityObject[] = []; // the overlaid entities of this tree (one index lookup each)
  for (const e of draft.overlays.keys()) if (index.get(metaOf(e).lineageId) === e) own.push(e);
  // Untouched tree (a read-only call): nothing below would add to these, so share empty ones.
  if (own.length === 0)
    return {
      kind: 'draft',
      input,
      root,
      index,
      claimed: 0,
      modified: NONE,
      entered: NO_ENTRIES,
      removedLineages: [],
      changedFields: NO_ENTRIES,
      dirtyChildren: NO_ENTRIES,
    };
  const t: DraftChanges<I> = {
    kind: 'draft',
    input,
    root,
    index,
    claimed: own.length,
    modified: new Set(),
    entered: new Map(),
    removedLineages: [],
    changedFields: new Map(),
    dirtyChildren: new Map(),
  };
  const left = new Map<EntityObject, EntityObject>(); // child -> old owner
  const changed: EntityObject[] = [];
  const inTree = (e: EntityObject): boolean => t.index.get(metaOf(e).lineageId) === e;

  for (const e of own) {
    const overlay = draft.overlays.get(e)!;
    const { meta } = runtimeOfObject(e);
    const stored = e[VALUES];
    let names: string[] | null = null;
    try {
      for (let i = 0; i < overlay.length; i++) {
        const now = overlay[i];
        if (now === UNSET || now === stored[i]) continue;
        // The copy of this very field's flat array is compared in the same pass that finds its
        // children; anything else (also a copy moved here from another field) is compared first.
        const source = draft.flatSourceOf(now);
        const ownCopy = source !== undefined && source === stored[i];
        if (!ownCopy && meta.fieldEquals(i, now, stored[i]) && sameEntityObjects(now, stored[i], meta.fields[i].name))
          continue;
        const outcome = diffChildren(meta.fields[i].name, i, stored[i], now, ownCopy, e, left, t.entered);
        if (outcome === 'unchanged') continue;
        (names ??= []).push(meta.fields[i].name);
        if (outcome === 'changed-not-flat') draft.releaseFlat(now);
      }
    } catch (error) {
      throw dataErrorOf(draft, e, error);
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
    forEachChildOf(draft, e, (child, path, _container, place) => {
      if (enter(t.entered, child, { owner: e, fieldIndex: fieldIndexOf(e, path[0] as string), place, path }))
        pending.push(child);
    });
  }

  // Removed: what left and did not come back, with its subtree (minus what entered elsewhere).
  // What entered an entity that is itself removed is gone too (it is in no tree).
  const gone = left.size === 0 ? NONE : new Set<EntityObject>();
  for (const e of left.keys()) {
    if (t.entered.has(e) || gone.has(e)) continue;
    collectRemoved(draft, e, t, gone, left);
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
    if (
      t.entered.has(np.owner) &&
      metaOf(np.owner).lineageId === metaOf(e).parentLineageId &&
      np.place === metaOf(e).place
    )
      continue;
    if (!oldPlaceRemoved(t, e, left)) {
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
    for (let cur: EntityObject | null = start; cur !== null && !t.modified.has(cur);) {
      t.modified.add(cur);
      const parent = parentIn(t, cur);
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
function oldPlaceRemoved(t: DraftChanges<unknown>, e: EntityObject, left: Map<EntityObject, EntityObject>): boolean {
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

function collectRemoved(
  draft: DraftView,
  e: EntityObject,
  t: DraftChanges<unknown>,
  gone: Set<EntityObject>,
  left: ReadonlyMap<EntityObject, EntityObject>,
): void {
  const stack = [e];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (gone.has(cur)) continue;
    gone.add(cur);
    if (metaOf(cur).stored && t.index.get(metaOf(cur).lineageId) === cur) t.removedLineages.push(metaOf(cur).lineageId);
    forEachChildOf(draft, cur, (child) => {
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
export function forEachChildOf(draft: DraftView, e: EntityObject, visit: ChildVisitor): void {
  try {
    runtimeOfObject(e).meta.forEachChild(draft.valuesOf(e), visit);
  } catch (error) {
    throw dataErrorOf(draft, e, error);
  }
}

/** An error met walking `e`'s data, named with its class and field when the walk could not. */
function dataErrorOf(draft: DraftView, e: EntityObject, error: unknown): unknown {
  if (!isAnonymousDataError(error)) return error;
  const { meta } = runtimeOfObject(e);
  return fieldsError(
    meta.name,
    meta.fields.map((f) => f.name),
    draft.valuesOf(e),
    'storing',
    error,
  );
}

/** True when `e` is part of tree `t`'s new state. */
export function holdsEntity(t: DraftChanges<unknown>, e: EntityObject): boolean {
  return t.entered.has(e) || (t.index.get(metaOf(e).lineageId) === e && !isRemoved(t, e));
}

/** True when `e`, stored in the input version, left tree `t` and went nowhere in it. */
export function isRemoved(t: DraftChanges<unknown>, e: EntityObject): boolean {
  return t.removedLineages.includes(metaOf(e).lineageId) && !t.entered.has(e);
}

/** The placement of an entity of tree `t` in its new state. */
export function placementIn(
  t: DraftChanges<unknown>,
  e: EntityObject,
): { readonly parentLineageId: string | null; readonly place: string } {
  const np = t.entered.get(e);
  if (np) return { parentLineageId: metaOf(np.owner).lineageId, place: np.place };
  const m = metaOf(e);
  return { parentLineageId: m.parentLineageId, place: m.place };
}

/** The parent of `e` in tree `t`'s new state (null for the root). */
export function parentIn(t: DraftChanges<unknown>, e: EntityObject): EntityObject | null {
  const np = t.entered.get(e);
  if (np) return np.owner;
  const parentLineage = metaOf(e).parentLineageId;
  return parentLineage === null ? null : (t.index.get(parentLineage) ?? null);
}
