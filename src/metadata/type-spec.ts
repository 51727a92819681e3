/**
 * The type vocabulary of signatures (SPEC §5). TypeScript erases types, so a signature names its
 * types with values: what a user writes (`TypeSpec`: `Student`, `Number`, `[String]`,
 * `union(Student, null)`, `'date'`, ...) is normalised into one serialisable form (`TypeShape`),
 * the form explicit signatures compile to, generated tables contain, and argument checks, result
 * checks, JSON Schema and messages read. Kept apart from signatures so that everything reading
 * types depends on this file only.
 *
 * The names `'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'object' | 'unknown' | 'null' |
 * 'undefined'` are accepted wherever a type is.
 */
import { entityClassRecord, type AnyClass } from './class-registry';
import { describeValue } from './describe-value';
import { excerpt } from '../util/excerpt';
import { InvalidTypeError } from './errors';

/** The normalised, serialisable form of a type (what generated tables contain). */
export type TypeShape =
  | { readonly kind: 'entity'; readonly className: string; readonly ctor?: AnyClass }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object' }
  | { readonly kind: 'array' | 'set' | 'optional'; readonly of: TypeShape }
  | { readonly kind: 'map' | 'record'; readonly of: TypeShape }
  | { readonly kind: 'tuple' | 'union'; readonly of: readonly TypeShape[] };

export type ScalarTypeName =
  'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object';

const SHAPE: unique symbol = Symbol('abstractions.typeShape');

/** A type built by the helpers below (`optional`, `union`, ...). */
export type TypeHelper = TypeShape & { readonly [SHAPE]: true };

/** What a signature accepts as a type. */
export type TypeSpec =
  | TypeHelper
  | AnyClass
  | NumberConstructor
  | StringConstructor
  | BooleanConstructor
  | BigIntConstructor
  | DateConstructor
  | ObjectConstructor
  | ArrayConstructor
  | MapConstructor
  | SetConstructor
  | ScalarTypeName
  | null
  | undefined
  | readonly TypeSpec[];

// ---- helpers --------------------------------------------------------------------------------

function brand<T extends TypeShape>(shape: T): TypeHelper {
  return Object.freeze({ ...shape, [SHAPE]: true as const }) as unknown as TypeHelper;
}

/** A parameter that may be omitted (or a value that may be `undefined`). */
export function optional(type: TypeSpec): TypeHelper {
  return brand({ kind: 'optional', of: toShape(type) });
}

/** Any of the given types (`union(Student, Course)`, `union(String, null)`). */
export function union(...types: TypeSpec[]): TypeHelper {
  if (types.length === 0) {
    throw new InvalidTypeError(
      types,
      'union() needs at least one type: write union(A, B, ...), or union(T, null) for a nullable T',
    );
  }
  return brand({ kind: 'union', of: types.map(toShape) });
}

/** An array of `type` (same as `[type]`). */
export function arrayOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'array', of: toShape(type) });
}

/** A tuple (same as `[A, B, ...]`; `tupleOf(A)` is the one-element tuple). */
export function tupleOf(...types: TypeSpec[]): TypeHelper {
  return brand({ kind: 'tuple', of: types.map(toShape) });
}

/** A Map whose values are `type` (keys unchecked). */
export function mapOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'map', of: toShape(type) });
}

/** A Set of `type`. */
export function setOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'set', of: toShape(type) });
}

/** A plain object whose values are `type` (`Record<string, T>`). */
export function recordOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'record', of: toShape(type) });
}

// ---- normalisation ------------------------------------------------------------------------

const SCALARS: ReadonlySet<string> = new Set([
  'string',
  'number',
  'boolean',
  'bigint',
  'date',
  'null',
  'undefined',
  'unknown',
  'object',
]);
const UNKNOWN: TypeShape = { kind: 'unknown' };

const BUILTINS = new Map<unknown, TypeShape>([
  [Number, { kind: 'number' }],
  [String, { kind: 'string' }],
  [Boolean, { kind: 'boolean' }],
  [BigInt, { kind: 'bigint' }],
  [Date, { kind: 'date' }],
  [Object, { kind: 'object' }],
  [Array, { kind: 'array', of: UNKNOWN }],
  [Map, { kind: 'map', of: UNKNOWN }],
  [Set, { kind: 'set', of: UNKNOWN }],
]);

/** True for the kinds of the scalar shapes (`'string'`, `'date'`, `'unknown'`, ...). */
export function isScalarTypeName(kind: string): kind is ScalarTypeName {
  return SCALARS.has(kind);
}

/**
 * Normalises a type given in any accepted form. Throws an {@link InvalidTypeError} naming what was
 * given when it is not a type (callers that know the function add its name).
 */
export function toShape(spec: TypeSpec): TypeShape {
  if (spec === null) return { kind: 'null' };
  if (spec === undefined) return { kind: 'undefined' };
  if (typeof spec === 'string') {
    if (!SCALARS.has(spec))
      throw new InvalidTypeError(spec, `unknown type name '${excerpt(spec)}' (known: ${[...SCALARS].join(', ')})`);
    return { kind: spec } as TypeShape;
  }
  if (typeof spec === 'function') {
    const builtin = BUILTINS.get(spec);
    if (builtin) return builtin;
    const record = entityClassRecord(spec);
    if (!record) {
      throw new InvalidTypeError(
        spec,
        `${spec.name || 'an anonymous class'} is not a supported type: use an @entity() class, Number, String, Boolean, BigInt, Date, Object, Array, Map or Set`,
      );
    }
    return { kind: 'entity', className: record.name, ctor: record.ctor };
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0)
      throw new InvalidTypeError(spec, '[] is not a type: write [T] for an array of T, [A, B] for a tuple');
    if (spec.length === 1) return { kind: 'array', of: toShape(spec[0]) };
    return { kind: 'tuple', of: spec.map(toShape) };
  }
  if (typeof spec === 'object' && (spec as TypeHelper)[SHAPE] === true) return spec as TypeShape;
  throw new InvalidTypeError(spec, `${describeValue(spec)} is not a type`);
}

// ---- text -------------------------------------------------------------------------------------

/** A type as TypeScript-like text, for messages: `Student`, `number[]`, `[Student, Course]`. */
export function typeText(shape: TypeShape): string {
  switch (shape.kind) {
    case 'entity':
      return shape.className;
    case 'date':
      return 'Date';
    case 'array': {
      const inner = typeText(shape.of);
      return shape.of.kind === 'union' || shape.of.kind === 'optional' ? `(${inner})[]` : `${inner}[]`;
    }
    case 'set':
      return `Set<${typeText(shape.of)}>`;
    case 'map':
      return `Map<unknown, ${typeText(shape.of)}>`;
    case 'record':
      return `Record<string, ${typeText(shape.of)}>`;
    case 'optional':
      return `${typeText(shape.of)} | undefined`;
    case 'tuple':
      return `[${shape.of.map(typeText).join(', ')}]`;
    case 'union':
      return shape.of.length === 0 ? 'never' : shape.of.map(typeText).join(' | ');
    default:
      return shape.kind;
  }
}
