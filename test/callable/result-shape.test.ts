/**
 * callable/result-shape.ts: which entities a result returns (at any depth of arrays, plain
 * objects, Maps and Sets) and its shape, the result handed back with each entity replaced by its
 * stored version, and the attribute sources of returned entities.
 */
import fc from 'fast-check';
import { ResultError, ReturnTypeError } from '../../src';
import type { EntityObject } from '../../src/metadata/object-model';
import { isEntityObject } from '../../src/metadata/object-model';
import type { AddressUse } from '../../src/callable/bound-call';
import { attributeSources, readResult, storedResult } from '../../src/callable/result-shape';
import { toShape } from '../../src/metadata/type-spec';
import type { ExecutionOutput } from '../../src/store/commit-execution';
import { PpBox, PpItem, eo } from '../support/pipeline';

const item = (name = 'i'): PpItem => new PpItem({ name });

describe('readResult', () => {
  test('no entity: shape none, no outputs', () => {
    for (const v of [undefined, null, 3, 'x', [], [1, 'a'], { a: 1 }, new Map([[1, 2]]), [[]], new Date(0)]) {
      expect(readResult('f', null, v)).toEqual({ shape: 'none', outputs: [] });
    }
  });

  test('one entity: shape entity', () => {
    const a = item();
    const r = readResult('f', null, a);
    expect(r.shape).toBe('entity');
    expect(r.outputs).toHaveLength(1);
    expect(r.outputs[0]).toBe(a);
  });

  test('a flat array: shape array, its entities in order (primitives skipped, repeats kept)', () => {
    const [a, b] = [item('a'), item('b')];
    const r = readResult('f', null, [a, 1, b, null, a]);
    expect(r.shape).toBe('array');
    expect(r.outputs).toHaveLength(3);
    expect(r.outputs[0]).toBe(a);
    expect(r.outputs[1]).toBe(b);
    expect(r.outputs[2]).toBe(a);
  });

  test('nested containers: shape nested, entities in order of appearance at any depth', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item);
    const r = readResult('f', null, { first: [a, { deep: new Map([['k', b]]) }], then: new Set([c]), last: d });
    expect(r.shape).toBe('nested');
    expect(r.outputs.map((e) => (e as unknown as PpItem).name)).toEqual(['a', 'b', 'c', 'd']);
    const arr = readResult('f', null, [a, [b]]);
    expect(arr.shape).toBe('nested');
    expect(arr.outputs.map((e) => (e as unknown as PpItem).name)).toEqual(['a', 'b']);
  });

  test('a container met twice is read once; a cycle terminates', () => {
    const a = item('a');
    const shared = [a];
    expect(readResult('f', null, { x: shared, y: shared }).outputs).toHaveLength(1);
    const cyclic: Record<string, unknown> = { a };
    cyclic.self = cyclic;
    expect(readResult('f', null, cyclic).outputs).toEqual([a]);
  });

  test('class instances that are not data are not looked into', () => {
    class Holder {
      constructor(readonly e: PpItem) {}
    }
    expect(readResult('f', null, { h: new Holder(item()) })).toEqual({ shape: 'none', outputs: [] });
  });

  test('checks the declared result type', () => {
    const a = item();
    expect(readResult('f', toShape(PpItem), a).outputs).toEqual([a]);
    expect(() => readResult('f', toShape(PpItem), 3)).toThrow(ReturnTypeError);
    expect(() => readResult('f', toShape(PpItem), 3)).toThrow(
      /^f: returned number 3, but its signature declares PpItem$/,
    );
    expect(() => readResult('f', toShape([PpItem]), [a, new PpBox()])).toThrow(
      /at result\[1\] \(expected PpItem there\)/,
    );
  });

  test('a result that cannot be read: ResultError naming the function', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(() => readResult('g', null, hostile)).toThrow(ResultError);
    expect(() => readResult('g', null, hostile)).toThrow(/^g: its result could not be read: Error: no keys$/);
  });
});

