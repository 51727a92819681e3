/**
 * Transaction commit when the function changes or fills an entity and then removes it from the tree
 * in the same call: the removed entity must not get a new stored version, and the new version's
 * index must not list it (it is in no tree).
 */
import { Entity, EntityRegistry, entity } from '../../src';
import { Transaction } from '../support/transaction';
import type { EntityObject } from '../../src/metadata/object-model';

@entity()
class TLeaf extends Entity {
  label = '';
}
@entity()
class TNode extends Entity {
  name = '';
  left: TLeaf | TNode | null = null;
  items: Array<TLeaf | TNode> = [];
}

function setup() {
  const reg = new EntityRegistry();
  const root = new TNode({
    name: 'root',
    left: new TLeaf({ label: 'L' }),
    items: [new TNode({ name: 'n', items: [new TLeaf({ label: 'x' })] })],
  });
  reg.promoteToRoot(root);
  const stored = reg.getStoredEntity<TNode>(root.ecsId);
  return { reg, stored };
}

function run(reg: EntityRegistry, stored: TNode, fn: () => void) {
  const tx = new Transaction(reg, { functionName: 'f', executionId: 'e' });
  tx.addInput(stored as unknown as EntityObject);
  tx.run(fn);
  const { outputs } = tx.commit([stored as unknown as EntityObject]);
  return outputs[0].entity as unknown as TNode;
}

function expectIndexMatchesTree(reg: EntityRegistry, rootId: string) {
  const version = reg.getVersion(rootId);
  const tree = reg.getStoredTree(rootId);
  const indexed = [...version.index].map(([lineage, e]) => [lineage, (e as unknown as Entity).ecsId]).sort();
  const inTree = [...tree.nodes.values()]
    .map((e) => [(e as unknown as Entity).lineageId, (e as unknown as Entity).ecsId])
    .sort();
  expect(indexed).toEqual(inTree);
}

test('changed then removed in one call: the removed entity is not stored again and not indexed', () => {
  const { reg, stored } = setup();
  const before = reg.stats;
  const leafLineage = (stored.left as TLeaf).lineageId;
  const result = run(reg, stored, () => {
    (stored.left as TLeaf).label = 'changed';
    stored.left = null;
  });
  expect(result.left).toBeNull();
  // one new stored entity: the root (the leaf left the tree, it gets no new version)
  expect(reg.stats.entities).toBe(before.entities + 1);
  expect(reg.getVersion(result.ecsId).index.has(leafLineage)).toBe(false);
  expectIndexMatchesTree(reg, result.ecsId);
});

test('a child added to a node that is then removed in the same call is not stored', () => {
  const { reg, stored } = setup();
  const before = reg.stats;
  const n = stored.items[0] as TNode;
  const result = run(reg, stored, () => {
    n.items.push(new TLeaf({ label: 'new' }));
    stored.items.splice(0, 1);
  });
  expect(result.items).toHaveLength(0);
  expect(reg.stats.entities).toBe(before.entities + 1);
  expect(reg.getVersion(result.ecsId).index.has(n.lineageId)).toBe(false);
  expectIndexMatchesTree(reg, result.ecsId);
});

test('a stored child moved into a node that is then removed leaves the tree with it', () => {
  const { reg, stored } = setup();
  const before = reg.stats;
  const n = stored.items[0] as TNode;
  const leaf = stored.left as TLeaf;
  const result = run(reg, stored, () => {
    stored.left = null;
    n.items.push(leaf);
    stored.items.splice(0, 1);
  });
  expect(result.left).toBeNull();
  expect(result.items).toHaveLength(0);
  expect(reg.stats.entities).toBe(before.entities + 1);
  expect(reg.getVersion(result.ecsId).index.has(leaf.lineageId)).toBe(false);
  expect(reg.getVersion(result.ecsId).index.has(n.lineageId)).toBe(false);
  expectIndexMatchesTree(reg, result.ecsId);
});

test('a stored entity also put into a node that is then removed is no shared reference: the final tree is a tree', () => {
  const { reg, stored } = setup();
  const n = stored.items[0] as TNode;
  const leaf = stored.left as TLeaf;
  const result = run(reg, stored, () => {
    n.items.push(leaf); // for a moment in two places ...
    stored.items.splice(0, 1); // ... until n leaves the tree
  });
  expect(result.left!.ecsId).toBe(leaf.ecsId); // unchanged, shared
  expect(result.items).toHaveLength(0);
  expectIndexMatchesTree(reg, result.ecsId);
});

test('version() of the same edits on a checkout agrees with the transaction', () => {
  const { reg, stored } = setup();
  const co = reg.checkout<TNode>(stored.ecsId);
  (co.left as TLeaf).label = 'changed';
  co.left = null;
  (co.items[0] as TNode).items.push(new TLeaf({ label: 'new' }));
  co.items.splice(0, 1);
  const r = reg.version(co);
  const result = run(reg, stored, () => {
    (stored.left as TLeaf).label = 'changed';
    stored.left = null;
    (stored.items[0] as TNode).items.push(new TLeaf({ label: 'new' }));
    stored.items.splice(0, 1);
  });
  expect([...r.idMap.keys()]).toEqual([stored.ecsId]);
  expect(result.previousEcsId).toBe(stored.ecsId);
  expect(reg.getStoredTree(result.ecsId).nodeCount).toBe(reg.getStoredTree(co.ecsId).nodeCount);
  expectIndexMatchesTree(reg, result.ecsId);
  expectIndexMatchesTree(reg, co.ecsId);
});
