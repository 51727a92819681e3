/**
 * How stored objects hold their fields (src/entity/class-runtime.ts): each value in its own slot as
 * well as in the values array, read through the class's layout (generated or generic; this file
 * runs in both Jest projects), through the active draft inside a function call.
 */
import { Agent, GridMap, GridNode, buildGridMap } from '../../examples/gridmap/model';
import { CallableRegistry, Entity, EntityRegistry, ImmutableVersionError, entity } from '../../src';
import { classMetaOf } from '../../src/metadata/class-registry';
import { VALUES, fieldSlots, type StoredSlots } from '../../src/metadata/object-model';

/** More fields than V8 keeps inside an object: the later slots live in its property store. */
@entity()
class Wide extends Entity {
  f00 = 0;
  f01 = 1;
  f02 = 2;
  f03 = 3;
  f04 = 4;
  f05 = 5;
  f06 = 6;
  f07 = 7;
  f08 = 8;
  f09 = 9;
  f10 = 10;
  f11 = 11;
  f12 = 12;
  f13 = 13;
  f14 = 14;
  f15 = 15;
  f16 = 16;
  f17 = 17;
  f18 = 18;
  f19 = 19;
  tail: Agent[] = [];
}

function storedGrid(): GridMap {
  return new EntityRegistry().promoteToRoot(buildGridMap(2, 3)).root as unknown as GridMap;
}

test('a stored object holds every field value in its slot, the same value as in its values array', () => {
  const grid = storedGrid();
  for (const e of [grid, grid.nodes[0], grid.nodes[1].agents[2]] as unknown as StoredSlots[]) {
    const values = e[VALUES];
    const slots = fieldSlots(values.length);
    expect(values.length).toBeGreaterThan(0);
    values.forEach((v, i) => expect(e[slots[i]]).toBe(v));
  }
});

test('reads of a stored object go through its slots', () => {
  const agent = storedGrid().nodes[0].agents[1] as unknown as Agent & StoredSlots;
  const [name, speed] = fieldSlots(2);
  expect([agent.name, agent.speed]).toEqual([agent[name], agent[speed]]);
  expect(agent.name).toBe('agent-0-1');
});

test('slots are symbols: for-in and Object.keys see the declared fields only', () => {
  const node = storedGrid().nodes[1] as GridNode;
  const keys: string[] = [];
  for (const k in node) keys.push(k);
  expect(keys.sort()).toEqual(['agents', 'position']);
  expect(Object.keys(node)).toEqual([]);
});

test('a stored object stays frozen and refuses writes outside a function', () => {
  const agent = storedGrid().nodes[0].agents[0];
  expect(Object.isFrozen(agent)).toBe(true);
  expect(() => {
    agent.name = 'x';
  }).toThrow(ImmutableVersionError);
  expect(agent.name).toBe('agent-0-0');
});

test('inside a function, reads see the call’s own writes; the stored slots stay as they were', () => {
  const entities = new EntityRegistry();
  const calls = new CallableRegistry({ entities });
  const grid = entities.promoteToRoot(buildGridMap(1, 2)).root as unknown as GridMap;
  const agent = grid.nodes[0].agents[0];
  let seen: unknown[] = [];
  calls.register('rename', ({ a }: { a: Agent }) => {
    const before = a.name;
    a.name = 'renamed';
    a.speed += 10;
    seen = [before, a.name, a.speed];
    return a;
  });
  const out = calls.execute<Agent>('rename', { a: agent });
  expect(seen).toEqual(['agent-0-0', 'renamed', agent.speed + 10]);
  expect(agent.name).toBe('agent-0-0');
  expect((agent as unknown as StoredSlots)[fieldSlots(1)[0]]).toBe('agent-0-0');
  expect(out.name).toBe('renamed');
});

test('the class metadata names the layout in use: generated classes their own, runtime metadata the generic one', () => {
  const meta = classMetaOf(Agent);
  expect(meta.storedLayout === null).toBe(meta.source === 'runtime');
  if (meta.storedLayout !== null) expect(meta.storedLayout.getters).toHaveLength(meta.fields.length);
});

test('a class with many fields reads every slot, stored and inside a function', () => {
  const entities = new EntityRegistry();
  const calls = new CallableRegistry({ entities });
  const wide = entities.promoteToRoot(new Wide({ f19: 190, tail: [new Agent({ name: 'w' })] })).root as unknown as Wide;
  const values = Array.from(
    { length: 20 },
    (_, i) => (wide as unknown as Record<string, number>)[`f${String(i).padStart(2, '0')}`],
  );
  expect(values).toEqual([...Array.from({ length: 19 }, (_, i) => i), 190]);
  expect(wide.tail.map((a) => a.name)).toEqual(['w']);
  calls.register('widen', ({ w }: { w: Wide }) => {
    w.f18 = w.f19 + w.f00;
    w.tail.push(new Agent({ name: 'x' }));
    return w;
  });
  const next = calls.execute<Wide>('widen', { w: wide });
  expect([next.f18, next.f19, wide.f18]).toEqual([190, 190, 18]);
  expect(next.tail.map((a) => a.name)).toEqual(['w', 'x']);
});
