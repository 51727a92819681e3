/**
 * SPEC §6 put: writing on a named version (`basedOn`, for undo/redo) and the type check of the
 * value against the field's declared type. The rest of put: address.test.ts.
 */
import {
  CallableRegistry,
  Entity,
  EntityNotFoundError,
  EntityRegistry,
  VersioningError,
  arrayOf,
  entity,
  field,
  metadataSourceOf,
  union,
  UnsupportedValueError,
} from '../../src';
import { FieldTypeError } from '../../src/address/errors';
import { aput, put } from '../../src/address/put';
import { capture, expectUnchanged } from '../callable/dump-registry';
import { AcademicRecord, Course, Student, makeStudent } from '../callable/models';

/** Types declared with @field({ type }): the same in both metadata modes. */
@entity()
class PutDeclared extends Entity {
  @field({ type: () => union(String, Number) }) code: string | number = 0;
  @field({ type: () => arrayOf(Course) }) picks: Course[] = [];
  @field({ type: () => [String, Number] }) pair: [string, number] = ['a', 1];
  label = '';
}

declare const __METADATA_MODE__: 'runtime' | 'generated';

let reg: EntityRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
});

describe('basedOn: the version a put writes on', () => {
  /** v1 (the promoted student), then v2 (gpa 2.0): the user then undoes back to v1. */
  function historyOfTwo(): { v1: Student; v2: Student } {
    const s = makeStudent('Ada', 3.5);
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    const v2 = put<Student>(`@${v1.ecsId}.gpa`, 2.0);
    return { v1, v2 };
  }

  test('after an undo to v1, a put based on v1 branches from v1: v2 change is not in it', () => {
    const { v1, v2 } = historyOfTwo();
    const course = put<Course>(`@${v1.courses[0].ecsId}.title`, 'Algebra', { basedOn: v1.ecsId });
    const v3 = reg.getVersion(course.rootEcsId!);
    expect(v3.parentEcsId).toBe(v1.ecsId);
    const root = reg.getStoredEntity<Student>(v3.ecsId);
    expect(root.gpa).toBe(3.5); // v2's change is not in it
    expect(root.courses[0]).toBe(course);
    expect(course.title).toBe('Algebra');
    expect(course.previousEcsId).toBe(v1.courses[0].ecsId);
    // A branch (SPEC §4): v2 and v3 both have v1 as their parent; v3 is the lineage's latest.
    expect(reg.lineage(v1.lineageId).map((e) => [e.ecsId, e.parentEcsId])).toEqual([
      [v1.ecsId, null],
      [v2.ecsId, v1.ecsId],
      [v3.ecsId, v1.ecsId],
    ]);
    expect(reg.latest(v1.lineageId)).toBe(root);
  });

  test('without basedOn the same put writes on the latest version (v2 change kept)', () => {
    const { v1, v2 } = historyOfTwo();
    const course = put<Course>(`@${v1.courses[0].ecsId}.title`, 'Algebra');
    const written = reg.getVersion(course.rootEcsId!);
    expect(written.parentEcsId).toBe(v2.ecsId);
    expect(reg.getStoredEntity<Student>(written.ecsId).gpa).toBe(2.0);
  });

  test('an address of the base version itself, which is no longer the latest', () => {
    const { v1 } = historyOfTwo();
    const root = put<Student>(`@${v1.ecsId}.name`, 'Ada L.', { basedOn: v1.ecsId, registry: reg });
    expect(root.previousEcsId).toBe(v1.ecsId);
    expect(reg.getVersion(root.ecsId).parentEcsId).toBe(v1.ecsId);
    expect(root.gpa).toBe(3.5);
    expect(root.name).toBe('Ada L.');
  });

  test('the registry as the third argument, as before options existed; other registries', () => {
    const other = new EntityRegistry();
    const s = new Student({ name: 'Bo' });
    other.promoteToRoot(s);
    const v1 = other.getStoredEntity<Student>(s.ecsId);
    const v2 = put<Student>(`@${v1.ecsId}.gpa`, 1, other);
    const v3 = put<Student>(`@${v1.ecsId}.gpa`, 4, { registry: other, basedOn: v1.ecsId });
    expect(other.lineage(v1.lineageId).map((e) => e.parentEcsId)).toEqual([null, v1.ecsId, v1.ecsId]);
    expect([v2.gpa, v3.gpa]).toEqual([1, 4]);
    expect(reg.allVersions()).toHaveLength(0);
  });

  test('aput takes basedOn too', async () => {
    const { v1 } = historyOfTwo();
    const root = await aput<Student>(`@${v1.ecsId}.gpa`, 3.0, { basedOn: v1.ecsId });
    expect(reg.getVersion(root.ecsId).parentEcsId).toBe(v1.ecsId);
    expect(root.gpa).toBe(3.0);
  });

  test('errors: a base without the addressed entity version, of another tree, or not a root version; nothing written', () => {
    const { v1, v2 } = historyOfTwo();
    const changed = put<Course>(`@${v2.courses[1].ecsId}.credits`, 7); // a new version of courses[1] (in v3)
    const other = makeStudent('Other');
    const before = capture(reg);
    // That course version is not in v1.
    expect(() => put(`@${changed.ecsId}.title`, 'x', { basedOn: v1.ecsId })).toThrow(VersioningError);
    expect(() => put(`@${changed.ecsId}.title`, 'x', { basedOn: v1.ecsId })).toThrow(
      new RegExp(`based on @${v1.ecsId}: that version does not contain the entity version the address names`),
    );
    // A version of another lineage.
    expect(() => put(`@${v1.ecsId}.name`, 'x', { basedOn: other.ecsId })).toThrow(
      new RegExp(
        `that is a version of lineage ${other.lineageId}, the address names an entity of lineage ${v1.lineageId}`,
      ),
    );
    // Not a root version: a child entity's ecsId, an unknown id.
    expect(() => put(`@${v1.ecsId}.name`, 'x', { basedOn: v1.courses[0].ecsId })).toThrow(EntityNotFoundError);
    expect(() => put(`@${v1.ecsId}.name`, 'x', { basedOn: '00000000-0000-4000-8000-000000000000' })).toThrow(
      EntityNotFoundError,
    );
    expectUnchanged(reg, before);
  });
});

