/**
 * SPEC §5 errors: each typed, naming the function and the argument; errors before the call
 * leave nothing at all; errors in or after the call leave the registry exactly as before except
 * the failed FunctionExecution record.
 */
import { AbstractionsError, EntityNotFoundError, EntityRegistry, TreeStructureError } from '../../src';
import { AddressSyntaxError, FieldPathError } from '../../src/address/errors';
import { CallableRegistry } from '../../src/callable/callable-registry';
import {
  ArgumentError,
  AsyncFunctionError,
  RegistrationError,
  ReturnTypeError,
  UnknownFunctionError,
} from '../../src/callable/errors';
import { arrayOf, optional, tupleOf, union } from '../../src/metadata/type-spec';
import { capture, expectUnchanged } from './dump-registry';
import { Course, Student, Summary, makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
  calls = new CallableRegistry({ entities: reg });
  calls.register(
    'set_gpa',
    ({ student, newGpa }: { student: Student; newGpa: number }) => {
      student.gpa = newGpa;
      return student;
    },
    { params: { student: Student, newGpa: Number, note: optional(String) }, returns: Student },
  );
});

/** Runs `f`, expects it to throw, returns the error; checks nothing changed and no record was kept. */
function failsBeforeCall(f: () => unknown): Error {
  const before = capture(reg);
  const records = calls.executions().length;
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AbstractionsError);
  expectUnchanged(reg, before);
  expect(calls.executions()).toHaveLength(records);
  return error as Error;
}

/** Same for errors in or after the call: exactly one failed record is added. */
async function failsInCall(f: () => unknown): Promise<{ error: unknown; before: ReturnType<typeof capture> }> {
  const before = capture(reg);
  const records = calls.executions().length;
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expectUnchanged(reg, before);
  const all = calls.executions();
  expect(all).toHaveLength(records + 1);
  const failed = all[all.length - 1];
  expect(failed.status).toBe('failed');
  expect(failed.outputIds).toEqual([]);
  if (error instanceof Error) expect(failed.error).toEqual({ name: error.name, message: error.message });
  else expect(failed.error).toEqual({ name: typeof error, message: String(error) });
  return { error, before };
}

