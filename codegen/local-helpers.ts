/**
 * The local helper functions a generated file defines when its operations call them: small
 * specialisations of src/metadata/values.ts. Each is the exact text emitted (TypeScript with
 * types and doc comments), which the generated file's compilation type-checks (`as T` where an
 * index read is typed `T | undefined` under noUncheckedIndexedAccess: the items are the array's
 * or record's own, holes included as in values.ts).
 */

/** Each local helper's definition, in the order they are emitted. */
export const LOCAL_HELPERS = {
  setEquals: [
    '/** values.ts setEquals with a specialised member comparison. */',
    'function setEquals<T>(a: ReadonlySet<T>, b: ReadonlySet<T>, eq: (x: T, y: T) => boolean): boolean {',
    '  if (a.size !== b.size) return false;',
    '  const pending: T[] = [];',
    '  for (const v of a) if (!b.has(v)) pending.push(v);',
    '  if (pending.length === 0) return true;',
    '  const rest = [...b].filter((v) => !a.has(v));',
    '  for (const v of pending) {',
    '    const i = rest.findIndex((w) => eq(v, w));',
    '    if (i < 0) return false;',
    '    rest.splice(i, 1);',
    '  }',
    '  return true;',
    '}',
  ],
  freezeArray: [
    '/**',
    ' * freezeValue for an array: a packed frozen copy (holes read as undefined) with items mapped by',
    ' * `f`; registered as flat when every item passes `flatItem` (null: every item does).',
    ' */',
    'function freezeArray<T>(v: readonly T[], f: (x: T, i: number) => unknown, flatItem: ((x: T, i: number) => boolean) | null): readonly unknown[] {',
    '  const out: unknown[] = [];',
    '  let flat = true;',
    '  for (let i = 0; i < v.length; i++) {',
    '    const x = v[i] as T;',
    '    if (flatItem !== null && flat && !flatItem(x, i)) flat = false;',
    '    out.push(f(x, i));',
    '  }',
    '  return flat ? freezeFlatArray(out) : Object.freeze(out);',
    '}',
  ],
  thawArray: [
    '/** thawValue for an array: a spread copy (holes read as undefined) with items mapped by `f`. */',
    'function thawArray<T>(v: readonly T[], f: (x: T, i: number) => unknown): unknown[] {',
    '  const out: unknown[] = [...v];',
    '  for (let i = 0; i < out.length; i++) out[i] = f(out[i] as T, i);',
    '  return out;',
    '}',
  ],
  sameTime: [
    '/** valueEquals for two Dates: same time, or both invalid. */',
    'function sameTime(a: Date, b: Date): boolean {',
    '  const ta = a.getTime();',
    '  const tb = b.getTime();',
    '  return ta === tb || (ta !== ta && tb !== tb);',
    '}',
  ],
  mapRecord: [
    '/**',
    ' * A copy of a plain object (same prototype, own enumerable string keys) with mapped values;',
    " * the key '__proto__' becomes an own property, as in values.ts.",
    ' */',
    'function mapRecord<T>(v: { readonly [key: string]: T }, f: (x: T) => unknown): Record<string, unknown> {',
    '  const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;',
    '  for (const k of Object.keys(v)) {',
    "    if (k === '__proto__') Object.defineProperty(out, k, { value: f(v[k] as T), enumerable: true, writable: true, configurable: true });",
    '    else out[k] = f(v[k] as T);',
    '  }',
    '  return out;',
    '}',
  ],
  keyPlace: [
    '/** values.ts keyPlace: how a Map key appears in a place. */',
    'function keyPlace(key: unknown): string {',
    "  return typeof key === 'string' ? `{${key}}` : `{${typeof key}:${String(key)}}`;",
    '}',
  ],
} satisfies Record<string, readonly string[]>;

export type LocalHelper = keyof typeof LOCAL_HELPERS;

export function isLocalHelper(name: string): name is LocalHelper {
  return Object.prototype.hasOwnProperty.call(LOCAL_HELPERS, name);
}