describe("the value is checked against the field's type", () => {
  /** Calls `write`, expects a FieldTypeError, and checks nothing was written; returns the error. */
  function refused(write: () => unknown): FieldTypeError {
    const before = capture(reg);
    let error: unknown;
    try {
      write();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FieldTypeError);
    expectUnchanged(reg, before);
    return error as FieldTypeError;
  }

  test('a scalar of the wrong type: the address, field and types are named, nothing is written', () => {
    const s = makeStudent();
    const e = refused(() => put(`@${s.ecsId}.name`, 42));
    expect(e).toMatchObject({
      address: `@${s.ecsId}.name`,
      field: 'Student.name',
      expected: 'string',
      actual: 'number 42',
    });
    expect(e.message.startsWith(`Cannot put @${s.ecsId}.name: Student.name expects string, got number 42`)).toBe(true);
    // Runtime metadata knows the type from the initialiser only, and says so.
    expect(
      e.message.endsWith(
        " (the type of the field's initialiser: for a wider one declare @field({ type: () => ... }) or generate metadata with abstractions-codegen)",
      ),
    ).toBe(__METADATA_MODE__ === 'runtime');
    expect(refused(() => put(`@${s.ecsId}.gpa`, '3.9')).field).toBe('Student.gpa');
  });

  test('a container field given a scalar (a version that would break later reads) is refused in both modes', () => {
    const s = makeStudent();
    const e = refused(() => put(`@${s.ecsId}.courses`, 'oops'));
    expect(e.field).toBe('Student.courses');
    expect(e.actual).toBe('string "oops"');
    // Generated metadata knows the items (Course | null)[]; runtime metadata the initialiser's unknown[].
    expect(e.expected).toMatch(/\[\]$/);
    expect(refused(() => put(`@${s.ecsId}.byCode`, ['x'])).field).toBe('Student.byCode');
    expect(refused(() => put(`@${s.ecsId}.extra`, [1])).field).toBe('Student.extra');
    // The student still reads and executes.
    const calls = new CallableRegistry({ entities: reg });
    const count = calls.register('put_count', ({ student }: { student: Student }) => student.courses.length);
    expect(count.execute({ student: reg.latest<Student>(s.lineageId)! })).toBe(2);
  });

  test('what is not field data at all is an UnsupportedValueError, as before, in both modes', () => {
    const s = makeStudent();
    const before = capture(reg);
    expect(() => put(`@${s.ecsId}.name`, () => 'x')).toThrow(UnsupportedValueError);
    expect(() => put(`@${s.ecsId}.tags`, [new Uint8Array(1)])).toThrow(UnsupportedValueError);
    expectUnchanged(reg, before);
  });

  test('the field is that of the innermost entity on the path', () => {
    const s = makeStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    expect(refused(() => put(`@${v1.courses[0].ecsId}.credits`, 'five')).field).toBe('Course.credits');
    expect(refused(() => put(`@${s.ecsId}.courses.1.credits`, 'five')).field).toBe('Course.credits');
    expect(refused(() => put(`@${s.ecsId}.record.term`, 7)).field).toBe('AcademicRecord.term');
    expect(put<Student>(`@${s.ecsId}.courses.1.credits`, 6).courses[1].credits).toBe(6);
  });

  test('values of the right type are written', () => {
    const s = makeStudent();
    const id = (): string => reg.latest<Student>(s.lineageId)!.ecsId;
    put(`@${id()}.name`, 'Bea');
    put(`@${id()}.courses`, [new Course({ title: 'New' })]);
    put(`@${id()}.extra`, { a: 1 });
    put(`@${id()}.record`, null);
    const latest = put<Student>(`@${id()}.record`, new AcademicRecord({ gpa: 4 }));
    expect([latest.name, latest.courses[0].title, latest.extra, latest.record!.gpa]).toEqual([
      'Bea',
      'New',
      { a: 1 },
      4,
    ]);
  });

  test('@field({ type }) declares the type exactly (not nullable), items included', () => {
    const d = new PutDeclared();
    d.promoteToRoot();
    const id = (): string => reg.latest<PutDeclared>(d.lineageId)!.ecsId;
    put(`@${id()}.code`, 'A7'); // wider than the initialiser's number
    put(`@${id()}.code`, 7);
    expect(refused(() => put(`@${id()}.code`, true))).toMatchObject({
      field: 'PutDeclared.code',
      expected: 'string | number',
      actual: 'boolean true',
    });
    expect(refused(() => put(`@${id()}.code`, null)).expected).toBe('string | number');
    const picks = refused(() => put(`@${id()}.picks`, [new Course(), 'x']));
    expect(picks).toMatchObject({ field: 'PutDeclared.picks[1]', expected: 'Course', actual: 'string "x"' });
    expect(picks.message).not.toContain('initialiser');
    put(`@${id()}.picks`, [new Course({ title: 'P' })]);
    expect(refused(() => put(`@${id()}.picks.1`, 'x')).field).toBe('PutDeclared.picks[1]');
    expect(reg.latest<PutDeclared>(d.lineageId)!.picks[0].title).toBe('P');
  });

  test("a tuple's element has its own type, and no element fits past its end (put would append one)", () => {
    const d = new PutDeclared();
    d.promoteToRoot();
    const id = (): string => reg.latest<PutDeclared>(d.lineageId)!.ecsId;
    expect(refused(() => put(`@${id()}.pair.1`, 'x'))).toMatchObject({
      field: 'PutDeclared.pair[1]',
      expected: 'number',
    });
    expect(refused(() => put(`@${id()}.pair.2`, 5))).toMatchObject({
      field: 'PutDeclared.pair[2]',
      expected: 'never',
      actual: 'number 5',
    });
    put(`@${id()}.pair.1`, 2);
    expect(reg.latest<PutDeclared>(d.lineageId)!.pair).toEqual(['a', 2]);
  });

  test('generated metadata knows the declared types; runtime metadata what initialisers show, null allowed', () => {
    const s = makeStudent();
    const v1 = reg.getStoredEntity<Student>(s.ecsId);
    expect(metadataSourceOf(Student)).toBe(__METADATA_MODE__);
    if (__METADATA_MODE__ === 'generated') {
      expect(refused(() => put(`@${v1.ecsId}.record`, new Course()))).toMatchObject({
        field: 'Student.record',
        expected: 'AcademicRecord | null',
        actual: expect.stringContaining('Course'),
      });
      expect(refused(() => put(`@${v1.ecsId}.courses.0`, 'x'))).toMatchObject({
        field: 'Student.courses[0]',
        expected: 'Course',
      });
      expect(refused(() => put(`@${v1.ecsId}.tags`, ['a', 1]))).toMatchObject({
        field: 'Student.tags[1]',
        expected: 'string',
      });
      expect(refused(() => put(`@${v1.ecsId}.gpa`, null)).expected).toBe('number');
    } else {
      // record = null, courses = [] and tags = [] say nothing about items; a scalar may be null.
      put(`@${v1.ecsId}.record`, new Course());
      put(`@${reg.latest<Student>(s.lineageId)!.ecsId}.courses.0`, 'x');
      put(`@${reg.latest<Student>(s.lineageId)!.ecsId}.tags`, ['a', 1]);
      const latest = put<Student>(`@${reg.latest<Student>(s.lineageId)!.ecsId}.gpa`, null);
      expect([latest.record, latest.courses[0], latest.tags, latest.gpa]).toEqual([
        expect.any(Course),
        'x',
        ['a', 1],
        null,
      ]);
    }
  });
});
