/**
 * toJSON / fromJSON at any depth, and data that contains itself: the walks are iterative, so deep
 * trees and deeply nested data round-trip (no RangeError), and a cycle in plain data is a
 * SerializationError naming where it closes (entities: TreeStructureError, as buildEntityTree).
 */
import { Entity, TreeStructureError, entity } from '../../src';
import { SerializationError, fromJSON, toJSON, type EntityJSON } from '../../src/serialize';
import { thrown } from '../support/thrown';

@entity()
class Chain extends Entity {
  n = 0;
  next: Chain | null = null;
}

@entity()
class Holder extends Entity {
  data: unknown[] = [];
}

function chain(levels: number): Chain {
  let top: Chain | null = null;
  for (let i = levels - 1; i >= 0; i--) top = new Chain({ n: i, next: top });
  return top!;
}

/** Every level of a chain, top first (iteratively). */
function levelsOf(top: Chain): Chain[] {
  const out: Chain[] = [];
  for (let c: Chain | null = top; c !== null; c = c.next) out.push(c);
  return out;
}

test('a 10,000-level entity chain round-trips with its classes, ids and values', () => {
  const top = chain(10_000);
  const back = fromJSON<Chain>(toJSON(top));
  const a = levelsOf(top);
  const b = levelsOf(back);
  expect(b.length).toBe(10_000);
  expect(b[9_999]).toBeInstanceOf(Chain);
  expect(b.map((c) => c.n)).toEqual(a.map((c) => c.n));
  expect(b.map((c) => c.ecsId)).toEqual(a.map((c) => c.ecsId));
  expect(b.map((c) => c.lineageId)).toEqual(a.map((c) => c.lineageId));
});

test('through JSON text as deep as JSON.stringify goes (1,500 levels: past the old limits of toJSON and fromJSON)', () => {
  const top = chain(1_500);
  const text = JSON.stringify(toJSON(top));
  const back = fromJSON<Chain>(text);
  expect(levelsOf(back).length).toBe(1_500);
  expect(JSON.stringify(toJSON(back))).toBe(text);
});

test('data nested 100,000 levels deep (arrays, objects, Maps, Sets) round-trips', () => {
  let data: unknown = 'bottom';
  for (let i = 0; i < 100_000; i++) {
    switch (i % 4) {
      case 0:
        data = [data];
        break;
      case 1:
        data = { k: data };
        break;
      case 2:
        data = new Map([['m', data]]);
        break;
      default:
        data = new Set([data]);
    }
  }
  const back = fromJSON<Holder>(toJSON(new Holder({ data: [data] })));
  let v: unknown = back.data[0];
  let levels = 0;
  while (v !== 'bottom') {
    if (Array.isArray(v)) v = v[0];
    else if (v instanceof Map) v = v.get('m');
    else if (v instanceof Set) v = [...v][0];
    else v = (v as { k: unknown }).k;
    levels++;
  }
  expect(levels).toBe(100_000);
});

test('plain data that contains itself is a SerializationError at the place the cycle closes', () => {
  const arr: unknown[] = [1];
  arr.push(arr);
  const e1 = thrown(() => toJSON(new Holder({ data: [{ list: arr }] }))) as SerializationError;
  expect(e1).toBeInstanceOf(SerializationError);
  expect(e1.path).toBe('Holder.data[0].list[1]');
  expect(e1.message).toMatch(/a cycle: the array at Holder\.data\[0\]\.list contains itself/);

  const m = new Map<string, unknown>();
  m.set('again', { inner: m });
  const e2 = thrown(() => toJSON(new Holder({ data: [m] }))) as SerializationError;
  expect(e2.path).toBe('Holder.data[0].again.inner');

  const s = new Set<unknown>();
  s.add(s);
  expect((thrown(() => toJSON(new Holder({ data: [s] }))) as SerializationError).path).toBe('Holder.data[0]<0>');

  // One value in two places is not a cycle: it is written twice.
  const shared = { x: 1 };
  const j = toJSON(new Holder({ data: [shared, shared] }));
  expect(j.fields.data).toEqual([{ x: 1 }, { x: 1 }]);
});

test('an entity met twice still names both paths (shared reference, cycle)', () => {
  const leaf = new Chain({ n: 1 });
  const e1 = thrown(() => toJSON(new Holder({ data: [leaf, { again: leaf }] }))) as TreeStructureError;
  expect(e1).toBeInstanceOf(TreeStructureError);
  expect(e1.message).toMatch(/a shared reference/);
  expect([e1.firstPath, e1.secondPath]).toEqual(['Holder.data[0]', 'Holder.data[1].again']);

  const loop = new Chain({ n: 1 });
  loop.next = new Chain({ n: 2, next: loop });
  const e2 = thrown(() => toJSON(loop)) as TreeStructureError;
  expect(e2.message).toMatch(/a cycle: it contains itself/);
  expect([e2.firstPath, e2.secondPath]).toEqual(['Chain', 'Chain.next.next']);
});

test('fromJSON of an input object that contains itself is a SerializationError, not a hang', () => {
  const json = toJSON(new Holder({ data: [] })) as EntityJSON & { fields: { data: unknown[] } };
  json.fields.data.push(json.fields.data);
  const e = thrown(() => fromJSON(json)) as SerializationError;
  expect(e).toBeInstanceOf(SerializationError);
  expect(e.path).toBe('$.fields.data[0]');
  expect(e.message).toMatch(/a cycle/);
});
