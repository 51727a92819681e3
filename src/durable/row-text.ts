/**
 * The values a row's `data` writes without the general encoder (`encodeValue`), as JSON text:
 * each function gives exactly the text `encodeValue` + `JSON.stringify` would, or null for a
 * value it does not write. The generic row writer (entity-rows.ts) and the generated per-class
 * ones (`RowDataWriter`) both write with these, so the two cannot disagree on a value.
 */
import { isEntityObject, metaOf } from '../metadata/object-model';
import type { ItemText } from '../metadata/types';

/** What `JSON.stringify` writes other than as it is in a string (and every surrogate: a lone one is escaped). */
// eslint-disable-next-line no-control-regex -- control characters are among what it looks for
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)`, quoted directly when nothing needs escaping (twice as fast for ids and names). */
function quoted(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A string. */
export function stringText(v: unknown): string | null {
  return typeof v === 'string' ? quoted(v) : null;
}

/** A number JSON writes as it is: NaN, ±Infinity and -0 are tagged by the general encoder. */
export function numberText(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) && !(v === 0 && 1 / v < 0) ? String(v) : null;
}

/** An entity, as a reference: `{"$ref":"<ecsId>"}`. */
export function refText(v: unknown): string | null {
  return isEntityObject(v) ? `{"$ref":${quoted(metaOf(v).ecsId)}}` : null;
}

/** Any of the above, a boolean or null. */
export function simpleText(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return quoted(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberText(v);
    case 'object':
      return v === null ? 'null' : refText(v);
    default:
      return null;
  }
}

/** An array whose every item `item` writes (a hole reads as undefined: never), or null. */
export function arrayText(v: readonly unknown[], item: ItemText): string | null {
  let text = '[';
  for (let i = 0; i < v.length; i++) {
    const x = item(v[i]);
    if (x === null) return null;
    text += i === 0 ? x : `,${x}`;
  }
  return `${text}]`;
}
