/**
 * What a stored version may hold (SPEC §1, §4): nothing reachable from it is mutable (Map keys
 * included, no prototype a caller controls), values outside the data kinds are refused when they
 * would be stored, and deep or cyclic data either works or ends in a typed error. Every refusal
 * leaves the registry exactly as it was.
 */
import {
  AbstractionsError,
  CallableRegistry,
  DataCycleError,
  DataDepthError,
  Entity,
  EntityRegistry,
  FieldPathError,
  MAX_DATA_DEPTH,
  TreeStructureError,
  UnsupportedValueError,
  entity,
  get,
  put,
} from '../../src';
import { snapshot } from '../support/naive';

/** Any container (the code generator needs a type that says so): walked and frozen generically in both modes. */
type AnyData = Record<string, unknown> | unknown[] | Map<unknown, unknown> | Set<unknown> | null;

@entity()
class Profile extends Entity {
  name = '';
  prefs: Record<string, unknown> = {};
  tags: Map<object, string> = new Map();
  scores: number[] = [];
  value: AnyData = null;
}

@entity()
class Chain extends Entity {
  n = 0;
  next?: Chain = undefined;
}

@entity()
class Holder extends Entity {
  items: Profile[] = [];
}

@entity()
class Twig extends Entity {
  name = '';
  kids: Twig[] = [];
}

let reg: EntityRegistry;
let calls: CallableRegistry;
beforeEach(() => {
  reg = new EntityRegistry();
  calls = new CallableRegistry({ entities: reg });
});

/** What the registry holds, to compare before and after a refused operation. */
function state(): string {
  const latest = [...reg.rootsOfType(Entity)].map((r) => [r.ecsId, reg.lineage(r.lineageId)]);
  return JSON.stringify({ stats: reg.stats, latest });
}

/** Runs `f`, expects it to throw `type`, and the registry to be unchanged. */
function refused<E extends Error>(type: new (...args: never[]) => E, f: () => unknown): E {
  const before = state();
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(AbstractionsError);
  expect(state()).toBe(before);
  return error as E;
}

function stored(p: Profile): Profile {
  reg.promoteToRoot(p);
  return reg.getStoredEntity<Profile>(p.ecsId);
}

