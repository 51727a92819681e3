import type { RuntimeExport } from './emit-imports';
import { innerTypes, type EntityClassModel, type ValueType } from './model';
import { comment, type Lines, str } from './text';

/**
 * The `rowData` member of a spec (see `RowDataWriter`): the class's row `data` text, its keys as
 * literals in field order and each value written by the cheapest src/durable/row-text.ts function
 * its declared type allows (a string field by `stringText`, ...). A value that function refuses
 * (null, undefined, or not of the declared type at all) and every field it has none for go to
 * the row's `value`, and array fields to its `array` with their items' function: the durable
 * store applies its row rules (splices of long arrays) there, so the text is the generic writer's.
 */

/** The row-text functions the generated code calls, by what they write. */
type ItemText = Extract<RuntimeExport, 'stringText' | 'numberText' | 'refText' | 'simpleText'>;

/** The function writing every value of type `t` it is given (null, undefined: refused), or null for none. */
function itemText(t: ValueType): ItemText | null {
  if (t.t === 'entity') return 'refText';
  if (t.t !== 'prim') return null;
  switch (t.json) {
    case 'string':
      return 'stringText';
    case 'number':
      return 'numberText';
    case 'mixed':
      return 'simpleText';
    default:
      return null;
  }
}

/** The function writing the items of an array or tuple of type `t`, or null. */
function itemsText(t: ValueType): ItemText | null {
  if (t.t !== 'array' && t.t !== 'tuple') return null;
  const items = innerTypes(t).map(itemText);
  if (items.length === 0 || items.includes(null)) return null;
  // A tuple of several kinds: `simpleText` writes each kind as its own function does.
  return items.every((x) => x === items[0]) ? items[0] : 'simpleText';
}

/** Writes the `rowData` member; returns the runtime names it uses. */
export function emitRowData(out: Lines, c: EntityClassModel): ReadonlySet<RuntimeExport> {
  const used = new Set<RuntimeExport>(['RowFieldWriter']);
  if (c.fields.length === 0) {
    out.line(`rowData(_values: readonly unknown[], _row: RowFieldWriter): string { return '{}'; },`);
    return used;
  }
  out.open('rowData(values: readonly unknown[], row: RowFieldWriter): string {');
  const parts = c.fields.map((f, i) => {
    const item = itemText(f.type);
    const items = itemsText(f.type);
    if (item !== null) {
      used.add(item);
      out.line(`const v${i} = values[${i}];`);
      return `(${item}(v${i}) ?? row.value(${i}, v${i}))`;
    }
    if (items !== null) {
      used.add(items);
      return `row.array(${i}, values[${i}], ${items})`;
    }
    return `row.value(${i}, values[${i}])`;
  });
  out.open('return (');
  c.fields.forEach((f, i) =>
    out.line(`${str(`${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`)} + ${parts[i]} + ${comment(f.name)}`),
  );
  out.line(`'}'`);
  out.close(');');
  out.close('},');
  return used;
}
