/**
 * SPEC §6: resolving addresses, get / put / createComposite, their errors.
 */
import {
  EntityNotFoundError,
  EntityRegistry,
  ImmutableVersionError,
  buildEntityTree,
  EntityDefinitionError,
} from '../../src';
import {
  EntityNotFoundError as AddressEntityNotFoundError,
  FieldPathError,
  StaleVersionError,
  AddressSyntaxError,
} from '../../src/address/errors';
import { get } from '../../src/address/get';
import { put } from '../../src/address/put';
import { resolveAddress } from '../../src/address/resolve';
import { createComposite, literal } from '../../src/address/composite';
import { looksLikeAddress } from '../../src/address/parse';
import { capture, expectUnchanged } from '../callable/dump-registry';
import { AcademicRecord, Course, Student, Summary } from '../callable/models';

let reg: EntityRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
});

/** A student with every kind of container holding values and entities. */
function richStudent(): Student {
  const s = new Student({
    name: 'Rich',
    gpa: 3,
    record: new AcademicRecord({ gpa: 3.3, term: 'spring' }),
    courses: [new Course({ title: 'C0', credits: 1 }), new Course({ title: 'C1', credits: 2 })],
    tags: ['t0', 't1'],
    byCode: new Map<string | number, Course>([
      ['m1', new Course({ title: 'M1' })],
      [7, new Course({ title: 'Seven' })],
      ['007', new Course({ title: 'Quoted' })],
    ]),
    extra: { nested: { list: [10, 20, { deep: 'x' }] }, 'a.b': 1, when: new Date(5), set: new Set(['only']) },
  });
  s.promoteToRoot();
  return s;
}

