/**
 * The container walker (src/metadata/containers.ts): every step on every container kind, checked
 * against a deliberately naive reference (Array.from, Object.entries, spread: no shared code),
 * with `__proto__` keys, FrozenMap/FrozenSet, frozen arrays and records, Set members named by
 * ecsId or position, and cycles (the walker is one level deep; a walk that keeps a `seen` map
 * builds a cyclic copy from copyShell + fillCopy).
 */
import fc from 'fast-check';
import { Entity } from '../../src';
import {
  containerKind,
  copyShell,
  fillCopy,
  findInItems,
  findSetMember,
  forEachItem,
  itemsOf,
  mapItems,
  mapItemsInPlace,
  readItem,
  removeItem,
  replaceItem,
  setMemberNames,
  setOwn,
  type DataContainerKind,
} from '../../src/metadata/containers';
import { ImmutableVersionError } from '../../src/metadata/errors';
import { FrozenDate, FrozenMap, FrozenSet } from '../../src/metadata/frozen-data';
import { metaOf } from '../../src/metadata/object-model';
import { containsEntity } from '../../src/metadata/values';
import { DataDepthError, MAX_DATA_DEPTH } from '../../src';
import { PLeaf } from '../support/models';

const RUNS = Number(process.env.PROP_RUNS ?? 300);

// A model class of the property tests: already in the generated file, so both modes describe it.
const Leaf = PLeaf;

/** A record with an own `__proto__` key (what JSON.parse makes of `{"__proto__": ...}`). */
function protoRecord(value: unknown, proto: object | null = Object.prototype): Record<string, unknown> {
  const r = Object.create(proto) as Record<string, unknown>;
  r.a = 1;
  Object.defineProperty(r, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  r.z = 2;
  return r;
}

// ---- the naive reference ------------------------------------------------------------------------

/** [item, key] of each item, in order, by the plainest means. */
function naiveEntries(c: object): Array<[unknown, unknown]> {
  if (Array.isArray(c)) return Array.from({ length: c.length }, (_, i) => [c[i], i]);
  if (c instanceof Map) return Array.from(c, ([k, v]) => [v, k]);
  if (c instanceof Set) return Array.from(c, (v, i) => [v, i]);
  return Object.entries(c).map(([k, v]) => [v, k]);
}

function naiveKind(v: unknown): DataContainerKind | null {
  if (typeof v !== 'object' || v === null || v instanceof Entity) return null;
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'map';
  if (v instanceof Set) return 'set';
  if (v instanceof Date) return null;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null ? 'record' : null;
}

/** The old `isRecordLike` of callable/type-check, verbatim. */
function oldIsRecordLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof Date) &&
    !(value instanceof Entity) &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  );
}

// ---- random containers --------------------------------------------------------------------------

const leaves = [new Leaf({ label: 'a' }), new Leaf({ label: 'b' }), new Leaf({ label: 'c' })];
const item = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.string({ maxLength: 2 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom(...leaves),
  fc.constant(new Date(5)),
  fc.constant([1, 2]),
);
const recordKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', '$x', '0', '1'),
  fc.string({ maxLength: 3 }),
);

type Built = { kind: DataContainerKind; make: () => object };
const containerArb: fc.Arbitrary<Built> = fc.oneof(
  fc.record({ items: fc.array(item, { maxLength: 6 }), frozen: fc.boolean() }).map(({ items, frozen }) => ({
    kind: 'array' as const,
    make: () => (frozen ? Object.freeze([...items]) : [...items]),
  })),
  fc
    .record({
      entries: fc.array(
        fc.tuple(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 2 }), fc.constant({ k: 1 })), item),
        { maxLength: 6 },
      ),
      frozen: fc.boolean(),
    })
    .map(({ entries, frozen }) => ({
      kind: 'map' as const,
      make: () => (frozen ? new FrozenMap(entries) : new Map(entries)),
    })),
  fc.record({ items: fc.array(item, { maxLength: 6 }), frozen: fc.boolean() }).map(({ items, frozen }) => ({
    kind: 'set' as const,
    make: () => (frozen ? new FrozenSet(items) : new Set(items)),
  })),
  fc
    .record({
      entries: fc.array(fc.tuple(recordKey, item), { maxLength: 6 }),
      nullProto: fc.boolean(),
      frozen: fc.boolean(),
    })
    .map(({ entries, nullProto, frozen }) => ({
      kind: 'record' as const,
      make: () => {
        const r = (nullProto ? Object.create(null) : {}) as Record<string, unknown>;
        for (const [k, v] of entries) setOwn(r, k, v);
        return frozen ? Object.freeze(r) : r;
      },
    })),
);

