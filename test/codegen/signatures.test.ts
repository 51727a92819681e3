/**
 * The generated function table with the real CallableRegistry: functions registered without an
 * explicit signature take their parameter types from it, and `execute` is typed by name (the
 * `@ts-expect-error` lines are checked by `tsc -p tsconfig.json`).
 */
import { generatedFunctionSignatures } from '../fixtures/codegen/project/abstractions.generated';
import { EntityRegistry } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { RunConfig } from '../fixtures/codegen/project/models/config';
import { Student } from '../fixtures/codegen/project/models/people';
import { Course } from '../fixtures/codegen/project/models/school';
// After the classes: the registry resolves generated entity types when a function is registered.
import '../fixtures/codegen/project/functions';

beforeEach(() => {
  EntityRegistry.reset();
});

test('every registered fixture function has a generated signature', () => {
  for (const name of Object.keys(generatedFunctionSignatures)) {
    expect(CallableRegistry.has(name)).toBe(true);
    const sig = CallableRegistry.signatureOf(name);
    expect(sig?.source).toBe('generated');
  }
  const sig = CallableRegistry.signatureOf('fixture_update_gpa')!;
  expect(sig.params.map((p) => [p.name, p.type.kind, p.optional])).toEqual([
    ['student', 'entity', false],
    ['newGpa', 'number', false],
  ]);
  expect(sig.returns).toMatchObject({ kind: 'entity', className: 'Student' });
  expect(CallableRegistry.signatureOf('fixture_run_sim')!.params.map((p) => [p.name, p.optional])).toEqual([
    ['config', false],
    ['students', false],
    ['note', true],
  ]);
});

test('execute is typed by function name and checks arguments with the generated types', () => {
  const student = new Student({ name: 'Ada', gpa: 3 });
  student.promoteToRoot();
  const updated: Student = CallableRegistry.execute('fixture_update_gpa', { student, newGpa: 3.9 });
  expect(updated.gpa).toBe(3.9);

  // @ts-expect-error newGpa is a number
  expect(() => CallableRegistry.execute('fixture_update_gpa', { student, newGpa: 'high' })).toThrow(/newGpa/);

  const pair: [Student, Course] = CallableRegistry.execute('fixture_enrol', {
    student: updated,
    course: new Course({ title: 'logic' }),
  });
  expect(pair[1].title).toBe('logic');

  const n: number = CallableRegistry.execute('fixture_run_sim', {
    config: new RunConfig({ iterations: 2 }),
    students: [new Student()],
  });
  expect(n).toBe(2);

  const pong: string = CallableRegistry.execute('fixture_ping', {});
  expect(pong).toBe('pong');
});

test('aexecute of an async function resolves to the typed result', async () => {
  const rooms = await CallableRegistry.aexecute('fixture_find_rooms', { building: 'B', limit: 2 });
  expect(rooms.map((r) => r.building)).toEqual(['B', 'B']);
});
