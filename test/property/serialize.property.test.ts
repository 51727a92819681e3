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
import { editsArb, treeSpecArb, versionedTree } from '../support/trees';
import { buildValue, specArb, type Spec } from '../support/values';

const RUNS = Number(process.env.PROP_RUNS ?? 500);

@entity()
class SBag extends Entity {
  name = '';
  v: unknown = null;
}

function build(s: Spec): unknown {
  return buildValue(s, (name, v) => new SBag({ name, v }));
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
      const { reg, root } = versionedTree(spec, rounds);
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