describe('storedResult', () => {
  const out = (e: object): ExecutionOutput => ({ entity: eo(e), semantic: 'mutation' });

  test('entity: the stored entity; none: the result itself', () => {
    const [a, s] = [item('a'), item('stored')];
    expect(storedResult('f', a, readResult('f', null, a), [out(s)])).toBe(s);
    const plain = { n: 1 };
    expect(storedResult('f', plain, readResult('f', null, plain), [])).toBe(plain);
  });

  test('array: a copy with each entity replaced in order, the original untouched', () => {
    const [a, b, sa, sb] = ['a', 'b', 'sa', 'sb'].map(item);
    const result = [a, 1, b];
    const copy = storedResult('f', result, readResult('f', null, result), [out(sa), out(sb)]) as unknown[];
    expect(copy).not.toBe(result);
    expect(copy).toHaveLength(3);
    expect(copy[0]).toBe(sa);
    expect(copy[1]).toBe(1);
    expect(copy[2]).toBe(sb);
    expect(result[0]).toBe(a);
  });

  test('nested: a rebuilt copy of the same shape (shared containers stay shared, Map keys kept)', () => {
    const [a, sa] = [item('a'), item('sa')];
    const inner = [a];
    const result = { x: inner, y: inner, m: new Map([['k', a]]), s: new Set([a]), d: 5 };
    const read = readResult('f', null, result);
    expect(read.outputs).toHaveLength(3);
    const copy = storedResult(
      'f',
      result,
      read,
      read.outputs.map(() => out(sa)),
    ) as typeof result;
    expect(copy).not.toBe(result);
    expect(copy.x).toBe(copy.y);
    expect(copy.x[0]).toBe(sa);
    expect(copy.m.get('k')).toBe(sa);
    expect([...copy.s][0]).toBe(sa);
    expect(copy.d).toBe(5);
    expect(result.x[0]).toBe(a);
  });
});

describe('attributeSources', () => {
  const use = (u: Partial<AddressUse>): AddressUse => ({
    argument: 'x',
    param: 'x',
    address: '@x',
    holderId: 'h',
    lastSegment: undefined,
    value: undefined,
    ...u,
  });

  test("a scalar matches a field named like the parameter or the address path's last segment", () => {
    const a = item('Alice');
    a.n = 3;
    const map = attributeSources('f', a, [
      use({ param: 'name', value: 'Alice', holderId: 'h1' }),
      use({ param: 'count', lastSegment: 'n', value: 3, holderId: 'h2' }),
    ])!;
    expect(map.get(eo(a))).toEqual({ name: 'h1', n: 'h2' });
  });

  test('an equal scalar under another name is no source; an object value matches by identity', () => {
    const box = new PpBox({ name: 'x' });
    const info = { k: 1, xs: [] };
    box.info = info;
    expect(attributeSources('f', box, [use({ param: 'other', value: 'x' })])).toBeUndefined();
    const map = attributeSources('f', [box], [use({ param: 'anything', value: box.info, holderId: 'h3' })]);
    expect(map?.get(eo(box))).toEqual({ info: 'h3' });
    expect(attributeSources('f', [box], [use({ param: 'info', value: { k: 1, xs: [] } })])).toBeUndefined();
  });

  test('entity-valued address uses are no sources; no outputs, no map', () => {
    const a = item('a');
    expect(attributeSources('f', a, [use({ param: 'name', value: a })])).toBeUndefined();
    expect(attributeSources('f', 42, [use({ param: 'name', value: 42 })])).toBeUndefined();
  });
});

// ---- properties ------------------------------------------------------------------------------

type Tree =
  { t: 'prim'; v: unknown } | { t: 'entity'; k: number } | { t: 'array' | 'set' | 'record' | 'map'; items: Tree[] };

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      t: fc.constant('prim' as const),
      v: fc.oneof(fc.integer(), fc.string({ maxLength: 2 }), fc.constant(null), fc.boolean()),
    }),
    fc.record({ t: fc.constant('entity' as const), k: fc.nat(5) }),
    fc.record({
      t: fc.constantFrom('array' as const, 'set' as const, 'record' as const, 'map' as const),
      items: fc.array(tie('tree'), { maxLength: 4 }),
    }),
  ),
})).tree;

