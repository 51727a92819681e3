/**
 * Serialization round trips on random data and random versioned trees:
 *  - any mix of data values and entities (arrays, Maps, Sets, Dates, records, special numbers,
 *    bigints, undefined, `$` keys) reads back exactly (naive deep snapshot, ids included), writing
 *    it again gives the same JSON (order kept), and storing it, checking it out or reading it back
 *    and versioning is no change;
 *  - every stored version of a randomly edited tree: fromJSON(toJSON(stored)) reads like the stored
 *    version, versionFromJSON(versionToJSON()) reads like checkout(), and version() of it is no change.
 */
import fc from 'fast-check';
import { Entity, EntityRegistry, entity } from '../../src';
import { fromJSON, toJSON, versionFromJSON, versionToJSON } from '../../src/serialize';
import { snapshot } from '../support/naive';
import { PRoot } from '../support/models';
import { applyEdits, buildTree, editsArb, treeSpecArb } from '../support/trees';

const RUNS = Number(process.env.PROP_RUNS ?? 500);

@entity()
class SBag extends Entity {
  name = '';
  v: unknown = null;
}

/** A description of a value; entities and containers are built fresh from it in each run. */
type Spec =
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
const key = fc.constantFrom('a', 'b', '$c', '$class', '$map', 'x y', '', 'fields', '__proto__', 'constructor');

const specArb: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
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

function build(s: Spec): unknown {
  switch (s.t) {
    case 'prim':
      return s.v;
    case 'date':
      return new Date(s.ms);
    case 'arr':
      return s.items.map(build);
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
      return new SBag({ name: s.name, v: s.v === null ? null : build(s.v) });
  }
}

test('any data with entities inside reads back exactly, and writes back to the same JSON', () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      const root = new SBag({ name: 'root', v: build(spec) });
      const j = toJSON(root);
      const text = JSON.stringify(j);
      const back = fromJSON<SBag>(text);
      expect(snapshot(back, { rootIds: true })).toEqual(snapshot(root, { rootIds: true }));
      expect(toJSON(back)).toEqual(JSON.parse(text));
      expect(JSON.stringify(toJSON(back))).toBe(text);
      // the same data stored, checked out and versioned: nothing changes on the way
      const reg = new EntityRegistry();
      reg.promoteToRoot(root);
      const stored = reg.getStoredEntity<SBag>(root.ecsId);
      expect(snapshot(stored, { rootIds: true })).toEqual(snapshot(root, { rootIds: true }));
      expect(JSON.stringify(toJSON(stored))).toBe(JSON.stringify(toJSON(root)));
      const stats = reg.stats;
      expect(reg.version(reg.checkout<SBag>(root.ecsId)).created).toBe(false);
      expect(reg.version(fromJSON<SBag>(JSON.stringify(toJSON(root)))).created).toBe(false);
      expect(reg.version(root).created).toBe(false);
      expect(reg.stats).toEqual(stats);
    }),
    { numRuns: RUNS },
  );
});

test('stored versions of random trees: round trips read like the stored version and like checkout()', () => {
  fc.assert(
    fc.property(treeSpecArb(12), fc.array(editsArb(4), { minLength: 1, maxLength: 3 }), (spec, rounds) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      for (const edits of rounds) {
        applyEdits(root, edits);
        reg.version(root);
      }
      // the working tree itself
      expect(snapshot(fromJSON<PRoot>(JSON.stringify(toJSON(root))), { rootIds: true })).toEqual(
        snapshot(root, { rootIds: true }),
      );
      const stats = reg.stats;
      for (const { ecsId } of reg.lineage(root.lineageId)) {
        const stored = reg.getStoredEntity<PRoot>(ecsId);
        const back = fromJSON<PRoot>(JSON.stringify(toJSON(stored)));
        expect(snapshot(back, { rootIds: true })).toEqual(snapshot(stored, { rootIds: true }));
        const copy = versionFromJSON<PRoot>(JSON.stringify(versionToJSON(reg, ecsId)));
        expect(snapshot(copy, { rootIds: true })).toEqual(snapshot(reg.checkout<PRoot>(ecsId), { rootIds: true }));
        expect(reg.version(copy).created).toBe(false);
      }
      expect(reg.stats).toEqual(stats);
    }),
    { numRuns: RUNS },
  );
});
