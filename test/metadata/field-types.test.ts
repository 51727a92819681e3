/**
 * src/metadata/field-types.ts: the type of each field (what put and ConfigEntity loose arguments
 * check values against), from each source in order, in both metadata modes.
 */
import { Entity, InvalidTypeError, entity, field, metadataSourceOf, union } from '../../src';
import { fieldMismatch, fieldTypesOf, type FieldType } from '../../src/metadata/field-types';
import { typeText } from '../../src/metadata/type-spec';
import type { FtLater } from './field-types-later';

@entity()
class FtSources extends Entity {
  @field({ type: () => union(String, Number) }) declared: string | number = 0;
  @field() reflected!: string; // no initialiser: only generated metadata knows it is a string
  inferred = '';
  list: number[] = [];
  when = new Date(0);
  nothing: Date | null = null;
}

@entity()
class FtHolder extends Entity {
  later: FtLater | null = null;
}

@entity()
class FtBadDeclaration extends Entity {
  @field({ type: () => 'strng' }) x = '';
}

declare const __METADATA_MODE__: 'runtime' | 'generated';
const generated = (): boolean => __METADATA_MODE__ === 'generated';

test('the classes use the metadata of the project that runs this file', () => {
  for (const c of [FtSources, FtHolder]) expect(metadataSourceOf(c)).toBe(__METADATA_MODE__);
});

function byName(ctor: new () => Entity): Record<string, FieldType> {
  const names = ['declared', 'reflected', 'inferred', 'list', 'when', 'nothing', 'later'];
  const types = fieldTypesOf(ctor);
  return Object.fromEntries(types.map((t, i) => [names.filter((n) => n in new ctor())[i], t]));
}

test('@field({ type }) is the type, exactly (not nullable), in both modes', () => {
  const t = byName(FtSources).declared;
  expect(t).toMatchObject({ nullable: false, source: 'declared' });
  expect(typeText(t.type)).toBe('string | number');
  expect(fieldMismatch(t, 'x')).toBeNull();
  expect(fieldMismatch(t, null)).toMatchObject({ at: '', found: null });
});

test('generated metadata: the declared TypeScript type; runtime metadata: the initialiser (nullable), else unknown', () => {
  const t = byName(FtSources);
  if (generated()) {
    expect(Object.values(t).every((x) => x.source === (x === t.declared ? 'declared' : 'generated'))).toBe(true);
    expect([t.reflected, t.inferred, t.list, t.when, t.nothing].map((x) => typeText(x.type))).toEqual([
      'string',
      'string',
      'number[]',
      'Date',
      'Date | null',
    ]);
    expect(fieldMismatch(t.inferred, null)).not.toBeNull();
    expect(fieldMismatch(t.list, [1, 'x'])).toMatchObject({ at: '[1]', found: 'x' });
  } else {
    expect([t.reflected, t.inferred, t.list, t.when, t.nothing].map((x) => [typeText(x.type), x.source])).toEqual([
      ['unknown', 'none'], // no design:type is read (standard decorators have none)
      ['string', 'initialiser'],
      ['unknown[]', 'initialiser'],
      ['Date', 'initialiser'],
      ['unknown', 'none'],
    ]);
    expect(fieldMismatch(t.inferred, null)).toBeNull();
    expect(fieldMismatch(t.list, [1, 'x'])).toBeNull();
  }
  // Both: a value of another kind is refused.
  expect(fieldMismatch(t.inferred, 42)).toMatchObject({ at: '', found: 42 });
  expect(fieldMismatch(t.list, 'x')).toMatchObject({ at: '', found: 'x' });
  expect(fieldMismatch(t.when, '1970-01-01')).not.toBeNull();
});

test('an entity type names a class loaded later: resolved once it is loaded', async () => {
  const before = fieldTypesOf(FtHolder)[0];
  const { FtLater: Later } = await import('./field-types-later');
  const after = fieldTypesOf(FtHolder)[0];
  if (generated()) {
    expect(typeText(before.type)).toBe('FtLater | null');
    expect(fieldMismatch(before, new Later())).not.toBeNull(); // no class to check against yet
    expect(fieldMismatch(after, new Later())).toBeNull();
    expect(fieldMismatch(after, 'x')).not.toBeNull();
  } else {
    expect([before.source, after.source]).toEqual(['none', 'none']); // null initialiser: unknown
  }
});

test('a @field type that is not a type: InvalidTypeError naming the class and field', () => {
  expect(() => fieldTypesOf(FtBadDeclaration)).toThrow(InvalidTypeError);
  expect(() => fieldTypesOf(FtBadDeclaration)).toThrow(
    /^FtBadDeclaration\.x: @field\(\{ type \}\): unknown type name 'strng'/,
  );
});
