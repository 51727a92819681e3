/**
 * Checking values against signature types (arguments after binding, results), and describing
 * values in messages.
 */
import { isEntityObject, metaOf } from '../metadata/object-model';
import { isPlainObject } from '../metadata/values';
import type { TypeShape } from './signatures';

/** A value for a message: `number 3`, `string "x"`, `Student 1b2c…`, `an array of 2 element(s)`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
    case 'number':
    case 'boolean':
      return `${typeof v} ${String(v)}`;
    case 'bigint':
      return `bigint ${String(v)}n`;
    case 'function':
      return `a function${v.name ? ` (${v.name})` : ''}`;
    case 'symbol':
      return 'a symbol';
    default:
      break;
  }
  if (isEntityObject(v)) return `${(v as object).constructor.name} ${metaOf(v).ecsId}`;
  if (Array.isArray(v)) return `an array of ${v.length} element(s)`;
  if (v instanceof Date) return 'a Date';
  if (v instanceof Map) return `a Map of ${v.size} entr${v.size === 1 ? 'y' : 'ies'}`;
  if (v instanceof Set) return `a Set of ${v.size} member(s)`;
  if (typeof (v as Promise<unknown>).then === 'function') return 'a promise';
  if (isPlainObject(v as object)) return 'a plain object';
  return `an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`;
}

/** True if `value` is a plain data object: not an entity, array, Map, Set or Date. */
export function isRecordLike(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof Date) &&
    !isEntityObject(value) &&
    isPlainObject(value)
  );
}

/**
 * Where `value` does not conform to `shape`: null if it conforms, else the relative position
 * (`''` for the value itself, `[2]`, `.key`) and what was found there.
 */
export function mismatch(shape: TypeShape, value: unknown): { at: string; expected: TypeShape; found: unknown } | null {
  switch (shape.kind) {
    case 'unknown':
      return null;
    case 'entity':
      return isEntityObject(value) && shape.ctor !== undefined && value instanceof (shape.ctor as unknown as new () => object)
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
    case 'array': {
      if (!Array.isArray(value)) return { at: '', expected: shape, found: value };
      for (let i = 0; i < value.length; i++) {
        const m = mismatch(shape.of, value[i]);
        if (m) return { ...m, at: `[${i}]${m.at}` };
      }
      return null;
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== shape.of.length) return { at: '', expected: shape, found: value };
      for (let i = 0; i < value.length; i++) {
        const m = mismatch(shape.of[i], value[i]);
        if (m) return { ...m, at: `[${i}]${m.at}` };
      }
      return null;
    }
    case 'set': {
      if (!(value instanceof Set)) return { at: '', expected: shape, found: value };
      let i = 0;
      for (const item of value) {
        const m = mismatch(shape.of, item);
        if (m) return { ...m, at: `<${i}>${m.at}` };
        i++;
      }
      return null;
    }
    case 'map': {
      if (!(value instanceof Map)) return { at: '', expected: shape, found: value };
      for (const [k, item] of value) {
        const m = mismatch(shape.of, item);
        if (m) return { ...m, at: `.get(${JSON.stringify(k) ?? String(k)})${m.at}` };
      }
      return null;
    }
    case 'record': {
      if (!isRecordLike(value)) return { at: '', expected: shape, found: value };
      for (const k of Object.keys(value)) {
        const m = mismatch(shape.of, value[k]);
        if (m) return { ...m, at: `.${k}${m.at}` };
      }
      return null;
    }
  }
}
