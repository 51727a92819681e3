import { FrozenDate, FrozenMap, FrozenSet } from './frozen-data';
import { Stamp, isEntityObject, lineageOf, metaOf, type EntityObject } from './object-model';
import type { ChildVisitor, ContainerKind, LeafMapper, PathSegment } from './types';

/**
 * Generic operations on field values, by inspection. The runtime metadata provider is built on
 * these; generated code replaces them with per-field code where the declared type is known.
 */

export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function keyPlace(key: unknown): string {
  return typeof key === 'string' ? `{${key}}` : `{${typeof key}:${String(key)}}`;
}

/**
 * Visits every entity inside `value` (the value of field `path[0]`). `place` names the slot
 * without the final array index, so moving within one array keeps the place, and without any Set
 * position.
 */
export function forEachEntityIn(
  value: unknown,
  path: PathSegment[],
  place: string,
  container: ContainerKind,
  visit: ChildVisitor,
): void {
  if (typeof value !== 'object' || value === null) return;
  if (isEntityObject(value)) {
    visit(value, path, container, place);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'object' || item === null) continue;
      if (isEntityObject(item)) visit(item, [...path, i], 'array', `${place}[]`);
      else forEachEntityIn(item, [...path, i], `${place}[${i}]`, 'array', visit);
    }
    return;
  }
  if (value instanceof Map) {
    for (const [k, item] of value) {
      forEachEntityIn(item, [...path, k as PathSegment], place + keyPlace(k), 'map', visit);
    }
    return;
  }
  if (value instanceof Set) {
    // Sets are unordered (SPEC §2): the place of anything inside a member names no position, so
    // iterating the members in another order moves nothing. (The path keeps the index: messages only.)
    let i = 0;
    for (const item of value) {
      if (isEntityObject(item)) visit(item, [...path, metaOf(item).ecsId], 'set', `${place}<>`);
      else forEachEntityIn(item, [...path, i], `${place}<>`, 'set', visit);
      i++;
    }
    return;
  }
  if (value instanceof Date) return;
  for (const k of Object.keys(value)) {
    forEachEntityIn((value as Record<string, unknown>)[k], [...path, k], `${place}.${k}`, 'record', visit);
  }
}

/** True when `value` holds an entity anywhere inside. */
export function containsEntity(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (isEntityObject(value)) return true;
  if (value instanceof Date) return false;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) if (containsEntity(item)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const item of value.values()) if (containsEntity(item)) return true;
    return false;
  }
  for (const k of Object.keys(value)) if (containsEntity((value as Record<string, unknown>)[k])) return true;
  return false;
}

/**
 * Deep structural equality; entities compare by lineage (which entity, not which version):
 * a child that forked does not make its parent's field differ, a replaced or moved child does.
 */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a !== a && b !== b; // NaN equals NaN
  }
  const aEntity = isEntityObject(a);
  if (aEntity || isEntityObject(b)) return aEntity && isEntityObject(b) && lineageOf(a) === lineageOf(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
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
    for (const [k, v] of a) if (!b.has(k) || !valueEquals(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set) return b instanceof Set && setEquals(a, b);
  if (Array.isArray(b) || b instanceof Date || b instanceof Map || b instanceof Set) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function setEquals(a: Set<unknown>, b: Set<unknown>): boolean {
  if (a.size !== b.size) return false;
  const pending: unknown[] = [];
  for (const v of a) if (!b.has(v)) pending.push(v);
  if (pending.length === 0) return true;
  // Members not shared by identity: match them up structurally (entities by lineage).
  const rest = [...b].filter((v) => !a.has(v));
  for (const v of pending) {
    const i = rest.findIndex((w) => valueEquals(v, w));
    if (i < 0) return false;
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
  for (const k of Object.keys(a)) if (!sameIterationOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * Marks frozen arrays holding only primitives and entities. Copying one needs no per-element work
 * (a spread), which keeps wide entity arrays (a node's thousand agents) cheap on the hot path.
 * The mark is a private field added through the return-override idiom: invisible to readers and
 * about ten times cheaper to add than a WeakSet entry.
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

/** Sets an own property, also for the key '__proto__' (a plain assignment would set the prototype). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A mutable deep copy; entity leaves are kept as they are (the caller decides how to copy them). */
export function thawValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || isEntityObject(value)) return value;
  if (Array.isArray(value)) {
    // Spread, not slice/map: V8 copies frozen arrays through a slow path in most Array builtins.
    const out = [...value];
    if (!FlatMark.isMarked(value)) for (let i = 0; i < out.length; i++) out[i] = thawValue(out[i]);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, thawValue(v)]));
  if (value instanceof Set) return new Set([...value].map(thawValue));
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const k of Object.keys(value)) setOwn(out, k, thawValue((value as Record<string, unknown>)[k]));
  return out;
}

/** A deep-frozen copy with entity leaves mapped through `mapLeaf`. */
export function freezeValue(value: unknown, mapLeaf: LeafMapper): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEntityObject(value)) return mapLeaf(value as EntityObject);
  if (Array.isArray(value)) {
    const out: unknown[] = []; // packed, not holey: faster to read and copy once frozen
    let flat = true;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'object' || item === null) out.push(item);
      else if (isEntityObject(item)) out.push(mapLeaf(item));
      else {
        flat = false;
        out.push(freezeValue(item, mapLeaf));
      }
    }
    return flat ? freezeFlatArray(out) : Object.freeze(out);
  }
  if (value instanceof Date) return value instanceof FrozenDate ? value : new FrozenDate(value.getTime());
  if (value instanceof Map) return new FrozenMap([...value].map(([k, v]) => [k, freezeValue(v, mapLeaf)] as const));
  if (value instanceof Set) return new FrozenSet([...value].map((v) => freezeValue(v, mapLeaf)));
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const k of Object.keys(value)) setOwn(out, k, freezeValue((value as Record<string, unknown>)[k], mapLeaf));
  return Object.freeze(out);
}
