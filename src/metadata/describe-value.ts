import { isEntityObject, metaOf } from './object-model';
import { containerKind } from './containers';
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

/** `v`: an object, not an entity. */
function describeObject(v: object): string {
  const kind = containerKind(v);
  switch (kind) {
    case 'array':
      return `an array of ${(v as readonly unknown[]).length} element(s)`;
    case 'map': {
      const size = (v as ReadonlyMap<unknown, unknown>).size;
      return `a Map of ${size} entr${size === 1 ? 'y' : 'ies'}`;
    }
    case 'set':
      return `a Set of ${(v as ReadonlySet<unknown>).size} member(s)`;
    case 'record':
    case null:
      break;
  }
  if (v instanceof Date) return 'a Date';
  if (typeof (v as Promise<unknown>).then === 'function') return 'a promise'; // before 'record': a plain thenable is a promise
  if (kind === 'record') return 'a plain object';
  return `an instance of ${v.constructor?.name ?? 'an unknown class'}`;
}
