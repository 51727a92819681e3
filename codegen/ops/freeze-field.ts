import { innerTypes, type ValueType } from '../model';
import type { Lines } from '../text';
import { OpEmitter } from './op-emitter';
import { slotType, tupleElementFn } from './slot-types';

/**
 * `freezeField`: a frozen copy of a field's value, entity leaves mapped, as freezeValue
 * (src/metadata/values.ts) makes it. Freezing decides what may be stored (SPEC §1), so it is
 * specialised only where that costs nothing in checks: arrays and tuples (checked to be plain
 * arrays), entity leaves and primitives (checked to be no function, symbol or object). Dates,
 * Maps (their object keys are copied), Sets and records are frozen by freezeValue itself, so both
 * modes accept and refuse the same values, with the same errors.
 */

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

export class FreezeFieldEmitter extends OpEmitter {
  emit(out: Lines): void {
    // Persisting calls freezeField only for objects: a primitive field holding one, and fields
    // freezeValue handles itself, take the default.
    this.switchMethod(
      out,
      'freezeField(index: number, value: unknown, mapLeaf: LeafMapper): unknown {',
      `${this.use('freezeValue')}(value, mapLeaf)`,
      ({ type: t }) => {
        if (t.t === 'entity') return { returns: 'value == null ? value : mapLeaf(value as EntityObject)' };
        if (t.t === 'array') return { body: (body) => this.arrayField(body, t) };
        if (t.t === 'tuple')
          return {
            body: (body) => body.line(`const v = value as ${slotType(t)};`).line(`return ${this.freeze(t, 'v', 0)};`),
          };
        return null;
      },
    );
  }

  /**
   * The case of an array field: freezeValue unrolled, a packed frozen copy (holes read as
   * undefined); arrays of primitives and entities only are registered as flat.
   */
  private arrayField(body: Lines, t: Extract<ValueType, { t: 'array' }>): void {
    const flat = flatness(t.of);
    body.line(`const v = value as ${slotType(t)};`);
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
        return `${this.use('isPlainArray')}(${v}) ? ${this.use('freezeArray')}(${v}, ${tupleElementFn(t, d, (el, y) => this.freeze(el, y, d + 1))}, ${this.flatTest(t)}) : ${generic}`;
      default:
        return generic;
    }
  }
}
