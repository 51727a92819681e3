/**
 * The generated row writers (codegen/emit-row-data.ts, `RowDataWriter`): for any field values,
 * of the declared types or not, a class's generated writer gives byte for byte the `data` text of
 * the generic one, long arrays spliced alike. In the `generated` Jest project the classes below
 * have generated writers; in `runtime` they have none and rows are written generically.
 */
import fc from 'fast-check';
import { Entity, EntityRegistry, entity } from '../../src';
import { classRuntimeOf } from '../../src/entity/class-runtime';
import { entityRow, rowDataText } from '../../src/durable/entity-rows';
import { numberText, refText, simpleText, stringText } from '../../src/durable/row-text';
import { encodeValue } from '../../src/serialize/codec';
import { VALUES, type EntityObject } from '../../src/metadata/object-model';
import type { ClassMeta } from '../../src/metadata/types';
import { buildValue, specArb } from '../support/values';
import { BIGINTS, NUMBERS, STRINGS, TIMES } from '../fuzz/values';

declare const __METADATA_MODE__: 'runtime' | 'generated';
const MODE = __METADATA_MODE__;
const RUNS = Number(process.env.PROP_RUNS ?? 300);

@entity({ name: 'rowEncoder.Leaf' })
class RLeaf extends Entity {
  n = 0;
}

/** A field of every kind the generator writes differently (and some it leaves to the generic writer). */
@entity({ name: 'rowEncoder.Kinds' })
class RKinds extends Entity {
  s = '';
  n = 0;
  b = false;
  lit: 'a' | 'b' | 1 = 'a';
  sn: string | number = 0;
  maybe: string | undefined = undefined;
  big = 0n;
  when = new Date(0);
  one: RLeaf | null = null;
  many: RLeaf[] = [];
  strs: string[] = [];
  nums: number[] = [];
  pair: [number, string] = [0, ''];
  point: [number, number] = [0, 0];
  nested: RLeaf[][] = [];
  byKey: Map<string, number> = new Map();
  tags: Set<string> = new Set();
  rec: Record<string, number> = {};
  info: { k: number; xs: number[] } = { k: 0, xs: [] };
  '$odd "name"' = '';
}

/** The same fields without generated metadata in either project: not decorated in source, so the generator never sees it. */
const RPlain = entity({ name: 'rowEncoder.Plain' })(
  class RPlain extends Entity {
    s = '';
    many: RLeaf[] = [];
  },
);

const leaves = Array.from({ length: 6 }, (_, n) => new RLeaf({ n }));
const leafArb = fc.constantFrom(...leaves);
const stringArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom(...STRINGS));
const numberArb = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...NUMBERS));
/** Any value of SPEC §1 (entities, sparse arrays, `$` keys, null-prototype objects, ...). */
const anyArb = specArb.map((s) => buildValue(s, () => leaves[0], true));
/** A long array (splices apply from SPLICE_MIN_LENGTH = 64 items). */
const longArb = <T>(item: fc.Arbitrary<T>) => fc.array(item, { minLength: 60, maxLength: 90 });

/** Per field of RKinds: values of its declared type, often; anything, sometimes. */
const TYPED: Record<string, fc.Arbitrary<unknown>> = {
  s: stringArb,
  n: numberArb,
  b: fc.boolean(),
  lit: fc.constantFrom('a', 'b', 1),
  sn: fc.oneof(stringArb, numberArb),
  maybe: fc.option(stringArb, { nil: undefined }),
  big: fc.oneof(fc.bigInt(), fc.constantFrom(...BIGINTS)),
  when: fc.constantFrom(...TIMES).map((t) => new Date(t)),
  one: fc.option(leafArb),
  many: fc.oneof(fc.array(leafArb, { maxLength: 5 }), longArb(leafArb)),
  strs: fc.oneof(fc.array(stringArb, { maxLength: 5 }), longArb(stringArb)),
  nums: fc.oneof(fc.array(numberArb, { maxLength: 5 }), longArb(numberArb)),
  pair: fc.tuple(numberArb, stringArb),
  point: fc.tuple(numberArb, numberArb),
  nested: fc.array(fc.array(leafArb, { maxLength: 3 }), { maxLength: 3 }),
  byKey: fc.array(fc.tuple(stringArb, numberArb), { maxLength: 3 }).map((e) => new Map(e)),
  tags: fc.array(stringArb, { maxLength: 3 }).map((e) => new Set(e)),
  rec: fc.dictionary(fc.constantFrom('a', '$b', '__proto__', 'c'), numberArb, { maxKeys: 3 }),
  info: fc.record({ k: numberArb, xs: fc.array(numberArb, { maxLength: 3 }) }),
  '$odd "name"': stringArb,
};

function metaOfClass(ctor: abstract new (...args: never[]) => object): ClassMeta {
  return classRuntimeOf(ctor).meta;
}

