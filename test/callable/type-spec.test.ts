/**
 * SPEC §5 types of signatures: the helpers, normalisation into TypeShape, the text of a type, and
 * the typed error for what is not a type.
 */
import { AbstractionsError, InvalidTypeError } from '../../src';
import {
  arrayOf,
  mapOf,
  optional,
  recordOf,
  setOf,
  toShape,
  tupleOf,
  typeText,
  union,
  type TypeSpec,
} from '../../src/metadata/type-spec';
import { Course, Student } from './models';

test('normalisation and text', () => {
  expect(toShape(Number)).toEqual({ kind: 'number' });
  expect(toShape([String])).toEqual({ kind: 'array', of: { kind: 'string' } });
  expect(typeText(toShape([Student, Course]))).toBe('[Student, Course]');
  expect(typeText(toShape(union(Student, null)))).toBe('Student | null');
  expect(typeText(toShape(arrayOf(union(Student, Course))))).toBe('(Student | Course)[]');
  expect(typeText(toShape(tupleOf(Student)))).toBe('[Student]');
  expect(typeText(toShape(optional(Number)))).toBe('number | undefined');
  expect(typeText(toShape(mapOf(Course)))).toBe('Map<unknown, Course>');
  expect(typeText(toShape(setOf('string')))).toBe('Set<string>');
  expect(typeText(toShape(recordOf(Boolean)))).toBe('Record<string, boolean>');
  expect(typeText(toShape(Date))).toBe('Date');
});

describe('what is not a type: InvalidTypeError (an AbstractionsError) naming the input', () => {
  function thrown(f: () => unknown): InvalidTypeError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidTypeError);
      expect(e).toBeInstanceOf(AbstractionsError);
      expect((e as Error).name).toBe('InvalidTypeError');
      return e as InvalidTypeError;
    }
    throw new Error('expected an InvalidTypeError');
  }

  test('union() without a type', () => {
    const e = thrown(() => union());
    expect(e.message).toMatch(/^union\(\) needs at least one type/);
    expect(e.input).toEqual([]);
  });

  test('an unknown type name, [], a class that is not an entity class, a plain object', () => {
    const name = thrown(() => arrayOf('strng' as TypeSpec));
    expect(name.message).toMatch(/unknown type name 'strng' \(known: string, number/);
    expect(name.input).toBe('strng');
    expect(thrown(() => optional([])).message).toMatch(/\[\] is not a type/);
    class NotAnEntity {}
    const cls = thrown(() => setOf(NotAnEntity));
    expect(cls.message).toMatch(/^NotAnEntity is not a supported type/);
    expect(cls.input).toBe(NotAnEntity);
    expect(thrown(() => toShape({ kind: 'number' } as unknown as TypeSpec)).message).toBe(
      'a plain object is not a type',
    );
  });

  test('a long type name is quoted as an excerpt', () => {
    const e = thrown(() => toShape('x'.repeat(10_000) as TypeSpec));
    expect(e.message.length).toBeLessThan(400);
    expect(e.input).toHaveLength(10_000);
  });
});
