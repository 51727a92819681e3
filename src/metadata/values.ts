import { MAX_DATA_DEPTH, dataError, isPlainObject } from './data-kinds';
import { FrozenDate, FrozenMap, FrozenSet } from './frozen-data';
import { Stamp, isEntityObject, lineageOf, metaOf, type EntityObject } from './object-model';
import type { ChildVisitor, ContainerKind, LeafMapper, PathSegment } from './types';
import { containerKind, findInItems, setOwn } from './containers';

export { isPlainObject, isPlainArray } from './data-kinds';
export { setOwn } from './containers';

/**
 * Generic operations on field values, by inspection. The runtime metadata provider is built on
 * these; generated code replaces them with per-field code where the declared type is known.
 *
 * The walks are recursive (fast, and no allocation per level) and count their depth: data nested
 * deeper than MAX_DATA_DEPTH, a cycle in data (which looks infinitely deep) and, when storing, a
 * value that is not field data end in the typed error `dataError` explains (data-kinds.ts).
 * Stored data is never deeper than that, so the walks over stored values need no check.
 *
 * The container steps themselves are containers.ts (the one walker); the hot walks below (run for
 * every operation) keep their own loops instead, and say so.
 */

function keyPlace(key: unknown): string {
  return typeof key === 'string' ? `{${key}}` : `{${typeof key}:${String(key)}}`;
}

/**
 * Visits every entity inside `value` (the value of field `path[0]`, `path.length - 1`
 * containers deep in it). `place` names the slot without the final array index, so moving
 * within one array keeps the place, and without any Set position. `top` and `topLength`: where
 * this walk started, to explain a value nested too deep or cyclic (DataDepthError, DataCycleError).
 */
export function forEachEntityIn(
  value: unknown,
  path: PathSegment[],
  place: string,
  container: ContainerKind,
  visit: ChildVisitor,
  top: unknown = value,
  topLength: number = path.length,
): void {
  if (typeof value !== 'object' || value === null) return;
  // Hot path (every operation): its own loops, not containers.ts (no callback per item).
  if (isEntityObject(value)) {
    visit(value, path, container, place);
    return;
  }
  if (path.length > MAX_DATA_DEPTH && !(value instanceof Date))
    throw dataError(top, path.slice(0, topLength), topLength - 1, '', 'walking');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'object' || item === null) continue;
      if (isEntityObject(item)) visit(item, [...path, i], 'array', `${place}[]`);
      else forEachEntityIn(item, [...path, i], `${place}[${i}]`, 'array', visit, top, topLength);
    }
    return;
  }
  if (value instanceof Map) {
    for (const [k, item] of value) {
      forEachEntityIn(item, [...path, k as PathSegment], place + keyPlace(k), 'map', visit, top, topLength);
    }
    return;
  }
  if (value instanceof Set) {
    // Sets are unordered (SPEC §2): the place of anything inside a member names no position, so
    // iterating the members in another order moves nothing. (The path keeps the index: messages only.)
    let i = 0;
    for (const item of value) {
      if (isEntityObject(item)) visit(item, [...path, metaOf(item).ecsId], 'set', `${place}<>`);
      else forEachEntityIn(item, [...path, i], `${place}<>`, 'set', visit, top, topLength);
      i++;
    }
    return;
  }
  if (value instanceof Date) return;
  for (const k of Object.keys(value)) {
    forEachEntityIn(
      (value as Record<string, unknown>)[k],
      [...path, k],
      `${place}.${k}`,
      'record',
      visit,
      top,
      topLength,
    );
  }
}

/** True when `value` holds an entity anywhere inside. */
export function containsEntity(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (isEntityObject(value)) return true;
  if (value instanceof Date) return false;
  if (depth >= MAX_DATA_DEPTH) throw dataError(value, [], depth, '', 'inspecting');
  // Map values, not keys: an entity may not be a Map key (freezeValue).
  return (
    findInItems(value, containerKind(value, 'any')!, (item) => (containsEntity(item, depth + 1) ? true : undefined)) ===
    true
  );
}

/**
 * Deep structural equality; entities compare by lineage (which entity, not which version):
 * a child that forked does not make its parent's field differ, a replaced or moved child does.
 * Object Map keys and Set members are data: matched by identity first, else by structure (the
 * store copies them, so a stored version's keys are never the caller's objects).
 * `depth`: how deep `a` and `b` sit in their fields. A stored value is never deeper than
 * MAX_DATA_DEPTH, so only two working values can reach the limit (DataDepthError, DataCycleError).
 */