/** Builds the value of `tree`; each entity leaf is its own new object (entities repeat only by `k` reuse). */
function build(tree: Tree, pool: EntityObject[]): unknown {
  switch (tree.t) {
    case 'prim':
      return tree.v;
    case 'entity':
      return pool[tree.k];
    case 'array':
      return tree.items.map((x) => build(x, pool));
    case 'set':
      return new Set(tree.items.map((x) => build(x, pool)));
    case 'map':
      return new Map(tree.items.map((x, i) => [`k${i}`, build(x, pool)]));
    case 'record':
      return Object.fromEntries(tree.items.map((x, i) => [`f${i}`, build(x, pool)]));
  }
}

/** The naive reference: a recursive walk in order of appearance. */
function naiveOutputs(v: unknown, out: EntityObject[] = []): EntityObject[] {
  if (typeof v !== 'object' || v === null) return out;
  if (isEntityObject(v)) out.push(v);
  else if (Array.isArray(v) || v instanceof Set) for (const x of v) naiveOutputs(x, out);
  else if (v instanceof Map) for (const x of v.values()) naiveOutputs(x, out);
  else for (const k of Object.keys(v)) naiveOutputs((v as Record<string, unknown>)[k], out);
  return out;
}

function naiveShape(v: unknown, outputs: readonly EntityObject[]): string {
  if (outputs.length === 0) return 'none';
  if (isEntityObject(v)) return 'entity';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null || isEntityObject(x))) return 'array';
  return 'nested';
}

/** The naive reference of storedResult: a recursive rebuild with entities mapped. */
function naiveReplace(v: unknown, map: Map<EntityObject, EntityObject>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (isEntityObject(v)) return map.get(v);
  if (Array.isArray(v)) return v.map((x) => naiveReplace(x, map));
  if (v instanceof Set) return new Set([...v].map((x) => naiveReplace(x, map)));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, naiveReplace(x, map)]));
  return Object.fromEntries(Object.keys(v).map((k) => [k, naiveReplace((v as Record<string, unknown>)[k], map)]));
}

/** Entities as their names, for comparisons (no deep equality on entity objects). */
function named(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (isEntityObject(v)) return `<${(v as unknown as PpItem).name}>`;
  if (Array.isArray(v)) return v.map(named);
  if (v instanceof Set) return { set: [...v].map(named) };
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [k, named(x)]) };
  return Object.fromEntries(Object.keys(v).map((k) => [k, named((v as Record<string, unknown>)[k])]));
}

test('property: readResult finds what a naive recursive walk finds, in the same order; storedResult rebuilds like a naive map', () => {
  fc.assert(
    fc.property(treeArb, (tree) => {
      const pool = Array.from({ length: 6 }, (_, k) => eo(item(`e${k}`)));
      const value = build(tree, pool);
      const read = readResult('f', null, value);
      const expected = naiveOutputs(value);
      expect(read.outputs.length).toBe(expected.length);
      read.outputs.forEach((e, i) => expect(e).toBe(expected[i]));
      expect(read.shape).toBe(naiveShape(value, expected));

      const storedOf = new Map(pool.map((e) => [e, eo(item(`stored-${(e as unknown as PpItem).name}`))]));
      const outs: ExecutionOutput[] = read.outputs.map((e) => ({ entity: storedOf.get(e)!, semantic: 'mutation' }));
      const result = storedResult('f', value, read, outs);
      expect(named(result)).toEqual(named(read.shape === 'none' ? value : naiveReplace(value, storedOf)));
      if (read.shape === 'none') expect(result).toBe(value);
      else if (read.shape !== 'entity') expect(result).not.toBe(value);
    }),
    { numRuns: 300 },
  );
});
