/**
 * Argument errors about working trees are found before any argument is versioned: a bad second
 * argument leaves no pre-call version of the first behind (errors before the call leave nothing).
 */
import { CallableRegistry } from '../../src/callable/callable-registry';
import { ArgumentError } from '../../src/callable/errors';
import { EntityRegistry } from '../../src/store/entity-registry';
import { TreeStructureError } from '../../src/tree/errors';
import { capture, expectUnchanged } from './dump-registry';
import { Course, Student, makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset(); // makeStudent promotes into the default registry
  calls = new CallableRegistry({ entities: reg });
  calls.register('pair', ({ student }: { student: Student; course: Course }) => student, {
    params: { student: Student, course: Course },
    returns: Student,
  });
});

test('an edited first argument is not versioned when the second is a child removed from its tree', () => {
  const edited = makeStudent('Ada');
  edited.gpa = 1.0; // an edit that pre-call versioning would record
  const other = makeStudent('Bob');
  const removed = other.courses.pop()!;
  const before = capture(reg);
  expect(() => calls.execute<unknown>('pair', { student: edited, course: removed })).toThrow(ArgumentError);
  expect(() => calls.execute<unknown>('pair', { student: edited, course: removed })).toThrow(
    /pair: argument 'course': Course .* is not part of its tree/,
  );
  expectUnchanged(reg, before);
  expect(calls.executions()).toHaveLength(0);
});

test('a malformed second tree is reported before the first is versioned', () => {
  const edited = makeStudent('Ada');
  edited.gpa = 1.0;
  const other = makeStudent('Bob');
  other.courses.push(other.courses[0]); // a shared reference
  const before = capture(reg);
  expect(() => calls.execute<unknown>('pair', { student: edited, course: other.courses[1] })).toThrow(
    TreeStructureError,
  );
  expectUnchanged(reg, before);
});
