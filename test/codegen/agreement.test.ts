/**
 * Agreement: the generated ClassOps (golden file of the fixture project) behave exactly like the
 * runtime provider (metadata by inspection) on random field values of the declared types.
 *
 * The arbitraries below are written from the fixture's declared field types by hand, so they are
 * an independent oracle: a field the generator classified wrongly shows up as a disagreement.
 */
// The generated file must be imported before any entity is created.
import { generatedClassSpecs } from '../fixtures/codegen/project/abstractions.generated';
import fc from 'fast-check';
import { EntityRegistry } from '../../src';
import {
  classMetaOf,
  entityClassRecord,
  type AnyClass,
  type GeneratedClassSpec,
} from '../../src/metadata/class-registry';
import { FrozenDate } from '../../src/metadata/frozen-data';
import { isEntityObject, lineageOf, VALUES, type EntityObject } from '../../src/metadata/object-model';
import { buildRuntimeMeta } from '../../src/metadata/runtime-provider';
import type { ClassMeta, PathSegment } from '../../src/metadata/types';
import { freezeValue, isFlatFrozenArray } from '../../src/metadata/values';
import { RunConfig } from '../fixtures/codegen/project/models/config';
import { AllTypes, Color, Level, type UserId } from '../fixtures/codegen/project/models/kitchen-sink';
import { Person, Student, Teacher } from '../fixtures/codegen/project/models/people';
import { Course, Room, Transcript } from '../fixtures/codegen/project/models/school';
import { Note } from '../fixtures/codegen/project/models/timestamped';

jest.setTimeout(120_000);

const RUNS = Number(process.env.CODEGEN_AGREEMENT_RUNS ?? 150);
const CLASSES: Record<string, AnyClass> = {
  AllTypes,
  Course,
  Note,
  Person,
  Room,
  RunConfig,
  Student,
  Teacher,
  Transcript,
};

// ---------------------------------------------------------------------------------------------
// Entity pools: several entities per class, each with twins of the same lineage (a stored
// version and a checked-out working copy), so lineage comparison is exercised.

const registry = EntityRegistry.reset();
const pool = new Map<string, EntityObject[]>();
const twinsByLineage = new Map<string, EntityObject[]>();

function addToPool(name: string, make: () => object, count: number): void {
  const list: EntityObject[] = [];
  for (let i = 0; i < count; i++) {
    const e = make() as EntityObject & { promoteToRoot(): unknown; ecsId: string };
    e.promoteToRoot();
    const stored = registry.getStoredEntity<EntityObject>(e.ecsId);
    const copy = registry.checkout<EntityObject>(e.ecsId);
    const twins = [e, stored, copy];
    expect(new Set(twins.map((t) => lineageOf(t))).size).toBe(1);
    twinsByLineage.set(lineageOf(e), twins);
    list.push(...twins);
  }
  pool.set(name, list);
}

beforeAll(() => {
  addToPool('Course', () => new Course({ title: 'c', credits: 1 }), 3);
  addToPool('Room', () => new Room({ building: 'b', floor: 1 }), 3);
  addToPool('Transcript', () => new Transcript(), 2);
  addToPool('Teacher', () => new Teacher({ name: 't' }), 2);
  addToPool('Student', () => new Student({ name: 's' }), 2);
});

const entityOf = (...names: string[]): fc.Arbitrary<EntityObject> =>
  fc.constantFrom(...names).chain((n) => fc.constantFrom(...pool.get(n)!));

// ---------------------------------------------------------------------------------------------
// Arbitraries per declared type

const str = fc.string({ maxLength: 3 });
const num = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.constant(Number.NaN),
  fc.constant(-0),
  fc.double({ noNaN: true }),
);
const date = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((t) => new Date(t)),
  fc.constant(new Date(Number.NaN)),
  fc.integer({ min: 0, max: 3 }).map((t) => new FrozenDate(t)),
);
const key = fc.constantFrom('a', 'b', 'c', '__x', '__proto__'); // '__proto__': an own key, never the prototype
const array = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(a, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.sparseArray(a, { maxLength: 4 }) },
  );
const record = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  fc.oneof(
    fc.dictionary(key, a, { maxKeys: 3 }),
    fc.dictionary(key, a, { maxKeys: 3 }).map((d) => Object.assign(Object.create(null) as Record<string, T>, d)),
  );
