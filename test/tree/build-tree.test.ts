/**
 * buildEntityTree (SPEC §2): entities anywhere inside containers, edges with field, position path
 * and container kind, the tree queries, and TreeStructureError for shared references and cycles.
 */
import {
  Entity,
  EntityDefinitionError,
  EntityRegistry,
  EntityTree,
  TreeStructureError,
  buildEntityTree,
  entity,
} from '../../src';

@entity()
class Leaf extends Entity {
  name = '';
}

@entity()
class Holder extends Entity {
  label = '';
  one: Leaf | Holder | null = null;
  list: Array<Leaf | Holder> = [];
  pair: [Leaf | null, number] = [null, 0];
  grid: Leaf[][] = [];
  byName: Map<string | number, Leaf> = new Map();
  members: Set<Leaf> = new Set();
  record: Record<string, unknown> = {};
  deep: unknown = null;
}

const ids = (es: object[]): string[] => es.map((e) => (e as Entity).ecsId);

describe('entities inside containers', () => {
  test('a lone root: one node, no edges, depth 0', () => {
    const h = new Holder();
    const t = buildEntityTree(h);
    expect(t).toBeInstanceOf(EntityTree);
    expect(t.root).toBe(h);
    expect(t.rootEcsId).toBe(h.ecsId);
    expect(t.nodeCount).toBe(1);
    expect(t.edgeCount).toBe(0);
    expect(t.maxDepth).toBe(0);
    expect(t.parentOf(h.ecsId)).toBeNull();
    expect(t.childrenOf(h.ecsId)).toEqual([]);
    expect(t.ancestryPath(h.ecsId)).toEqual([h.ecsId]);
  });

  test('every kind of slot: single field, array, tuple, nested arrays, Map value, Set member, record, any depth', () => {
    const [a, b, c, d, e, f, g, k] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'k'].map((name) => new Leaf({ name }));
    const h = new Holder({
      one: a,
      list: [b],
      pair: [c, 7],
      grid: [[], [d]],
      byName: new Map<string | number, Leaf>([
        ['x', e],
        [3, k],
      ]),
      members: new Set([f]),
      record: { inner: { deeper: [g] } },
    });
    const t = buildEntityTree(h);
    expect(t.nodeCount).toBe(9);
    expect(t.edgeCount).toBe(8);
    expect(t.maxDepth).toBe(1);
    const edge = (x: Leaf) => t.edgeTo.get(x.ecsId)!;
    expect(edge(a)).toMatchObject({ parent: h.ecsId, child: a.ecsId, field: 'one', path: ['one'], container: 'field' });
    expect(edge(b)).toMatchObject({ field: 'list', path: ['list', 0], container: 'array' });
    expect(edge(c)).toMatchObject({ field: 'pair', path: ['pair', 0], container: 'array' });
    expect(edge(d)).toMatchObject({ field: 'grid', path: ['grid', 1, 0], container: 'array' });
    expect(edge(e)).toMatchObject({ field: 'byName', path: ['byName', 'x'], container: 'map' });
    expect(edge(k)).toMatchObject({ field: 'byName', path: ['byName', 3], container: 'map' });
    expect(edge(f)).toMatchObject({ field: 'members', path: ['members', f.ecsId], container: 'set' });
    expect(edge(g)).toMatchObject({ field: 'record', path: ['record', 'inner', 'deeper', 0], container: 'array' });
    for (const x of [a, b, c, d, e, f, g, k]) {
      expect(t.parentOf(x.ecsId)).toBe(h);
      expect(t.ancestryPath(x.ecsId)).toEqual([h.ecsId, x.ecsId]);
      expect(t.get(x.ecsId)).toBe(x);
    }
    expect(ids(t.childrenOf(h.ecsId)).sort()).toEqual(ids([a, b, c, d, e, f, g, k]).sort());
  });

  test('an entity directly in a record value has container kind record', () => {
    const x = new Leaf();
    const h = new Holder({ record: { key: x } });
    expect(buildEntityTree(h).edgeTo.get(x.ecsId)).toMatchObject({ path: ['record', 'key'], container: 'record' });
  });

  test('entities in a Map inside an array inside a record inside an array: any nesting', () => {
    const x = new Leaf();
    const h = new Holder({ deep: [{ m: new Map([['q', [null, x]]]) }] });
    const t = buildEntityTree(h);
    expect(t.edgeTo.get(x.ecsId)).toMatchObject({ field: 'deep', path: ['deep', 0, 'm', 'q', 1], container: 'array' });
  });

  test('data values are not children: Dates, primitives, plain data', () => {
    const h = new Holder({
      deep: { when: new Date(), n: [1, 2, { s: 'x' }], m: new Map([['a', 1]]), s: new Set([1]) },
    });
    expect(buildEntityTree(h).nodeCount).toBe(1);
  });

  test('depths, ancestry, parentOf, childrenOf in a deeper tree', () => {
    const leaf = new Leaf({ name: 'deep' });
    const mid2 = new Holder({ label: 'mid2', list: [leaf] });
    const mid1 = new Holder({ label: 'mid1', one: mid2, list: [new Leaf()] });
    const root = new Holder({ label: 'root', list: [mid1, new Leaf()] });
    const t = buildEntityTree(root);
    expect(t.nodeCount).toBe(6);
    expect(t.edgeCount).toBe(5);
    expect(t.maxDepth).toBe(3);
    expect(t.depth.get(leaf.ecsId)).toBe(3);
    expect(t.ancestryPath(leaf.ecsId)).toEqual([root.ecsId, mid1.ecsId, mid2.ecsId, leaf.ecsId]);
    expect(t.parentOf(leaf.ecsId)).toBe(mid2);
    expect(t.parentOf('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(t.ancestryPath('00000000-0000-4000-8000-000000000000')).toEqual([]);
    expect(t.childrenOf(mid1.ecsId)).toEqual([mid2, mid1.list[0]]);
    expect(t.childrenOf(leaf.ecsId)).toEqual([]);
    expect(t.byLineage.get(mid2.lineageId)).toBe(mid2);
  });

  test('getTree() is buildEntityTree()', () => {
    const h = new Holder({ list: [new Leaf(), new Leaf()] });
    expect(h.getTree().nodeCount).toBe(buildEntityTree(h).nodeCount);
  });

  test('buildEntityTree of a non-entity is an EntityDefinitionError', () => {
    expect(() => buildEntityTree({} as object)).toThrow(EntityDefinitionError);
    expect(() => buildEntityTree(null as unknown as object)).toThrow(EntityDefinitionError);
  });
});

/** The error buildEntityTree throws for `root` (undefined if it does not throw). */
function treeError(root: object): TreeStructureError | undefined {
  try {
    buildEntityTree(root);
  } catch (e) {
    return e as TreeStructureError;
  }
  return undefined;
}

describe('TreeStructureError', () => {
  test('a shared reference names both paths', () => {
    const x = new Leaf();
    const h = new Holder({ list: [new Leaf(), x], byName: new Map([['k', x]]) });
    const err = treeError(h);
    expect(err).toBeInstanceOf(TreeStructureError);
    expect(err!.message).toMatch(/shared reference/);
    expect([err!.firstPath, err!.secondPath].sort()).toEqual(['Holder.byName.k', 'Holder.list[1]']);
    expect(err!.message).toContain('Holder.list[1]');
    expect(err!.message).toContain('Holder.byName.k');
  });

  test('the same entity twice in one array', () => {
    const x = new Leaf();
    const h = new Holder({ list: [x, x] });
    expect(() => buildEntityTree(h)).toThrow(/Holder\.list\[0\].*Holder\.list\[1\]/);
  });

  test('a shared reference across levels', () => {
    const x = new Leaf();
    const inner = new Holder({ one: x });
    const h = new Holder({ one: x, list: [inner] });
    expect(() => buildEntityTree(h)).toThrow(TreeStructureError);
    expect(() => buildEntityTree(h)).toThrow(/Holder\.one.*Holder\.list\[0\]\.one/);
  });

  test('a cycle back to the root names both paths', () => {
    const h = new Holder();
    const inner = new Holder({ list: [h] });
    h.one = inner;
    const err = treeError(h);
    expect(err).toBeInstanceOf(TreeStructureError);
    expect(err!.message).toMatch(/cycle/);
    expect(err!.firstPath).toBe('Holder');
    expect(err!.secondPath).toBe('Holder.one.list[0]');
  });

  test('an entity containing itself', () => {
    const h = new Holder();
    h.one = h;
    expect(() => buildEntityTree(h)).toThrow(/cycle.*Holder.*Holder\.one/);
  });

  test('two copies of one version, or two versions of one entity, in one tree', () => {
    const reg = new EntityRegistry();
    const x = new Leaf({ name: 'x' });
    const h = new Holder({ list: [x] });
    reg.promoteToRoot(h);
    const v1x = x.ecsId;
    h.list.push(reg.checkout<Leaf>(v1x)); // a working copy of the same version
    expect(() => buildEntityTree(h)).toThrow(/two copies of the same version/);
    h.list.pop();
    x.name = 'changed';
    reg.version(h); // x forks
    expect(x.ecsId).not.toBe(v1x);
    h.one = reg.getStoredEntity<Leaf>(v1x); // its earlier version
    expect(() => buildEntityTree(h)).toThrow(/two versions of the same entity/);
  });
});
