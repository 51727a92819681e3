import { hasEntity, innerTypes, type FieldModel, type ValueType } from './model';
import { oneLine, str, type Lines } from './text';

/**
 * Code for the four ClassOps of one class, specialised per field from its ValueType. Each
 * function mirrors, for values of the declared type, exactly what the generic helpers in
 * src/metadata/values.ts do (forEachEntityIn, valueEquals, thawValue, freezeValue):
 * same visit sequence, paths, places and containers; same equality; same copies, holes and
 * frozen containers. Fields the generated code cannot specialise fall back to those helpers.
 *
 * Freezing decides what may be stored (SPEC §1), so it is specialised only where that costs
 * nothing in checks: arrays and tuples (checked to be plain arrays), entity leaves and
 * primitives (checked to be no function, symbol or object). Dates, Maps (their object keys are
 * copied), Sets and records are frozen by freezeValue itself, so both modes accept and refuse
 * the same values, with the same errors. Maps with keys of any type compare and thaw
 * generically too (object keys are data: copied, and matched by structure).
 */

/** Runtime helpers and local helper functions the generated code may use. */
export type Helper =
  | 'valueEquals'
  | 'thawValue'
  | 'freezeValue'
  | 'forEachEntityIn'
  | 'lineageOf'
  | 'metaOf'
  | 'PathSegment'
  | 'freezeFlatArray'
  | 'isPlainArray'
  // local helpers (emitted into the generated file)
  | 'setEquals'
  | 'freezeArray'
  | 'thawArray'
  | 'sameTime'
  | 'mapRecord'
  | 'keyPlace';

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

/** Values the thaw copy keeps as they are (thawValue returns primitives and entities unchanged). */
function thawKeeps(t: ValueType): boolean {
  return t.t === 'prim' || t.t === 'entity';
}

/**
 * How an item of this type affects freezeValue's flat-array test: primitives and entities keep
 * the array flat; any other non-null item is an object; generic data is tested with typeof.
 */
function flatness(t: ValueType): 'always' | 'nullish' | 'typeof' {
  if (t.t === 'entity') return 'always';
  // A primitive slot may hold an object after all (freezeValue then copies it, as at runtime).
  if (t.t === 'prim' || t.t === 'opaque' || t.t === 'dynamic') return 'typeof';
  return 'nullish';
}

function isGeneric(t: ValueType): boolean {
  return t.t === 'opaque' || t.t === 'dynamic';
}

type PlacePart = { s: string } | { e: string };

/** Fields whose `switch (index)` cases share one `return <expr>;`. */
type CaseGroup = { readonly indices: readonly number[]; readonly expr: string };
/** A field with a `switch (index)` case of its own. */
type CaseBlock = { readonly index: number; readonly body: (out: Lines) => void };

function placeExpr(parts: readonly PlacePart[]): string {
  const merged: PlacePart[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if ('s' in p && last && 's' in last) merged[merged.length - 1] = { s: last.s + p.s };
    else merged.push(p);
  }
  if (merged.length > 0 && !('s' in merged[0])) merged.unshift({ s: '' });
  return merged.map((p) => ('s' in p ? str(p.s) : p.e)).join(' + ');
}

export class OpsEmitter {
  readonly used = new Set<Helper>();

  constructor(private readonly fields: readonly FieldModel[]) {}

  private use(h: Helper): string {
    this.used.add(h);
    return h;
  }

  // -------------------------------------------------------------------------------------------
  // forEachChild

  forEachChild(out: Lines): void {
    const walked = this.fields.filter((f) => hasEntity(f.type));
    if (walked.length === 0) {
      out.line('forEachChild(_values: readonly unknown[], _visit: ChildVisitor): void {},');
      return;
    }
    out.open('forEachChild(values: readonly unknown[], visit: ChildVisitor): void {');
    for (const f of walked) {
      const i = this.fields.indexOf(f);
      out.line(`// ${oneLine(`${f.name}: ${f.declaredType}`)}`);
      if (f.type.t === 'dynamic') {
        out.line(`${this.use('forEachEntityIn')}(values[${i}], [${str(f.name)}], ${str(f.name)}, 'field', visit);`);
        continue;
      }
      const v = `v${i}`;
      out.line(`const ${v} = values[${i}] as ${slotType(f.type)};`);
      this.walk(out, f.type, v, [str(f.name)], [{ s: f.name }], 'field', 0);
    }
    out.close('},');
  }