const map = <K, V>(k: fc.Arbitrary<K>, v: fc.Arbitrary<V>): fc.Arbitrary<Map<K, V>> =>
  fc.array(fc.tuple(k, v), { maxLength: 4 }).map((e) => new Map(e));
const set = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<Set<T>> => fc.array(a, { maxLength: 4 }).map((e) => new Set(e));
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
const callbacks = [() => undefined, () => undefined];

/** Field arbitraries, from the fixture's declared types (not from the generated model). */
const FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  Course: { title: str, credits: num },
  Room: { building: str, floor: num },
  Transcript: { grades: record(num), issued: date },
  Person: { name: str, birthDate: date, nickname: fc.option(str, { nil: undefined }) },
  Student: {
    name: str,
    birthDate: date,
    nickname: fc.option(str, { nil: undefined }),
    gpa: num,
    transcript: fc.option(entityOf('Transcript'), { nil: undefined }),
    courses: array(entityOf('Course')),
    advisor: orNull(entityOf('Teacher')),
  },
  Teacher: {
    name: str,
    birthDate: date,
    nickname: fc.option(str, { nil: undefined }),
    subjects: array(str),
    office: fc.option(entityOf('Room'), { nil: undefined }),
  },
  Note: { updatedAt: date, revision: num, text: str, internalCode: num },
  RunConfig: { iterations: num, label: str, seeds: array(num) },
  AllTypes: {
    str,
    num,
    flag: fc.boolean(),
    big: fc.bigInt({ min: -3n, max: 3n }),
    maybe: fc.option(str, { nil: undefined }),
    nullable: orNull(str),
    literal: fc.constantFrom('a', 'b'),
    level: fc.constantFrom(Level.Low, Level.High),
    color: fc.constantFrom(Color.Red, Color.Blue),
    id: str.map((s) => s as UserId),
    numOrStr: fc.oneof(num, str),
    when: date,
    optionalWhen: fc.option(date, { nil: undefined }),
    tags: array(str),
    scores: array(num),
    matrix: array(array(num)),
    pair: fc.tuple(num, str),
    dates: array(date),
    meta: record(num),
    point: fc.record({ x: num, y: num }),
    dict: map(str, num),
    ids: set(str),
    frozenTags: array(str),
    callback: fc.option(fc.constantFrom(...callbacks), { nil: undefined }),
    first: orNull(entityOf('Course')),
    second: fc.option(entityOf('Course'), { nil: undefined }),
    someone: fc.option(entityOf('Student', 'Teacher'), { nil: undefined }),
    list: array(entityOf('Course')),
    readonlyList: array(entityOf('Course')),
    duo: orNull(fc.tuple(entityOf('Course'), entityOf('Course'))),
    mixedTuple: orNull(fc.tuple(entityOf('Course'), num)),
    headAndRest: fc.option(
      fc.tuple(entityOf('Room'), fc.array(entityOf('Course'), { maxLength: 3 })).map(([h, r]) => [h, ...r]),
      { nil: undefined },
    ),
    byName: map(str, entityOf('Course')),
    byNumber: map(num, entityOf('Room')),
    byAnyKey: map(fc.oneof(str, num), entityOf('Course')),
    courseSet: set(entityOf('Course')),
    byKey: record(entityOf('Course')),
    indexed: record(entityOf('Room')),
    grid: array(array(entityOf('Course'))),
    people: array(entityOf('Student', 'Teacher')),
    nestedMap: map(str, array(entityOf('Course'))),
    recordOfArrays: record(array(entityOf('Room'))),
    setOfArrays: set(array(entityOf('Course'))),
    listOfMaps: array(map(str, entityOf('Course'))),
    withLead: fc.record({ lead: orNull(entityOf('Course')), note: str }),
  },
};

/** Any field may also be undefined (typed init accepts `{ field: undefined }`). */
function fieldArb(cls: string, field: string): fc.Arbitrary<unknown> {
  const a = FIELDS[cls]?.[field];
  if (!a) throw new Error(`no arbitrary for ${cls}.${field}: add one to FIELDS`);
  return fc.option(a, { nil: undefined, freq: 12 });
}

function valuesArb(cls: string, meta: ClassMeta): fc.Arbitrary<unknown[]> {
  return fc.tuple(...meta.fields.map((f) => fieldArb(cls, f.name)));
}

// ---------------------------------------------------------------------------------------------
// Structural comparison of results: same shape, same prototypes, same frozenness, same holes,
// same key/entry order, entity leaves identical, same sharing with the input.