export function valueEquals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a !== a && b !== b; // NaN equals NaN
  }
  const aEntity = isEntityObject(a);
  // Hot path (every operation): its own loops, not containers.ts (no callback per item).
  if (aEntity || isEntityObject(b)) return aEntity && isEntityObject(b) && lineageOf(a) === lineageOf(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    if (depth >= MAX_DATA_DEPTH) throw dataError(a, [], depth, '', 'comparing');
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (a instanceof Date) {
    if (!(b instanceof Date)) return false;
    const ta = a.getTime();
    const tb = b.getTime();
    return ta === tb || (ta !== ta && tb !== tb); // two invalid Dates are equal
  }
  // Maps and Sets compare as collections (SPEC §2: sets are unordered); see sameIterationOrder.
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    if (depth >= MAX_DATA_DEPTH) throw dataError(a, [], depth, '', 'comparing');
    let pending: unknown[] | undefined;
    for (const [k, v] of a) {
      if (b.has(k)) {
        if (!valueEquals(v, b.get(k), depth + 1)) return false;
      } else if (typeof k === 'object' && k !== null) (pending ??= []).push(k);
      else return false;
    }
    return pending === undefined || mapKeysMatch(a, b, pending, depth + 1);
  }
  if (a instanceof Set) {
    if (!(b instanceof Set)) return false;
    if (depth >= MAX_DATA_DEPTH) throw dataError(a, [], depth, '', 'comparing');
    return setEquals(a, b, depth + 1);
  }
  if (Array.isArray(b) || b instanceof Date || b instanceof Map || b instanceof Set) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  if (depth >= MAX_DATA_DEPTH) throw dataError(a, [], depth, '', 'comparing');
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/** Set equality with members not shared by identity matched up structurally (entities by lineage). */
function setEquals(a: ReadonlySet<unknown>, b: ReadonlySet<unknown>, depth: number): boolean {
  if (a.size !== b.size) return false;
  const pending: unknown[] = [];
  for (const v of a) if (!b.has(v)) pending.push(v);
  if (pending.length === 0) return true;
  const rest: unknown[] = [];
  for (const w of b) if (!a.has(w)) rest.push(w);
  for (const v of pending) {
    let i = 0;
    while (i < rest.length && !valueEquals(v, rest[i], depth)) i++;
    if (i === rest.length) return false;
    rest.splice(i, 1);
  }
  return true;
}

/**
 * Object keys of `a` that `b` does not have (`pending`) each match one object key of `b` that `a`
 * does not have, equal as data, with equal values.
 */
function mapKeysMatch(
  a: ReadonlyMap<unknown, unknown>,
  b: ReadonlyMap<unknown, unknown>,
  pending: readonly unknown[],
  depth: number,
): boolean {
  const rest: unknown[] = [];
  for (const k of b.keys()) if (typeof k === 'object' && k !== null && !a.has(k)) rest.push(k);
  for (const k of pending) {
    let i = 0;
    while (i < rest.length && !(valueEquals(k, rest[i], depth) && valueEquals(a.get(k), b.get(rest[i]), depth))) i++;
    if (i === rest.length) return false;
    rest.splice(i, 1);
  }
  return true;
}

/**
 * For two values already known to be `valueEquals`: do their Maps and Sets also iterate in the
 * same order? Reordering is no change, but a version that is written anyway should read exactly
 * like the working tree it came from, so a stored value is only reused when this holds too.
 */