  /** Visits the entities of `v` (a slot of type `t`); `container` is used when `t` is an entity. */
  private walk(out: Lines, t: ValueType, v: string, path: string[], place: PlacePart[], container: string, d: number): void {
    switch (t.t) {
      case 'entity':
        out.line(`if (${v} != null) visit(${v}, [${path.join(', ')}], '${container}', ${placeExpr(place)});`);
        return;
      case 'dynamic':
        out.line(`${this.use('forEachEntityIn')}(${v}, [${path.join(', ')}], ${placeExpr(place)}, '${container}', visit);`);
        return;
      // Containers: nothing to visit when the slot is empty.
      case 'array': {
        const i = `i${d}`;
        const x = `x${d}`;
        this.whenPresent(out, v, () => {
          out.open(`for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`);
          out.line(`const ${x} = ${v}[${i}];`);
          this.arrayElement(out, t.of, x, [...path, i], place, { e: i }, d);
          out.close();
        });
        return;
      }
      case 'tuple':
        this.whenPresent(out, v, () => {
          t.elements.forEach((el, j) => {
            if (!hasEntity(el)) return;
            const x = `t${d}_${j}`;
            out.line(`const ${x} = ${v}[${j}] as ${slotType(el)};`);
            this.arrayElement(out, el, x, [...path, String(j)], place, { s: String(j) }, d);
          });
          if (t.rest && hasEntity(t.rest)) {
            const i = `i${d}`;
            const x = `x${d}`;
            out.open(`for (let ${i} = ${t.elements.length}; ${i} < ${v}.length; ${i}++) {`);
            out.line(`const ${x} = ${v}[${i}] as ${slotType(t.rest)};`);
            this.arrayElement(out, t.rest, x, [...path, i], place, { e: i }, d);
            out.close();
          }
        });
        return;
      case 'map': {
        const k = `k${d}`;
        const x = `x${d}`;
        const keyParts: PlacePart[] =
          t.key === 'string'
            ? [{ s: '{' }, { e: k }, { s: '}' }]
            : t.key === 'number'
              ? [{ s: '{number:' }, { e: k }, { s: '}' }]
              : [{ e: `${this.use('keyPlace')}(${k})` }];
        const keySegment = t.key === 'other' ? `${k} as ${this.use('PathSegment')}` : k;
        this.whenPresent(out, v, () => {
          out.open(`for (const [${k}, ${x}] of ${v}) {`);
          this.walk(out, t.of, x, [...path, keySegment], [...place, ...keyParts], 'map', d + 1);
          out.close();
        });
        return;
      }
      case 'set': {
        const x = `x${d}`;
        this.whenPresent(out, v, () => {
          if (t.of.t === 'entity') {
            out.open(`for (const ${x} of ${v}) {`);
            out.line(`if (${x} != null) visit(${x}, [${[...path, `${this.use('metaOf')}(${x}).ecsId`].join(', ')}], 'set', ${placeExpr([...place, { s: '<>' }])});`);
            out.close();
            return;
          }
          const n = `n${d}`;
          out.line(`let ${n} = 0;`);
          out.open(`for (const ${x} of ${v}) {`);
          // Sets are unordered: a member's place names no position (as forEachEntityIn).
          this.walk(out, t.of, x, [...path, n], [...place, { s: '<>' }], 'set', d + 1);
          out.line(`${n}++;`);
          out.close();
        });
        return;
      }
      case 'record': {
        const k = `k${d}`;
        const x = `x${d}`;
        this.whenPresent(out, v, () => {
          out.open(`for (const ${k} of Object.keys(${v})) {`);
          out.line(`const ${x} = ${v}[${k}];`);
          this.walk(out, t.of, x, [...path, k], [...place, { s: '.' }, { e: k }], 'record', d + 1);
          out.close();
        });
        return;
      }
      default:
        return; // data: no entities
    }
  }