describe('D3: nothing reachable from a stored version is mutable', () => {
  test.each(['__proto__', 'constructor', 'prototype'])(
    'put never writes through %s (FieldPathError naming the segment)',
    (segment) => {
      const v1 = stored(new Profile({ prefs: { theme: 'dark', inner: { a: 1 } } }));
      const snap = snapshot(v1);
      for (const path of [`prefs.${segment}`, `prefs.inner.${segment}`, `prefs.${segment}.x`]) {
        for (const value of [{ role: 'admin' }, []]) {
          const e = refused(FieldPathError, () => put(`@${v1.ecsId}.${path}`, value, reg));
          expect(e.segment).toBe(segment);
          expect(e.message).toContain(segment);
        }
      }
      expect(snapshot(v1)).toEqual(snap);
      expect(Object.getPrototypeOf(v1.prefs)).toBe(Object.prototype);
    },
  );

  test('a prototype set inside a function is refused when stored; the failed record is kept', () => {
    const v1 = stored(new Profile({ prefs: { theme: 'dark' } }));
    calls.register('set_proto', ({ p }: { p: Profile }) => {
      Object.setPrototypeOf(p.prefs, { role: 'admin' });
      return p;
    });
    const e = refused(UnsupportedValueError, () => calls.execute<unknown>('set_proto', { p: v1 }));
    expect(e).toMatchObject({ className: 'Profile', fieldPath: 'prefs', kind: 'object with a custom prototype' });
    expect(calls.executions().at(-1)).toMatchObject({ functionName: 'set_proto', status: 'failed' });
  });

  test('object Map keys are copied and frozen when stored: the caller keeps its key, the store its own', () => {
    const key = { id: 1, nested: { deep: [1] } };
    const p = new Profile({ tags: new Map([[key, 'first']]) });
    const v1 = stored(p);
    const [storedKey] = [...v1.tags.keys()] as Array<typeof key>;
    expect(storedKey).not.toBe(key);
    expect(storedKey).toEqual(key);
    expect(
      Object.isFrozen(storedKey) && Object.isFrozen(storedKey.nested) && Object.isFrozen(storedKey.nested.deep),
    ).toBe(true);
    key.id = 2; // the caller's object is not part of the stored version
    expect(storedKey.id).toBe(1);
    expect(() => {
      storedKey.id = 99;
    }).toThrow(TypeError);
    expect(storedKey.id).toBe(1);
  });

  test('a function gets copies of object Map keys: editing one writes a new version, the stored one is unchanged', () => {
    const v1 = stored(new Profile({ tags: new Map([[{ id: 1 }, 'first']]) }));
    const snap = snapshot(v1);
    calls.register('edit_key', ({ prof }: { prof: Profile }) => {
      ([...prof.tags.keys()][0] as { id: number }).id = 99;
      return prof;
    });
    const v2 = calls.execute<Profile>('edit_key', { prof: v1 });
    expect(v2).not.toBe(v1);
    expect([...v2.tags.keys()]).toEqual([{ id: 99 }]);
    expect([...v1.tags.keys()]).toEqual([{ id: 1 }]);
    expect(snapshot(v1)).toEqual(snap);
    expect(reg.lineage(v1.lineageId)).toHaveLength(2);
  });

  test('object Map keys compare as data: a checkout or an equal key is no change; reads hand out copies', () => {
    const p = new Profile({ tags: new Map([[{ id: 1 }, 'first']]) });
    const v1 = stored(p);
    expect(reg.version(p).created).toBe(false); // the working tree's own key against the stored copy
    const working = reg.checkout<Profile>(v1.ecsId);
    const [workingKey] = [...working.tags.keys()];
    expect(workingKey).not.toBe([...v1.tags.keys()][0]);
    expect(Object.isFrozen(workingKey)).toBe(false);
    expect(reg.version(working).created).toBe(false);
    working.tags = new Map([[{ id: 1 }, 'first']]);
    expect(reg.version(working).created).toBe(false);
    const read = get<Map<{ id: number }, string>>(`@${v1.ecsId}.tags`, reg);
    const [readKey] = [...read.keys()];
    readKey.id = 5;
    expect([...v1.tags.keys()]).toEqual([{ id: 1 }]);
    working.tags = new Map([[{ id: 2 }, 'first']]);
    expect(reg.version(working).created).toBe(true);
  });

  test('an entity is no Map key (UnsupportedValueError); entities as Map values are fine', () => {
    const child = new Profile({ name: 'child' });
    const e = refused(UnsupportedValueError, () => reg.promoteToRoot(new Profile({ tags: new Map([[child, 'x']]) })));
    expect(e).toMatchObject({ className: 'Profile', kind: 'entity in a Map key' });
    const inKey = refused(UnsupportedValueError, () =>
      reg.promoteToRoot(new Profile({ tags: new Map([[{ owner: new Profile() }, 'x']]) })),
    );
    expect(inKey.kind).toBe('entity in a Map key');
    const ok = new Profile({ value: new Map([['k', new Profile({ name: 'in map' })]]) });
    reg.promoteToRoot(ok);
    expect(reg.getStoredTree(ok.ecsId).nodeCount).toBe(2);
  });
});

