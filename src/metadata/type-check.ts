/**
 * Checking values against types (arguments after binding, results, field values written by put).
 */
import { containerKind, findInItems, type DataContainerKind, type ItemKey } from './containers';
import { isEntityObject } from './object-model';
import type { TypeShape } from './type-spec';
import type { PathSegment } from './types';

/** True if `value` is a plain data object: not an entity, array, Map, Set or Date. */
export function isRecordLike(value: unknown): value is Record<string, unknown> {
  return containerKind(value) === 'record';
}

/** Where an item sits inside its container, for messages: `[2]`, `<0>` (a Set position), `.get("k")`, `.key`. */
export function itemAt<K extends DataContainerKind>(kind: K, key: ItemKey<K>): string {
  switch (kind) {
    case 'array':
      return `[${key as number}]`;
    case 'set':
      return `<${key as number}>`;
    case 'map':
      return `.get(${JSON.stringify(key) ?? String(key)})`;
    default:
      return `.${key as string}`;
  }
}

/** Where a value does not conform to a type: the relative position (`''`, `[2]`, `.key`), the type expected there and what was found. */
export type Mismatch = { at: string; expected: TypeShape; found: unknown };

/** The first item of `value` (a container of `kind`) that does not conform to its shape, placed. */
function itemMismatch<K extends DataContainerKind>(
  value: object,
  kind: K,
  shapeOf: (key: ItemKey<K>) => TypeShape,
): Mismatch | null {
  return (
    findInItems(value, kind, (item, key) => {
      const m = mismatch(shapeOf(key), item);
      return m ? { ...m, at: itemAt(kind, key) + m.at } : undefined;
    }) ?? null
  );
}

/**
 * Where `value` does not conform to `shape`: null if it conforms, else the relative position
 * (`''` for the value itself, `[2]`, `.key`) and what was found there.
 */
export function mismatch(shape: TypeShape, value: unknown): Mismatch | null {
  switch (shape.kind) {
    case 'unknown':
      return null;
    case 'entity':
      return isEntityObject(value) &&
        shape.ctor !== undefined &&
        value instanceof (shape.ctor as unknown as new () => object)
        ? null
        : { at: '', expected: shape, found: value };
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return typeof value === shape.kind ? null : { at: '', expected: shape, found: value };
    case 'null':
      return value === null ? null : { at: '', expected: shape, found: value };
    case 'undefined':
      return value === undefined ? null : { at: '', expected: shape, found: value };
    case 'date':
      return value instanceof Date ? null : { at: '', expected: shape, found: value };
    case 'object':
      return typeof value === 'object' && value !== null && !isEntityObject(value) && !Array.isArray(value)
        ? null
        : { at: '', expected: shape, found: value };
    case 'optional':
      return value === undefined ? null : mismatch(shape.of, value);
    case 'union':
      for (const alt of shape.of) if (mismatch(alt, value) === null) return null;
      return { at: '', expected: shape, found: value };
    case 'array':
      if (!Array.isArray(value)) return { at: '', expected: shape, found: value };
      return itemMismatch(value, 'array', () => shape.of);
    case 'tuple':
      if (!Array.isArray(value) || value.length !== shape.of.length) return { at: '', expected: shape, found: value };
      return itemMismatch(value, 'array', (i) => shape.of[i]);
    case 'set':
      if (!(value instanceof Set)) return { at: '', expected: shape, found: value };
      return itemMismatch(value, 'set', () => shape.of);
    case 'map':
      if (!(value instanceof Map)) return { at: '', expected: shape, found: value };
      return itemMismatch(value, 'map', () => shape.of);
    case 'record':
      if (!isRecordLike(value)) return { at: '', expected: shape, found: value };
      return itemMismatch(value, 'record', () => shape.of);
  }
}

const UNKNOWN: TypeShape = { kind: 'unknown' };
/** The type no value has (an empty union): see `itemShape`. */
const NOTHING: TypeShape = { kind: 'union', of: [] };

/** Whether `container` (a container value) can be a value of `shape`, by its kind. */
function containerFits(shape: TypeShape, container: unknown): boolean {
  switch (shape.kind) {
    case 'array':
    case 'tuple':
      return Array.isArray(container);
    case 'set':
    case 'map':
    case 'record':
      return containerKind(container, 'any') === shape.kind;
    case 'optional':
      return containerFits(shape.of, container);
    case 'union':
      return shape.of.some((alt) => containerFits(alt, container));
    default:
      return false;
  }
}

/**
 * The type of what sits under `segment` inside `container`, a value of type `shape`: the item
 * type of an array, Set, Map or record, a tuple's element, and for a union that of its
 * alternatives `container` can be. `unknown` where the type does not say (an `object` or `unknown`
 * type); nothing (an empty union: no value fits) past a tuple's end, where an element would make
 * the value no longer that tuple.
 */
export function itemShape(shape: TypeShape, segment: PathSegment, container: unknown): TypeShape {
  switch (shape.kind) {
    case 'array':
    case 'set':
    case 'map':
    case 'record':
      return shape.of;
    case 'tuple':
      return typeof segment === 'number' && segment < shape.of.length ? shape.of[segment] : NOTHING;
    case 'optional':
      return itemShape(shape.of, segment, container);
    case 'union': {
      const items = shape.of
        .filter((alt) => containerFits(alt, container))
        .map((alt) => itemShape(alt, segment, container));
      return items.length === 1
        ? items[0]
        : items.length === 0 || items.some((t) => t.kind === 'unknown')
          ? UNKNOWN
          : { kind: 'union', of: items };
    }
    default:
      return UNKNOWN;
  }
}