  /** `if (v != null) { body }`. */
  private whenPresent(out: Lines, v: string, body: () => void): void {
    out.open(`if (${v} != null) {`);
    body();
    out.close();
  }

  /** An element of an array or tuple: entities sit at `place[]`, inner containers at `place[i]`. */
  private arrayElement(out: Lines, el: ValueType, x: string, path: string[], place: PlacePart[], index: PlacePart, d: number): void {
    if (el.t === 'entity') {
      out.line(`if (${x} != null) visit(${x}, [${path.join(', ')}], 'array', ${placeExpr([...place, { s: '[]' }])});`);
    } else if (hasEntity(el)) {
      this.walk(out, el, x, path, [...place, { s: '[' }, index, { s: ']' }], 'array', d + 1);
    }
  }

  // -------------------------------------------------------------------------------------------
  // fieldEquals

  fieldEquals(out: Lines): void {
    out.open('fieldEquals(index: number, a: unknown, b: unknown): boolean {');
    const groups = new Map<string, number[]>();
    const blocks: CaseBlock[] = [];
    this.fields.forEach((f, i) => {
      const t = f.type;
      let expr: string | null = null;
      if (t.t === 'prim') expr = t.nan ? 'a === b || (a !== a && b !== b)' : 'a === b';
      else if (t.t === 'entity') {
        const l = this.use('lineageOf');
        expr = `a === b || (a != null && b != null && ${l}(a as EntityObject) === ${l}(b as EntityObject))`;
      } else if (t.t === 'date') expr = `a === b || (a != null && b != null && ${this.use('sameTime')}(a as Date, b as Date))`;
      if (expr !== null) {
        groups.set(expr, [...(groups.get(expr) ?? []), i]);
        return;
      }
      if (isGeneric(t)) return; // default: valueEquals
      blocks.push({
        index: i,
        body: (o) => {
          o.line(`const p = a as ${slotType(t)};`);
          o.line(`const q = b as ${slotType(t)};`);
          this.equal(o, t, 'p', 'q', 0);
          o.line('return true;');
        },
      });
    });
    this.fieldSwitch(out, [...groups].map(([expr, indices]) => ({ indices, expr })), blocks, `${this.use('valueEquals')}(a, b)`);
    out.close('},');
  }

  /**
   * `switch (index)` over the fields: each group's cases share one `return`, each block is a case
   * of its own, and the other fields fall back to `fallback` (the generic helper's call).
   */
  private fieldSwitch(out: Lines, groups: readonly CaseGroup[], blocks: readonly CaseBlock[], fallback: string): void {
    out.open('switch (index) {');
    for (const { indices, expr } of groups) {
      if (indices.length === 0) continue;
      for (const i of indices) out.line(`case ${i}: // ${oneLine(this.fields[i].name)}`);
      out.line(`  return ${expr};`);
    }
    for (const { index, body } of blocks) {
      out.open(`case ${index}: { // ${oneLine(this.fields[index].name)}`);
      body(out);
      out.close();
    }
    out.line('default:');
    out.line(`  return ${fallback};`);
    out.close();
  }

