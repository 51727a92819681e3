/**
 * Random field data for the property tests: every value kind of SPEC §1 (strings, numbers with
 * NaN, -0 and ±Infinity, booleans, null, undefined, bigints, Dates valid and invalid, arrays,
 * Maps, Sets, plain and null-prototype objects with `$` and `__proto__` keys), nested, with
 * entities anywhere inside. A value is generated as a `Spec` and built fresh from it in each run.
 */
import fc from 'fast-check';

export type Spec =
  | { t: 'prim'; v: unknown }
  | { t: 'date'; ms: number }
  | { t: 'arr'; items: Spec[] }
  | { t: 'map'; entries: Array<[string | number, Spec]> }
  | { t: 'set'; items: Spec[] }
  | { t: 'obj'; entries: Array<[string, Spec]>; nullProto: boolean }
  | { t: 'entity'; name: string; v: Spec | null };

const prim = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.double(), // NaN, -0, Infinity included
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
);
const key = fc.constantFrom(
  'a',
  'b',
  '$c',
  '$class',
  '$map',
  '$ref',
  '$object',
  'x y',
  '',
  'fields',
  '__proto__',
  'constructor',
);

export const specArb: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    prim.map((v): Spec => ({ t: 'prim', v })),
    fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constant(NaN)).map((ms): Spec => ({ t: 'date', ms })),
    fc.array(tie('spec'), { maxLength: 4 }).map((items): Spec => ({ t: 'arr', items })),
    fc
      .array(fc.tuple(fc.oneof(key, fc.integer({ min: -3, max: 3 })), tie('spec')), { maxLength: 3 })
      .map((entries): Spec => ({ t: 'map', entries })),
    fc.array(tie('spec'), { maxLength: 3 }).map((items): Spec => ({ t: 'set', items })),
    fc
      .tuple(fc.array(fc.tuple(key, tie('spec')), { maxLength: 3 }), fc.boolean())
      .map(([entries, nullProto]): Spec => ({ t: 'obj', entries, nullProto })),
    fc
      .tuple(fc.string({ maxLength: 3 }), fc.option(tie('spec'), { nil: null }))
      .map(([name, v]): Spec => ({ t: 'entity', name, v })),
  ),
})).spec;

/**
 * Builds the value `s` describes; `entity(name, v)` makes its entities (`v` null when it has no
 * data). With `holes`, an `undefined` array item is left out instead (a sparse array).
 */
export function buildValue(s: Spec, entity: (name: string, v: unknown) => object, holes = false): unknown {
  const build = (x: Spec): unknown => buildValue(x, entity, holes);
  switch (s.t) {
    case 'prim':
      return s.v;
    case 'date':
      return new Date(s.ms);
    case 'arr': {
      const items = s.items.map(build);
      if (holes) s.items.forEach((x, i) => x.t === 'prim' && x.v === undefined && delete items[i]);
      return items;
    }
    case 'map':
      return new Map(s.entries.map(([k, v]) => [k, build(v)]));
    case 'set':
      return new Set(s.items.map(build));
    case 'obj': {
      const o = (s.nullProto ? Object.create(null) : {}) as Record<string, unknown>;
      for (const [k, v] of s.entries)
        Object.defineProperty(o, k, { value: build(v), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'entity':
      return entity(s.name, s.v === null ? null : build(s.v));
  }
}
