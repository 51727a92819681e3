import { innerTypes, type ValueType } from '../model';

/**
 * What every operation's code derives from a field's ValueType: the TypeScript type its value
 * slots are read as, whether it is left to the generic helpers of src/metadata/values.ts, and the
 * per-position function over a tuple's elements (thawField and freezeField map tuples with it).
 */

const LEAF = 'EntityLeaf';

/** The TypeScript type of a value slot (always including null and undefined where it matters). */
export function slotType(t: ValueType): string {
  switch (t.t) {
    case 'prim':
    case 'opaque':
    case 'dynamic':
      return 'unknown';
    case 'date':
      return 'Date | null | undefined';
    case 'entity':
      return LEAF;
    case 'array':
      return `readonly ${elementType(t.of)}[] | null | undefined`;
    case 'tuple':
      return 'readonly unknown[] | null | undefined';
    case 'map':
      return `ReadonlyMap<${keyType(t.key)}, ${slotType(t.of)}> | null | undefined`;
    case 'set':
      return `ReadonlySet<${slotType(t.of)}> | null | undefined`;
    case 'record':
      return `{ readonly [key: string]: ${slotType(t.of)} } | null | undefined`;
  }
}

function elementType(t: ValueType): string {
  const s = slotType(t);
  return s.includes('|') ? `(${s})` : s;
}

function keyType(key: 'string' | 'number' | 'other'): string {
  return key === 'other' ? 'unknown' : key;
}

/** Types the generated code does not specialise: their operations are the generic helpers' calls. */
export function isGeneric(t: ValueType): boolean {
  return t.t === 'opaque' || t.t === 'dynamic';
}

/** `(x, i) => ...` applying the per-position transform of a tuple. */
export function tupleElementFn(
  t: Extract<ValueType, { t: 'tuple' }>,
  d: number,
  transform: (el: ValueType, y: string) => string,
): string {
  const x = `x${d}`;
  const i = `i${d}`;
  const y = `y${d}`;
  const all = innerTypes(t);
  const bodies = all.map((el) => `const ${y} = ${x} as ${slotType(el)}; return ${transform(el, y)};`);
  if (bodies.every((b) => b === bodies[0])) return `(${x}: unknown) => { ${bodies[0]} }`;
  const branches = t.elements.map(
    (el, j) => `if (${i} === ${j}) { const ${y} = ${x} as ${slotType(el)}; return ${transform(el, y)}; }`,
  );
  const last = t.rest ? `const ${y} = ${x} as ${slotType(t.rest)}; return ${transform(t.rest, y)};` : `return ${x};`;
  return `(${x}: unknown, ${i}: number) => { ${branches.join(' ')} ${last} }`;
}