describe('D4: values outside the data kinds are refused when they would be stored', () => {
  class Money {
    #cents: number;
    constructor(cents: number) {
      this.#cents = cents;
    }
    get cents(): number {
      return this.#cents;
    }
  }
  class Point {
    x = 1;
  }
  class Tagged extends Array<number> {}
  const kinds: Array<[string, () => unknown, string]> = [
    ['a class instance with a private field', () => new Money(500), 'Money'],
    ['a plain class instance', () => new Point(), 'Point'],
    ['a String object', () => new String('x'), 'String object'],
    ['a Number object', () => new Number(1), 'Number object'],
    ['a Boolean object', () => new Boolean(true), 'Boolean object'],
    ['a RegExp', () => /x/g, 'RegExp'],
    ['a typed array', () => new Uint8Array(2), 'Uint8Array'],
    ['an ArrayBuffer', () => new ArrayBuffer(2), 'ArrayBuffer'],
    ['a WeakMap', () => new WeakMap(), 'WeakMap'],
    ['a WeakSet', () => new WeakSet(), 'WeakSet'],
    ['an Error', () => new Error('x'), 'Error'],
    ['a Promise', () => Promise.resolve(1), 'Promise'],
    ['a function', () => () => 1, 'function'],
    ['a symbol', () => Symbol('s'), 'symbol'],
    ['an Array subclass', () => Tagged.from([1]), 'Tagged (an Array subclass)'],
  ];

  test.each(kinds)('%s: promoteToRoot names class, field path and kind', (_label, make, kind) => {
    for (const [value, path] of [
      [make(), 'value'],
      [{ a: [1, { b: make() }] }, 'value.a[1].b'],
      [new Map([['k', make()]]), 'value.k'],
      [new Set([1, make()]), 'value[1]'],
    ] as Array<[unknown, string]>) {
      const e = refused(UnsupportedValueError, () => reg.promoteToRoot(new Profile({ value: value as AnyData })));
      expect(e).toMatchObject({ className: 'Profile', fieldPath: path, kind });
      expect(e.message).toContain(`Profile.${path}`);
    }
  });

  test('version() of a working tree refuses it and leaves the registry and the working ids as they were', () => {
    const p = new Profile({ name: 'a' });
    reg.promoteToRoot(p);
    const id = p.ecsId;
    p.value = { re: /x/ };
    const e = refused(UnsupportedValueError, () => reg.version(p));
    expect(e).toMatchObject({ className: 'Profile', fieldPath: 'value.re', kind: 'RegExp' });
    expect(p.ecsId).toBe(id);
  });

  test('inside a function (also in a primitive array): refused, nothing published, the failed record kept', () => {
    const root = new Holder({ items: [new Profile({ name: 'x' })] });
    reg.promoteToRoot(root);
    const v1 = reg.getStoredEntity<Holder>(root.ecsId);
    const snap = snapshot(v1);
    calls.register('store_bad', ({ h }: { h: Holder }) => {
      h.items[0].value = new Money(1) as never;
      return h;
    });
    calls.register('push_function', ({ h }: { h: Holder }) => {
      (h.items[0].scores as unknown[]).push(() => 1);
      return h;
    });
    calls.register('new_bad', ({ h }: { h: Holder }) => {
      h.items.push(new Profile({ name: 'new' }));
      return [h, new Profile({ value: Symbol('s') as never })];
    });
    expect(refused(UnsupportedValueError, () => calls.execute<unknown>('store_bad', { h: v1 }))).toMatchObject({
      className: 'Profile',
      fieldPath: 'value',
      kind: 'Money',
    });
    expect(refused(UnsupportedValueError, () => calls.execute<unknown>('push_function', { h: v1 }))).toMatchObject({
      className: 'Profile',
      fieldPath: 'scores[0]',
      kind: 'function',
    });
    // Both outputs are prepared before either is published: the valid one is not stored either.
    expect(refused(UnsupportedValueError, () => calls.execute<unknown>('new_bad', { h: v1 }))).toMatchObject({
      className: 'Profile',
      fieldPath: 'value',
      kind: 'symbol',
    });
    expect(calls.executions().map((r) => [r.functionName, r.status])).toEqual([
      ['store_bad', 'failed'],
      ['push_function', 'failed'],
      ['new_bad', 'failed'],
    ]);
    expect(snapshot(v1)).toEqual(snap);
  });

  test('arguments that are not field data still reach the function as they are (recorded as given)', () => {
    const money = new Money(250);
    const callback = (): number => 1;
    calls.register('pay', ({ opts }: { opts: { m: Money; cb: () => number } }) => opts.m.cents + opts.cb());
    expect(calls.execute<unknown>('pay', { opts: { m: money, cb: callback } })).toBe(251);
    expect(calls.executions().at(-1)!.inputs.values).toEqual({ opts: { m: money, cb: callback } });
  });

  test('put refuses it with the address path, and stores field data', () => {
    const v1 = stored(new Profile({ prefs: { a: 1 } }));
    expect(
      refused(UnsupportedValueError, () => put(`@${v1.ecsId}.prefs.b`, { when: new Uint8Array(1) }, reg)),
    ).toMatchObject({
      className: 'Profile',
      fieldPath: 'prefs.b.when',
      kind: 'Uint8Array',
    });
    expect(refused(UnsupportedValueError, () => put(`@${v1.ecsId}.value`, () => 1, reg)).kind).toBe('function');
    const v2 = put<Profile>(
      `@${v1.ecsId}.prefs.b`,
      { when: new Date(5), list: [1n, null, undefined], m: new Map([[1, new Set(['x'])]]) },
      reg,
    );
    expect(get(`@${v2.ecsId}.prefs.b`, reg)).toEqual({
      when: new Date(5),
      list: [1n, null, undefined],
      m: new Map([[1, new Set(['x'])]]),
    });
  });
});

