import type { EntityClassModel } from './model';
import { comment, type Lines } from './text';

/**
 * The `stored` member of a spec: the class's own constructor for stored objects and one getter
 * per field (see `StoredLayout`). They are separate functions per class so each read site in V8
 * sees one object shape and one slot key; the runtime's generic layout shares one getter for all.
 */

/** The module-level constant holding the slot key of field `index`. */
export function slotName(index: number): string {
  return `slot${index}`;
}

/**
 * The declaration of the slot constants for classes of up to `count` fields, or null for none.
 * fieldSlots returns an array: the tuple type names each element a symbol (not `symbol |
 * undefined` under noUncheckedIndexedAccess) at no cost at run time.
 */
export function slotDeclaration(count: number): string | null {
  if (count === 0) return null;
  const names = Array.from({ length: count }, (_, i) => slotName(i));
  const tuple = Array.from({ length: count }, () => 'symbol');
  return `const [${names.join(', ')}] = fieldSlots(${count}) as readonly [${tuple.join(', ')}];`;
}

export function emitStoredLayout(out: Lines, c: EntityClassModel): void {
  const ctor = `Stored_${c.name.replace(/[^A-Za-z0-9_$]/g, '_')}`;
  out.open('stored: {');
  out.open('storedConstructor(prototype: object): new (values: readonly unknown[]) => EntityObject {');
  out.open(`function ${ctor}(this: StoredSlots, values: readonly unknown[]): void {`);
  out.line('this[VALUES] = values as unknown[];');
  c.fields.forEach((_, i) => out.line(`this[${slotName(i)}] = values[${i}];`));
  out.close();
  out.line(`${ctor}.prototype = prototype;`);
  out.line(`return ${ctor} as unknown as new (values: readonly unknown[]) => EntityObject;`);
  out.close('},');
  if (c.fields.length === 0) out.line('getters: [],');
  else {
    out.open('getters: [');
    c.fields.forEach((f, i) =>
      out.line(
        `function (this: StoredSlots): unknown { return readStored(this, ${i}, this[${slotName(i)}]); }, ${comment(f.name)}`,
      ),
    );
    out.close('],');
  }
  out.close('},');
}
