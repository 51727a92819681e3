/** removeAt / replaceAt / readSegment at the paths a tree's edges give, in each kind of container. */
import { Entity, entity } from '../../src';
import { metaOf, type EntityObject } from '../../src/metadata/object-model';
import { buildEntityTree } from '../../src/tree/build-tree';
import { WorkingRoots, readSegment, removeAt, replaceAt } from '../../src/store/working-tree';

@entity()
class WtLeaf extends Entity {
  name = '';
}

@entity()
class WtHolder extends Entity {
  one: WtLeaf | null = null;
  list: WtLeaf[] = [];
  byKey: Map<string, WtLeaf> = new Map();
  members: Set<WtLeaf> = new Set();
  groups: Set<WtLeaf[]> = new Set();
  rec: Record<string, WtLeaf> = {};
}

const leaf = (name: string) => new WtLeaf({ name });
const ent = (e: object): EntityObject => e as unknown as EntityObject;

function holder(): WtHolder {
  return new WtHolder({
    one: leaf('one'),
    list: [leaf('l0'), leaf('l1'), leaf('l2')],
    byKey: new Map([
      ['a', leaf('ka')],
      ['b', leaf('kb')],
    ]),
    members: new Set([leaf('s0'), leaf('s1'), leaf('s2')]),
    groups: new Set([[leaf('g00')], [leaf('g10'), leaf('g11')]]),
    rec: { x: leaf('rx'), y: leaf('ry') },
  });
}

/** The leaf called `name` in `root`'s tree, its parent and its path from the parent's field. */
function find(root: WtHolder, name: string): { e: WtLeaf; parent: EntityObject; path: readonly (string | number)[] } {
  const tree = buildEntityTree(root);
  for (const n of tree.nodes.values()) {
    if (n instanceof WtLeaf && n.name === name) {
      const edge = tree.edgeTo.get(metaOf(n).ecsId)!;
      return { e: n, parent: tree.nodes.get(edge.parent)!, path: edge.path };
    }
  }
  throw new Error(`no leaf ${name}`);
}

function at(parent: EntityObject, path: readonly (string | number)[]): unknown {
  let v: unknown = parent;
  for (const seg of path) v = readSegment(v, seg);
  return v;
}

const names = (xs: Iterable<WtLeaf>) => [...xs].map((l) => l.name);

// one leaf per kind of container: a field, an array, a Map, a Set (by ecsId), an array in a Set (by position), a record
const CASES = ['one', 'l1', 'kb', 's1', 'g11', 'ry'];

describe.each(CASES)('the leaf %s', (name) => {
  test('readSegment walks its path to it', () => {
    const { e, parent, path } = find(holder(), name);
    expect(at(parent, path)).toBe(e);
  });

  test('replaceAt puts another entity in its place', () => {
    const root = holder();
    const { parent, path } = find(root, name);
    const next = leaf('new');
    replaceAt(parent, path, ent(next));
    expect(find(root, 'new').path).toEqual(name === 's1' ? [path[0], metaOf(next).ecsId] : path);
    expect(() => find(root, name)).toThrow();
  });

  test('removeAt takes it out', () => {
    const root = holder();
    const { parent, path } = find(root, name);
    removeAt(parent, path);
    expect(() => find(root, name)).toThrow();
  });
});

test('replaceAt keeps a Set member where it was', () => {
  const root = holder();
  const { parent, path } = find(root, 's1');
  replaceAt(parent, path, ent(leaf('new')));
  expect(names(root.members)).toEqual(['s0', 'new', 's2']);
});

test('removeAt: a field is set to null, an array closes up, Map and record lose the key', () => {
  const root = holder();
  for (const name of CASES) {
    const { parent, path } = find(root, name);
    removeAt(parent, path);
  }
  expect(root.one).toBeNull();
  expect(names(root.list)).toEqual(['l0', 'l2']);
  expect([...root.byKey.keys()]).toEqual(['a']);
  expect(names(root.members)).toEqual(['s0', 's2']);
  expect([...root.groups].map(names)).toEqual([['g00'], ['g10']]);
  expect(Object.keys(root.rec)).toEqual(['x']);
});

test('readSegment: a Set member by position or by ecsId, nothing for an unknown one', () => {
  const set = new Set<unknown>([[1], leaf('m')]);
  const m = [...set][1] as WtLeaf;
  expect(readSegment(set, 0)).toEqual([1]);
  expect(readSegment(set, metaOf(m).ecsId)).toBe(m);
  expect(readSegment(set, 5)).toBeUndefined();
  expect(readSegment(set, 'nope')).toBeUndefined();
  expect(readSegment(new Map([['k', 1]]), 'k')).toBe(1);
  expect(readSegment([7, 8], 1)).toBe(8);
});

test('WorkingRoots finds the root an entity names by its rootLiveId, nothing for an orphan', () => {
  const roots = new WorkingRoots();
  const root = holder();
  const child = root.one!;
  expect(roots.rootOf(ent(child))).toBeUndefined(); // an orphan tree: no rootLiveId yet
  metaOf(ent(child)).rootLiveId = metaOf(ent(root)).liveId;
  expect(roots.rootOf(ent(child))).toBeUndefined(); // not added
  roots.add(ent(root));
  expect(roots.rootOf(ent(child))).toBe(root);
});
