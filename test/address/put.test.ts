/**
 * SPEC §6 put: writing on a named version (`basedOn`, for undo/redo) and the type check of the
 * value against the field's declared type. The rest of put: address.test.ts.
 */
import { EntityNotFoundError, EntityRegistry, VersioningError } from '../../src';
import { aput, put } from '../../src/address/put';
import { capture, expectUnchanged } from '../callable/dump-registry';
import { Course, Student, makeStudent } from '../callable/models';

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
