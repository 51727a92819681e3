import type { LocalHelper } from '../local-helpers';
import type { FieldModel } from '../model';
import { comment, type Lines } from '../text';

/**
 * What the emitters of a class's four operations share: the class's fields, the record of the
 * helpers the emitted code calls (the generated file imports or defines exactly those), and the
 * `switch (index)` over the fields that fieldEquals, thawField and freezeField each consist of.
 */

/** The runtime helpers the generated operations may call (imported by the generated file). */
type RuntimeHelper =
  | 'valueEquals'
  | 'thawValue'
  | 'freezeValue'
  | 'forEachEntityIn'
  | 'lineageOf'
  | 'metaOf'
  | 'PathSegment'
  | 'freezeFlatArray'
  | 'isPlainArray';

/** Runtime helpers and local helper functions (emitted into the generated file) the generated code may use. */
export type Helper = RuntimeHelper | LocalHelper;

/** Fields whose `switch (index)` cases share one `return <expr>;`. */
export type CaseGroup = { readonly indices: readonly number[]; readonly expr: string };
/** A field with a `switch (index)` case of its own. */
export type CaseBlock = { readonly index: number; readonly body: (out: Lines) => void };

/** The emitter of one operation of a class's ClassOps: `emit` writes it as a method of the spec. */
export abstract class OpEmitter {
  constructor(
    protected readonly fields: readonly FieldModel[],
    private readonly used: Set<Helper>,
  ) {}

  abstract emit(out: Lines): void;

  /** The name of helper `h`, recorded as used. */
  protected use(h: Helper): string {
    this.used.add(h);
    return h;
  }

  /**
   * `switch (index)` over the fields: each group's cases share one `return`, each block is a case
   * of its own, and the other fields fall back to `fallback` (the generic helper's call).
   */
  protected fieldSwitch(out: Lines, groups: readonly CaseGroup[], blocks: readonly CaseBlock[], fallback: string): void {
    out.open('switch (index) {');
    for (const { indices, expr } of groups) {
      if (indices.length === 0) continue;
      for (const i of indices) out.line(`case ${i}: ${comment(this.fields[i].name)}`);
      out.line(`  return ${expr};`);
    }
    for (const { index, body } of blocks) {
      out.open(`case ${index}: { ${comment(this.fields[index].name)}`);
      body(out);
      out.close();
    }
    out.line('default:');
    out.line(`  return ${fallback};`);
    out.close();
  }
}
