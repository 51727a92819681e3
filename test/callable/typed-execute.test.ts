/**
 * Typing `execute` / `aexecute` by function name through the `FunctionSignatures` interface
 * (what the generated file augments, SPEC §8). Checked by `tsc --noEmit` (the @ts-expect-error
 * lines fail the type check if they stop being errors) and run by jest.
 */
import { EntityRegistry } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { Student, makeStudent } from './models';

declare module '../../src/callable/signatures' {
  interface FunctionSignatures {
    typed_execute_update: { args: { student: Student; newGpa: number }; result: Student };
  }
}

test('execute is typed by name: arguments (entities or addresses) and result', async () => {
  const reg = EntityRegistry.reset();
  const calls = new CallableRegistry({ entities: reg });
  calls.register('typed_execute_update', ({ student, newGpa }: { student: Student; newGpa: number }) => {
    student.gpa = newGpa;
    return student;
  });
  const s = makeStudent();
  const out = calls.execute('typed_execute_update', { student: s, newGpa: 3.1 });
  const gpa: number = out.gpa; // typed as Student
  expect(gpa).toBe(3.1);
  const again = await calls.aexecute('typed_execute_update', { student: `@${out.ecsId}`, newGpa: 3.2 });
  expect(again.gpa).toBe(3.2);
  const typeChecksOnly = (): void => {
    // @ts-expect-error newGpa must be a number (or an address)
    calls.execute('typed_execute_update', { student: s, newGpa: true });
    // @ts-expect-error student is required
    void calls.aexecute('typed_execute_update', { newGpa: 1 });
  };
  void typeChecksOnly;
  // Unknown names stay untyped: the caller names the result type.
  calls.register('untyped_name', () => 5);
  const five = calls.execute<number>('untyped_name', {});
  expect(five + 1).toBe(6);
});
