/**
 * diff/draft-diff.ts: what a function changed in one input tree, read from the draft's overlays:
 * modified entities (with their ancestors), entered entities and their new places, removed
 * lineages, changed fields, dirty children per parent; and the queries on the result
 * (`holdsEntity`, `isRemoved`, `placementIn`, `parentIn`).
 */
import { EntityRegistry, TreeStructureError } from '../../src';
import { runtimeOfObject } from '../../src/entity/class-runtime';
import { metaOf } from '../../src/metadata/object-model';
import { holdsEntity, isRemoved, parentIn, placementIn } from '../../src/diff/draft-diff';
import { PpBox, PpItem, PpRoot, buildRoot, editAndDiff, eo, idsOf, storeRoot } from '../support/pipeline';

let registry: EntityRegistry;
let root: PpRoot;
let version: ReturnType<typeof storeRoot>['version'];

beforeEach(() => {
  registry = new EntityRegistry();
  ({ stored: root, version } = storeRoot(registry, buildRoot(3, 2)));
});

const fieldIndex = (e: object, name: string): number => runtimeOfObject(eo(e)).meta.fieldIndex.get(name)!;

test('an untouched tree (primitive reads only): nothing claimed, nothing changed', () => {
  const { changes } = editAndDiff(version, () => void (root.title + root.boxes.length));
  // reading `boxes` copied it: the root is overlaid (claimed) but unchanged
  expect(changes.claimed).toBe(1);
  expect(changes.modified.size).toBe(0);
  expect(changes.entered.size).toBe(0);
  expect(changes.changedFields.size).toBe(0);
  const untouched = editAndDiff(version, () => void root.title).changes;
  expect(untouched.claimed).toBe(0);
  expect(untouched.modified.size).toBe(0);
  expect(untouched.removedLineages).toEqual([]);
  expect(untouched.root).toBe(root);
  expect(untouched.input).toBe(version);
});

test('writing a value equal to the stored one changes nothing', () => {
  const item = root.boxes[1].items[0];
  const { changes } = editAndDiff(version, () => {
    const n = item.n;
    item.n = n;
    item.tags = ['t'];
    root.boxes[1].info = { k: 0, xs: [] };
  });
  expect(changes.claimed).toBeGreaterThan(0);
  expect(changes.modified.size).toBe(0);
  expect(changes.changedFields.size).toBe(0);
});

test('a field change marks the entity and its ancestors modified, names the field, and dirties the parents', () => {
  const box = root.boxes[1];
  const item = box.items[0];
  const { changes } = editAndDiff(version, () => {
    item.n = 99;
  });
  expect(idsOf(changes.modified)).toEqual(idsOf([item, box, root]));
  expect([...changes.changedFields]).toEqual([[item.ecsId, ['n']]]);
  expect(changes.entered.size).toBe(0);
  expect(changes.removedLineages).toEqual([]);
  expect(changes.dirtyChildren.get(eo(box))!.children[fieldIndex(box, 'items')]).toEqual([item]);
  expect(changes.dirtyChildren.get(eo(root))!.children[fieldIndex(root, 'boxes')]).toEqual([box]);
  expect(changes.dirtyChildren.get(eo(root))!.has(fieldIndex(root, 'title'))).toBe(false);
  expect(changes.dirtyChildren.has(eo(item))).toBe(false);
});

test('two changed fields of one entity, in field order; a pushed tag is a change of `tags`', () => {
  const item = root.boxes[0].items[1];
  const { changes } = editAndDiff(version, () => {
    item.tags.push('u');
    item.name = 'renamed';
  });
  expect(changes.changedFields.get(item.ecsId)).toEqual(['name', 'tags']);
});

test('a reorder inside an array changes the parent only: its children are not moved', () => {
  const box = root.boxes[0];
  const { changes } = editAndDiff(version, () => {
    box.items.reverse();
  });
  expect(idsOf(changes.modified)).toEqual(idsOf([box, root]));
  expect(changes.entered.size).toBe(0);
  expect(changes.changedFields.get(box.ecsId)).toEqual(['items']);
});