function collectObjects(v: unknown, out = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || isEntityObject(v) || out.has(v)) return out;
  out.add(v);
  if (v instanceof Map) v.forEach((x, k) => (collectObjects(k, out), collectObjects(x, out)));
  else if (v instanceof Set || Array.isArray(v)) for (const x of v) collectObjects(x, out);
  else if (!(v instanceof Date)) for (const k of Object.keys(v)) collectObjects((v as Record<string, unknown>)[k], out);
  return out;
}

function difference(x: unknown, y: unknown, inputs: Set<object>, at = '$'): string | null {
  if (isEntityObject(x) || isEntityObject(y)) return x === y ? null : `${at}: different entity`;
  if (typeof x !== typeof y) return `${at}: ${typeof x} vs ${typeof y}`;
  if (typeof x !== 'object' || x === null || y === null)
    return Object.is(x, y) ? null : `${at}: ${String(x)} vs ${String(y)}`;
  const yo = y as object;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(yo)) return `${at}: prototypes differ`;
  if (Object.isFrozen(x) !== Object.isFrozen(yo))
    return `${at}: frozen ${Object.isFrozen(x)} vs ${Object.isFrozen(yo)}`;
  if (inputs.has(x) !== inputs.has(yo)) return `${at}: shared with the input in one result only`;
  if (x instanceof Date) return Object.is(x.getTime(), (yo as Date).getTime()) ? null : `${at}: dates differ`;
  if (Array.isArray(x)) {
    const ya = yo as unknown[];
    if (x.length !== ya.length) return `${at}: lengths ${x.length} vs ${ya.length}`;
    if (isFlatFrozenArray(x) !== isFlatFrozenArray(ya))
      return `${at}: flat ${isFlatFrozenArray(x)} vs ${isFlatFrozenArray(ya)}`;
    for (let i = 0; i < x.length; i++) {
      if (i in x !== i in ya) return `${at}[${i}]: hole in one result only`;
      const d = difference(x[i], ya[i], inputs, `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (x instanceof Map) {
    const xe = [...x];
    const ye = [...(yo as Map<unknown, unknown>)];
    if (xe.length !== ye.length) return `${at}: map sizes differ`;
    for (let i = 0; i < xe.length; i++) {
      if (!Object.is(xe[i][0], ye[i][0])) return `${at}: map keys differ at ${i}`;
      const d = difference(xe[i][1], ye[i][1], inputs, `${at}{${String(xe[i][0])}}`);
      if (d) return d;
    }
    return null;
  }
  if (x instanceof Set) {
    const xs = [...x];
    const ys = [...(yo as Set<unknown>)];
    if (xs.length !== ys.length) return `${at}: set sizes differ`;
    for (let i = 0; i < xs.length; i++) {
      const d = difference(xs[i], ys[i], inputs, `${at}<${i}>`);
      if (d) return d;
    }
    return null;
  }
  const kx = Object.keys(x);
  const ky = Object.keys(yo);
  if (kx.join('\u0000') !== ky.join('\u0000')) return `${at}: keys ${kx} vs ${ky}`;
  for (const k of kx) {
    const d = difference((x as Record<string, unknown>)[k], (yo as Record<string, unknown>)[k], inputs, `${at}.${k}`);
    if (d) return d;
  }
  return null;
}

/** A value frozen as the store freezes it, or nothing when it cannot be stored (a function). */
function storable(v: unknown): unknown[] {
  const o = outcome(() => freezeValue(v, (e) => e));
  return 'error' in o ? [] : [o.value];
}

/** What a call returned, or the class and message of what it threw. */
function outcome(f: () => unknown): { value: unknown; error?: undefined } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// "Near" values for equality: a deep copy of a value with entity leaves swapped for twins,
// records re-ordered, and occasionally one leaf changed.

function variant(v: unknown, rnd: () => number): unknown {
  if (isEntityObject(v)) {
    const r = rnd();
    if (r < 0.05) return pool.get('Course')![0];
    const twins = twinsByLineage.get(lineageOf(v))!;
    return twins[Math.floor(rnd() * twins.length)];
  }
  if (typeof v === 'number') return rnd() < 0.05 ? v + 1 : v;
  if (typeof v === 'string') return rnd() < 0.05 ? `${v}x` : v;
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return rnd() < 0.05 ? new Date(v.getTime() + 1) : new Date(v.getTime());
  if (Array.isArray(v)) {
    const out = v.map((x) => variant(x, rnd));
    if (rnd() < 0.03) out.pop();
    return out;
  }
  if (v instanceof Map) {
    // Maps and Sets compare in iteration order: a re-ordered copy differs.
    const entries = [...v].map(([k, x]) => [k, variant(x, rnd)] as [unknown, unknown]);
    if (rnd() < 0.3) entries.reverse();
    return new Map(entries);
  }
  if (v instanceof Set) {
    const items = [...v].map((x) => variant(x, rnd));
    if (rnd() < 0.3) items.reverse();
    return new Set(items);
  }
  const keys = Object.keys(v);
  if (rnd() < 0.3) keys.reverse();
  const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  for (const k of keys)
    Object.defineProperty(out, k, {
      value: variant((v as Record<string, unknown>)[k], rnd),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

type Visit = [EntityObject, PathSegment[], string, string];
function visits(ops: Pick<ClassMeta, 'forEachChild'>, values: unknown[]): Visit[] {
  const out: Visit[] = [];
  ops.forEachChild(values, (child, path, container, place) => out.push([child, path, container, place]));
  return out;
}

function sameVisits(a: Visit[], b: Visit[]): string | null {
  if (a.length !== b.length) return `visit counts ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const [ca, pa, ka, la] = a[i];
    const [cb, pb, kb, lb] = b[i];
    if (ca !== cb) return `visit ${i}: different child`;
    if (pa.length !== pb.length || pa.some((s, j) => !Object.is(s, pb[j])))
      return `visit ${i}: path ${JSON.stringify(pa)} vs ${JSON.stringify(pb)}`;
    if (ka !== kb) return `visit ${i}: container ${ka} vs ${kb}`;
    if (la !== lb) return `visit ${i}: place ${la} vs ${lb}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

describe.each(Object.keys(CLASSES).sort())('generated metadata agrees with the runtime provider: %s', (name) => {
  let generated: ClassMeta;
  let runtime: ClassMeta;
  let spec: GeneratedClassSpec;

  beforeAll(() => {
    const cls = CLASSES[name];
    generated = classMetaOf(cls);
    runtime = buildRuntimeMeta(entityClassRecord(cls)!);
    expect(generatedClassSpecs[name]).toHaveLength(1); // one class of each name in the fixture
    spec = generatedClassSpecs[name][0];
  });

  test('the generated metadata is installed and the field table has the runtime order', () => {
    expect(generated.source).toBe('generated');
    expect(spec).toBeDefined();
    expect(generated.fields.map((f) => f.name)).toEqual(runtime.fields.map((f) => f.name));
    expect(spec.fields.map((f) => f.name)).toEqual(runtime.fields.map((f) => f.name));
    expect([...generated.transient].sort()).toEqual([...runtime.transient].sort());
  });

  test('constructing with random contents stores the values in field order', () => {
    fc.assert(
      fc.property(valuesArb(name, runtime), (values) => {
        const init: Record<string, unknown> = {};
        runtime.fields.forEach((f, i) => {
          if (values[i] !== undefined) init[f.name] = values[i];
        });
        const obj = new (CLASSES[name] as unknown as new (init: object) => EntityObject)(init);
        const stored = obj[VALUES];
        runtime.fields.forEach((f, i) => {
          if (values[i] !== undefined) expect(stored[i]).toBe(values[i]);
        });
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  test('forEachChild: same children, paths, containers and places, in the same order', () => {
    fc.assert(
      fc.property(valuesArb(name, runtime), (values) => {
        const d = sameVisits(visits(spec, values), visits(runtime, values));
        if (d) throw new Error(d);
      }),
      { numRuns: RUNS },
    );
  });

  test('fieldEquals: same answer for equal, near and unrelated values', () => {
    fc.assert(
      fc.property(valuesArb(name, runtime), valuesArb(name, runtime), fc.integer(), (a, other, seed) => {
        const rnd = rng(seed);
        const near = a.map((v) => variant(v, rnd));
        for (let i = 0; i < a.length; i++) {
          for (const b of [a[i], near[i], other[i]]) {
            const g = spec.fieldEquals(i, a[i], b);
            const r = runtime.fieldEquals(i, a[i], b);
            if (g !== r) throw new Error(`field ${runtime.fields[i].name}: generated ${g}, runtime ${r}`);
            if (spec.fieldEquals(i, b, a[i]) !== runtime.fieldEquals(i, b, a[i]))
              throw new Error(`field ${runtime.fields[i].name}: not symmetric`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('thawField: same copies of working and of frozen values', () => {
    fc.assert(
      fc.property(valuesArb(name, runtime), (values) => {
        values.forEach((v, i) => {
          for (const input of [v, ...storable(v)]) {
            const inputs = collectObjects(input);
            const d = difference(spec.thawField(i, input), runtime.thawField(i, input), inputs);
            if (d) throw new Error(`field ${runtime.fields[i].name}: ${d}`);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  test('freezeField: same frozen copies, entity leaves mapped the same way', () => {
    fc.assert(
      fc.property(valuesArb(name, runtime), fc.boolean(), (values, toStored) => {
        const mapLeaf = (e: EntityObject): EntityObject => (toStored ? twinsByLineage.get(lineageOf(e))![1] : e);
        values.forEach((v, i) => {
          for (const input of [v, ...storable(v)]) {
            const inputs = collectObjects(input);
            const g = outcome(() => spec.freezeField(i, input, mapLeaf));
            const r = outcome(() => runtime.freezeField(i, input, mapLeaf));
            // Refused (a function: not field data) by both with the same error, or the same copies.
            const d =
              'error' in g || 'error' in r
                ? g.error === r.error
                  ? null
                  : `generated ${g.error ?? 'stores'}, runtime ${r.error ?? 'stores'}`
                : difference(g.value, r.value, inputs);
            if (d) throw new Error(`field ${runtime.fields[i].name}: ${d}`);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  test('out-of-range indices fall back to the generic helpers, like the runtime', () => {
    const i = runtime.fields.length + 3;
    const v = { a: [1, new Date(3)] };
    expect(spec.fieldEquals(i, v, { a: [1, new Date(3)] })).toBe(runtime.fieldEquals(i, v, { a: [1, new Date(3)] }));
    expect(difference(spec.thawField(i, v), runtime.thawField(i, v), collectObjects(v))).toBeNull();
    expect(
      difference(
        spec.freezeField(i, v, (e) => e),
        runtime.freezeField(i, v, (e) => e),
        collectObjects(v),
      ),
    ).toBeNull();
  });
});

describe('Dates', () => {
  test('two invalid Dates are equal, as in valueEquals; an invalid and a valid one are not', () => {
    const meta = classMetaOf(AllTypes);
    const spec = generatedClassSpecs.AllTypes[0];
    const at = (name: string): number => meta.fieldIndex.get(name)!;
    const invalid = (): Date => new Date(Number.NaN);
    for (const name of ['when', 'optionalWhen']) {
      expect(spec.fieldEquals(at(name), invalid(), invalid())).toBe(true);
      expect(spec.fieldEquals(at(name), invalid(), new FrozenDate(Number.NaN))).toBe(true);
      expect(spec.fieldEquals(at(name), invalid(), new Date(0))).toBe(false);
      expect(spec.fieldEquals(at(name), new Date(0), invalid())).toBe(false);
    }
    expect(spec.fieldEquals(at('dates'), [invalid(), new Date(1)], [invalid(), new Date(1)])).toBe(true);
    expect(spec.fieldEquals(at('dates'), [invalid()], [new Date(1)])).toBe(false);
  });
});

describe('entities with generated metadata work end to end', () => {
  test('a tree built from generated metadata versions and diffs like any other', () => {
    const reg = EntityRegistry.reset();
    const c1 = new Course({ title: 'math' });
    const c2 = new Course({ title: 'art' });
    const s = new Student({ name: 'Ada', courses: [c1, c2], transcript: new Transcript({ grades: { math: 1 } }) });
    const t = new AllTypes({ grid: [[c1]], byName: new Map([['x', c2]]), someone: s });
    expect(() => t.promoteToRoot()).toThrow(/occurs|twice|shared/i); // c1 and c2 appear twice
    const root = new AllTypes({ grid: [[new Course()]], byName: new Map([['x', new Course()]]), someone: s });
    root.promoteToRoot();
    expect(root.getTree().nodeCount).toBe(7);
    (root.someone as Student).courses.pop();
    const r = reg.version(root);
    expect(r.created).toBe(true);
    expect(reg.getStoredTree(root.ecsId).nodeCount).toBe(6);
  });
});
