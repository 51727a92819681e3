/**
 * How the entity children of one field changed between its stored value and the value a function
 * left in the draft: which children left the field and which entered it, and where. Arrays (the
 * common case: a list of agents, nodes, cards) skip the prefix and suffix they share by identity,
 * so a move in a long array costs the changed window, not the array.
 */
import { runtimeOfObject } from '../entity/class-runtime';
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import type { ContainerKind, PathSegment } from '../metadata/types';
import { forEachEntityIn, keepsArrayFlat, valueEquals } from '../metadata/values';
import { TreeStructureError } from '../tree/errors';
import { excerpt } from '../util/excerpt';
import { formatPath } from '../util/paths';
import { SmallMap } from '../util/small-map';

/** Where an entity now sits (new or moved entities). */
export interface NewPlace {
  readonly owner: EntityObject;
  readonly fieldIndex: number;
  readonly place: string;
  readonly path: readonly PathSegment[];
}

/** What `enter` needs of a map from entities to their new places. */
export interface PlaceMap {
  get(child: EntityObject): NewPlace | undefined;
  set(child: EntityObject, np: NewPlace): unknown;
}

/**
 * How one field compares: `changed-not-flat` is changed, and the new value holds containers (it
 * is no longer a flat array).
 */
export type FieldOutcome = 'unchanged' | 'changed' | 'changed-not-flat';

/**
 * Records the children that left or entered one field (a prefix and suffix shared by identity
 * are skipped). `beforeFlat`: `before` is a flat array (entities and primitives only); then this
 * also decides equality (as `fieldEquals` would) in the same pass, and identical items need no
 * container check.
 */
export function diffChildren(
  field: string,
  fieldIndex: number,
  before: unknown,
  after: unknown,
  beforeFlat: boolean,
  owner: EntityObject,
  left: Map<EntityObject, EntityObject>,
  entered: Map<EntityObject, NewPlace>,
): FieldOutcome {
  let outcome: FieldOutcome = 'changed';
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
      if (endB === endA && middleEquals(b, after, start, endB)) return 'unchanged';
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
      if (!keepsArrayFlat(after[i])) outcome = 'changed-not-flat';
      walkItem(after[i], field, i, (c, path, _k, place) => enter(newChildren, c, { owner, fieldIndex, place, path }));
    }
  } else {
    oldChildren = new SmallMap();
    newChildren = new SmallMap();
    if (Array.isArray(after) && !after.every(keepsArrayFlat)) outcome = 'changed-not-flat';
    forEachEntityIn(before, [field], field, 'field', (c, _p, _k, place) => oldChildren.set(c, place));
    forEachEntityIn(after, [field], field, 'field', (c, path, _k, place) =>
      enter(newChildren, c, { owner, fieldIndex, place, path }),
    );
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
  const i = a.length - 1;
  const j = b.length - 1;
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
export function sameEntityObjects(a: unknown, b: unknown, field: string): boolean {
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
export function enter(entered: PlaceMap, child: EntityObject, np: NewPlace): boolean {
  const first = entered.get(child);
  if (first === undefined) {
    entered.set(child, np);
    return true;
  }
  if (first.owner === np.owner && first.path.length === np.path.length && first.path.every((s, i) => s === np.path[i]))
    return false;
  const a = formatPath(first.owner.constructor.name, first.path);
  const b = formatPath(np.owner.constructor.name, np.path);
  throw new TreeStructureError(
    `${child.constructor.name} ${metaOf(child).ecsId} occurs twice in the tree (a shared reference): at ${excerpt(a)} and at ${excerpt(b)}`,
    a,
    b,
  );
}

/** What two different objects of one lineage in one tree are, for error messages. */
export function sameEntityKind(a: EntityObject, b: EntityObject): string {
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

export function fieldIndexOf(e: EntityObject, field: string): number {
  return runtimeOfObject(e).meta.fieldIndex.get(field)!;
}

/** The field name at the start of a place signature (`agents[]` -> `agents`). */
export function fieldOfPlace(place: string): string {
  for (let i = 0; i < place.length; i++) {
    const c = place.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */ || c === 0x2e /* . */ || c === 0x3c /* < */)
      return i === 0 ? place : place.slice(0, i);
  }
  return place;
}