test('a move between boxes: the item entered its new place, both boxes changed, nothing removed', () => {
  const [b0, , b2] = root.boxes;
  const item = b0.items[1];
  const { changes } = editAndDiff(version, () => {
    b2.items.push(b0.items.pop()!);
  });
  expect(changes.removedLineages).toEqual([]);
  const np = changes.entered.get(eo(item))!;
  expect(np.owner).toBe(b2);
  expect(np.place).toBe('items[]');
  expect(np.path).toEqual(['items', 2]);
  expect(np.fieldIndex).toBe(fieldIndex(b2, 'items'));
  expect(idsOf(changes.modified)).toEqual(idsOf([item, b0, b2, root]));
  expect(new Map(changes.changedFields)).toEqual(
    new Map([
      [b0.ecsId, ['items']],
      [b2.ecsId, ['items']],
    ]),
  );
  expect(holdsEntity(changes, eo(item))).toBe(true);
  expect(parentIn(changes, eo(item))).toBe(b2);
  expect(placementIn(changes, eo(item))).toEqual({ parentLineageId: b2.lineageId, place: 'items[]' });
  // an entity that did not move keeps its stored placement
  expect(placementIn(changes, eo(b0.items[0]))).toEqual({ parentLineageId: b0.lineageId, place: 'items[]' });
  expect(parentIn(changes, eo(b0.items[0]))).toBe(b0);
  expect(parentIn(changes, eo(root))).toBeNull();
  expect(placementIn(changes, eo(root)).parentLineageId).toBeNull();
});

test('a move from an array into a single-entity field and a Map', () => {
  const [b0, b1] = root.boxes;
  const [i0, i1] = b0.items;
  const { changes } = editAndDiff(version, () => {
    b0.items = [];
    b1.best = i0;
    b1.byKey.set('k', i1);
  });
  expect(placementIn(changes, eo(i0))).toEqual({ parentLineageId: b1.lineageId, place: 'best' });
  expect(placementIn(changes, eo(i1))).toEqual({ parentLineageId: b1.lineageId, place: 'byKey{k}' });
  const dirty = changes.dirtyChildren.get(eo(b1))!;
  expect(dirty.children[fieldIndex(b1, 'best')]).toEqual([i0]);
  expect(dirty.children[fieldIndex(b1, 'byKey')]).toEqual([i1]);
  expect(changes.removedLineages).toEqual([]);
});

test('removing a box removes its lineage and its whole subtree', () => {
  const b1 = root.boxes[1];
  const { changes } = editAndDiff(version, () => {
    root.boxes.splice(1, 1);
  });
  expect(changes.removedLineages.slice().sort()).toEqual([b1, ...b1.items].map((e) => e.lineageId).sort());
  for (const e of [b1, ...b1.items]) {
    expect(isRemoved(changes, eo(e))).toBe(true);
    expect(holdsEntity(changes, eo(e))).toBe(false);
  }
  expect(holdsEntity(changes, eo(root.boxes[0]))).toBe(true);
  expect(isRemoved(changes, eo(root.boxes[0]))).toBe(false);
  expect(idsOf(changes.modified)).toEqual(idsOf([root]));
  expect(changes.changedFields.get(root.ecsId)).toEqual(['boxes']);
});

test('a child saved from a removed box first is not removed: it entered elsewhere', () => {
  const [b0, b1] = root.boxes;
  const saved = b1.items[0];
  const { changes } = editAndDiff(version, () => {
    b0.items.push(b1.items[0]);
    root.boxes.splice(1, 1);
  });
  expect(changes.removedLineages.slice().sort()).toEqual([b1.lineageId, b1.items[1].lineageId].sort());
  expect(isRemoved(changes, eo(saved))).toBe(false);
  expect(holdsEntity(changes, eo(saved))).toBe(true);
  expect(parentIn(changes, eo(saved))).toBe(b0);
});

test('a child moved into a box that is then removed is gone with it', () => {
  const [b0, b1] = root.boxes;
  const moved = b0.items[0];
  const { changes } = editAndDiff(version, () => {
    b1.items.push(b0.items.shift()!);
    root.boxes.splice(1, 1);
  });
  expect(changes.entered.has(eo(moved))).toBe(false);
  expect(changes.removedLineages).toContain(moved.lineageId);
  expect(holdsEntity(changes, eo(moved))).toBe(false);
});

