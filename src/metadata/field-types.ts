/**
 * The type of each field of an entity class, in the vocabulary of signatures (type-spec.ts), for
 * what checks a value against a field: `put` (SPEC §6) and `ConfigEntity` parameters built from
 * loose arguments (SPEC §5). One derivation for both metadata modes, from what the class's
 * metadata knows, first match first:
 *
 * 1. `@field({ type: () => T })`: exactly `T` (a class, `[Course]`, `union(String, null)`, ...);
 * 2. generated metadata: the field's declared TypeScript type, as the code generator wrote it;
 * 3. the field's class-field initialiser, read from a default-constructed instance: a string
 *    default takes strings, an array default arrays, a Map default Maps, and so on (what their
 *    items are, it cannot tell).
 *
 * Otherwise the type is `unknown` (anything). Runtime metadata reads no `design:type` (standard
 * decorators have none, so both decorator modes see the same). Types from 3 accept null and
 * undefined too: an initialiser does not say whether the field is nullable, and refusing a value the declaration allows would
 * be worse than letting a null through. So generated metadata, which knows the declaration,
 * refuses more than runtime metadata (as with function signatures, SPEC §8), and a declared type
 * wider than the initialiser's (`code: string | number = 0`) needs 1 or 2.
 */
import {
  classMetaOf,
  entityClassRecord,
  entityClassesNamed,
  generatedSpecOf,
  onEntityClassRegistered,
  type AnyClass,
} from './class-registry';
import { templateValues } from './class-defaults';
import { containerKind } from './containers';
import { InvalidTypeError } from './errors';
import { shapeFromGenerated } from './generated-types';
import { isEntityObject } from './object-model';
import { mismatch, type Mismatch } from './type-check';
import { toShape, type TypeShape, type TypeSpec } from './type-spec';
import type { ClassMeta, FieldMeta } from './types';

/** A field's type (see the module comment). */
export interface FieldType {
  readonly type: TypeShape;
  /** True when null and undefined are accepted besides `type` (types from an initialiser). */
  readonly nullable: boolean;
  /** Where the type comes from (messages say so for `initialiser`, which may be narrower than the declaration). */
  readonly source: 'declared' | 'generated' | 'initialiser' | 'none';
}

const UNKNOWN: TypeShape = { kind: 'unknown' };

/** A generated entity type: the loaded class of that name (any of them when several share it). */
function entityNamed(className: string): TypeShape {
  const named = entityClassesNamed(className);
  if (named.length === 0) return { kind: 'entity', className }; // no value can be of a class not loaded
  const of = named.map((r): TypeShape => ({ kind: 'entity', className, ctor: r.ctor }));
  return of.length === 1 ? of[0] : { kind: 'union', of };
}

/** The type a class-field default shows (3 in the module comment), or null. */
function fromDefault(value: unknown): TypeShape | null {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return { kind: typeof value } as TypeShape;
    case 'object':
      break;
    default:
      return null;
  }
  if (value === null) return null;
  if (value instanceof Date) return { kind: 'date' };
  if (isEntityObject(value)) {
    const record = entityClassRecord(value.constructor);
    return record ? { kind: 'entity', className: record.name, ctor: record.ctor } : null;
  }
  const kind = containerKind(value);
  return kind === null ? null : { kind, of: UNKNOWN };
}

function typeOfField(
  ctor: AnyClass,
  meta: ClassMeta,
  f: FieldMeta,
  defaults: () => readonly unknown[] | null,
): FieldType {
  const spec = entityClassRecord(ctor)?.fieldOptions.get(f.name)?.type;
  if (spec !== undefined) {
    try {
      return { type: toShape(spec() as TypeSpec), nullable: false, source: 'declared' };
    } catch (error) {
      if (!(error instanceof InvalidTypeError)) throw error;
      throw new InvalidTypeError(error.input, `${meta.name}.${f.name}: @field({ type }): ${error.message}`);
    }
  }
  const generated = meta.source === 'generated' ? generatedSpecOf(ctor)?.fields[f.index].type : undefined;
  if (generated !== undefined) {
    return {
      type: shapeFromGenerated(generated, (e) => entityNamed(e.className)),
      nullable: false,
      source: 'generated',
    };
  }
  const inferred = fromDefault(defaults()?.[f.index]);
  if (inferred !== null) return { type: inferred, nullable: true, source: 'initialiser' };
  return { type: UNKNOWN, nullable: true, source: 'none' };
}

let cache = new WeakMap<ClassMeta, readonly FieldType[]>();
// Entity types name the classes loaded when they were derived: a class loaded later clears them.
onEntityClassRegistered(() => {
  cache = new WeakMap();
});

/** The type of every field of an entity class, in field order. */
export function fieldTypesOf(ctor: AnyClass): readonly FieldType[] {
  const meta = classMetaOf(ctor);
  let types = cache.get(meta);
  if (types === undefined) {
    let defaults: readonly unknown[] | null | undefined;
    const read = (): readonly unknown[] | null =>
      defaults === undefined ? (defaults = templateValues(ctor)) : defaults;
    types = meta.fields.map((f) => typeOfField(ctor, meta, f, read));
    cache.set(meta, types);
  }
  return types;
}

/** Where `value` does not conform to a field's type (null and undefined aside when it is nullable), or null. */
export function fieldMismatch(field: FieldType, value: unknown): Mismatch | null {
  if (field.nullable && (value === null || value === undefined)) return null;
  return mismatch(field.type, value);
}
