/**
 * Checking values against signature types (arguments after binding, results).
 */
import { isEntityObject, metaOf } from '../metadata/object-model';
import { isPlainObject } from '../metadata/values';
import type { TypeShape } from './type-spec';


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