test('new working entities enter with their whole subtree', () => {
  const b0 = root.boxes[0];
  const fresh = new PpBox({
    name: 'new',
    items: [new PpItem({ name: 'n0' }), new PpItem({ name: 'n1' })],
    best: new PpItem({ name: 'best' }),
  });
  const { changes } = editAndDiff(version, () => {
    root.boxes.push(fresh);
  });
  expect(idsOf(changes.entered.keys())).toEqual(idsOf([fresh, ...fresh.items, fresh.best!]));
  expect(changes.entered.get(eo(fresh))!.owner).toBe(root);
  expect(changes.entered.get(eo(fresh.items[1]))).toMatchObject({ owner: fresh, place: 'items[]', path: ['items', 1] });
  expect(changes.entered.get(eo(fresh.best!))).toMatchObject({ owner: fresh, place: 'best' });
  for (const e of [fresh, ...fresh.items]) expect(holdsEntity(changes, eo(e))).toBe(true);
  expect(changes.modified.has(eo(fresh.items[0]))).toBe(true);
  expect(changes.modified.has(eo(b0))).toBe(false);
  expect(changes.dirtyChildren.get(eo(fresh))!.children[fieldIndex(fresh, 'items')]!.length).toBe(2);
});

describe('refused structures', () => {
  test('a stored child put into a second place while it stays at the first: occurs twice', () => {
    const [b0, b1] = root.boxes;
    expect(() =>
      editAndDiff(version, () => {
        b1.items.push(b0.items[0]);
      }),
    ).toThrow(TreeStructureError);
    expect(() =>
      editAndDiff(version, () => {
        b1.best = b0.items[0];
      }),
    ).toThrow(/occurs twice in the tree \(a shared reference\): it is still at items\[\]/);
  });

  test('a stored child repeated in its own array (in the shared prefix) is refused too', () => {
    const b0 = root.boxes[0];
    expect(() =>
      editAndDiff(version, () => {
        b0.items.push(b0.items[1]);
      }),
    ).toThrow(/occurs twice in the tree/);
  });

  test('a new entity put into two places is refused', () => {
    const [b0, b1] = root.boxes;
    const fresh = new PpItem({ name: 'twice' });
    expect(() =>
      editAndDiff(version, () => {
        b0.items.push(fresh);
        b1.items.push(fresh);
      }),
    ).toThrow(/PpItem .* occurs twice in the tree \(a shared reference\)/);
  });

  test('a working copy of an entity that stays in the tree is a second version of its lineage', () => {
    const [b0, b1] = root.boxes;
    const copy = registry.checkout<PpRoot>(root.ecsId).boxes[0].items[0];
    expect(copy.lineageId).toBe(b0.items[0].lineageId);
    expect(() =>
      editAndDiff(version, () => {
        b1.items.push(copy);
      }),
    ).toThrow(/occurs twice in the tree \(two copies of the same version\)/);
  });

  test('a replaced child is a leave and an enter even when the new object has the same lineage and values', () => {
    const [b0] = root.boxes;
    const original = b0.items[0];
    const copy = registry.checkout<PpRoot>(root.ecsId).boxes[0].items[0];
    const { changes } = editAndDiff(version, () => {
      b0.items[0] = copy;
    });
    expect(changes.entered.has(eo(copy))).toBe(true);
    expect(changes.modified.has(eo(copy))).toBe(true);
    expect(holdsEntity(changes, eo(original))).toBe(false);
    expect(metaOf(copy).lineageId).toBe(original.lineageId);
  });
});

test('only overlays of this tree are read: an edit of another tree changes nothing here', () => {
  const other = storeRoot(registry, buildRoot(1, 1)).stored;
  const { changes, draft } = editAndDiff(version, () => {
    other.boxes[0].items[0].n = 5;
  });
  expect(draft.overlays.size).toBeGreaterThan(0);
  expect(changes.claimed).toBe(0);
  expect(changes.modified.size).toBe(0);
});
