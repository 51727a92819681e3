/**
 * D2: two versions of one lineage passed as two arguments are two independent working copies:
 * an edit through one is not seen through the other, and only a tree the function changed gets
 * a version.
 */
import { CallableRegistry, Entity, EntityRegistry, entity } from '../../src';
import { duplicateEcsIds } from './dump-registry';

@entity()
class TvLeaf extends Entity {
  v = 0;
}

@entity()
class TvDoc extends Entity {
  title = '';
  leaf: TvLeaf | null = null;
  extra: TvLeaf[] = [];
}

let registry: EntityRegistry;
let functions: CallableRegistry;
let v1: TvDoc;
let v2: TvDoc;

beforeEach(() => {
  registry = new EntityRegistry();
  functions = new CallableRegistry({ entities: registry });
  const d = new TvDoc({ title: 'v1', leaf: new TvLeaf() });
  registry.promoteToRoot(d);
  functions.register('retitle', ({ doc }: { doc: TvDoc }) => {
    doc.title = 'v2';
    return doc;
  });
  v1 = registry.getStoredEntity<TvDoc>(d.ecsId);
  v2 = functions.execute<TvDoc>('retitle', { doc: v1 });
  expect(v2.leaf).toBe(v1.leaf); // the versions share their unchanged leaf
});

test('an edit through the first argument is not seen through the second; only the first is versioned', () => {
  let seenThroughB = -1;
  functions.register('edit_a_only', ({ a, b }: { a: TvDoc; b: TvDoc }) => {
    a.leaf!.v = 42;
    seenThroughB = b.leaf!.v;
    return a;
  });
  const result = functions.execute<TvDoc>('edit_a_only', { a: v1, b: v2 });
  expect(seenThroughB).toBe(0);
  expect(result.leaf!.v).toBe(42);
  expect(result.title).toBe('v1');
  const lineage = registry.lineage(v1.lineageId);
  expect(lineage).toHaveLength(3);
  expect(lineage[2].parentEcsId).toBe(v1.ecsId);
  expect(v2.leaf!.v).toBe(0);
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('an edit through the second argument versions the second tree only, forking exactly what changed', () => {
  functions.register('edit_b_only', ({ a, b }: { a: TvDoc; b: TvDoc }) => {
    b.leaf!.v = 7;
    return [a, b];
  });
  const [ra, rb] = functions.execute<[TvDoc, TvDoc]>('edit_b_only', { a: v1, b: v2 });
  expect(ra).toBe(v1);
  expect(rb.previousEcsId).toBe(v2.ecsId);
  expect(rb.leaf!.v).toBe(7);
  expect(rb.leaf!.previousEcsId).toBe(v2.leaf!.ecsId);
  expect(rb.title).toBe('v2');
  expect(functions.executions().at(-1)!.semantics).toEqual(['unchanged', 'mutation']);
  const lineage = registry.lineage(v1.lineageId);
  expect(lineage).toHaveLength(3);
  expect(lineage[2].parentEcsId).toBe(v2.ecsId);
  expect(rb.derivedFromFunction).toBe('edit_b_only');
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('both edited: two versions, one per argument, each from its own base', () => {
  functions.register('edit_both', ({ a, b }: { a: TvDoc; b: TvDoc }) => {
    a.leaf!.v = 1;
    b.leaf!.v = 2;
    b.extra.push(new TvLeaf({ v: 3 }));
    return [a, b];
  });
  const [ra, rb] = functions.execute<[TvDoc, TvDoc]>('edit_both', { a: v1, b: v2 });
  expect([ra.leaf!.v, rb.leaf!.v]).toEqual([1, 2]);
  expect([ra.previousEcsId, rb.previousEcsId]).toEqual([v1.ecsId, v2.ecsId]);
  expect(rb.extra[0].v).toBe(3);
  expect(rb.siblingOutputEntities).toEqual([ra.ecsId]);
  expect(duplicateEcsIds(registry)).toEqual([]);
});

test('unchanged: no version at all, and the second argument is returned as its stored version', () => {
  functions.register('read_both', ({ a, b }: { a: TvDoc; b: TvDoc }) => [a, b]);
  const [ra, rb] = functions.execute<[TvDoc, TvDoc]>('read_both', { a: v1, b: v2 });
  expect(ra).toBe(v1);
  expect(rb).toBe(v2);
  expect(registry.lineage(v1.lineageId)).toHaveLength(2);
});

test('a child of the second version passed on its own is part of that copy', () => {
  let same = true;
  functions.register('child_of_b', ({ a, leaf }: { a: TvDoc; b: TvDoc; leaf: TvLeaf }) => {
    leaf.v = 5;
    same = a.leaf === leaf;
    return leaf;
  });
  const result = functions.execute<TvLeaf>('child_of_b', { a: v1, b: v2, leaf: v2.leaf! });
  expect(same).toBe(false);
  expect(result.v).toBe(5);
  const latest = registry.latest<TvDoc>(v1.lineageId)!;
  expect(latest.previousEcsId).toBe(v2.ecsId);
  expect(latest.leaf).toBe(result);
  expect(functions.executions().at(-1)!.semantics).toEqual(['mutation']);
});

test('async: the same holds across awaits', async () => {
  functions.register('edit_a_async', async ({ a, b }: { a: TvDoc; b: TvDoc }) => {
    a.leaf!.v = 9;
    await Promise.resolve();
    return [a, b.leaf!.v];
  });
  const [ra, seen] = await functions.aexecute<[TvDoc, number]>('edit_a_async', { a: v1, b: v2 });
  expect(seen).toBe(0);
  expect(ra.leaf!.v).toBe(9);
  expect(registry.lineage(v1.lineageId)).toHaveLength(3);
});
