/**
 * MemoryBudget (src/store/memory-budget.ts): the estimate, eviction of the oldest down to three
 * quarters of the budget, weak references that still find what something holds, versions leaving
 * with their root, and references to collected objects swept.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryBudget, entityBytes } from '../../src/store/memory-budget';
import { VALUES, type EntityObject } from '../../src/metadata/object-model';

const entity = (...values: unknown[]): EntityObject => ({ [VALUES]: values });
const version = (root: EntityObject) => ({ root });

test('the estimate counts fields, strings and the containers an entity holds directly', () => {
  const base = entityBytes(entity());
  expect(entityBytes(entity(1, 2))).toBe(base + 32);
  expect(entityBytes(entity('abcd'))).toBe(base + 16 + 4);
  expect(entityBytes(entity([1, 2, 3]))).toBe(base + 16 + 24);
  expect(entityBytes(entity(new Map([[1, 2]]), new Set([1])))).toBe(base + 32 + 48);
});

test('over the budget, the oldest leave down to three quarters; what is held is still found', () => {
  const one = entityBytes(entity(0));
  const budget = new MemoryBudget<ReturnType<typeof version>>(10 * one);
  const entities = new Map<string, EntityObject>();
  const versions = new Map<string, ReturnType<typeof version>>();
  const held: EntityObject[] = [];
  for (let i = 0; i < 11; i++) {
    const e = entity(i);
    held.push(e);
    entities.set(`e${i}`, e);
    budget.added(e);
  }
  versions.set('e0', version(held[0])); // e0 is a version's root
  expect(budget.over).toBe(true);
  budget.evict(entities, versions);
  expect(budget.over).toBe(false);
  // 11 entries, 7.5 fit: the four oldest left, in insertion order
  expect([...entities.keys()]).toEqual(['e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
  expect(versions.size).toBe(0);
  for (let i = 0; i < 4; i++) expect(budget.entity(`e${i}`)).toBe(held[i]); // one object per id while held
  expect(budget.version('e0')?.root).toBe(held[0]);
  expect(budget.entity('e5')).toBeUndefined(); // still in the store's own map, not here
  budget.forget('e0');
  expect(budget.entity('e0')).toBeUndefined();
  expect(budget.version('e0')).toBeUndefined();
  budget.removed(held[4]);
  budget.clear();
  expect(budget.entity('e1')).toBeUndefined();
  expect(budget.over).toBe(false);
});

test('references to collected objects are swept, those to held ones stay', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  const budget = new MemoryBudget<ReturnType<typeof version>>(0);
  const kept = entity('kept');
  const refs = (() => {
    const entities = new Map<string, EntityObject>([['kept', kept]]);
    for (let i = 0; i < 3000; i++) entities.set(`x${i}`, entity(i)); // held by nothing once evicted
    for (const e of entities.values()) budget.added(e);
    budget.evict(entities, new Map());
    return entities;
  })();
  expect(refs.size).toBe(0);
  for (let i = 0; i < 50 && budget.entity('x0') !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    gc();
  }
  expect(budget.entity('x0')).toBeUndefined();
  expect(budget.entity('kept')).toBe(kept);
  // A sweep comes once the references have doubled since the last one (3,001, all alive then):
  // 4,100 more evicted objects, held here, pass that and sweep the 3,000 that were collected.
  const more = new Map<string, EntityObject>();
  for (let i = 0; i < 4100; i++) more.set(`y${i}`, entity(i));
  const held = [...more.values()];
  for (const e of held) budget.added(e);
  budget.evict(more, new Map());
  const size = (budget as unknown as { entities: Map<string, unknown> }).entities.size;
  expect(size).toBe(held.length + 1);
  expect(budget.entity('y0')).toBe(held[0]);
});
