/**
 * toJSON / fromJSON / versionToJSON / versionFromJSON (SPEC §9).
 */
import { Entity, EntityRegistry, TreeStructureError, entity, transient } from '../../src';
import { AbstractionsError } from '../../src/errors';
import {
  SerializationError,
  VERSION_FORMAT,
  fromJSON,
  toJSON,
  versionFromJSON,
  versionToJSON,
  type EntityJSON,
} from '../../src/serialize';
import { Transaction } from '../support/transaction';
import type { EntityObject } from '../../src/metadata/object-model';
import { snapshot } from '../support/naive';

@entity()
class Tag extends Entity {
  text = '';
}

@entity()
class Doc extends Entity {
  title = '';
  count = 0;
  big: bigint = 0n;
  flag = false;
  nothing: null = null;
  missing: undefined = undefined;
  when: Date = new Date(0);
  pair: [number, string] = [0, ''];
  list: unknown[] = [];
  byKey: Map<unknown, unknown> = new Map();
  members: Set<unknown> = new Set();
  record: Record<string, unknown> = {};
  main: Tag | null = null;
  tags: Tag[] = [];
  @transient() scratch: string[] = ['default'];
}

/** A class with a JSON shape of its own (an API response, say). */
@entity()
class Card extends Entity {
  title = '';
  secret = '';
  override toJSON(): object {
    return { title: this.title };
  }
}

@entity()
class Base extends Entity {
  a = 1;
}
@entity()
class Derived extends Base {
  b = 2;
}

function rich(): Doc {
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.x = 1;
  return new Doc({
    title: 'T',
    count: 3.25,
    big: 12345678901234567890n,
    flag: true,
    when: new Date('2024-02-03T04:05:06.789Z'),
    pair: [7, 'seven'],
    list: [
      1,
      'two',
      null,
      undefined,
      NaN,
      Infinity,
      -Infinity,
      -0,
      [new Tag({ text: 'in list' })],
      { deep: [[new Tag({ text: 'deep' })]] },
      new Date(5),
    ],
    byKey: new Map<unknown, unknown>([
      ['k', new Tag({ text: 'map value' })],
      [3, 'number key'],
      [true, { nested: new Map([['inner', [new Tag({ text: 'inner' })]]]) }],
    ]),
    members: new Set<unknown>([1, 'a', new Tag({ text: 'set member' })]),
    record: {
      $weird: 1,
      plain: { $class: 'not an entity' },
      nullProto,
      invalid: new Date(NaN),
      t: new Tag({ text: 'in record' }),
    },
    main: new Tag({ text: 'main' }),
    tags: [new Tag({ text: 't0' }), new Tag({ text: 't1' })],
  });
}

const roundTrip = <T extends object>(x: T): T => fromJSON<T>(JSON.parse(JSON.stringify(toJSON(x))));