const kinds = metaOfClass(RKinds);
const valuesArb = fc.tuple(
  ...kinds.fields.map((f) => fc.oneof({ arbitrary: TYPED[f.name], weight: 3 }, { arbitrary: anyArb, weight: 1 })),
);

/** The generated and the generic writer's text (and whether they spliced) for these values. */
function bothWriters(values: readonly unknown[], base?: readonly unknown[]) {
  return {
    generated: rowDataText(kinds, 'RKinds', values, base),
    generic: rowDataText(kinds, 'RKinds', values, base, true),
  };
}

test('each row-text function writes a value it takes as the general encoder does', () => {
  const item = fc.oneof(stringArb, numberArb, leafArb, anyArb, fc.constantFrom(true, false, null));
  fc.assert(
    fc.property(item, (v) => {
      for (const text of [stringText, numberText, refText, simpleText]) {
        const written = text(v);
        if (written !== null) expect(written).toBe(JSON.stringify(encodeValue(v, 'v')));
      }
    }),
    { numRuns: RUNS * 10 },
  );
});

test('the classes have a generated row writer exactly in the generated project', () => {
  expect(kinds.rowData !== null).toBe(MODE === 'generated');
  expect(metaOfClass(RPlain).rowData).toBeNull();
});

test('the generated writer gives the generic text for any values (declared types or not)', () => {
  fc.assert(
    fc.property(valuesArb, (values) => {
      const { generated, generic } = bothWriters(values);
      expect(generated).toEqual(generic);
      expect(generic.spliced).toBe(false);
    }),
    { numRuns: RUNS },
  );
});

/** Values the typed writers refuse, in whole or in part, by field of RKinds (the rest: their defaults). */
const REFUSED: Record<string, unknown> = {
  s: 1,
  n: 'x',
  b: 0,
  one: 'leaf',
  many: [leaves[0], undefined],
  nums: [1, -0, NaN, Infinity],
  // eslint-disable-next-line no-sparse-arrays
  strs: ['\ud800', , 'b'],
  point: [1, 2, 3],
};

test('values the typed writers refuse go to the generic one (tags, other types, holes)', () => {
  const defaults = new RKinds() as unknown as Record<string, unknown>;
  const values = kinds.fields.map((f) => (f.name in REFUSED ? REFUSED[f.name] : defaults[f.name]));
  const { generated, generic } = bothWriters(values);
  expect(generated.text).toBe(generic.text);
  const data = JSON.parse(generated.text) as Record<string, unknown>;
  expect([data.s, data.n, data.b, data.one]).toEqual([1, 'x', 0, 'leaf']);
  expect(data.many).toEqual([{ $ref: leaves[0].ecsId }, { $undefined: true }]);
  expect(data.nums).toEqual([1, { $num: '-0' }, { $num: 'NaN' }, { $num: 'Infinity' }]);
});

test('long arrays are spliced alike against the previous version', () => {
  let spliced = 0;
  fc.assert(
    fc.property(valuesArb, fc.array(fc.tuple(fc.nat(), fc.nat(3), anyArb), { maxLength: 4 }), (base, edits) => {
      // The next version: base with a few items replaced, removed or inserted in each array.
      const values = base.map((v) => {
        if (!Array.isArray(v)) return v;
        const next = [...(v as unknown[])];
        for (const [at, remove, item] of edits) next.splice(at % (next.length + 1), remove, item);
        return next;
      });
      const { generated, generic } = bothWriters(values, base);
      expect(generated).toEqual(generic);
      if (generic.spliced) spliced++;
    }),
    { numRuns: RUNS },
  );
  expect(spliced).toBeGreaterThan(0);
});

test('entityRow writes with the class writer: generated where there is one, else generic', () => {
  const reg = new EntityRegistry();
  const roots = [
    new RKinds({ s: 'ü', n: -0, many: [new RLeaf({ n: 1 })], point: [1, 2], maybe: 'm' }),
    new RPlain({ s: 'x', many: [new RLeaf({ n: 2 })] }),
  ];
  for (const root of roots) {
    const stored = reg.promoteToRoot(root).root as EntityObject;
    const meta = classRuntimeOf(stored.constructor as typeof Entity).meta;
    const generated = meta.rowData;
    let calls = 0;
    // Counts the generated writer's calls (none for a class without one).
    if (generated !== null)
      (meta as { rowData: typeof generated }).rowData = (values, fields) => (calls++, generated(values, fields));
    try {
      const row = entityRow(stored, () => undefined);
      expect(row.data).toBe(rowDataText(meta, row.className, stored[VALUES], undefined, true).text);
      expect(calls).toBe(generated === null ? 0 : 1);
    } finally {
      (meta as { rowData: typeof generated }).rowData = generated;
    }
  }
});
