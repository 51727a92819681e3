/**
 * Edge values for the fuzz classes' data fields, built fresh from a seed each time (an edit is
 * applied twice, to the model and inside the function: both must get equal values, never the
 * same object). Everything here is data of SPEC §1: strings, numbers, bigint, booleans,
 * null/undefined, Date, arrays, plain objects (also null-prototype ones), Map, Set, nested.
 */
import { Entity } from '../../src';
import { Rng } from './rng';
import { NMap, NSet, NDate, isArray, keys, getPrototypeOf, defineProperty } from './natives';

export const STRINGS: readonly string[] = [
  '',
  'a',
  'b',
  ' ',
  'ü',
  'e\u0301', // NFD: not the same string as 'é'
  'é',
  '日本語',
  '😀',
  '\u0000',
  '\ud800', // a lone surrogate
  'a\nb',
  '"q"',
  '@0b8e4c9a-0000-4000-8000-000000000000', // looks like an address
  '__proto__',
  'x'.repeat(300),
];

export const NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  0.1 + 0.2,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
];

export const BIGINTS: readonly bigint[] = [0n, 1n, -1n, 2n ** 64n, -(2n ** 100n), 9007199254740993n];

export const TIMES: readonly number[] = [0, -1, 8.64e15, -8.64e15, NaN, 1_700_000_000_000, 951_782_400_000];

/** Keys of Maps (any string is fine there). */
export const MAP_KEYS: readonly string[] = ['k', 'a', '', 'ü', 'x y', 'a.b', '0', '__proto__', 'constructor'];
/** Keys of records: no '__proto__' (plain assignment would set the prototype: a user mistake, not data). */
export const REC_KEYS: readonly string[] = ['k', 'a', '', 'ü', 'x y', 'a.b', '0', '10', 'constructor', 'toString'];

export function edgeString(r: Rng): string {
  return r.pick(STRINGS);
}
export function edgeNumber(r: Rng): number {
  return r.pick(NUMBERS);
}
export function edgeDate(r: Rng): Date {
  return new NDate(r.pick(TIMES));
}

function smallArray<T>(r: Rng, max: number, item: () => T): T[] {
  const n = r.int(max + 1);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item());
  return out;
}

/** Nested plain data of any shape (for `loose`), with non-string Map keys and null-prototype objects. */
export function looseData(r: Rng, depth: number, tags?: Set<string>): unknown {
  const kind = depth <= 0 ? r.int(6) : r.int(12);
  switch (kind) {
    case 0:
      return edgeString(r);
    case 1:
      return edgeNumber(r);
    case 2:
      return r.pick([true, false, null, undefined, 0n, -(2n ** 70n)]);
    case 3:
      return edgeDate(r);
    case 4:
    case 5:
      return r.pick(BIGINTS);
    case 6:
    case 7:
      return smallArray(r, 3, () => looseData(r, depth - 1, tags));
    case 8: {
      const m = new NMap<unknown, unknown>();
      for (let i = r.int(3); i > 0; i--) m.set(mapKey(r, tags), looseData(r, depth - 1, tags));
      return m;
    }
    case 9:
      return new NSet(smallArray(r, 3, () => looseData(r, depth - 1, tags)));
    default: {
      const o: Record<string, unknown> = r.chance(0.3) ? Object.create(null) : {};
      for (let i = r.int(3); i > 0; i--) o[r.pick(REC_KEYS)] = looseData(r, depth - 1, tags);
      return o;
    }
  }
}

function mapKey(r: Rng, tags?: Set<string>): unknown {
  switch (r.int(8)) {
    case 0:
      return edgeNumber(r); // NaN and -0 keys (a Map stores -0 as 0)
    case 1:
      return r.pick([true, false, null, undefined, 7n]);
    case 2:
      if (r.chance(0.3)) {
        tags?.add('data.object-map-key');
        return { key: edgeString(r) };
      }
      return edgeString(r);
    default:
      return r.pick(MAP_KEYS);
  }
}