describe('errors before the call leave nothing at all', () => {
  test('UnknownFunctionError names the function and what is registered', () => {
    makeStudent();
    const e = failsBeforeCall(() => calls.execute<unknown>('set_gap', {}));
    expect(e).toBeInstanceOf(UnknownFunctionError);
    expect(e.message).toContain("'set_gap'");
    expect(e.message).toContain('set_gpa');
    expect((e as UnknownFunctionError).functionName).toBe('set_gap');
  });

  test('missing argument', () => {
    makeStudent();
    const e = failsBeforeCall(() => calls.execute<unknown>('set_gpa', { newGpa: 3 })) as ArgumentError;
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.functionName).toBe('set_gpa');
    expect(e.argument).toBe('student');
    expect(e.message).toMatch(/set_gpa: argument 'student': missing/);
  });

  test('unknown argument', () => {
    const s = makeStudent();
    const e = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: s, newGpa: 3, gpaa: 1 }),
    ) as ArgumentError;
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.argument).toBe('gpaa');
    expect(e.message).toContain('set_gpa');
    expect(e.message).toContain("'gpaa'");
    expect(e.message).toContain('student, newGpa, note');
  });

  test('wrong type: scalar, entity class, optional', () => {
    const s = makeStudent();
    const e1 = failsBeforeCall(() => calls.execute<unknown>('set_gpa', { student: s, newGpa: '3.9' })) as ArgumentError;
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toBe(`set_gpa: argument 'newGpa': expected number, got string "3.9"`);
    const course = reg.getStoredEntity<Student>(s.ecsId).courses[0];
    const e2 = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: course, newGpa: 3 }),
    ) as ArgumentError;
    expect(e2.argument).toBe('student');
    expect(e2.message).toContain('expected Student, got Course');
    const e3 = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: s, newGpa: 3, note: 5 }),
    ) as ArgumentError;
    expect(e3.argument).toBe('note');
    expect(e3.message).toContain('expected string, got number 5');
  });

  test('wrong type inside arrays, tuples and unions names the position', () => {
    calls.register('many', () => 0, {
      params: {
        students: arrayOf(Student),
        pair: tupleOf(Student, Course),
        either: union(Student, Course),
        tags: [String],
      },
    });
    const s = makeStudent();
    const st = reg.getStoredEntity<Student>(s.ecsId);
    const ok = { students: [st], pair: [st, st.courses[0]], either: st.courses[1], tags: ['x'] };
    expect(calls.execute<unknown>('many', ok)).toBe(0);
    const e1 = failsBeforeCall(() => calls.execute<unknown>('many', { ...ok, students: [st, 'x'] })) as ArgumentError;
    expect(e1.argument).toBe('students[1]');
    const e2 = failsBeforeCall(() => calls.execute<unknown>('many', { ...ok, pair: [st] })) as ArgumentError;
    expect(e2.argument).toBe('pair');
    expect(e2.message).toContain('[Student, Course]');
    const e3 = failsBeforeCall(() => calls.execute<unknown>('many', { ...ok, pair: [st, st] })) as ArgumentError;
    expect(e3.argument).toBe('pair[1]');
    const e4 = failsBeforeCall(() => calls.execute<unknown>('many', { ...ok, either: 3 })) as ArgumentError;
    expect(e4.message).toContain('expected Student | Course, got number 3');
    const e5 = failsBeforeCall(() => calls.execute<unknown>('many', { ...ok, tags: ['a', 1] })) as ArgumentError;
    expect(e5.argument).toBe('tags[1]');
  });

  test('arguments must be one object', () => {
    const e = failsBeforeCall(() => calls.execute<unknown>('set_gpa', [1, 2] as never)) as ArgumentError;
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain('one object of named arguments');
  });

  test('unresolvable addresses: the §6 error class, naming the function and the argument', () => {
    const s = makeStudent();
    const missing = '@00000000-0000-4000-8000-000000000000';
    const e1 = failsBeforeCall(() => calls.execute<unknown>('set_gpa', { student: missing, newGpa: 1 }));
    expect(e1).toBeInstanceOf(EntityNotFoundError);
    expect(e1.message).toMatch(/^set_gpa: argument 'student': /);
    expect((e1 as unknown as { argument: string }).argument).toBe('student');
    const e2 = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: s, newGpa: `@${s.ecsId}.record.gpx` }),
    );
    expect(e2).toBeInstanceOf(FieldPathError);
    expect((e2 as FieldPathError).segment).toBe('gpx');
    expect((e2 as FieldPathError).available).toEqual(['gpa', 'term']);
    expect(e2.message).toMatch(/^set_gpa: argument 'newGpa': /);
    calls.register('untyped', ({ x }: { x: string[] }) => x[0]);
    // Not an address at all (no UUID after '@'): passed as a plain string, no error.
    expect(calls.execute<unknown>('untyped', { x: ['@someone'] })).toBe('@someone');
    const e4 = failsBeforeCall(() => calls.execute<unknown>('untyped', { x: [`@${s.ecsId}..name`] }));
    expect(e4).toBeInstanceOf(AddressSyntaxError);
    expect(e4.message).toMatch(/^untyped: argument 'x\[0\]': /);
  });

  test('an address whose value has the wrong type', () => {
    const s = makeStudent();
    const e = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: s, newGpa: `@${s.ecsId}.name` }),
    ) as ArgumentError;
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain(`expected number, got string "Alice" (read from @${s.ecsId}.name)`);
  });

  test('AsyncFunctionError: an async function passed to execute names aexecute', () => {
    calls.register('async_fn', async () => 1);
    const e = failsBeforeCall(() => calls.execute<unknown>('async_fn', {}));
    expect(e).toBeInstanceOf(AsyncFunctionError);
    expect(e.message).toContain('async_fn');
    expect(e.message).toContain("aexecute('async_fn'");
  });

  test('RegistrationError: duplicate names, non-functions, invalid signatures', () => {
    expect(() => calls.register('set_gpa', () => 1)).toThrow(RegistrationError);
    expect(() => calls.register('set_gpa', () => 1)).toThrow(/set_gpa.*registered already/);
    expect(() => calls.register('x', 3 as never)).toThrow(RegistrationError);
    class NotAnEntity {}
    expect(() => calls.register('y', () => 1, { params: { a: NotAnEntity } })).toThrow(
      /parameter 'a': NotAnEntity is not a supported type/,
    );
    expect(() => calls.register('z', () => 1, { params: { a: [] } })).toThrow(RegistrationError);
    expect(calls.has('x') || calls.has('y') || calls.has('z')).toBe(false);
  });

  test('a stored version of another registry is refused', () => {
    const other = new EntityRegistry();
    const s = new Student({ name: 'elsewhere' });
    other.promoteToRoot(s);
    const storedElsewhere = other.getStoredEntity(s.ecsId);
    const e = failsBeforeCall(() =>
      calls.execute<unknown>('set_gpa', { student: storedElsewhere, newGpa: 1 }),
    ) as ArgumentError;
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain('another registry');
  });
});

