import { hasEntity, type ValueType } from '../model';
import { comment, str, type Lines } from '../text';
import { OpEmitter } from './op-emitter';
import { slotType } from './slot-types';

/**
 * `forEachChild`: visits the entities in a class's fields as forEachEntityIn
 * (src/metadata/values.ts) does, in the same sequence, with the same paths, containers and places.
 * Fields without entities are skipped; fields only the generic walker describes are handed to it.
 */

/** A piece of a place: literal text (`s`) or a generated expression (`e`). */
type PlacePart = { s: string } | { e: string };

/** A generated string expression concatenating the parts of a place (adjacent texts joined). */
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

export class ForEachChildEmitter extends OpEmitter {
  emit(out: Lines): void {
    const walked = this.fields.filter((f) => hasEntity(f.type));
    if (walked.length === 0) {
      out.line('forEachChild(_values: readonly unknown[], _visit: ChildVisitor): void {},');
      return;
    }
    out.open('forEachChild(values: readonly unknown[], visit: ChildVisitor): void {');
    for (const f of walked) {
      const i = this.fields.indexOf(f);
      out.line(comment(`${f.name}: ${f.declaredType}`));
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
  private walk(
    out: Lines,
    t: ValueType,
    v: string,
    path: string[],
    place: PlacePart[],
    container: string,
    d: number,
  ): void {
    switch (t.t) {
      case 'entity':
        out.line(`if (${v} != null) visit(${v}, [${path.join(', ')}], '${container}', ${placeExpr(place)});`);
        return;
      case 'dynamic':
        out.line(
          `${this.use('forEachEntityIn')}(${v}, [${path.join(', ')}], ${placeExpr(place)}, '${container}', visit);`,
        );
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
            out.line(
              `if (${x} != null) visit(${x}, [${[...path, `${this.use('metaOf')}(${x}).ecsId`].join(', ')}], 'set', ${placeExpr([...place, { s: '<>' }])});`,
            );
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
  private arrayElement(
    out: Lines,
    el: ValueType,
    x: string,
    path: string[],
    place: PlacePart[],
    index: PlacePart,
    d: number,
  ): void {
    if (el.t === 'entity') {
      out.line(`if (${x} != null) visit(${x}, [${path.join(', ')}], 'array', ${placeExpr([...place, { s: '[]' }])});`);
    } else if (hasEntity(el)) {
      this.walk(out, el, x, path, [...place, { s: '[' }, index, { s: ']' }], 'array', d + 1);
    }
  }
}
