/**
 * Property (a): diffTrees(buildEntityTree(before), buildEntityTree(after)) equals the naive diff
 * computed from the definitions of SPEC §3, for random trees and random edit sequences.
 */
import fc from 'fast-check';
import { EntityRegistry, buildEntityTree, diffTrees } from '../../src';
import { naiveDiff, plainDiff } from '../support/naive';
import { PRoot } from '../support/models';
import { applyEdits, buildTree, editsArb, treeSpecArb } from '../support/trees';

const RUNS = Number(process.env.PROP_RUNS ?? 500);

test('diffTrees of a checkout before and after random edits equals the naive diff', () => {
  fc.assert(
    fc.property(treeSpecArb(), editsArb(6), (spec, edits) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      const before = reg.checkout<PRoot>(root.ecsId);
      const after = reg.checkout<PRoot>(root.ecsId);
      applyEdits(after, edits);
      const expected = naiveDiff(before, after);
      expect(plainDiff(diffTrees(buildEntityTree(before), buildEntityTree(after)))).toEqual(expected);
    }),
    { numRuns: RUNS },
  );
});

test('diffTrees of the stored version and an edited working tree equals the naive diff', () => {
  fc.assert(
    fc.property(treeSpecArb(), editsArb(6), (spec, edits) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      const stored = reg.getStoredEntity<PRoot>(root.ecsId);
      applyEdits(root, edits);
      const expected = naiveDiff(stored, root);
      expect(plainDiff(diffTrees(reg.getStoredTree(stored.ecsId), buildEntityTree(root)))).toEqual(expected);
    }),
    { numRuns: RUNS },
  );
});