/** A fresh value for a data field of the fuzz classes. */
export function dataValue(field: string, r: Rng, tags?: Set<string>): unknown {
  switch (field) {
    case 's':
    case 'name':
    case 'title':
      return edgeString(r);
    case 'n':
      return edgeNumber(r);
    case 'big':
      return r.pick(BIGINTS);
    case 'when':
    case 'stamp':
      return edgeDate(r);
    case 'flag':
      return r.pick([true, false, null, undefined]);
    case 'tags':
      return smallArray(r, 4, () => edgeString(r));
    case 'data': {
      const notes: Record<string, string | null> = r.chance(0.2) ? Object.create(null) : {};
      for (let i = r.int(3); i > 0; i--) notes[r.pick(REC_KEYS)] = r.chance(0.2) ? null : edgeString(r);
      const bag = new NMap<string, Set<number>>();
      for (let i = r.int(3); i > 0; i--) bag.set(r.pick(MAP_KEYS), new NSet(smallArray(r, 3, () => edgeNumber(r))));
      return {
        grid: smallArray(r, 3, () => smallArray(r, 3, () => edgeNumber(r))),
        bag,
        notes,
        when: r.chance(0.3) ? null : edgeDate(r),
      };
    }
    case 'info':
      return { k: edgeNumber(r), tags: smallArray(r, 3, () => edgeString(r)), at: r.chance(0.3) ? null : edgeDate(r) };
    case 'loose':
      return smallArray(r, 3, () => looseData(r, 2, tags));
    default:
      throw new Error(`fuzz: no generator for data field ${field}`);
  }
}

/**
 * A deep copy of a value with its entities kept as they are (the same children at the same
 * places): writing it back changes nothing. Object Map keys are kept too (a copied key is another key).
 */
