import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { EntityRegistry, type Entity } from '../../src';
import type { EntityObject } from '../../src/metadata/object-model';
import { Transaction } from '../support/transaction';

test('move through a transaction forks exactly root, both nodes and the agent', () => {
  const reg = EntityRegistry.reset();
  const g = buildGridMap(3, 3);
  g.promoteToRoot();
  const stored = reg.getStoredEntity<GridMap>(g.ecsId);
  const tx = new Transaction(reg, { functionName: 'move', executionId: 'x' });
  tx.addInput(stored as unknown as EntityObject);
  const out = tx.run(() => moveAgent({ gridmap: stored, sourceIndex: 0, agentName: 'agent-0-1', targetIndex: 2 }));
  expect(stored.nodes[0].agents.length).toBe(3); // outside the run: unchanged
  const { outputs } = tx.commit([out as unknown as EntityObject]);
  const v2 = outputs[0].entity as unknown as GridMap;
  expect(outputs[0].semantic).toBe('mutation');
  expect(v2.nodes[0].agents.map((a) => a.name)).toEqual(['agent-0-0', 'agent-0-2']);
  expect(v2.nodes[2].agents.map((a) => a.name)).toEqual(['agent-2-0', 'agent-2-1', 'agent-2-2', 'agent-0-1']);
  expect(v2.previousEcsId).toBe(stored.ecsId);
  const changed = [...reg.getStoredTree(v2.ecsId).nodes.values()].filter(
    (e) => (e as unknown as Entity).previousEcsId !== null,
  );
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