  /** Statements that `return false` when `a` and `b` (slots of type `t`) differ. */
  private equal(out: Lines, t: ValueType, a: string, b: string, d: number): void {
    switch (t.t) {
      case 'prim':
        out.line(t.nan ? `if (${a} !== ${b} && (${a} === ${a} || ${b} === ${b})) return false;` : `if (${a} !== ${b}) return false;`);
        return;
      case 'opaque':
      case 'dynamic':
        out.line(`if (!${this.use('valueEquals')}(${a}, ${b})) return false;`);
        return;
      case 'entity': {
        const l = this.use('lineageOf');
        out.line(`if (${a} !== ${b} && (${a} == null || ${b} == null || ${l}(${a}) !== ${l}(${b}))) return false;`);
        return;
      }
      case 'date':
        out.line(`if (${a} !== ${b} && (${a} == null || ${b} == null || !${this.use('sameTime')}(${a}, ${b}))) return false;`);
        return;
      // Containers: the same value is equal; else both present, then element by element.
      case 'array': {
        const i = `i${d}`;
        const x = `x${d}`;
        const y = `y${d}`;
        this.unlessSame(out, a, b, `${a}.length !== ${b}.length`, () => {
          out.open(`for (let ${i} = 0; ${i} < ${a}.length; ${i}++) {`);
          out.line(`const ${x} = ${a}[${i}];`);
          out.line(`const ${y} = ${b}[${i}];`);
          this.equal(out, t.of, x, y, d + 1);
          out.close();
        });
        return;
      }
      case 'tuple':
        this.unlessSame(out, a, b, `${a}.length !== ${b}.length`, () => {
          t.elements.forEach((el, j) => this.equalAt(out, el, a, b, String(j), `_${j}`, d));
          if (t.rest) {
            const i = `i${d}`;
            out.open(`for (let ${i} = ${t.elements.length}; ${i} < ${a}.length; ${i}++) {`);
            this.equalAt(out, t.rest, a, b, i, '', d);
            out.close();
          }
        });
        return;
      // Maps and Sets compare as collections, as valueEquals does (SPEC §2: reordering is no
      // change; persisting checks iteration order separately with sameIterationOrder).
      case 'map': {
        if (t.key === 'other') {
          out.line(`if (!${this.use('valueEquals')}(${a}, ${b})) return false;`);
          return;
        }
        const k = `k${d}`;
        const x = `x${d}`;
        const y = `y${d}`;
        this.unlessSame(out, a, b, `${a}.size !== ${b}.size`, () => {
          out.open(`for (const [${k}, ${x}] of ${a}) {`);
          out.line(`if (!${b}.has(${k})) return false;`);
          out.line(`const ${y} = ${b}.get(${k});`);
          this.equal(out, t.of, x, y, d + 1);
          out.close();
        });
        return;
      }
      case 'set': {
        const x = `x${d}`;
        const y = `y${d}`;
        const el = slotType(t.of);
        this.unlessSame(out, a, b, null, () => {
          out.open(`const same${d} = ${this.use('setEquals')}(${a}, ${b}, (${x}: ${el}, ${y}: ${el}): boolean => {`);
          this.equal(out, t.of, x, y, d + 1);
          out.line('return true;');
          out.close('});');
          out.line(`if (!same${d}) return false;`);
        });
        return;
      }
      case 'record': {
        const k = `k${d}`;
        const ks = `keys${d}`;
        const x = `x${d}`;
        const y = `y${d}`;
        this.unlessSame(out, a, b, `Object.getPrototypeOf(${a}) !== Object.getPrototypeOf(${b})`, () => {
          out.line(`const ${ks} = Object.keys(${a});`);
          out.line(`if (${ks}.length !== Object.keys(${b}).length) return false;`);
          out.open(`for (const ${k} of ${ks}) {`);
          out.line(`if (!Object.prototype.hasOwnProperty.call(${b}, ${k})) return false;`);
          out.line(`const ${x} = ${a}[${k}];`);
          out.line(`const ${y} = ${b}[${k}];`);
          this.equal(out, t.of, x, y, d + 1);
          out.close();
        });
        return;
      }
    }
  }

  /**
   * The block of a container comparison: nothing to compare when `a` and `b` are the same value;
   * `false` when either is missing or `mismatch` (a cheap size or kind test) holds; else `body`.
   */
  private unlessSame(out: Lines, a: string, b: string, mismatch: string | null, body: () => void): void {
    out.open(`if (${a} !== ${b}) {`);
    out.line(`if (${a} == null || ${b} == null${mismatch === null ? '' : ` || ${mismatch}`}) return false;`);
    body();
    out.close();
  }

  /** Statements comparing the tuple elements `a[index]` and `b[index]` (of type `el`), read into `x<d><suffix>` and `y<d><suffix>`. */
  private equalAt(out: Lines, el: ValueType, a: string, b: string, index: string, suffix: string, d: number): void {
    const x = `x${d}${suffix}`;
    const y = `y${d}${suffix}`;
    out.line(`const ${x} = ${a}[${index}] as ${slotType(el)};`);
    out.line(`const ${y} = ${b}[${index}] as ${slotType(el)};`);
    this.equal(out, el, x, y, d + 1);
  }