export function cloneData(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || v instanceof Entity) return v;
  if (isArray(v)) return v.map(cloneData);
  if (v instanceof NDate) return new NDate(v.getTime());
  if (v instanceof NMap) return new NMap([...v].map(([k, x]) => [k, cloneData(x)]));
  if (v instanceof NSet) return new NSet([...v].map(cloneData));
  const out: Record<string, unknown> = getPrototypeOf(v) === null ? Object.create(null) : {};
  for (const k of keys(v))
    defineProperty(out, k, {
      value: cloneData((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/**
 * Changes the value of data field `field` in place, within its declared type (what a function
 * does to an array or record it read), recording what it did in `tags`. `v` is the field's value
 * as read. Returns false when there was nothing to change in place.
 */
export function mutateField(
  field: string,
  v: unknown,
  r: Rng,
  tags: Set<string> | undefined,
  isEntity: (x: unknown) => boolean,
): boolean {
  switch (field) {
    case 'when':
    case 'stamp':
      tags?.add('inplace.date');
      (v as Date).setTime(r.pick(TIMES));
      return true;
    case 'tags': {
      tags?.add('inplace.array');
      const a = v as string[];
      if (a.length > 1 && r.chance(0.3)) a.reverse();
      else if (a.length > 0 && r.chance(0.3)) a.splice(r.int(a.length), 1);
      else a.push(edgeString(r));
      return true;
    }
    case 'info': {
      const info = v as { k: number; tags: string[]; at: Date | null };
      tags?.add('inplace.record');
      const which = r.int(3);
      if (which === 0) info.k = edgeNumber(r);
      else if (which === 1) info.tags.push(edgeString(r));
      else if (info.at !== null && r.chance(0.5)) {
        tags?.add('inplace.date');
        info.at.setTime(r.pick(TIMES));
      } else info.at = r.chance(0.3) ? null : edgeDate(r);
      return true;
    }
    case 'data': {
      const d = v as {
        grid: number[][];
        bag: Map<string, Set<number>>;
        notes: Record<string, string | null>;
        when: Date | null;
      };
      switch (r.int(4)) {
        case 0:
          tags?.add('inplace.array');
          if (d.grid.length > 0 && r.chance(0.6)) r.pick(d.grid).push(edgeNumber(r));
          else d.grid.push([edgeNumber(r)]);
          return true;
        case 1: {
          tags?.add('inplace.map');
          const bagKeys = [...d.bag.keys()];
          if (bagKeys.length > 0 && r.chance(0.5)) {
            tags?.add('inplace.set');
            d.bag.get(r.pick(bagKeys))!.add(edgeNumber(r));
          } else if (bagKeys.length > 0 && r.chance(0.3)) d.bag.delete(r.pick(bagKeys));
          else d.bag.set(r.pick(MAP_KEYS), new NSet([edgeNumber(r)]));
          return true;
        }
        case 2: {
          tags?.add('inplace.record');
          const names = keys(d.notes);
          if (names.length > 0 && r.chance(0.4)) delete d.notes[r.pick(names)];
          else
            defineProperty(d.notes, r.pick(REC_KEYS), {
              value: edgeString(r),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          return true;
        }
        default:
          if (d.when !== null && r.chance(0.6)) {
            tags?.add('inplace.date');
            d.when.setTime(r.pick(TIMES));
          } else d.when = edgeDate(r);
          return true;
      }
    }
    case 'loose':
      return mutateLoose(v, r, tags, isEntity);
    default:
      return false;
  }
}

/**
 * Whether in-place edits may change objects used as Map keys. Off while that feature is disabled
 * (engine.ts KNOWN_FAILING): a model (a checkout) shares those objects with stored versions
 * (defect D3 b), so even computing the model of such an edit would change stored data.
 */
let editMapKeys = true;
export function allowMapKeyEdits(on: boolean): void {
  editMapKeys = on;
}

/** In place, anywhere inside `loose` (data or containers holding entities; never an entity itself). */
function mutateLoose(v: unknown, r: Rng, tags: Set<string> | undefined, isEntity: (x: unknown) => boolean): boolean {
  if (typeof v !== 'object' || v === null || isEntity(v)) return false;
  const descend = (items: unknown[]): boolean => {
    const inner = items.filter((x) => typeof x === 'object' && x !== null && !isEntity(x));
    return inner.length > 0 && r.chance(0.5) && mutateLoose(r.pick(inner), r, tags, isEntity);
  };
  if (v instanceof NDate) {
    tags?.add('inplace.date');
    v.setTime(r.pick(TIMES));
    return true;
  }
  if (isArray(v)) {
    if (descend(v)) return true;
    tags?.add('inplace.array');
    if (v.length > 1 && r.chance(0.3)) v.reverse();
    else if (v.length > 0 && r.chance(0.3)) v.splice(r.int(v.length), 1);
    else v.splice(r.int(v.length + 1), 0, looseData(r, 1, tags));
    return true;
  }
  if (v instanceof NMap) {
    const mapKeys = [...v.keys()];
    const objectKeys = mapKeys.filter((k) => typeof k === 'object' && k !== null);
    if (editMapKeys && objectKeys.length > 0 && r.chance(0.3)) {
      // An object used as a Map key is data too: changing it changes the value.
      tags?.add('inplace.map-key-object');
      (r.pick(objectKeys) as Record<string, unknown>).key = edgeString(r);
      return true;
    }
    if (descend([...v.values()])) return true;
    tags?.add('inplace.map');
    if (mapKeys.length > 0 && r.chance(0.4)) v.delete(r.pick(mapKeys));
    else v.set(mapKey(r, tags), looseData(r, 1, tags));
    return true;
  }
  if (v instanceof NSet) {
    if (descend([...v])) return true;
    tags?.add('inplace.set');
    const members = [...v];
    if (members.length > 0 && r.chance(0.4)) v.delete(r.pick(members));
    else v.add(looseData(r, 0, tags));
    return true;
  }
  const rec = v as Record<string, unknown>;
  const names = keys(rec);
  if (descend(names.map((k) => rec[k]))) return true;
  tags?.add('inplace.record');
  if (names.length > 0 && r.chance(0.4)) delete rec[r.pick(names)];
  else
    defineProperty(rec, r.pick(REC_KEYS), {
      value: looseData(r, 1, tags),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return true;
}