describe('round trip', () => {
  test('the form: $class, $id, fields; tagged containers; plain JSON', () => {
    const d = rich();
    const j = toJSON(d);
    expect(Object.keys(j)).toEqual(['$class', '$id', 'fields']);
    expect(j.$class).toBe('Doc');
    expect(j.$id.ecsId).toBe(d.ecsId);
    expect(j.$id.lineageId).toBe(d.lineageId);
    expect(Object.keys(j.fields)).toEqual([
      'title',
      'count',
      'big',
      'flag',
      'nothing',
      'missing',
      'when',
      'pair',
      'list',
      'byKey',
      'members',
      'record',
      'main',
      'tags',
    ]);
    expect(j.fields.when).toEqual({ $date: '2024-02-03T04:05:06.789Z' });
    expect(j.fields.big).toEqual({ $bigint: '12345678901234567890' });
    expect(j.fields.missing).toEqual({ $undefined: true });
    expect((j.fields.byKey as { $map: unknown[] }).$map).toHaveLength(3);
    expect((j.fields.members as { $set: unknown[] }).$set).toHaveLength(3);
    expect((j.fields.main as unknown as EntityJSON).$class).toBe('Tag');
    expect((j.fields.record as { $object: Record<string, unknown> }).$object.plain).toEqual({
      $object: { $class: 'not an entity' },
    });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect('scratch' in j.fields).toBe(false);
  });

  test('classes, structure and every value kind survive', () => {
    const d = rich();
    const back = roundTrip(d);
    expect(back).toBeInstanceOf(Doc);
    expect(back.main).toBeInstanceOf(Tag);
    expect(snapshot(back, { rootIds: true })).toEqual(snapshot(d, { rootIds: true }));
    // exact values, not just the snapshot's view
    expect(back.big).toBe(12345678901234567890n);
    expect(Object.is(back.list[7], -0)).toBe(true);
    expect(back.list[3]).toBeUndefined();
    expect(back.list).toHaveLength(11);
    expect(Number.isNaN(back.list[4] as number)).toBe(true);
    expect(back.byKey.has(3)).toBe(true);
    expect(back.byKey.has('3')).toBe(false);
    expect([...back.byKey.keys()]).toEqual(['k', 3, true]); // insertion order kept
    expect(Object.getPrototypeOf(back.record.nullProto)).toBeNull();
    expect(Number.isNaN((back.record.invalid as Date).getTime())).toBe(true);
    expect(back.record.$weird).toBe(1);
    expect(back.pair).toEqual([7, 'seven']);
    expect(back.when).toBeInstanceOf(Date);
    expect(back.when.getTime()).toBe(d.when.getTime());
  });

  test('ids and provenance are kept; liveIds are fresh; the result is a working tree', () => {
    const reg = new EntityRegistry();
    const d = rich();
    reg.promoteToRoot(d);
    d.tags[0].text = 'changed';
    d.main!.borrowAttributeFrom(d.tags[1], 'text', 'text');
    reg.version(d);
    const back = roundTrip(d);
    for (const [a, b] of [
      [d, back],
      [d.tags[0], back.tags[0]],
      [d.main!, back.main!],
    ] as Array<[Entity, Entity]>) {
      expect(b.ecsId).toBe(a.ecsId);
      expect(b.lineageId).toBe(a.lineageId);
      expect(b.previousEcsId).toBe(a.previousEcsId);
      expect(b.oldIds).toEqual(a.oldIds);
      expect(b.rootEcsId).toBe(a.rootEcsId);
      expect(b.createdAt.getTime()).toBe(a.createdAt.getTime());
      expect(b.forkedAt?.getTime()).toBe(a.forkedAt?.getTime());
      expect(b.attributeSource).toEqual(a.attributeSource);
      expect(b.liveId).not.toBe(a.liveId);
      expect(b.rootLiveId).toBe(back.liveId);
      expect(Object.isFrozen(b)).toBe(false);
    }
    expect(back.tags[0].oldIds).toHaveLength(1);
    expect(back.main!.attributeSource).toEqual({ text: d.tags[1].ecsId });
    back.tags.push(new Tag());
    back.title = 'edited';
    expect(d.title).toBe('T');
  });

  test('provenance fields of an execution survive', () => {
    const reg = new EntityRegistry();
    const d = new Doc({ tags: [new Tag()] });
    reg.promoteToRoot(d);
    const stored = reg.getStoredEntity<Doc>(d.ecsId);
    const tx = new Transaction(reg, { functionName: 'fn', executionId: 'exec-1' });
    tx.addInput(stored as unknown as EntityObject);
    const extra = tx.run(() => {
      stored.count = 9;
      return new Tag({ text: 'created' });
    });
    const { outputs } = tx.commit([stored as unknown as EntityObject, extra as unknown as EntityObject]);
    for (const o of outputs) {
      const e = o.entity as unknown as Entity;
      const back = roundTrip(e);
      expect(back.derivedFromFunction).toBe('fn');
      expect(back.derivedFromExecutionId).toBe('exec-1');
      expect(back.outputIndex).toBe(e.outputIndex);
      expect(back.siblingOutputEntities).toEqual(e.siblingOutputEntities);
      expect(snapshot(back, { rootIds: true })).toEqual(snapshot(e, { rootIds: true }));
    }
  });

  test('inheritance: the concrete class and the fields of every level', () => {
    const back = roundTrip(new Derived({ a: 5, b: 6 }));
    expect(back).toBeInstanceOf(Derived);
    expect([back.a, back.b]).toEqual([5, 6]);
  });

  test('transient properties are not written and get their defaults when read', () => {
    const d = new Doc();
    d.scratch.push('runtime only');
    const j = toJSON(d);
    expect(JSON.stringify(j)).not.toContain('runtime only');
    expect(fromJSON<Doc>(j).scratch).toEqual(['default']);
  });

  test('a field missing from the JSON gets the class default', () => {
    const j = toJSON(new Doc({ title: 'x', count: 4 }));
    delete j.fields.count;
    delete j.fields.tags;
    const back = fromJSON<Doc>(j);
    expect(back.title).toBe('x');
    expect(back.count).toBe(0);
    expect(back.tags).toEqual([]);
  });

  test('JSON text is accepted', () => {
    const d = rich();
    expect(snapshot(fromJSON<Doc>(JSON.stringify(toJSON(d))))).toEqual(snapshot(d));
  });

  test('toJSON is idempotent through fromJSON (same JSON again)', () => {
    const j = toJSON(rich());
    expect(toJSON(fromJSON(j))).toEqual(j);
  });
});

