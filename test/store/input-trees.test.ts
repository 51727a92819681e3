/**
 * store/input-trees.ts: every input tree of a call after the function returned (drafted trees
 * diffed from overlays, copied trees diffed like version()), and the checks across trees.
 */
import { EntityRegistry, ImmutableVersionError, TreeStructureError, VersioningError } from '../../src';
import { Draft } from '../../src/store/draft';
import { changesOfInputs, holds } from '../../src/store/input-trees';
import type { RootVersion } from '../../src/store/root-version';
import { PpItem, PpRoot, buildRoot, eo, idsOf, storeRoot } from '../support/pipeline';

const provenance = { functionName: 'pp_fn', executionId: 'exec-1' };
let registry: EntityRegistry;

beforeEach(() => {
  registry = new EntityRegistry();
});

function secondVersion(v1: PpRoot): RootVersion {
  const co = registry.checkout<PpRoot>(v1.ecsId);
  co.title = 'second';
  registry.version(co);
  return registry.latestVersion(v1.lineageId)!;
}

test('closes the draft: a write after it is refused', () => {
  const { stored, version } = storeRoot(registry, buildRoot(1, 1));
  const draft = new Draft([version]);
  draft.write(eo(stored), 0, 'before'); // a draft that is not running still takes writes...
  changesOfInputs(draft, registry, provenance);
  expect(() => draft.write(eo(stored), 0, 'late')).toThrow(ImmutableVersionError); // ...until its changes are read
});

test('one drafted tree per input version, in order, diffed from the overlays', () => {
  const a = storeRoot(registry, buildRoot(1, 1));
  const b = storeRoot(registry, buildRoot(1, 1));
  const draft = new Draft([a.version, b.version]);
  draft.run(() => {
    b.stored.boxes[0].items[0].n = 3;
  });
  const trees = changesOfInputs(draft, registry, provenance);
  expect(trees.map((t) => t.kind)).toEqual(['draft', 'draft']);
  expect(trees.map((t) => t.input)).toEqual([a.version, b.version]);
  expect(trees[0].modified.size).toBe(0);
  expect(idsOf(trees[1].modified)).toEqual(idsOf([b.stored, b.stored.boxes[0], b.stored.boxes[0].items[0]]));
  expect(holds(trees[1], eo(b.stored.boxes[0]))).toBe(true);
  expect(holds(trees[0], eo(b.stored.boxes[0]))).toBe(false);
});

test('a second version of a lineage: a copied tree, diffed like version(), with its commit request planned', () => {
  const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(2, 1));
  const ver2 = secondVersion(v1);
  const before = registry.stats;
  const draft = new Draft([ver1, ver2]);
  const copyRoot = draft.copied[0].root as unknown as PpRoot;
  draft.run(() => {
    copyRoot.boxes[1].items[0].name = 'edited';
  });
  const trees = changesOfInputs(draft, registry, provenance);
  expect(trees.map((t) => t.kind)).toEqual(['draft', 'copy']);
  const copy = trees[1];
  if (copy.kind !== 'copy') throw new Error('expected a copied tree');
  expect(copy.input).toBe(ver2);
  expect(copy.root).toBe(copyRoot);
  expect(copy.request).not.toBeNull();
  expect(copy.request!.base).toBe(ver2);
  expect(copy.request!.provenance).toBe(provenance);
  expect(idsOf(copy.modified)).toEqual(idsOf([copyRoot, copyRoot.boxes[1], copyRoot.boxes[1].items[0]]));
  expect(new Map(copy.changedFields)).toEqual(new Map([[copyRoot.boxes[1].items[0].ecsId, ['name']]]));
  expect(holds(copy, eo(copyRoot.boxes[0]))).toBe(true);
  expect(holds(copy, eo(v1.boxes[0]))).toBe(false); // the stored object is not in the copy's tree
  expect(trees[0].modified.size).toBe(0);
  expect(registry.stats).toEqual(before); // planned, nothing published
});