export function sameIterationOrder(a: unknown, b: unknown): boolean {
  if (a === b || typeof a !== 'object' || a === null || isEntityObject(a)) return true;
  // Hot path (persist, every unchanged field): its own loops over two containers in step.
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) if (!sameIterationOrder(a[i], (b as unknown[])[i])) return false;
    return true;
  }
  if (a instanceof Map || a instanceof Set) {
    const x = [...a.entries()];
    const y = [...(b as Map<unknown, unknown>).entries()];
    for (let i = 0; i < x.length; i++) {
      const [xk, xv] = x[i];
      const [yk, yv] = y[i];
      if (!valueEquals(xk, yk) || !valueEquals(xv, yv) || !sameIterationOrder(xv, yv)) return false;
    }
    return true;
  }
  if (a instanceof Date) return true;
  for (const k of Object.keys(a))
    if (!sameIterationOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * Marks frozen arrays holding only primitives and entities. Copying one needs no per-element work
 * (a spread), which keeps wide entity arrays (a node's thousand agents) cheap on the hot path.
 * The mark is a private field added through the return-override idiom: invisible to readers and
 * about ten times cheaper to add than a WeakSet entry.
 *
 * Stored arrays stay plain frozen arrays, so `push` on one is V8's TypeError, not an
 * ImmutableVersionError: a subclass whose mutators throw would need another prototype, and V8
 * copies (spread) and maps arrays with another prototype on its slow path (measured: spread 4-45x
 * slower, a move 18-44% slower on this repository's grid workload).
 */
class FlatMark extends Stamp {
  #flat = true;
  static isMarked(array: object): boolean {
    return #flat in array;
  }
}

export function isFlatFrozenArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && FlatMark.isMarked(value);
}

/** Freezes an array known to hold only primitives and entities, in place, and remembers that. */
export function freezeFlatArray<T>(array: T[]): readonly T[] {
  new FlatMark(array);
  return Object.freeze(array);
}

/**
 * A mutable deep copy; entity leaves are kept as they are (the caller decides how to copy them).
 * Object Map keys are copied too: a copy must not hand out the stored (frozen) key objects.
 * Meant for stored values; a working one (borrowAttributeFrom) may be cyclic, hence the depth.
 */
export function thawValue(value: unknown, depth = 0, top: unknown = value): unknown {
  if (typeof value !== 'object' || value === null || isEntityObject(value)) return value;
  // Hot path (checkout, every operation): its own loops, not containers.ts.
  if (Array.isArray(value)) {
    // Spread, not slice/map: V8 copies frozen arrays through a slow path in most Array builtins.
    const out = [...value];
    if (FlatMark.isMarked(value)) return out;
    if (depth >= MAX_DATA_DEPTH) throw dataError(top, [], 0, '', 'copying');
    for (let i = 0; i < out.length; i++) out[i] = thawValue(out[i], depth + 1, top);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (depth >= MAX_DATA_DEPTH) throw dataError(top, [], 0, '', 'copying');
  // Loops, not callbacks: one stack frame per level of nesting.
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(thawValue(k, depth + 1, top), thawValue(v, depth + 1, top));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(thawValue(v, depth + 1, top));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const k of Object.keys(value)) setOwn(out, k, thawValue((value as Record<string, unknown>)[k], depth + 1, top));
  return out;
}

const ENTITY_IN_KEY = Symbol('entity in a Map key');
function refuseKeyEntity(): never {
  throw ENTITY_IN_KEY;
}

/** True for an array item that keeps a frozen array flat: a primitive of field data, or an entity. */
export function keepsArrayFlat(item: unknown): boolean {
  return typeof item === 'object'
    ? item === null || isEntityObject(item)
    : typeof item !== 'function' && typeof item !== 'symbol';
}

/**
 * A deep-frozen copy with entity leaves mapped through `mapLeaf`; also what decides, for both
 * metadata modes, what may be stored (SPEC §1): anything else is refused with the typed error
 * `dataError` explains. `depth`: how many containers deep inside its field `value` sits (generated
 * code calls this for the inner parts of a field); `top`/`topDepth`: where the walk started.
 */
export function freezeValue(
  value: unknown,
  mapLeaf: LeafMapper,
  depth = 0,
  top: unknown = value,
  topDepth: number = depth,
): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') throw dataError(top, [], topDepth, '', 'storing');
    return value;
  }
  if (isEntityObject(value)) return mapLeaf(value as EntityObject, depth);
  // Hot path (every stored version): its own loops, frozen outputs; not containers.ts.
  if (Array.isArray(value)) {
    if (depth >= MAX_DATA_DEPTH || Object.getPrototypeOf(value) !== Array.prototype)
      throw dataError(top, [], topDepth, '', 'storing');
    const out: unknown[] = []; // packed, not holey: faster to read and copy once frozen
    let flat = true;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'object' || item === null) {
        if (typeof item === 'function' || typeof item === 'symbol') throw dataError(top, [], topDepth, '', 'storing');
        out.push(item);
      } else if (isEntityObject(item)) out.push(mapLeaf(item, depth + 1));
      else {
        flat = false;
        out.push(freezeValue(item, mapLeaf, depth + 1, top, topDepth));
      }
    }
    return flat ? freezeFlatArray(out) : Object.freeze(out);
  }
  if (value instanceof Date) return value instanceof FrozenDate ? value : new FrozenDate(value.getTime());
  if (depth >= MAX_DATA_DEPTH) throw dataError(top, [], topDepth, '', 'storing');
  if (value instanceof Map) {
    const entries: Array<readonly [unknown, unknown]> = [];
    for (const [k, v] of value) {
      let key = k;
      if (typeof k === 'function' || typeof k === 'symbol') throw dataError(top, [], topDepth, '', 'storing');
      // An object key is data like a Set member: copied and frozen, so the stored version owns it.
      // No entity inside: the tree would not contain it.
      if (typeof k === 'object' && k !== null) {
        try {
          key = freezeValue(k, refuseKeyEntity, depth + 1, top, topDepth);
        } catch (e) {
          throw e === ENTITY_IN_KEY ? dataError(top, [], topDepth, '', 'storing') : e;
        }
      }
      entries.push([key, freezeValue(v, mapLeaf, depth + 1, top, topDepth)]);
    }
    return new FrozenMap(entries);
  }
  if (value instanceof Set) {
    const items: unknown[] = [];
    for (const v of value) items.push(freezeValue(v, mapLeaf, depth + 1, top, topDepth));
    return new FrozenSet(items);
  }
  if (!isPlainObject(value)) throw dataError(top, [], topDepth, '', 'storing');
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const k of Object.keys(value))
    setOwn(out, k, freezeValue((value as Record<string, unknown>)[k], mapLeaf, depth + 1, top, topDepth));
  return Object.freeze(out);
}