  // -------------------------------------------------------------------------------------------
  // thawField

  thawField(out: Lines): void {
    out.open('thawField(index: number, value: unknown): unknown {');
    const kept: number[] = [];
    const blocks: CaseBlock[] = [];
    this.fields.forEach((f, i) => {
      if (thawKeeps(f.type)) kept.push(i);
      else if (!isGeneric(f.type)) {
        const expr = this.thaw(f.type, 'v', 0);
        blocks.push({ index: i, body: (body) => body.line(`const v = value as ${slotType(f.type)};`).line(`return ${expr};`) });
      }
    });
    this.fieldSwitch(out, [{ indices: kept, expr: 'value' }], blocks, `${this.use('thawValue')}(value)`);
    out.close('},');
  }

  /** An expression: a mutable copy of `v` (a slot of type `t`), entity leaves kept. */
  private thaw(t: ValueType, v: string, d: number): string {
    const x = `x${d}`;
    switch (t.t) {
      case 'prim':
      case 'entity':
        return v;
      case 'opaque':
      case 'dynamic':
        return `${this.use('thawValue')}(${v})`;
      case 'date':
        return `${v} == null ? ${v} : new Date(${v}.getTime())`;
      // Arrays: spread (holes read as undefined), as thawValue does.
      case 'array':
        return thawKeeps(t.of) ? `${v} == null ? ${v} : [...${v}]` : `${v} == null ? ${v} : ${this.use('thawArray')}(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)})`;
      case 'tuple': {
        const all = innerTypes(t);
        if (all.every(thawKeeps)) return `${v} == null ? ${v} : [...${v}]`;
        return `${v} == null ? ${v} : ${this.use('thawArray')}(${v}, ${this.tupleElementFn(t, d, (el, y) => this.thaw(el, y, d + 1))})`;
      }
      case 'map':
        if (t.key === 'other') return `${this.use('thawValue')}(${v})`; // object keys are copied too
        return thawKeeps(t.of)
          ? `${v} == null ? ${v} : new Map(${v})`
          : `${v} == null ? ${v} : new Map(Array.from(${v}, ([k${d}, ${x}]) => [k${d}, ${this.thaw(t.of, x, d + 1)}] as const))`;
      case 'set':
        return thawKeeps(t.of) ? `${v} == null ? ${v} : new Set(${v})` : `${v} == null ? ${v} : new Set(Array.from(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)}))`;
      case 'record':
        return `${v} == null ? ${v} : ${this.use('mapRecord')}(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)})`;
    }
  }

  /** `(x, i) => ...` applying the per-position transform of a tuple. */
  private tupleElementFn(t: Extract<ValueType, { t: 'tuple' }>, d: number, transform: (el: ValueType, y: string) => string): string {
    const x = `x${d}`;
    const i = `i${d}`;
    const y = `y${d}`;
    const all = innerTypes(t);
    const bodies = all.map((el) => `const ${y} = ${x} as ${slotType(el)}; return ${transform(el, y)};`);
    if (bodies.every((b) => b === bodies[0])) return `(${x}: unknown) => { ${bodies[0]} }`;
    const branches = t.elements.map((el, j) => `if (${i} === ${j}) { const ${y} = ${x} as ${slotType(el)}; return ${transform(el, y)}; }`);
    const last = t.rest ? `const ${y} = ${x} as ${slotType(t.rest)}; return ${transform(t.rest, y)};` : `return ${x};`;
    return `(${x}: unknown, ${i}: number) => { ${branches.join(' ')} ${last} }`;
  }

  // -------------------------------------------------------------------------------------------
  // freezeField