describe('D12, D13: deep and cyclic structures work or end in a typed error', () => {
  const DEPTH = 10_000;

  function chain(depth: number): Chain {
    const root = new Chain({ n: 0 });
    let cur = root;
    for (let i = 1; i <= depth; i++) {
      const next = new Chain({ n: i });
      cur.next = next;
      cur = next;
    }
    return root;
  }
  function last(c: Chain): { node: Chain; levels: number } {
    let levels = 0;
    while (c.next) {
      c = c.next;
      levels++;
    }
    return { node: c, levels };
  }

  test(`an entity chain of ${DEPTH} levels: promoteToRoot, checkout, get, put and execute work`, () => {
    const root = chain(DEPTH);
    reg.promoteToRoot(root);
    expect(reg.getStoredTree(root.ecsId).maxDepth).toBe(DEPTH);
    const working = reg.checkout<Chain>(root.ecsId);
    expect(last(working)).toMatchObject({ levels: DEPTH, node: { n: DEPTH } });
    const read = get<Chain>(`@${root.ecsId}`, reg);
    expect(last(read).levels).toBe(DEPTH);
    const deepest = last(reg.getStoredEntity<Chain>(root.ecsId)).node;
    const afterPut = put<Chain>(`@${deepest.ecsId}.n`, -1, reg);
    expect(afterPut.n).toBe(-1);
    calls.register('bump_deepest', ({ c }: { c: Chain }) => {
      last(c).node.n += 1000;
      return c;
    });
    const v3 = calls.execute<Chain>('bump_deepest', { c: reg.latest<Chain>(root.lineageId)! });
    expect(last(v3)).toMatchObject({ levels: DEPTH, node: { n: 999 } });
    // Every entity on the way forked: one new version per level, the old ones unchanged.
    expect(reg.lineage(root.lineageId)).toHaveLength(3);
    expect(last(reg.getStoredEntity<Chain>(root.ecsId)).node.n).toBe(DEPTH);
  });

  test(`data nested ${MAX_DATA_DEPTH} levels is stored and read back; deeper is a DataDepthError naming the depth`, () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    const p = new Profile({ value: nest(MAX_DATA_DEPTH) as AnyData });
    const v1 = stored(p);
    const depthOf = (v: unknown): number => {
      let n = 0;
      for (; Array.isArray(v); v = v[0]) n++;
      return n;
    };
    expect(depthOf(v1.value)).toBe(MAX_DATA_DEPTH);
    expect(depthOf(reg.checkout<Profile>(v1.ecsId).value)).toBe(MAX_DATA_DEPTH);
    expect(depthOf(get(`@${v1.ecsId}.value`, reg))).toBe(MAX_DATA_DEPTH);
    for (const levels of [MAX_DATA_DEPTH + 1, DEPTH]) {
      const e = refused(DataDepthError, () => reg.promoteToRoot(new Profile({ value: nest(levels) as AnyData })));
      expect(e).toMatchObject({ className: 'Profile', depth: MAX_DATA_DEPTH, kind: 'data nested too deep' });
      expect(e.fieldPath).toBe(`value${'[0]'.repeat(MAX_DATA_DEPTH)}`);
      expect(e.message).toContain(String(MAX_DATA_DEPTH));
    }
    expect(refused(DataDepthError, () => put(`@${v1.ecsId}.prefs.x`, nest(DEPTH), reg)).className).toBe('Profile');
    const working = reg.checkout<Profile>(v1.ecsId);
    working.value = nest(DEPTH) as AnyData;
    refused(DataDepthError, () => reg.version(working));
    calls.register('deepen', ({ p: q }: { p: Profile }) => {
      q.scores = nest(DEPTH) as number[];
      return q;
    });
    expect(refused(DataDepthError, () => calls.execute<unknown>('deepen', { p: v1 })).fieldPath).toMatch(
      /^scores\[0\]/,
    );
    expect(calls.executions().at(-1)!.status).toBe('failed');
  });

  test('cyclic plain data is a DataCycleError (a TreeStructureError) with both paths', () => {
    const obj: Record<string, unknown> = { a: 1 };
    obj.self = obj;
    const arr: unknown[] = [];
    arr.push([arr]);
    const map = new Map<string, unknown>();
    map.set('me', { again: map });
    const set = new Set<unknown>();
    set.add([set]);
    for (const [value, first, second] of [
      [obj, 'Profile.value', 'Profile.value.self'],
      [{ x: [obj] }, 'Profile.value.x[0]', 'Profile.value.x[0].self'],
      [arr, 'Profile.value', 'Profile.value[0][0]'],
      [map, 'Profile.value', 'Profile.value.me.again'],
      [set, 'Profile.value', 'Profile.value[0][0]'],
    ] as Array<[unknown, string, string]>) {
      const e = refused(DataCycleError, () => reg.promoteToRoot(new Profile({ value: value as AnyData })));
      expect(e).toBeInstanceOf(TreeStructureError);
      expect(e).toMatchObject({ className: 'Profile', firstPath: first, secondPath: second });
      expect(e.message).toContain('cycle');
    }
    const v1 = stored(new Profile());
    expect(refused(DataCycleError, () => put(`@${v1.ecsId}.prefs`, { loop: obj }, reg))).toMatchObject({
      firstPath: 'Profile.prefs.loop',
      secondPath: 'Profile.prefs.loop.self',
    });
    calls.register('make_cycle', ({ p }: { p: Profile }) => {
      p.prefs.back = p.prefs;
      return p;
    });
    expect(refused(DataCycleError, () => calls.execute<unknown>('make_cycle', { p: v1 }))).toMatchObject({
      className: 'Profile',
      fieldPath: 'prefs',
      secondPath: 'Profile.prefs.back',
    });
  });

  test('D12: an entity made part of an unreachable cycle inside a function is a TreeStructureError naming the cycle', () => {
    const r = new Twig({
      name: 'R',
      kids: [new Twig({ name: 'X', kids: [new Twig({ name: 'Y' })] }), new Twig({ name: 'Z' })],
    });
    reg.promoteToRoot(r);
    const v1 = reg.getStoredEntity<Twig>(r.ecsId);
    const snap = snapshot(v1);
    calls.register('island_cycle', ({ r: root }: { r: Twig }) => {
      const [moved] = root.kids.splice(0, 1);
      moved.kids[0].kids.push(moved);
      return root;
    });
    const e = refused(TreeStructureError, () => calls.execute<unknown>('island_cycle', { r: v1 }));
    expect(e.message).toContain('a cycle');
    expect(e).toMatchObject({ firstPath: 'Twig', secondPath: 'Twig.kids[0].kids[0]' });
    expect(calls.executions().at(-1)!.status).toBe('failed');
    expect(snapshot(v1)).toEqual(snap);
  });
});
