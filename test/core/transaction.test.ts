import { Entity, entity, EntityRegistry } from '../../src';
import { Transaction } from '../../src/store/transaction';

@entity()
class Agent extends Entity {
  name = '';
  speed = 1;
}
@entity()
class Node extends Entity {
  position: [number, number] = [0, 0];
  agents: Agent[] = [];
}
@entity()
class GridMap extends Entity {
  nodes: Node[] = [];
  width = 0;
}

function grid(n: number, m: number): GridMap {
  return new GridMap({ width: n, nodes: Array.from({ length: n }, (_, i) => new Node({ position: [i, 0], agents: Array.from({ length: m }, (_, k) => new Agent({ name: `a-${i}-${k}` })) })) });
}

test('move through a transaction forks exactly root, both nodes and the agent', () => {
  const reg = EntityRegistry.reset();
  const g = grid(3, 3);
  g.promoteToRoot();
  const stored = reg.getStoredEntity<GridMap>(g.ecsId);
  const tx = new Transaction(reg, { functionName: 'move', executionId: 'x' });
  tx.addInput(stored as any);
  const out = tx.run(() => {
    const src = stored.nodes[0];
    const i = src.agents.findIndex((a) => a.name === 'a-0-1');
    const [a] = src.agents.splice(i, 1);
    stored.nodes[2].agents.push(a);
    return stored;
  });
  expect(stored.nodes[0].agents.length).toBe(3); // outside the run: unchanged
  const { outputs } = tx.commit([out as any]);
  const v2 = outputs[0].entity as unknown as GridMap;
  expect(outputs[0].semantic).toBe('mutation');
  expect(v2.nodes[0].agents.map((a) => a.name)).toEqual(['a-0-0', 'a-0-2']);
  expect(v2.nodes[2].agents.map((a) => a.name)).toEqual(['a-2-0', 'a-2-1', 'a-2-2', 'a-0-1']);
  expect(v2.previousEcsId).toBe(stored.ecsId);
  const changed = [...reg.getStoredTree(v2.ecsId).nodes.values()].filter((e: any) => e.previousEcsId !== null);
  expect(changed.length).toBe(4);
  expect(v2.nodes[1]).toBe(stored.nodes[1]); // structural sharing
  expect(v2.derivedFromFunction).toBe('move');
  // naive check: checkout + version gives the same shape
  const co = reg.checkout<GridMap>(stored.ecsId);
  const [a] = co.nodes[0].agents.splice(1, 1);
  co.nodes[2].agents.push(a);
  const r = reg.version(co);
  expect(r.diff.modified.size).toBe(4);
  expect(r.diff.moved.size).toBe(1);
  expect(reg.lineage(g.lineageId).length).toBe(3);
});
