import { innerTypes, type ValueType } from '../model';
import type { Lines } from '../text';
import { OpEmitter } from './op-emitter';
import { isGeneric, slotType, tupleElementFn } from './slot-types';

/**
 * `thawField`: a mutable copy of a field's value as thawValue (src/metadata/values.ts) makes it:
 * containers copied (arrays spread, holes read as undefined), Dates copied, entity leaves and
 * primitives kept.
 */

/** Values the thaw copy keeps as they are (thawValue returns primitives and entities unchanged). */
function thawKeeps(t: ValueType): boolean {
  return t.t === 'prim' || t.t === 'entity';
}

export class ThawFieldEmitter extends OpEmitter {
  emit(out: Lines): void {
    this.switchMethod(
      out,
      'thawField(index: number, value: unknown): unknown {',
      `${this.use('thawValue')}(value)`,
      ({ type: t }) => {
        if (thawKeeps(t)) return { returns: 'value' };
        if (isGeneric(t)) return null;
        const expr = this.thaw(t, 'v', 0);
        return { body: (body) => body.line(`const v = value as ${slotType(t)};`).line(`return ${expr};`) };
      },
    );
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
        return thawKeeps(t.of)
          ? `${v} == null ? ${v} : [...${v}]`
          : `${v} == null ? ${v} : ${this.use('thawArray')}(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)})`;
      case 'tuple': {
        const all = innerTypes(t);
        if (all.every(thawKeeps)) return `${v} == null ? ${v} : [...${v}]`;
        return `${v} == null ? ${v} : ${this.use('thawArray')}(${v}, ${tupleElementFn(t, d, (el, y) => this.thaw(el, y, d + 1))})`;
      }
      case 'map':
        if (t.key === 'other') return `${this.use('thawValue')}(${v})`; // object keys are copied too
        return thawKeeps(t.of)
          ? `${v} == null ? ${v} : new Map(${v})`
          : `${v} == null ? ${v} : new Map(Array.from(${v}, ([k${d}, ${x}]) => [k${d}, ${this.thaw(t.of, x, d + 1)}] as const))`;
      case 'set':
        return thawKeeps(t.of)
          ? `${v} == null ? ${v} : new Set(${v})`
          : `${v} == null ? ${v} : new Set(Array.from(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)}))`;
      case 'record':
        return `${v} == null ? ${v} : ${this.use('mapRecord')}(${v}, (${x}) => ${this.thaw(t.of, x, d + 1)})`;
    }
  }
}
