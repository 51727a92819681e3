import type { ValueType } from '../model';
import type { Lines } from '../text';
import { OpEmitter } from './op-emitter';
import { isGeneric, slotType } from './slot-types';

/**
 * `fieldEquals`: compares two values of a field as valueEquals (src/metadata/values.ts) does:
 * NaN equals NaN, two invalid Dates are equal, entity leaves compare by lineage, and Maps and Sets
 * compare as collections (their iteration order is no difference).
 */

/** How `equalItems` walks a container: see there. */
interface ItemLoop {
  readonly mismatch: string;
  readonly before?: readonly string[];
  readonly loop: string;
  readonly read: readonly string[];
}

export class FieldEqualsEmitter extends OpEmitter {
  emit(out: Lines): void {
    this.switchMethod(
      out,
      'fieldEquals(index: number, a: unknown, b: unknown): boolean {',
      `${this.use('valueEquals')}(a, b)`,
      ({ type: t }) => {
        if (t.t === 'prim') return { returns: t.nan ? 'a === b || (a !== a && b !== b)' : 'a === b' };
        if (t.t === 'entity') {
          const l = this.use('lineageOf');
          return {
            returns: `a === b || (a != null && b != null && ${l}(a as EntityObject) === ${l}(b as EntityObject))`,
          };
        }
        if (t.t === 'date')
          return { returns: `a === b || (a != null && b != null && ${this.use('sameTime')}(a as Date, b as Date))` };
        if (isGeneric(t)) return null;
        return {
          body: (o) => {
            o.line(`const p = a as ${slotType(t)};`);
            o.line(`const q = b as ${slotType(t)};`);
            this.equal(o, t, 'p', 'q', 0);
            o.line('return true;');
          },
        };
      },
    );
  }

  /** Statements that `return false` when `a` and `b` (slots of type `t`) differ. */
  private equal(out: Lines, t: ValueType, a: string, b: string, d: number): void {
    switch (t.t) {
      case 'prim':
        out.line(
          t.nan
            ? `if (${a} !== ${b} && (${a} === ${a} || ${b} === ${b})) return false;`
            : `if (${a} !== ${b}) return false;`,
        );
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
        out.line(
          `if (${a} !== ${b} && (${a} == null || ${b} == null || !${this.use('sameTime')}(${a}, ${b}))) return false;`,
        );
        return;
      // Containers: the same value is equal; else both present, then element by element.
      case 'array': {
        const i = `i${d}`;
        this.equalItems(out, t.of, a, b, d, {
          mismatch: `${a}.length !== ${b}.length`,
          loop: `for (let ${i} = 0; ${i} < ${a}.length; ${i}++) {`,
          read: [`const x${d} = ${a}[${i}];`, `const y${d} = ${b}[${i}];`],
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
        this.equalItems(out, t.of, a, b, d, {
          mismatch: `${a}.size !== ${b}.size`,
          loop: `for (const [${k}, x${d}] of ${a}) {`,
          read: [`if (!${b}.has(${k})) return false;`, `const y${d} = ${b}.get(${k});`],
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
        this.equalItems(out, t.of, a, b, d, {
          mismatch: `Object.getPrototypeOf(${a}) !== Object.getPrototypeOf(${b})`,
          before: [`const ${ks} = Object.keys(${a});`, `if (${ks}.length !== Object.keys(${b}).length) return false;`],
          loop: `for (const ${k} of ${ks}) {`,
          read: [
            `if (!Object.prototype.hasOwnProperty.call(${b}, ${k})) return false;`,
            `const x${d} = ${a}[${k}];`,
            `const y${d} = ${b}[${k}];`,
          ],
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

  /**
   * A container compared item by item (arrays, Maps, records): unless `a` and `b` are the same
   * value, `false` when either is missing or `items.mismatch` holds; then the `items.before`
   * statements and a loop (`items.loop` opens it) whose `items.read` statements bind the items
   * `x<d>` of `a` and `y<d>` of `b`, which are then compared as values of type `of`.
   */
  private equalItems(out: Lines, of: ValueType, a: string, b: string, d: number, items: ItemLoop): void {
    this.unlessSame(out, a, b, items.mismatch, () => {
      items.before?.forEach((l) => out.line(l));
      out.open(items.loop);
      items.read.forEach((l) => out.line(l));
      this.equal(out, of, `x${d}`, `y${d}`, d + 1);
      out.close();
    });
  }

  /** Statements comparing the tuple elements `a[index]` and `b[index]` (of type `el`), read into `x<d><suffix>` and `y<d><suffix>`. */
  private equalAt(out: Lines, el: ValueType, a: string, b: string, index: string, suffix: string, d: number): void {
    const x = `x${d}${suffix}`;
    const y = `y${d}${suffix}`;
    out.line(`const ${x} = ${a}[${index}] as ${slotType(el)};`);
    out.line(`const ${y} = ${b}[${index}] as ${slotType(el)};`);
    this.equal(out, el, x, y, d + 1);
  }
}