describe('errors in or after the call leave only the failed record', () => {
  test('the function throwing: the same error object reaches the caller; nothing is versioned', async () => {
    const boom = new Error('boom');
    calls.register('fail_after_edit', ({ student }: { student: Student }) => {
      student.gpa = 0;
      student.courses.push(new Course({ title: 'never' }));
      student.record!.term = 'never';
      throw boom;
    });
    const s = makeStudent();
    const { error } = await failsInCall(() => calls.execute<unknown>('fail_after_edit', { student: s }));
    expect(error).toBe(boom);
    expect(s.gpa).toBe(3.5);
    expect(reg.latest<Student>(s.lineageId)!.gpa).toBe(3.5);
    const rec = calls.executions()[0];
    expect(rec.functionName).toBe('fail_after_edit');
    expect(rec.inputs.entities).toEqual({ student: s.ecsId });
    expect(rec.error).toEqual({ name: 'Error', message: 'boom' });
  });

  test('an async function rejecting (aexecute)', async () => {
    const boom = new TypeError('async boom');
    calls.register('async_fail', async ({ student }: { student: Student }) => {
      student.gpa = 0;
      await Promise.resolve();
      student.tags.push('x');
      throw boom;
    });
    const s = makeStudent();
    const { error } = await failsInCall(() => calls.aexecute<unknown>('async_fail', { student: s }));
    expect(error).toBe(boom);
  });

  test('a non-Error thrown value reaches the caller as it is', async () => {
    calls.register('throw_string', () => {
      throw 'plain';
    });
    const { error } = await failsInCall(() => calls.execute<unknown>('throw_string', {}));
    expect(error).toBe('plain');
  });

  test('ReturnTypeError: the result does not match returns', async () => {
    calls.register(
      'bad_return',
      ({ student }: { student: Student }) => {
        student.gpa = 1; // would be a mutation, but the result is wrong: nothing is committed
        return new Summary({ name: 'x' });
      },
      { params: { student: Student }, returns: Student },
    );
    const s = makeStudent();
    const { error } = await failsInCall(() => calls.execute<unknown>('bad_return', { student: s }));
    expect(error).toBeInstanceOf(ReturnTypeError);
    expect((error as Error).message).toContain('bad_return');
    expect((error as Error).message).toContain('Student');
    expect((error as Error).message).toContain('Summary');
    calls.register('bad_tuple', () => [new Summary(), 3], { params: {}, returns: [Summary, Summary] });
    const r2 = await failsInCall(() => calls.execute<unknown>('bad_tuple', {}));
    expect((r2.error as Error).message).toMatch(/bad_tuple: returned number 3 at result\[1\]/);
    calls.register('bad_scalar', () => 'x', { params: {}, returns: Number });
    const r3 = await failsInCall(() => calls.aexecute<unknown>('bad_scalar', {}));
    expect(r3.error).toBeInstanceOf(ReturnTypeError);
  });

  test('a non-async function returning a promise to execute: AsyncFunctionError after the call', async () => {
    calls.register('promise_fn', () => Promise.resolve(1));
    const { error } = await failsInCall(() => calls.execute<unknown>('promise_fn', {}));
    expect(error).toBeInstanceOf(AsyncFunctionError);
    expect((error as Error).message).toContain('aexecute');
  });

  test('a commit that fails (shared reference in a new result tree): registry unchanged', async () => {
    calls.register('share_new', () => {
      const c = new Course({ title: 'shared' });
      return new Student({ name: 'new', courses: [c, c] });
    });
    makeStudent();
    const { error } = await failsInCall(() => calls.execute<unknown>('share_new', {}));
    expect(error).toBeInstanceOf(TreeStructureError);
  });

  // The same new entity pushed twice into an input tree is a TreeStructureError at commit.
  test('a commit that fails (shared reference put into an input tree): registry unchanged', async () => {
    calls.register('share', ({ student }: { student: Student }) => {
      const c = new Course({ title: 'shared' });
      student.courses.push(c);
      student.courses.push(c);
      return student;
    });
    const s = makeStudent();
    const { error } = await failsInCall(() => calls.execute<unknown>('share', { student: s }));
    expect(error).toBeInstanceOf(TreeStructureError);
  });

  test('a commit that fails (a checkout copy put next to its stored version in an input tree): registry unchanged', async () => {
    const s = makeStudent();
    const copy = reg.checkout<Course>(s.courses[1].ecsId);
    calls.register('dup_in_tree', ({ student }: { student: Student }) => {
      student.courses.push(copy);
      return student;
    });
    const { error } = await failsInCall(() => calls.execute<unknown>('dup_in_tree', { student: s }));
    expect(error).toBeInstanceOf(TreeStructureError);
    expect((error as Error).message).toContain(
      `${copy.ecsId} occurs twice in the tree (two copies of the same version)`,
    );
  });

  test('a commit that fails (a version and a checkout copy of one course in a new result tree): registry unchanged', async () => {
    const s = makeStudent();
    const copy = reg.checkout<Course>(s.courses[0].ecsId);
    calls.register(
      'dup_in_result',
      ({ student }: { student: Student }) => new Student({ name: 'new', courses: [student.courses[0], copy] }),
    );
    const { error } = await failsInCall(() => calls.execute<unknown>('dup_in_result', { student: s }));
    expect(error).toBeInstanceOf(TreeStructureError);
    expect((error as Error).message).toContain('occurs twice in the returned tree (two copies of the same version)');
  });

  test('a failure after pre-call versioning keeps the caller edit version (and only it)', () => {
    calls.register('boom', () => {
      throw new Error('boom');
    });
    const s = makeStudent();
    s.name = 'edited';
    expect(() => calls.execute<unknown>('boom', { student: s })).toThrow('boom');
    const lineage = reg.lineage(s.lineageId);
    expect(lineage).toHaveLength(2);
    expect(reg.getStoredEntity<Student>(lineage[1].ecsId).name).toBe('edited');
    expect(calls.executions()[0].inputs.entities).toEqual({ student: lineage[1].ecsId });
  });
});