  freezeField(out: Lines): void {
    out.open('freezeField(index: number, value: unknown, mapLeaf: LeafMapper): unknown {');
    const leaves: number[] = [];
    const blocks: CaseBlock[] = [];
    this.fields.forEach((f, i) => {
      const t = f.type;
      // Persisting calls freezeField only for objects: a primitive field holding one, and fields
      // freezeValue handles itself, take the default.
      if (t.t === 'entity') leaves.push(i);
      else if (t.t === 'array' || t.t === 'tuple') blocks.push({ index: i, body: (body) => {
        body.line(`const v = value as ${slotType(t)};`);
        if (t.t === 'array') {
          // Unrolled freezeValue: a packed frozen copy (holes read as undefined); arrays of
          // primitives and entities only are registered as flat.
          const flat = flatness(t.of);
          body.line(`if (!${this.use('isPlainArray')}(v)) return ${this.use('freezeValue')}(v, mapLeaf);`);
          body.line('const out: unknown[] = [];');
          if (flat !== 'always') body.line('let flat = true;');
          body.open('for (let i = 0; i < v.length; i++) {');
          body.line('const x = v[i];');
          if (flat === 'nullish') body.line('if (x != null) flat = false;');
          if (flat === 'typeof') body.line("if (typeof x === 'object' && x !== null) flat = false;");
          body.line(`out.push(${this.freeze(t.of, 'x', 1)});`);
          body.close();
          const ff = this.use('freezeFlatArray');
          body.line(flat === 'always' ? `return ${ff}(out);` : `return flat ? ${ff}(out) : Object.freeze(out);`);
        } else {
          body.line(`return ${this.freeze(t, 'v', 0)};`);
        }
      } });
    });
    const groups: CaseGroup[] = [{ indices: leaves, expr: 'value == null ? value : mapLeaf(value as EntityObject)' }];
    this.fieldSwitch(out, groups, blocks, `${this.use('freezeValue')}(value, mapLeaf)`);
    out.close('},');
  }

  /**
   * The `flatItem` argument of freezeArray for an array or tuple: null when every item keeps the
   * array flat (primitives, entities), else a test per item (freezeValue: flat = no item is a
   * non-entity object).
   */
  private flatTest(t: Extract<ValueType, { t: 'array' | 'tuple' }>): string {
    const test = (el: ValueType, x: string): string | null => {
      const f = flatness(el);
      return f === 'always' ? null : f === 'nullish' ? `${x} == null` : `typeof ${x} !== 'object' || ${x} === null`;
    };
    if (t.t === 'array') {
      const e = test(t.of, 'x');
      return e === null ? 'null' : `(x) => ${e}`;
    }
    const all = innerTypes(t);
    const tests = all.map((el) => test(el, 'x'));
    if (tests.every((e) => e === null)) return 'null';
    if (tests.every((e) => e === tests[0])) return `(x) => ${tests[0]}`;
    const branches = t.elements.map((_, j) => `i === ${j} ? ${tests[j] ?? 'true'}`);
    const last = t.rest ? (tests[tests.length - 1] ?? 'true') : 'true';
    return `(x, i) => (${[...branches, last].join(' : ')})`;
  }

  /**
   * An expression: a frozen copy of `v` (a slot of type `t`, `d` containers deep in its field)
   * with entity leaves mapped.
   */
  private freeze(t: ValueType, v: string, d: number): string {
    const x = `x${d}`;
    const generic = `${this.use('freezeValue')}(${v}, mapLeaf, ${d})`;
    switch (t.t) {
      case 'prim':
        // Checked, not trusted: a function, symbol or object goes to freezeValue (refused or copied).
        return `(typeof ${v} !== 'object' && typeof ${v} !== 'function' && typeof ${v} !== 'symbol') || ${v} === null ? ${v} : ${generic}`;
      case 'entity':
        return `${v} == null ? ${v} : mapLeaf(${v})`;
      case 'array':
        return `${this.use('isPlainArray')}(${v}) ? ${this.use('freezeArray')}(${v}, (${x}) => ${this.freeze(t.of, x, d + 1)}, ${this.flatTest(t)}) : ${generic}`;
      case 'tuple':
        return `${this.use('isPlainArray')}(${v}) ? ${this.use('freezeArray')}(${v}, ${this.tupleElementFn(t, d, (el, y) => this.freeze(el, y, d + 1))}, ${this.flatTest(t)}) : ${generic}`;
      default:
        return generic;
    }
  }
}
