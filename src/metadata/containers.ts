import { isPlainObject } from './data-kinds';
import { isEntityObject, metaOf } from './object-model';
import type { ContainerKind, PathSegment } from './types';

/**
 * The one container walker: what the containers of field data are (arrays, Maps, Sets, records)
 * and the one-level steps every walk over them takes. Each walk keeps its own recursion, depth
 * count or cycle bookkeeping (a `seen` set, a stack) and calls these for one container at a time:
 *
 * - `containerKind` says which container a value is, once; the rest take that kind;
 * - reading: `forEachItem`, `findInItems` (the first result, stopping there), `itemsOf`;
 * - copying: `mapItems` (a copy of the same kind), or `copyShell` + `fillCopy` for a walk that
 *   must know the copy before filling it (cycles, shared containers);
 * - changing in place: `mapItemsInPlace`;
 * - one path segment (as `forEachEntityIn` names it): `readItem`, `replaceItem`, `removeItem`,
 *   `findSetMember`, `setMemberNames`.
 *
 * An item's key is its index (arrays), its key (Maps), its position in iteration order (Sets) or
 * its own enumerable string key (records, in `Object.keys` order). Map keys are not items: a walk
 * that copies them says so (`CopyOptions.mapKey`). Arrays are read by index, so a hole reads as
 * undefined. FrozenMap and FrozenSet are Maps and Sets (read through their own methods); changing
 * one in place throws, as any write to a stored version does.
 *
 * The per-operation hot walks in values.ts (freezeValue, thawValue, valueEquals, forEachEntityIn,
 * sameIterationOrder) keep their own loops: one stack frame per level and no callback per item.
 */

/** A container of field data: `ContainerKind` without `'field'`. */
export type DataContainerKind = Exclude<ContainerKind, 'field'>;

/**
 * Which objects `containerKind` counts as records:
 * - `'plain'`: plain objects only (prototype `Object.prototype` or null), as storing accepts them;
 * - `'any'`: any other object too (class instances, a Map whose prototype was changed), for the
 *   walks that copy or read whatever they are given and leave refusing it to storing.
 */
export type RecordRule = 'plain' | 'any';

/** The key an item of a container of kind `K` has (see the module comment). */
export type ItemKey<K extends DataContainerKind> = { array: number; map: unknown; set: number; record: string }[K];

/** What one path segment names inside a container of kind `K`: a Set member by ecsId or position. */
export type Segment<K extends DataContainerKind> = { array: number; map: unknown; set: PathSegment; record: string }[K];

/** The mutable container `mapItems` and `copyShell` make for a container of kind `K`. */
export type ContainerOf<K extends DataContainerKind> = {
  array: unknown[];
  map: Map<unknown, unknown>;
  set: Set<unknown>;
  record: Record<string, unknown>;
}[K];

/** What `findSetMember` finds. */
export type SetMemberResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** How a copy is made (`mapItems`, `copyShell`, `fillCopy`). */
export interface CopyOptions {
  /** Maps each Map key (before its value); by default the keys are kept. */
  readonly mapKey?: (key: unknown) => unknown;
  /**
   * A record copy's prototype: the source's (`'source'`, the default) or `Object.prototype`
   * (`'object'`, as `{}`: a null-prototype record comes out with the usual prototype).
   */
  readonly recordPrototype?: 'source' | 'object';
}

type Items = Record<string, unknown>;

/**
 * The kind of container `value` is: `'array'` (any `Array.isArray`, subclasses too), `'map'`,
 * `'set'` (`instanceof`, so FrozenMap and FrozenSet too), `'record'` (see RecordRule); null for
 * primitives, entities, Dates and (with `'plain'`) other objects.
 * `containerKind(v) === 'record'` is exactly `isRecordLike(v)` (callable/type-check).
 */
export function containerKind(value: unknown, records: RecordRule = 'plain'): DataContainerKind | null {
  if (typeof value !== 'object' || value === null || isEntityObject(value)) return null;
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (value instanceof Date) return null;
  return records === 'any' || isPlainObject(value) ? 'record' : null;
}

/** Calls `fn(item, key)` for each item of `container`, in order. */
export function forEachItem<K extends DataContainerKind>(
  container: object,
  kind: K,
  fn: (item: unknown, key: ItemKey<K>) => void,
): void {
  const visit = fn as (item: unknown, key: unknown) => void;
  switch (kind) {
    case 'array': {
      const a = container as readonly unknown[];
      for (let i = 0; i < a.length; i++) visit(a[i], i);
      return;
    }
    case 'map':
      for (const [k, v] of container as ReadonlyMap<unknown, unknown>) visit(v, k);
      return;
    case 'set': {
      let i = 0;
      for (const v of container as ReadonlySet<unknown>) visit(v, i++);
      return;
    }
    default:
      for (const k of Object.keys(container)) visit((container as Items)[k], k);
  }
}

