import { Agent, GridMap, GridNode } from '../../examples/gridmap/model';
import { EntityRegistry, buildEntityTree, diffTrees } from '../../src';

test('smoke', () => {
  const reg = EntityRegistry.reset();
  const g = new GridMap({
    width: 2,
    nodes: [new GridNode({ agents: [new Agent({ name: 'a' })] }), new GridNode({ position: [1, 0] })],
  });
  expect(g.width).toBe(2);
  expect(g.nodes[0].agents[0].name).toBe('a');
  g.promoteToRoot();
  expect(g.isRoot()).toBe(true);
  const v1 = g.ecsId;
  const stored1 = reg.getStoredEntity<GridMap>(v1);
  expect(Object.isFrozen(stored1)).toBe(true);
  expect(() => {
    (stored1 as { width: number }).width = 3;
  }).toThrow(/immutable/);
  const a = g.nodes[0].agents.pop()!;
  g.nodes[1].agents.push(a);
  const r = reg.version(g);
  expect(r.created).toBe(true);
  expect(r.idMap.size).toBe(4);
  expect(r.diff.moved.has(a.ecsId) || r.diff.moved.size).toBeTruthy();
  expect(g.previousEcsId).toBe(v1);
  const t1 = reg.getStoredTree(v1),
    t2 = reg.getStoredTree(g.ecsId);
  expect(t1.nodeCount).toBe(4);
  const d = diffTrees(t1, t2);
  expect(d.added.size).toBe(4); // forked entities have new ecsIds
  expect(d.removed.size).toBe(4);
  expect(stored1.nodes[0].agents.length).toBe(1);
  const co = reg.checkout<GridMap>(g.ecsId);
  expect(co.nodes[1].agents[0].name).toBe('a');
  expect(buildEntityTree(co).maxDepth).toBe(2);
  expect(reg.lineage(g.lineageId).length).toBe(2);
});