describe('stored versions', () => {
  function setup() {
    const reg = new EntityRegistry();
    const d = rich();
    reg.promoteToRoot(d);
    const v1 = d.ecsId;
    d.tags[1].text = 'v2';
    reg.version(d);
    return { reg, d, v1, v2: d.ecsId };
  }

  test('toJSON of a stored entity reads the stored state; fromJSON gives a working copy', () => {
    const { reg, v1 } = setup();
    const stored = reg.getStoredEntity<Doc>(v1);
    const back = roundTrip(stored);
    expect(Object.isFrozen(back)).toBe(false);
    expect(back.tags[1].text).toBe('t1');
    expect(snapshot(back, { rootIds: true })).toEqual(snapshot(stored, { rootIds: true }));
    back.tags[1].text = 'edited';
    expect(stored.tags[1].text).toBe('t1');
  });

  test('versionToJSON / versionFromJSON: a working copy exactly like checkout()', () => {
    const { reg, v1, v2 } = setup();
    for (const id of [v1, v2]) {
      const j = versionToJSON(reg, id);
      expect(j.$format).toBe(VERSION_FORMAT);
      expect(j.$version.ecsId).toBe(id);
      expect(j.$version.parentEcsId).toBe(reg.getVersion(id).parentEcsId);
      const copy = versionFromJSON<Doc>(JSON.parse(JSON.stringify(j)));
      const co = reg.checkout<Doc>(id);
      expect(snapshot(copy, { rootIds: true })).toEqual(snapshot(co, { rootIds: true }));
      expect(copy.rootEcsId).toBe(id);
      expect(copy.tags[0].rootEcsId).toBe(id);
      expect(copy.tags[0].rootLiveId).toBe(copy.liveId);
      expect(toJSON(reg.getVersion(id))).toEqual(j);
      expect(snapshot(fromJSON<Doc>(j), { rootIds: true })).toEqual(snapshot(co, { rootIds: true }));
    }
  });

  test('registry.version() of a copy read from JSON: no edit no version; edits fork like a checkout', () => {
    const { reg, v2 } = setup();
    const stats = reg.stats;
    const copy = versionFromJSON<Doc>(versionToJSON(reg, v2));
    expect(reg.version(copy).created).toBe(false);
    expect(reg.stats).toEqual(stats);
    const co = reg.checkout<Doc>(v2);
    for (const x of [copy, co]) {
      const [t] = x.tags.splice(0, 1);
      x.byKey.set('moved', t);
      x.count = 100;
    }
    const r1 = reg.version(copy);
    const r2 = reg.version(co);
    expect([...r1.idMap.keys()].sort()).toEqual([...r2.idMap.keys()].sort());
    expect(snapshot(reg.getStoredEntity<Doc>(copy.ecsId), { relativeTo: new Set([v2]) })).toEqual(
      snapshot(reg.getStoredEntity<Doc>(co.ecsId), { relativeTo: new Set([v2]) }),
    );
  });

  test('toJSON of an EntityTree writes its root', () => {
    const { reg, v1 } = setup();
    expect(toJSON(reg.getStoredTree(v1))).toEqual(toJSON(reg.getStoredEntity(v1)));
  });
});