describe('resolveAddress', () => {
  test('fields, indices, Map keys (string, number, quoted), plain-object keys, nested entities', () => {
    const s = richStudent();
    const st = reg.getStoredEntity<Student>(s.ecsId);
    const id = s.ecsId;
    expect(resolveAddress(`@${id}`).value).toBe(st);
    expect(resolveAddress(`@${id}.name`).value).toBe('Rich');
    expect(resolveAddress(`@${id}.tags.1`).value).toBe('t1');
    expect(resolveAddress(`@${id}.tags[1]`).value).toBe('t1');
    expect(resolveAddress(`@${id}.courses.1.title`).value).toBe('C1');
    expect(resolveAddress(`@${id}.byCode.m1.title`).value).toBe('M1');
    expect(resolveAddress(`@${id}.byCode.7.title`).value).toBe('Seven');
    expect(resolveAddress(`@${id}.byCode["007"].title`).value).toBe('Quoted');
    expect(resolveAddress(`@${id}.extra.nested.list.2.deep`).value).toBe('x');
    expect(resolveAddress(`@${id}.extra["a.b"]`).value).toBe(1);
    expect((resolveAddress(`@${id}.extra.when`).value as Date).getTime()).toBe(5);
    expect(resolveAddress(`@${id}.extra.set.0`).value).toBe('only');
  });

  test('holder: the innermost entity holding the value', () => {
    const s = richStudent();
    const st = reg.getStoredEntity<Student>(s.ecsId);
    const r1 = resolveAddress(`@${s.ecsId}.record.gpa`);
    expect(r1.holder).toBe(st.record);
    expect(r1.holderPath).toEqual(['gpa']);
    const r2 = resolveAddress(`@${s.ecsId}.record`);
    expect(r2.holder).toBe(st);
    expect(r2.value).toBe(st.record);
    const r3 = resolveAddress(`@${s.ecsId}.courses.0.title`);
    expect(r3.holder).toBe(st.courses[0]);
    // A child version addressed directly.
    const r4 = resolveAddress(`@${st.courses[1].ecsId}.credits`);
    expect(r4.value).toBe(2);
    expect(r4.entity).toBe(st.courses[1]);
  });

  test('a Set member entity is named by its ecsId', () => {
    const c = new Course({ title: 'in set' });
    const s = new Student({ extra: { members: new Set([c]) } });
    s.promoteToRoot();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const member = [...(stored.extra.members as Set<Course>)][0];
    expect(resolveAddress(`@${s.ecsId}.extra.members.${member.ecsId}.title`).value).toBe('in set');
    expect(resolveAddress(`@${s.ecsId}.extra.members.${member.ecsId.toUpperCase()}.title`).value).toBe('in set');
  });

  test('case-insensitive UUIDs', () => {
    const s = richStudent();
    const upper = `@${s.ecsId.toUpperCase()}.courses.0.title`;
    const r = resolveAddress(upper);
    expect(r.value).toBe('C0');
    expect(r.ecsId).toBe(s.ecsId);
    expect(r.address).toBe(`@${s.ecsId}.courses.0.title`);
  });

  test('FieldPathError names the failing segment and what exists there', () => {
    const s = richStudent();
    const cases: Array<[string, string | number, number, string[]]> = [
      [`@${s.ecsId}.nmae`, 'nmae', 0, ['name', 'gpa', 'record', 'courses', 'tags', 'byCode', 'extra']],
      [`@${s.ecsId}.courses.5.title`, 5, 1, ['0', '1']],
      [`@${s.ecsId}.byCode.zz`, 'zz', 1, ['m1', '7', '007']],
      [`@${s.ecsId}.extra.nested.nope`, 'nope', 2, ['list']],
      [`@${s.ecsId}.name.first`, 'first', 1, []],
      [`@${s.ecsId}.courses.title`, 'title', 1, ['0', '1']],
      [`@${s.ecsId}.record.0`, 0, 1, ['gpa', 'term']],
    ];
    for (const [address, segment, index, available] of cases) {
      let error: unknown;
      try {
        resolveAddress(address);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FieldPathError);
      const e = error as FieldPathError;
      expect([address, e.segment, e.index, e.available]).toEqual([address, segment, index, available]);
      expect(e.message).toContain(address);
    }
    expect(() => resolveAddress(`@${s.ecsId}.name.first`)).toThrow(/the value there is a string, not a container/);
  });

  test('EntityNotFoundError (one class for store and addresses), AddressSyntaxError', () => {
    expect(AddressEntityNotFoundError).toBe(EntityNotFoundError);
    const missing = '@0000000A-0000-4000-8000-000000000000';
    let error: unknown;
    try {
      resolveAddress(missing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntityNotFoundError);
    expect((error as EntityNotFoundError).ecsId).toBe('0000000a-0000-4000-8000-000000000000');
    expect(() => resolveAddress('@nope')).toThrow(AddressSyntaxError);
    expect(looksLikeAddress('@nope')).toBe(false);
    expect(looksLikeAddress(`${missing}..x`)).toBe(true);
  });

  test('resolution against an isolated registry', () => {
    const other = new EntityRegistry();
    const s = new Student({ name: 'other world' });
    other.promoteToRoot(s);
    expect(resolveAddress(`@${s.ecsId}.name`, other).value).toBe('other world');
    expect(() => resolveAddress(`@${s.ecsId}.name`)).toThrow(EntityNotFoundError);
    expect(get(`@${s.ecsId}.name`, other)).toBe('other world');
  });
});

describe('get', () => {
  test('an entity: a working copy of its subtree, detached (orphan), new liveIds', () => {
    const s = richStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const copy = get<Student>(`@${s.ecsId}`);
    expect(copy).toBeInstanceOf(Student);
    expect(copy).not.toBe(stored);
    expect(copy.ecsId).toBe(stored.ecsId);
    expect(copy.liveId).not.toBe(stored.liveId);
    expect(copy.isOrphan()).toBe(true);
    expect(Object.isFrozen(copy)).toBe(false);
    copy.name = 'changed';
    copy.courses[0].title = 'changed';
    copy.byCode.set('new', new Course());
    expect(stored.name).toBe('Rich');
    expect(stored.courses[0].title).toBe('C0');
    expect(stored.byCode.has('new')).toBe(false);
    // A child entity: its own subtree only.
    const child = get<Course>(`@${s.ecsId}.courses.1`);
    expect(child.title).toBe('C1');
    expect(child.isOrphan()).toBe(true);
  });

  test('a value: a deep, mutable copy (plain Map / Set / Date, entity leaves as working copies)', () => {
    const s = richStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const extra = get<Student['extra']>(`@${s.ecsId}.extra`);
    expect(extra).toEqual({
      nested: { list: [10, 20, { deep: 'x' }] },
      'a.b': 1,
      when: new Date(5),
      set: new Set(['only']),
    });
    (extra.nested as { list: unknown[] }).list.push(1);
    (extra.when as Date).setTime(9);
    (extra.set as Set<string>).add('more');
    expect((stored.extra.nested as { list: unknown[] }).list).toHaveLength(3);
    expect((stored.extra.when as Date).getTime()).toBe(5);
    const courses = get<Course[]>(`@${s.ecsId}.courses`);
    expect(courses.map((c) => c.title)).toEqual(['C0', 'C1']);
    expect(Object.isFrozen(courses)).toBe(false);
    expect(Object.isFrozen(courses[0])).toBe(false);
    expect(courses[0]).not.toBe(stored.courses[0]);
    const map = get<Map<string | number, Course>>(`@${s.ecsId}.byCode`);
    expect(map.constructor).toBe(Map);
    expect(() => map.set('x', new Course())).not.toThrow();
    expect(get(`@${s.ecsId}.gpa`)).toBe(3);
  });

  test('a got entity registered again forks (previousEcsId = the version it was copied from)', () => {
    const s = richStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const course = get<Course>(`@${stored.courses[0].ecsId}`);
    course.promoteToRoot();
    expect(course.ecsId).not.toBe(stored.courses[0].ecsId);
    expect(course.previousEcsId).toBe(stored.courses[0].ecsId);
    expect(course.lineageId).toBe(stored.courses[0].lineageId);
  });
});

describe('put', () => {
  test('writes through a new version and returns the new stored version of the addressed entity', () => {
    const s = richStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    const v2 = put<Student>(`@${s.ecsId}.gpa`, 3.9);
    expect(v2).toBeInstanceOf(Student);
    expect(Object.isFrozen(v2)).toBe(true);
    expect(v2.gpa).toBe(3.9);
    expect(v2.previousEcsId).toBe(v1.ecsId);
    expect(v1.gpa).toBe(3);
    expect(reg.latest(s.lineageId)).toBe(v2);
    expect(get(`@${v1.ecsId}.gpa`)).toBe(3);
    expect(get(`@${v2.ecsId}.gpa`)).toBe(3.9);
    expect(() => {
      (v2 as Student).gpa = 1;
    }).toThrow(ImmutableVersionError);
  });

  test("a plain-object value with an own '__proto__' key keeps it as a key, written in and read out", () => {
    const s = richStudent();
    const value = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    put(`@${s.ecsId}.extra.odd`, value);
    const latest = reg.latest<Student>(s.lineageId)!;
    const stored = latest.extra.odd as Record<string, unknown>;
    expect(Object.keys(stored)).toEqual(['__proto__', 'y']);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    const read = get<Record<string, unknown>>(`@${latest.ecsId}.extra.odd`);
    expect(Object.keys(read)).toEqual(['__proto__', 'y']);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toEqual({ x: 1 });
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });

  test('through a child address: the tree is versioned, the child version returned', () => {
    const s = richStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    const course = put<Course>(`@${v1.courses[1].ecsId}.title`, 'Renamed');
    expect(course.title).toBe('Renamed');
    expect(course.previousEcsId).toBe(v1.courses[1].ecsId);
    const root = reg.latest<Student>(s.lineageId)!;
    expect(root.courses[1]).toBe(course);
    expect(root.courses[0]).toBe(v1.courses[0]);
    expect(root.previousEcsId).toBe(v1.ecsId);
  });

  test('array indices (replace, append), Map keys, plain-object keys, nested paths', () => {
    const s = richStudent();
    const id = () => reg.latest<Student>(s.lineageId)!.ecsId;
    put(`@${id()}.tags.0`, 'T0');
    put(`@${id()}.tags.2`, 't2');
    put(`@${id()}.extra.nested.list.2.deep`, 'y');
    put(`@${id()}.extra.fresh`, { a: [1] });
    put(`@${id()}.byCode.7.title`, 'Seven!');
    put(`@${id()}.byCode.m2`, new Course({ title: 'M2' }));
    const latest = reg.latest<Student>(s.lineageId)!;
    expect(latest.tags).toEqual(['T0', 't1', 't2']);
    expect((latest.extra.nested as { list: Array<{ deep: string }> }).list[2].deep).toBe('y');
    expect(latest.extra.fresh).toEqual({ a: [1] });
    expect(latest.byCode.get(7)!.title).toBe('Seven!');
    expect(latest.byCode.get('m2')!.title).toBe('M2');
    expect(reg.lineage(s.lineageId)).toHaveLength(7);
    expect(() => buildEntityTree(latest)).not.toThrow();
  });

  test('the value is copied: the caller keeps its objects', () => {
    const s = richStudent();
    const value = { list: [1, 2] };
    const course = new Course({ title: 'mine' });
    const v = put<Student>(`@${s.ecsId}.extra.v`, value);
    put(`@${v.ecsId}.record`, null);
    const w = put<Student>(`@${reg.latest<Student>(s.lineageId)!.ecsId}.courses.2`, course);
    value.list.push(3);
    expect((w.extra.v as { list: number[] }).list).toEqual([1, 2]);
    expect(course.isOrphan()).toBe(true);
    expect(w.courses[2].title).toBe('mine');
    expect(w.courses[2]).not.toBe(course);
    expect(w.record).toBeNull();
  });

  test('writing the same value creates no version', () => {
    const s = richStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const before = capture(reg);
    expect(put(`@${s.ecsId}.name`, 'Rich')).toBe(stored);
    expectUnchanged(reg, before);
  });

  test('the tree written is the latest version; an entity not changed since still works', () => {
    const s = richStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    put(`@${v1.ecsId}.gpa`, 2); // the root moved on
    // courses[0] did not change since v1: its address still names the latest state.
    const c = put<Course>(`@${v1.courses[0].ecsId}.credits`, 9);
    const latest = reg.latest<Student>(s.lineageId)!;
    expect(latest.gpa).toBe(2);
    expect(latest.courses[0]).toBe(c);
    expect(latest.courses[0].credits).toBe(9);
  });

  test('StaleVersionError when the addressed version is no longer in the latest version', () => {
    const s = richStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    const v2 = put<Student>(`@${v1.ecsId}.gpa`, 2);
    const before = capture(reg);
    let error: unknown;
    try {
      put(`@${v1.ecsId}.gpa`, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StaleVersionError);
    const stale = error as StaleVersionError;
    expect(stale.latestEcsId).toBe(v2.ecsId);
    expect(stale.lineageId).toBe(s.lineageId);
    expect(stale.message).toContain(v2.ecsId);
    expectUnchanged(reg, before);
    // A child that changed since is stale too; one removed from the tree as well.
    put(`@${v2.courses[0].ecsId}.title`, 'x');
    expect(() => put(`@${v2.courses[0].ecsId}.title`, 'y')).toThrow(StaleVersionError);
  });

  test('errors: unknown path, whole-entity address, missing entity; nothing written', () => {
    const s = richStudent();
    const before = capture(reg);
    expect(() => put(`@${s.ecsId}.nmae`, 'x')).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}.courses.7`, new Course())).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}.extra.missing.deeper`, 1)).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}`, {})).toThrow(AddressSyntaxError);
    expect(() => put(`@${s.ecsId}`, {})).toThrow(/put writes a value inside an entity: add a path/);
    expect(() => put('@00000000-0000-4000-8000-000000000000.x', 1)).toThrow(EntityNotFoundError);
    // A shared reference in the value: the versioning refuses it, nothing is written.
    const shared = new Course();
    expect(() => put(`@${s.ecsId}.courses`, [shared, shared])).toThrow();
    expectUnchanged(reg, before);
  });

  test('a bad last segment fails before the tree is checked out', () => {
    const s = richStudent();
    const checkout = jest.spyOn(reg, 'checkout');
    expect(() => put(`@${s.ecsId}.nmae`, 'x')).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}.courses.7`, new Course())).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}.extra.set.nothere`, 1)).toThrow(FieldPathError);
    expect(() => put(`@${s.ecsId}.gpa.x`, 1)).toThrow(FieldPathError);
    expect(checkout).not.toHaveBeenCalled();
    checkout.mockRestore();
  });
});

describe('createComposite', () => {
  test('every string that starts with @ is an address: a malformed one is an AddressSyntaxError, literal() stores it as text', () => {
    const s = richStudent();
    for (const bad of ['@nope', `@${s.ecsId.slice(0, -1)}.name`, `@${s.ecsId}..name`]) {
      let error: unknown;
      try {
        createComposite(Summary, { name: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AddressSyntaxError);
      expect((error as AddressSyntaxError).address).toBe(bad);
      // the call that stores it as text, spelled out for a short string
      expect((error as Error).message).toContain(
        bad.length <= 40 ? `literal(${JSON.stringify(bad)})` : 'literal(text)',
      );
    }
    const card = createComposite(Summary, { name: literal('@nope'), note: literal(`@${s.ecsId}.name`) });
    expect(card.name).toBe('@nope');
    expect(card.note).toBe(`@${s.ecsId}.name`);
    expect(card.attributeSource).toEqual({ name: null, note: null });
  });

  test('fields from addresses and values, attributeSource naming the holder', () => {
    const s = richStudent();
    const st = reg.getStoredEntity<Student>(s.ecsId);
    const card = createComposite(Summary, {
      name: `@${s.ecsId}.name`,
      gpa: `@${s.ecsId.toUpperCase()}.record.gpa`,
      tags: `@${s.ecsId}.tags`,
      note: 'literal',
    });
    expect(card).toBeInstanceOf(Summary);
    expect(card.name).toBe('Rich');
    expect(card.gpa).toBe(3.3);
    expect(card.tags).toEqual(['t0', 't1']);
    expect(card.tags).not.toBe(st.tags);
    expect(Object.isFrozen(card.tags)).toBe(false);
    expect(card.note).toBe('literal');
    expect(card.attributeSource).toEqual({ name: s.ecsId, gpa: st.record!.ecsId, tags: s.ecsId, note: null });
    expect(card.isOrphan()).toBe(true);
  });

  test('promote: registered with its attributeSource; entities from addresses fork into it', () => {
    const s = richStudent();
    const st = reg.getStoredEntity<Student>(s.ecsId);
    const composite = createComposite(
      Student,
      { name: 'Composite', record: `@${s.ecsId}.record`, courses: [] },
      { promote: true },
    );
    expect(composite.isRoot()).toBe(true);
    const stored = reg.getStoredEntity<Student>(composite.ecsId);
    expect(stored.attributeSource).toEqual({ name: null, record: s.ecsId, courses: null });
    expect(stored.record!.gpa).toBe(3.3);
    expect(stored.record!.previousEcsId).toBe(st.record!.ecsId);
    expect(stored.record!.ecsId).not.toBe(st.record!.ecsId);
  });

  test('errors: unknown field, unresolvable address', () => {
    const s = richStudent();
    expect(() => createComposite(Summary, { nope: 1 })).toThrow(EntityDefinitionError);
    expect(() => createComposite(Summary, { name: `@${s.ecsId}.nmae` })).toThrow(FieldPathError);
    expect(() => createComposite(Summary, { name: `@${s.ecsId}..name` })).toThrow(AddressSyntaxError);
    expect(() => createComposite(Summary, { name: '@handle' })).toThrow(AddressSyntaxError); // text: literal('@handle')
  });
});
