import { isEntityObject, metaOf } from './object-model';
import { isPlainObject } from './values';
import { excerpt } from '../util/excerpt';

/** A value for a message: `number 3`, `string "x"`, `Student 1b2c…`, `an array of 2 element(s)`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(excerpt(v, 60))}`;
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
  // Describing must not fail on what it describes: a revoked Proxy, throwing traps or getters.
  try {
    return describeObject(v as object);
  } catch {
    return 'an object that cannot be read (a revoked or throwing Proxy?)';
  }
}

function describeObject(v: object): string {
  if (Array.isArray(v)) return `an array of ${v.length} element(s)`;
  if (v instanceof Date) return 'a Date';
  if (v instanceof Map) return `a Map of ${v.size} entr${v.size === 1 ? 'y' : 'ies'}`;
  if (v instanceof Set) return `a Set of ${v.size} member(s)`;
  if (typeof (v as Promise<unknown>).then === 'function') return 'a promise';
  if (isPlainObject(v)) return 'a plain object';
  return `an instance of ${v.constructor?.name ?? 'an unknown class'}`;
}