describe('errors', () => {
  function errorOf(fn: () => unknown): SerializationError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(SerializationError);
      expect(e).toBeInstanceOf(AbstractionsError);
      return e as SerializationError;
    }
    throw new Error('expected a SerializationError');
  }

  test('writing: a function, a symbol, a class instance, an entity as a Map key name their path', () => {
    const d = new Doc({ list: [1, { f: () => 1 }] });
    expect(errorOf(() => toJSON(d)).path).toBe('Doc.list[1].f');
    expect(errorOf(() => toJSON(new Doc({ record: { s: Symbol('x') } }))).path).toBe('Doc.record.s');
    class Money {
      amount = 1;
    }
    const e = errorOf(() => toJSON(new Doc({ byKey: new Map([['m', new Money()]]) })));
    expect(e.path).toBe('Doc.byKey.m');
    expect(e.message).toMatch(/Money/);
    expect(errorOf(() => toJSON(new Doc({ byKey: new Map([[new Tag(), 1]]) }))).message).toMatch(/Map key/);
  });

  test('writing a non-entity', () => {
    expect(errorOf(() => toJSON({ a: 1 })).path).toBe('$');
  });

  test('writing a tree with a shared reference or a cycle is a TreeStructureError', () => {
    const t = new Tag();
    expect(() => toJSON(new Doc({ tags: [t], main: t }))).toThrow(TreeStructureError);
    const d = new Doc();
    d.list.push(d);
    expect(() => toJSON(d)).toThrow(TreeStructureError);
  });

  test('reading: each bad value is named by its JSON path', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON poked at by path
    type Json = Record<string, any>;
    const good = () => toJSON(new Doc({ tags: [new Tag({ text: 'a' })], list: [1] })) as unknown as Json;
    const cases: Array<[string, (j: Json) => unknown, string | RegExp]> = [
      ['unknown class', (j) => (j.fields.tags[0].$class = 'Nope'), '$.fields.tags[0].$class'],
      ['unknown field', (j) => (j.fields.tags[0].fields.colour = 'red'), '$.fields.tags[0].fields.colour'],
      ['bad ecsId', (j) => (j.fields.tags[0].$id.ecsId = 'not-a-uuid'), '$.fields.tags[0].$id.ecsId'],
      ['missing lineageId', (j) => delete j.$id.lineageId, '$.$id.lineageId'],
      ['bad oldIds', (j) => (j.$id.oldIds = ['x']), '$.$id.oldIds[0]'],
      ['bad createdAt', (j) => (j.$id.createdAt = 'yesterday'), '$.$id.createdAt'],
      ['bad outputIndex', (j) => (j.$id.outputIndex = -1), '$.$id.outputIndex'],
      ['unknown identity key', (j) => (j.$id.colour = 1), '$.$id.colour'],
      ['unknown entity key', (j) => (j.extra = 1), '$.extra'],
      ['unknown tag', (j) => (j.fields.list[0] = { $bogus: 1 }), '$.fields.list[0].$bogus'],
      ['bad $map pair', (j) => (j.fields.byKey = { $map: [[1]] }), '$.fields.byKey.$map[0]'],
      [
        'duplicate Map key',
        (j) =>
          (j.fields.byKey = {
            $map: [
              [1, 1],
              [1, 2],
            ],
          }),
        '$.fields.byKey.$map[1][0]',
      ],
      ['bad $date', (j) => (j.fields.when = { $date: 'never' }), '$.fields.when.$date'],
      ['bad $bigint', (j) => (j.fields.big = { $bigint: '1.5' }), '$.fields.big.$bigint'],
      ['bad $num', (j) => (j.fields.count = { $num: 'Lots' }), '$.fields.count.$num'],
      ['tag with extra keys', (j) => (j.fields.when = { $date: null, x: 1 }), '$.fields.when.x'],
      ['fields not an object', (j) => (j.fields = []), '$.fields'],
      ['a duplicated entity', (j) => (j.fields.main = j.fields.tags[0]), '$.fields.tags[0]'],
    ];
    for (const [what, mutate, path] of cases) {
      const j = good();
      mutate(j);
      const e = errorOf(() => fromJSON(JSON.parse(JSON.stringify(j))));
      if (typeof path === 'string') expect({ what, path: e.path }).toEqual({ what, path });
      expect(e.message).toContain(e.path);
    }
  });

  test('reading: not an entity, invalid JSON text, bad versions', () => {
    expect(errorOf(() => fromJSON(5)).path).toBe('$');
    expect(errorOf(() => fromJSON('{not json')).path).toBe('$');
    expect(errorOf(() => fromJSON([])).path).toBe('$');
    const reg = new EntityRegistry();
    const d = new Doc();
    reg.promoteToRoot(d);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON poked at by path
    const v = versionToJSON(reg, d.ecsId) as unknown as Record<string, any>;
    expect(errorOf(() => versionFromJSON({ ...v, $format: 'other' })).path).toBe('$.$format');
    expect(
      errorOf(() =>
        versionFromJSON({ ...v, $version: { ...v.$version, ecsId: '00000000-0000-4000-8000-000000000000' } }),
      ).path,
    ).toBe('$.$version.ecsId');
    expect(errorOf(() => versionFromJSON({ ...v, extra: 1 })).path).toBe('$.extra');
    expect(errorOf(() => versionFromJSON('[]')).path).toBe('$');
  });
});

