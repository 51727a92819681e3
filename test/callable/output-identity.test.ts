/**
 * D1: every stored object has its own ecsId, whatever a function returns — a child returned on its
 * own while it stays in its tree, a child next to its root, new entities inside new roots — and an
 * entity put into two input trees is a TreeStructureError.
 */
import { CallableRegistry, Entity, EntityRegistry, TreeStructureError, entity } from '../../src';
import { capture, duplicateEcsIds, expectUnchanged } from './dump-registry';

@entity()
class OiLeaf extends Entity {
  name = '';
}

@entity()
class OiBox extends Entity {
  name = '';
  items: OiLeaf[] = [];
}

@entity()
class OiRoot extends Entity {
  boxes: OiBox[] = [];
}

let registry: EntityRegistry;
let functions: CallableRegistry;

function tree(...names: string[]): OiRoot {
  const r = new OiRoot({ boxes: names.map((name) => new OiBox({ name })) });
  registry.promoteToRoot(r);
  return r;
}

beforeEach(() => {
  registry = new EntityRegistry();
  functions = new CallableRegistry({ entities: registry });
});

test('a child returned on its own while it stays in the tree forks from its new version in the tree', () => {
  const r = tree('b0', 'b1');
  functions.register('add_and_return_child', ({ root }: { root: OiRoot }) => {
    root.boxes[0].items.push(new OiLeaf({ name: 'new' }));
    return root.boxes[0];
  });
  const detached = functions.execute<OiBox>('add_and_return_child', { root: r });
  const latest = registry.latest<OiRoot>(r.lineageId)!;
  const inTree = latest.boxes[0];

  expect(functions.executions()[0].semantics).toEqual(['detachment']);
  expect(detached).not.toBe(inTree);
  expect(detached.ecsId).not.toBe(inTree.ecsId);
  expect(detached.previousEcsId).toBe(inTree.ecsId);
  expect(detached.items[0].ecsId).not.toBe(inTree.items[0].ecsId);
  expect(detached.items[0].previousEcsId).toBe(inTree.items[0].ecsId);
  expect(registry.getStoredEntity(inTree.items[0].ecsId)).toBe(inTree.items[0]);
  expect(registry.getStoredEntity(detached.items[0].ecsId)).toBe(detached.items[0]);
  expect(duplicateEcsIds(registry)).toEqual([]);

  // Both stored leaves are this registry's own: each can be passed to a function.
  functions.register('rename_leaf', ({ leaf }: { leaf: OiLeaf }) => {
    leaf.name = 'x';
    return leaf;
  });
  expect(functions.execute<OiLeaf>('rename_leaf', { leaf: inTree.items[0] }).name).toBe('x');
  expect(functions.execute<OiLeaf>('rename_leaf', { leaf: detached.items[0] }).name).toBe('x');

  // A later version() of the tree shares the unchanged leaf instead of forking it.
  const co = registry.checkout<OiRoot>(latest.ecsId);
  co.boxes[0].items.push(new OiLeaf({ name: 'second' }));
  registry.version(co);
  expect(registry.latest<OiRoot>(r.lineageId)!.boxes[0].items[0]).toBe(inTree.items[0]);
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('[root, child] with the child changed: the child in the tree and the returned child are two versions', () => {
  const r = tree('b0', 'b1');
  functions.register('edit_child_return_both', ({ root }: { root: OiRoot }) => {
    root.boxes[1].name = 'changed';
    return [root, root.boxes[1]];
  });
  const [root, child] = functions.execute<[OiRoot, OiBox]>('edit_child_return_both', { root: r });
  expect(functions.executions()[0].semantics).toEqual(['mutation', 'detachment']);
  expect(root.boxes[1].name).toBe('changed');
  expect(child.name).toBe('changed');
  expect(child.ecsId).not.toBe(root.boxes[1].ecsId);
  expect(child.previousEcsId).toBe(root.boxes[1].ecsId);
  // The ids the outputs name each other by are the ids they were stored under.
  expect(root.siblingOutputEntities).toEqual([child.ecsId]);
  expect(child.siblingOutputEntities).toEqual([root.ecsId]);
  expect(child.outputIndex).toBe(1);
  expect(root.boxes[1].outputIndex).toBeNull();
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('a new entity inside a new root returned next to it is stored once per root, under two ids', () => {
  functions.register('new_nested', () => {
    const leaf = new OiLeaf({ name: 'inner' });
    const box = new OiBox({ name: 'outer', items: [leaf] });
    return [leaf, box];
  });
  const [leaf, box] = functions.execute<[OiLeaf, OiBox]>('new_nested', {});
  expect(box.items[0].name).toBe('inner');
  expect(box.items[0].ecsId).not.toBe(leaf.ecsId);
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('one new entity put into two input trees is a TreeStructureError, and only the failed record is left', () => {
  const a = tree('a0');
  const b = tree('b0');
  functions.register('new_into_both', ({ a, b }: { a: OiRoot; b: OiRoot }) => {
    const leaf = new OiLeaf({ name: 'twice' });
    a.boxes[0].items.push(leaf);
    b.boxes[0].items.push(leaf);
    return [a, b];
  });
  const before = capture(registry);
  expect(() => functions.execute<unknown>('new_into_both', { a, b })).toThrow(TreeStructureError);
  expectUnchanged(registry, before);
  expect(functions.executions().map((x) => x.status)).toEqual(['failed']);
});

test('a child put into a second input tree while it stays in the first is a TreeStructureError', () => {
  const a = tree('a0');
  const b = tree('b0');
  functions.register('share_child', ({ a, b }: { a: OiRoot; b: OiRoot }) => {
    b.boxes.push(a.boxes[0]);
    return b;
  });
  const before = capture(registry);
  expect(() => functions.execute<unknown>('share_child', { a, b })).toThrow(/occurs in two trees of this call/);
  expectUnchanged(registry, before);
});

test('a child moved from one input tree to another leaves the first and forks into the second', () => {
  const a = tree('a0', 'a1');
  const b = tree('b0');
  functions.register('move_child', ({ a, b }: { a: OiRoot; b: OiRoot }) => {
    b.boxes.push(a.boxes.shift()!);
    return [a, b];
  });
  const [na, nb] = functions.execute<[OiRoot, OiRoot]>('move_child', { a, b });
  expect(na.boxes.map((x) => x.name)).toEqual(['a1']);
  expect(nb.boxes.map((x) => x.name)).toEqual(['b0', 'a0']);
  expect(nb.boxes[1].previousEcsId).toBe(a.boxes[0].ecsId);
  expect(duplicateEcsIds(registry)).toEqual([]);
});
