/**
 * SPEC §8 generated signature tables with the real CallableRegistry: a function registered
 * without an explicit signature uses the entry of its name; malformed tables are refused whole.
 * (Which class an entry's name resolves to: test/codegen/metadata-selection.test.ts.)
 */
import { AbstractionsError, EntityRegistry } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { GeneratedSignatureError, SignatureRequiredError } from '../../src/callable/errors';
import {
  generatedSignatureOf,
  installGeneratedSignatures,
  type GeneratedSignature,
} from '../../src/callable/generated-signatures';
import { Student, makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
  calls = new CallableRegistry({ entities: reg });
});

test('a function registered without a signature uses the generated entry (installed before or after)', () => {
  calls.register('gen_update', ({ student, newGpa }: { student: Student; newGpa: number }) => {
    student.gpa = newGpa;
    return student;
  });
  // Without a signature: no type checks.
  expect(() => calls.describe('gen_update')).toThrow(SignatureRequiredError);
  installGeneratedSignatures({
    gen_update: {
      params: [
        { name: 'student', type: { kind: 'entity', className: 'Student' }, declaredType: 'Student' },
        { name: 'newGpa', type: { kind: 'number' }, declaredType: 'number' },
      ],
      returns: { kind: 'entity', className: 'Student' },
    },
  });
  const s = makeStudent();
  expect(() => calls.execute<unknown>('gen_update', { student: s, newGpa: 'x' })).toThrow(
    /gen_update: argument 'newGpa': expected number/,
  );
  expect(calls.execute<Student>('gen_update', { student: s, newGpa: 2 }).gpa).toBe(2);
  expect(calls.signatureOf('gen_update')!.source).toBe('generated');
  expect(calls.describe('gen_update').parameters.required).toEqual(['student', 'newGpa']);
});

test('an explicit signature wins over the generated entry', () => {
  installGeneratedSignatures({ explicit_wins: { params: [{ name: 'x', type: { kind: 'string' } }] } });
  calls.register('explicit_wins', ({ x }: { x: number }) => x * 2, { params: { x: Number } });
  expect(calls.execute<unknown>('explicit_wins', { x: 2 })).toBe(4);
});

test('a malformed entry: GeneratedSignatureError (an AbstractionsError) naming it, and nothing of the table installed', () => {
  const table = {
    gen_fine: { params: [{ name: 'x', type: { kind: 'number' } }] },
    gen_broken: { params: 'x' },
  } as unknown as Record<string, GeneratedSignature>;
  let error: unknown;
  try {
    installGeneratedSignatures(table);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GeneratedSignatureError);
  expect(error).toBeInstanceOf(AbstractionsError);
  expect((error as GeneratedSignatureError).functionName).toBe('gen_broken');
  expect((error as Error).message).toBe(
    "installGeneratedSignatures: the entry of 'gen_broken' must be { params: [...], returns? }, got a plain object",
  );
  expect(generatedSignatureOf('gen_fine')).toBeUndefined();
  expect(() => installGeneratedSignatures({ gen_null: null } as unknown as Record<string, GeneratedSignature>)).toThrow(
    /the entry of 'gen_null' must be .*, got null$/,
  );
});