/** The first result of `fn(item, key)` that is not undefined, in item order (the rest are not visited); else undefined. */
export function findInItems<K extends DataContainerKind, R>(
  container: object,
  kind: K,
  fn: (item: unknown, key: ItemKey<K>) => R | undefined,
): R | undefined {
  const find = fn as (item: unknown, key: unknown) => R | undefined;
  let r: R | undefined;
  switch (kind) {
    case 'array': {
      const a = container as readonly unknown[];
      for (let i = 0; i < a.length; i++) if ((r = find(a[i], i)) !== undefined) return r;
      return undefined;
    }
    case 'map':
      for (const [k, v] of container as ReadonlyMap<unknown, unknown>) if ((r = find(v, k)) !== undefined) return r;
      return undefined;
    case 'set': {
      let i = 0;
      for (const v of container as ReadonlySet<unknown>) if ((r = find(v, i++)) !== undefined) return r;
      return undefined;
    }
    default:
      for (const k of Object.keys(container)) if ((r = find((container as Items)[k], k)) !== undefined) return r;
      return undefined;
  }
}

/** The items of `container` in order (Map values, not keys). An array is returned as it is, not copied. */
export function itemsOf(container: object, kind: DataContainerKind): readonly unknown[] {
  switch (kind) {
    case 'array':
      return container as readonly unknown[];
    case 'map':
      return [...(container as ReadonlyMap<unknown, unknown>).values()];
    case 'set':
      return [...(container as ReadonlySet<unknown>)];
    default:
      return Object.keys(container).map((k) => (container as Items)[k]);
  }
}

/**
 * A new, mutable container of `container`'s kind without its items, for `fillCopy`: an array of
 * the same length (to be filled by index), an empty Map or Set, an empty record with the source's
 * prototype (or `Object.prototype`, see CopyOptions). Never frozen, never a FrozenMap or FrozenSet.
 */
export function copyShell<K extends DataContainerKind>(
  container: object,
  kind: K,
  options?: CopyOptions,
): ContainerOf<K> {
  switch (kind) {
    case 'array':
      return new Array<unknown>((container as readonly unknown[]).length) as ContainerOf<K>;
    case 'map':
      return new Map<unknown, unknown>() as ContainerOf<K>;
    case 'set':
      return new Set<unknown>() as ContainerOf<K>;
    default:
      return (
        options?.recordPrototype === 'object' ? {} : Object.create(Object.getPrototypeOf(container))
      ) as ContainerOf<K>;
  }
}

/**
 * Writes `fn(item, key)` for each item of `source` into `target` (from `copyShell`), in order:
 * the same index, the same Map key (or `mapKey` of it, called first), added to a Set, the same
 * record key (an own property, also for `__proto__`).
 */
export function fillCopy<K extends DataContainerKind>(
  source: object,
  kind: K,
  target: ContainerOf<K>,
  fn: (item: unknown, key: ItemKey<K>) => unknown,
  options?: CopyOptions,
): void {
  const map = fn as (item: unknown, key: unknown) => unknown;
  switch (kind) {
    case 'array': {
      const a = source as readonly unknown[];
      const out = target as unknown[];
      for (let i = 0; i < a.length; i++) out[i] = map(a[i], i);
      return;
    }
    case 'map': {
      const out = target as Map<unknown, unknown>;
      const mapKey = options?.mapKey;
      if (mapKey === undefined) for (const [k, v] of source as ReadonlyMap<unknown, unknown>) out.set(k, map(v, k));
      else for (const [k, v] of source as ReadonlyMap<unknown, unknown>) out.set(mapKey(k), map(v, k));
      return;
    }
    case 'set': {
      const out = target as Set<unknown>;
      let i = 0;
      for (const v of source as ReadonlySet<unknown>) out.add(map(v, i++));
      return;
    }
    default:
      for (const k of Object.keys(source)) setOwn(target as Items, k, map((source as Items)[k], k));
  }
}

/** A shallow copy of `container`, of the same kind, with each item mapped: `copyShell` filled by `fillCopy`. */
export function mapItems<K extends DataContainerKind>(
  container: object,
  kind: K,
  fn: (item: unknown, key: ItemKey<K>) => unknown,
  options?: CopyOptions,
): ContainerOf<K> {
  const out = copyShell(container, kind, options);
  fillCopy(container, kind, out, fn, options);
  return out;
}