test("an own '__proto__' key is read back as data, never as a prototype", () => {
  const d = new Doc({ record: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown> });
  const back = fromJSON<Doc>(JSON.stringify(toJSON(d)));
  expect(Object.getPrototypeOf(back.record)).toBe(Object.prototype);
  expect(Object.keys(back.record).sort()).toEqual(['__proto__', 'a']);
  expect((back.record as { polluted?: boolean }).polluted).toBeUndefined();
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
});

test('JSON.stringify(entity) writes what toJSON writes (entity.toJSON()), alone or inside other data', () => {
  const d = rich();
  expect(JSON.parse(JSON.stringify(d))).toEqual(toJSON(d));
  expect(JSON.parse(JSON.stringify({ doc: d, n: 1 }))).toEqual({ doc: toJSON(d), n: 1 });
  const back = fromJSON<Doc>(JSON.parse(JSON.stringify(d)));
  expect(snapshot(back)).toEqual(snapshot(d));
  // a stored version too: its JSON names its ids and provenance
  const registry = new EntityRegistry();
  const stored = registry.promoteToRoot(rich()).root as unknown as Doc;
  expect(JSON.parse(JSON.stringify(stored))).toEqual(toJSON(stored));
  expect((JSON.parse(JSON.stringify(stored)) as EntityJSON).$id.ecsId).toBe(stored.ecsId);
});

test('JSON.stringify of a stored version reads back into another registry as that version; of a child, its subtree', () => {
  const registry = new EntityRegistry();
  const stored = registry.promoteToRoot(rich()).root as unknown as Doc;
  const text = JSON.stringify(stored);
  const other = new EntityRegistry();
  const loaded = other.promoteToRoot(fromJSON<Doc>(text)).root as unknown as Doc;
  expect(loaded.ecsId).toBe(stored.ecsId);
  expect(loaded.main!.ecsId).toBe(stored.main!.ecsId);
  expect(snapshot(loaded)).toEqual(snapshot(stored));
  expect(JSON.stringify(loaded)).toBe(text);
  const child = JSON.parse(JSON.stringify(stored.main)) as EntityJSON;
  expect(child).toEqual(toJSON(stored.main!));
  expect(child.$class).toBe('Tag');
});

test("a class's own toJSON() is what JSON.stringify writes; toJSON(entity) still writes the entity's full form", () => {
  const card = new Card({ title: 'T', secret: 's' });
  expect(JSON.stringify(card)).toBe('{"title":"T"}');
  expect(JSON.stringify({ cards: [card] })).toBe('{"cards":[{"title":"T"}]}');
  const stored = new EntityRegistry().promoteToRoot(card).root as unknown as Card;
  expect(JSON.stringify(stored)).toBe('{"title":"T"}');
  const full = toJSON(stored);
  expect(full.fields).toEqual({ title: 'T', secret: 's' });
  expect(snapshot(fromJSON<Card>(full))).toEqual(snapshot(stored));
});