const isFrozenContainer = (c: object): boolean =>
  c instanceof FrozenMap || c instanceof FrozenSet || Object.isFrozen(c);

/** The mutable kind of container a copy of `c` is. */
function sameKind(copy: object, c: object): boolean {
  if (Array.isArray(c)) return Array.isArray(copy) && Object.getPrototypeOf(copy) === Array.prototype;
  if (c instanceof Map) return Object.getPrototypeOf(copy) === Map.prototype;
  if (c instanceof Set) return Object.getPrototypeOf(copy) === Set.prototype;
  return Object.getPrototypeOf(copy) === Object.getPrototypeOf(c);
}

describe('containerKind', () => {
  test('every kind; Frozen containers are Maps and Sets; entities, Dates and primitives are none', () => {
    expect(containerKind([])).toBe('array');
    expect(containerKind(Object.freeze([1]))).toBe('array');
    expect(containerKind(new (class Sub extends Array {})())).toBe('array');
    expect(containerKind(new Map())).toBe('map');
    expect(containerKind(new FrozenMap([]))).toBe('map');
    expect(containerKind(new Set())).toBe('set');
    expect(containerKind(new FrozenSet([]))).toBe('set');
    expect(containerKind({})).toBe('record');
    expect(containerKind(Object.create(null))).toBe('record');
    expect(containerKind(protoRecord(1))).toBe('record');
    for (const v of [new Date(), new FrozenDate(1), leaves[0], null, undefined, 1, 'x', 1n, Symbol('s'), () => 1]) {
      expect(containerKind(v)).toBeNull();
      expect(containerKind(v, 'any')).toBeNull();
    }
  });

  test("other objects are records only with 'any'", () => {
    class Thing {
      x = 1;
    }
    for (const v of [new Thing(), /re/, new Error('e'), Object.setPrototypeOf({}, new Thing())]) {
      expect(containerKind(v)).toBeNull();
      expect(containerKind(v, 'any')).toBe('record');
    }
  });

  test("containerKind(v) === 'record' is the old isRecordLike, and the kinds match the naive ones", () => {
    const anything = fc.oneof(
      containerArb.map((b) => b.make()),
      item,
      fc.constantFrom(new Date(), /re/, new (class X {})(), Object.setPrototypeOf({}, { p: 1 }), new FrozenDate(0)),
    );
    fc.assert(
      fc.property(anything, (v) => {
        expect(containerKind(v) === 'record').toBe(oldIsRecordLike(v));
        expect(containerKind(v)).toBe(naiveKind(v));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('reading: forEachItem, findInItems, itemsOf', () => {
  test('visit the naive entries in order, for every kind (FrozenMap/FrozenSet, frozen, __proto__ keys)', () => {
    fc.assert(
      fc.property(containerArb, fc.nat(8), ({ kind, make }, stopAt) => {
        const c = make();
        expect(containerKind(c)).toBe(kind);
        const expected = naiveEntries(c);

        const seen: Array<[unknown, unknown]> = [];
        forEachItem(c, kind, (v, k) => seen.push([v, k]));
        expect(seen).toEqual(expected);
        seen.forEach(([v], i) => expect(v).toBe(expected[i][0]));

        const visited: unknown[] = [];
        const found = findInItems(c, kind, (v, k) => {
          visited.push(k);
          return visited.length - 1 === stopAt ? { v, k } : undefined;
        });
        if (stopAt < expected.length) {
          expect(found).toEqual({ v: expected[stopAt][0], k: expected[stopAt][1] });
          expect(visited).toEqual(expected.slice(0, stopAt + 1).map((e) => e[1]));
        } else {
          expect(found).toBeUndefined();
          expect(visited).toEqual(expected.map((e) => e[1]));
        }

        const items = itemsOf(c, kind);
        expect(items).toEqual(expected.map((e) => e[0]));
        if (kind === 'array') expect(items).toBe(c);
      }),
      { numRuns: RUNS },
    );
  });

  test('a hole reads as undefined; Map keys are not items', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3];
    expect(itemsOf(holey, 'array')).toBe(holey);
    const seen: unknown[] = [];
    forEachItem(holey, 'array', (v, i) => seen.push(i, v));
    expect(seen).toEqual([0, 1, 1, undefined, 2, 3]);
    expect(itemsOf(new Map([[{ key: 1 }, 'v']]), 'map')).toEqual(['v']);
  });

  test('findInItems stops on the first result that is not undefined (null and false count)', () => {
    const calls: number[] = [];
    expect(
      findInItems([0, 1, 2], 'array', (v) => {
        calls.push(v as number);
        return v === 1 ? false : undefined;
      }),
    ).toBe(false);
    expect(calls).toEqual([0, 1]);
    expect(findInItems(new Set(['a']), 'set', () => null)).toBeNull();
  });
});

describe('copying: mapItems, copyShell + fillCopy', () => {
  test('a mutable copy of the same kind, items mapped in order, the source untouched', () => {
    fc.assert(
      fc.property(
        containerArb,
        fc.boolean(),
        fc.constantFrom<'source' | 'object' | undefined>(undefined, 'source', 'object'),
        ({ kind, make }, mapKeys, recordPrototype) => {
          const c = make();
          const before = naiveEntries(c);
          const keyCalls: unknown[] = [];
          const options = {
            recordPrototype,
            mapKey: mapKeys
              ? (k: unknown): unknown => {
                  keyCalls.push(k);
                  return typeof k === 'number' ? k + 100 : k;
                }
              : undefined,
          };
          const copy = mapItems(c, kind, (v, k) => ({ v, k }), options) as object;
          expect(copy).not.toBe(c);
          expect(Object.isFrozen(copy)).toBe(false);
          expect(copy instanceof FrozenMap || copy instanceof FrozenSet).toBe(false);
          if (kind === 'record' && recordPrototype === 'object')
            expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
          else expect(sameKind(copy, c)).toBe(true);
          expect(naiveEntries(c)).toEqual(before);

          const mapped = before.map(([v, k]) => [
            { v, k },
            kind === 'map' && mapKeys && typeof k === 'number' ? k + 100 : k,
          ]);
          if (kind === 'set') expect([...(copy as Set<unknown>)]).toEqual(mapped.map((e) => e[0]));
          else if (kind === 'map' && mapKeys) {
            expect(keyCalls).toEqual(before.map((e) => e[1]));
            // Mapped keys may collide (a later entry wins, as Map.set does).
            expect(copy).toEqual(new Map(mapped.map(([v, k]) => [k, v])));
          } else expect(naiveEntries(copy)).toEqual(mapped);
          if (kind === 'record')
            for (const [, k] of before) expect(Object.prototype.hasOwnProperty.call(copy, k as string)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('a __proto__ key is copied as an own key, never as the prototype', () => {
    for (const proto of [Object.prototype, null]) {
      const source = protoRecord({ evil: true }, proto);
      const copy = mapItems(source, 'record', (v) => v);
      expect(Object.getPrototypeOf(copy)).toBe(proto);
      expect(Object.keys(copy)).toEqual(['a', '__proto__', 'z']);
      expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ evil: true });
      expect((copy as { evil?: unknown }).evil).toBeUndefined();
    }
    const plain = mapItems(protoRecord(1, null), 'record', (v) => v, { recordPrototype: 'object' });
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['a', '__proto__', 'z']);
  });

  test('copyShell: an empty mutable container (an array of the same length), never frozen', () => {
    const arr = copyShell(Object.freeze([1, 2, 3]), 'array');
    expect(arr).toHaveLength(3);
    expect(Object.isFrozen(arr)).toBe(false);
    expect(0 in arr).toBe(false);
    const m = copyShell(new FrozenMap([[1, 2]]), 'map');
    expect(Object.getPrototypeOf(m)).toBe(Map.prototype);
    expect(m.size).toBe(0);
    m.set(1, 1); // mutable
    expect(Object.getPrototypeOf(copyShell(new FrozenSet([1]), 'set'))).toBe(Set.prototype);
    expect(Object.getPrototypeOf(copyShell(Object.create(null), 'record'))).toBeNull();
  });

  test('cycles: copyShell + fillCopy with a map of copies make a copy with the same shape', () => {
    // As rebuildResult does it: the copy is known before it is filled.
    const deepCopy = (value: unknown): unknown => {
      const copies = new Map<object, object>();
      const pending: Array<[object, DataContainerKind, object]> = [];
      const copyOf = (v: unknown): unknown => {
        const kind = containerKind(v);
        if (kind === null) return v;
        let copy = copies.get(v as object);
        if (copy === undefined) {
          copy = copyShell(v as object, kind, { recordPrototype: 'object' }) as object;
          copies.set(v as object, copy);
          pending.push([v as object, kind, copy]);
        }
        return copy;
      };
      const result = copyOf(value);
      while (pending.length > 0) {
        const [source, kind, copy] = pending.pop()!;
        fillCopy(source, kind, copy as never, copyOf);
      }
      return result;
    };
    const arr: unknown[] = [1];
    const map = new Map<unknown, unknown>([['arr', arr]]);
    const set = new Set<unknown>([map]);
    const rec: Record<string, unknown> = { set };
    arr.push(arr, rec);
    map.set('self', map);
    set.add(set);
    rec.rec = rec;
    const c = deepCopy(arr) as unknown[];
    expect(c).not.toBe(arr);
    expect(c[1]).toBe(c);
    const cr = c[2] as Record<string, unknown>;
    expect(cr.rec).toBe(cr);
    const cs = cr.set as Set<unknown>;
    expect(cs.has(cs)).toBe(true);
    const cm = [...cs][0] as Map<string, unknown>;
    expect(cm.get('self')).toBe(cm);
    expect(cm.get('arr')).toBe(c);
    // One level only: a cyclic container is its own item, visited once.
    const items: unknown[] = [];
    forEachItem(arr, 'array', (v) => items.push(v));
    expect(items).toEqual([1, arr, rec]);
  });
});

describe('changing in place: mapItemsInPlace', () => {
  test('every item replaced in order, the container kept (Set order kept; equal results merge)', () => {
    fc.assert(
      fc.property(containerArb, ({ kind, make }) => {
        const c = make();
        const before = naiveEntries(c);
        const f = (v: unknown, k: unknown): unknown =>
          typeof v === 'number' ? v * 2 : Array.isArray(v) ? 'arr' : [v, k];
        if (isFrozenContainer(c)) {
          if (before.length > 0)
            expect(() => mapItemsInPlace(c, kind, f)).toThrow(
              c instanceof FrozenMap || c instanceof FrozenSet ? ImmutableVersionError : TypeError,
            );
          return;
        }
        expect(mapItemsInPlace(c, kind, f)).toBe(c);
        const expected = before.map(([v, k]) => [f(v, k), k] as [unknown, unknown]);
        if (kind === 'set') expect([...(c as Set<unknown>)]).toEqual([...new Set(expected.map((e) => e[0]))]);
        else expect(naiveEntries(c)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  test('an own __proto__ key stays a key', () => {
    const r = protoRecord(1);
    mapItemsInPlace(r, 'record', (v) => (v as number) + 10);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(r, '__proto__')?.value).toBe(11);
    expect(Object.keys(r)).toEqual(['a', '__proto__', 'z']);
  });
});

describe('one segment: readItem, replaceItem, removeItem, findSetMember', () => {
  test('read, replace and remove the item a key names, the others kept in order', () => {
    fc.assert(
      fc.property(
        containerArb.filter((b) => b.kind !== 'set'),
        fc.nat(),
        ({ kind, make }, pick) => {
          const c = make();
          const before = naiveEntries(c);
          if (before.length === 0 || isFrozenContainer(c)) return;
          const at = pick % before.length;
          const key = before[at][1];
          expect(readItem(c, kind, key as never)).toBe(before[at][0]);

          const marker = { marker: true };
          replaceItem(c, kind, key as never, marker);
          expect(readItem(c, kind, key as never)).toBe(marker);
          expect(naiveEntries(c)).toEqual(before.map((e, i) => (i === at ? [marker, e[1]] : e)));

          removeItem(c, kind, key as never);
          const rest = before.filter((_, i) => i !== at);
          // An array's later items move up (their index is their key).
          expect(naiveEntries(c)).toEqual(kind === 'array' ? rest.map(([v], i) => [v, i]) : rest);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('records: own keys only; __proto__ read, written and removed as a key', () => {
    const r = protoRecord('p');
    expect(readItem(r, 'record', '__proto__')).toBe('p');
    expect(readItem({}, 'record', 'toString')).toBeUndefined();
    expect(readItem({}, 'record', '__proto__')).toBeUndefined();
    const fresh: Record<string, unknown> = {};
    replaceItem(fresh, 'record', '__proto__', { evil: true });
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
    expect(Object.keys(fresh)).toEqual(['__proto__']);
    removeItem(fresh, 'record', '__proto__');
    expect(Object.keys(fresh)).toEqual([]);
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
  });

  test('arrays: the length appends', () => {
    const a = [1, 2];
    replaceItem(a, 'array', 2, 3);
    expect(a).toEqual([1, 2, 3]);
  });

  test('Set members: an entity by its ecsId, any other member by its position', () => {
    const [x, y] = leaves;
    const data = { d: 1 };
    const s = new Set<unknown>([x, 'str', y, data]);
    const idX = metaOf(x).ecsId;
    const idY = metaOf(y).ecsId;
    expect(setMemberNames(s)).toEqual([idX, '1', idY, '3']);
    expect(findSetMember(s, idY)).toEqual({ found: true, value: y });
    expect(findSetMember(s, 3)).toEqual({ found: true, value: data });
    expect(findSetMember(s, 1)).toEqual({ found: true, value: 'str' });
    expect(findSetMember(s, 0)).toEqual({ found: false }); // a position never names an entity
    expect(findSetMember(s, 'str')).toEqual({ found: false }); // nor a string anything but an entity
    expect(readItem(s, 'set', idX)).toBe(x);
    expect(readItem(s, 'set', 9)).toBeUndefined();

    const z = leaves[2];
    replaceItem(s, 'set', idX, z); // in place: the order is kept
    expect([...s]).toEqual([z, 'str', y, data]);
    replaceItem(s, 'set', 'no such id', 0);
    expect([...s]).toEqual([z, 'str', y, data]);
    removeItem(s, 'set', idY);
    removeItem(s, 'set', 1);
    expect([...s]).toEqual([z, data]);

    const frozen = new FrozenSet([x]);
    expect(readItem(frozen, 'set', idX)).toBe(x);
    expect(() => removeItem(frozen, 'set', idX)).toThrow(ImmutableVersionError);
    expect(() => replaceItem(new FrozenMap([[1, 1]]), 'map', 1, 2)).toThrow(ImmutableVersionError);
  });
});

describe('values.ts on the walker', () => {
  test('containsEntity: any depth up to MAX_DATA_DEPTH, Map values not keys, every kind', () => {
    let v: unknown = leaves[0];
    for (let i = 0; i < MAX_DATA_DEPTH; i++)
      v = i % 4 === 0 ? [v] : i % 4 === 1 ? new Map([['k', v]]) : i % 4 === 2 ? new Set([v]) : { k: v };
    expect(containsEntity(v)).toBe(true);
    expect(() => containsEntity([v])).toThrow(DataDepthError);
    expect(containsEntity(new Map([[leaves[0], 1]]))).toBe(false);
    expect(containsEntity(new FrozenSet([1, new FrozenMap([[1, leaves[1]]])]))).toBe(true);
    expect(containsEntity(protoRecord(leaves[0]))).toBe(true);
    expect(containsEntity({ d: new Date(), n: null, a: [1, 'x'] })).toBe(false);
    class Thing {
      e = leaves[0];
    }
    expect(containsEntity(new Thing())).toBe(true); // any object is looked into
  });
});