test('an unchanged copied tree has no request', () => {
  const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(1, 1));
  const ver2 = secondVersion(v1);
  const draft = new Draft([ver1, ver2]);
  draft.run(() => undefined);
  const [, copy] = changesOfInputs(draft, registry, provenance);
  expect(copy.kind === 'copy' && copy.request).toBeNull();
  expect(copy.modified.size).toBe(0);
});

test('a change to a stored entity outside the inputs is a VersioningError; an equal write is not', () => {
  const input = storeRoot(registry, buildRoot(1, 1));
  const outside = storeRoot(registry, buildRoot(1, 1)).stored;
  const draft = new Draft([input.version]);
  draft.run(() => {
    outside.boxes[0].items[0].n = 5;
  });
  expect(() => changesOfInputs(draft, registry, provenance)).toThrow(VersioningError);
  const again = new Draft([input.version]);
  again.run(() => {
    outside.boxes[0].items[0].n = 5;
  });
  expect(() => changesOfInputs(again, registry, provenance)).toThrow(
    /PpItem .*: the function changed field 'n' of an entity that is not part of its inputs/,
  );

  const equal = new Draft([input.version]);
  equal.run(() => {
    outside.boxes[0].items[0].n = 0;
    void outside.boxes[0].items[0].tags; // a read copy
  });
  expect(changesOfInputs(equal, registry, provenance)).toHaveLength(1);
});

test('an entity moved from one input tree into another while it stays in the first: TreeStructureError', () => {
  const a = storeRoot(registry, buildRoot(1, 1));
  const b = storeRoot(registry, buildRoot(1, 1));
  const draft = new Draft([a.version, b.version]);
  draft.run(() => {
    b.stored.boxes[0].items.push(a.stored.boxes[0].items[0]);
  });
  expect(() => changesOfInputs(draft, registry, provenance)).toThrow(TreeStructureError);
  const again = new Draft([a.version, b.version]);
  again.run(() => {
    b.stored.boxes[0].items.push(a.stored.boxes[0].items[0]);
  });
  expect(() => changesOfInputs(again, registry, provenance)).toThrow(
    /occurs in two trees of this call \(a shared reference\): it is in the input tree of PpRoot/,
  );
});

test('an entity moved from one input tree into another (and removed from the first) is fine', () => {
  const a = storeRoot(registry, buildRoot(1, 1));
  const b = storeRoot(registry, buildRoot(1, 1));
  const moved = a.stored.boxes[0].items[0];
  const draft = new Draft([a.version, b.version]);
  draft.run(() => {
    b.stored.boxes[0].items.push(a.stored.boxes[0].items.pop()!);
  });
  const [ta, tb] = changesOfInputs(draft, registry, provenance);
  expect(holds(ta, eo(moved))).toBe(false);
  expect(holds(tb, eo(moved))).toBe(true);
  if (ta.kind !== 'draft') throw new Error('drafted');
  expect(ta.removedLineages).toEqual([moved.lineageId]);
});

test('a new entity put into two input trees: TreeStructureError', () => {
  const a = storeRoot(registry, buildRoot(1, 1));
  const b = storeRoot(registry, buildRoot(1, 1));
  const fresh = new PpItem({ name: 'both' });
  const draft = new Draft([a.version, b.version]);
  draft.run(() => {
    a.stored.boxes[0].items.push(fresh);
    b.stored.boxes[0].items.push(fresh);
  });
  expect(() => changesOfInputs(draft, registry, provenance)).toThrow(TreeStructureError);
});

test("another input's root put into a tree is an attachment, not a conflict", () => {
  const a = storeRoot(registry, buildRoot(1, 1));
  const item = new PpItem({ name: 'root of its own' });
  const b = storeRoot(registry, item);
  const draft = new Draft([a.version, b.version]);
  draft.run(() => {
    a.stored.boxes[0].items.push(b.stored);
  });
  const [ta, tb] = changesOfInputs(draft, registry, provenance);
  expect(holds(ta, eo(b.stored))).toBe(true);
  expect(holds(tb, eo(b.stored))).toBe(true);
  expect(tb.modified.size).toBe(0);
});