/**
 * Replaces each item of a mutable `container` by `fn(item, key)`, in place, and returns it. A Map
 * keeps its keys and their order; a Set is rebuilt in its order (members that map to one value
 * become one); a record's existing keys are assigned (an own `__proto__` key stays a key).
 */
export function mapItemsInPlace<K extends DataContainerKind, C extends object>(
  container: C,
  kind: K,
  fn: (item: unknown, key: ItemKey<K>) => unknown,
): C {
  const map = fn as (item: unknown, key: unknown) => unknown;
  switch (kind) {
    case 'array': {
      const a = container as unknown as unknown[];
      for (let i = 0; i < a.length; i++) a[i] = map(a[i], i);
      break;
    }
    case 'map': {
      const m = container as unknown as Map<unknown, unknown>;
      for (const [k, v] of m) m.set(k, map(v, k));
      break;
    }
    case 'set': {
      const s = container as unknown as Set<unknown>;
      const items: unknown[] = [];
      let i = 0;
      for (const v of s) items.push(map(v, i++));
      s.clear();
      for (const v of items) s.add(v);
      break;
    }
    default:
      // Assigning an existing own key sets it, also `__proto__` (an own property shadows the accessor).
      for (const k of Object.keys(container)) (container as Items)[k] = map((container as Items)[k], k);
  }
  return container;
}

/**
 * The member of `set` a path segment names: an entity member by its ecsId, any other member by
 * its position in iteration order (as `forEachEntityIn` writes Set paths). A position never names
 * an entity member, an ecsId never anything else.
 */
export function findSetMember(set: ReadonlySet<unknown>, segment: PathSegment): SetMemberResult {
  let i = 0;
  for (const item of set) {
    if (isEntityObject(item) ? metaOf(item).ecsId === segment : i === segment) return { found: true, value: item };
    i++;
  }
  return { found: false };
}

/** The segment naming each member of `set`, in order (see `findSetMember`), for messages. */
export function setMemberNames(set: ReadonlySet<unknown>): string[] {
  const names: string[] = [];
  let i = 0;
  for (const item of set) {
    names.push(isEntityObject(item) ? metaOf(item).ecsId : String(i));
    i++;
  }
  return names;
}

/** The item `segment` names in `container` (own record keys only); undefined when there is none. */
export function readItem<K extends DataContainerKind>(container: object, kind: K, segment: Segment<K>): unknown {
  switch (kind) {
    case 'array':
      return (container as readonly unknown[])[segment as number];
    case 'map':
      return (container as ReadonlyMap<unknown, unknown>).get(segment);
    case 'set': {
      const r = findSetMember(container as ReadonlySet<unknown>, segment as PathSegment);
      return r.found ? r.value : undefined;
    }
    default:
      return Object.prototype.hasOwnProperty.call(container, segment as string)
        ? (container as Items)[segment as string]
        : undefined;
  }
}

/**
 * Puts `value` where `segment` names in a mutable `container`: the index (the length appends), the
 * Map key (set), the Set member (replaced where it is, so the Set keeps its order; nothing when no
 * member has that name), the record key (an own property, also for `__proto__`).
 */
export function replaceItem<K extends DataContainerKind>(
  container: object,
  kind: K,
  segment: Segment<K>,
  value: unknown,
): void {
  switch (kind) {
    case 'array':
      (container as unknown[])[segment as number] = value;
      return;
    case 'map':
      (container as Map<unknown, unknown>).set(segment, value);
      return;
    case 'set': {
      const s = container as Set<unknown>;
      const r = findSetMember(s, segment as PathSegment);
      if (!r.found) return;
      const items = [...s];
      s.clear();
      for (const item of items) s.add(item === r.value ? value : item);
      return;
    }
    default:
      setOwn(container as Items, segment as string, value);
  }
}

/** Removes what `segment` names from a mutable `container`: the index (later items move up), the Map key, the Set member, the record key. */
export function removeItem<K extends DataContainerKind>(container: object, kind: K, segment: Segment<K>): void {
  switch (kind) {
    case 'array':
      (container as unknown[]).splice(segment as number, 1);
      return;
    case 'map':
      (container as Map<unknown, unknown>).delete(segment);
      return;
    case 'set': {
      const r = findSetMember(container as ReadonlySet<unknown>, segment as PathSegment);
      if (r.found) (container as Set<unknown>).delete(r.value);
      return;
    }
    default:
      delete (container as Items)[segment as string];
  }
}

/** Sets an own property, also for the key '__proto__' (a plain assignment would set the prototype). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
