import type { LocalHelper } from '../local-helpers';
import type { FieldModel } from '../model';
import { comment, type Lines } from '../text';

/**
 * What the emitters of a class's four operations share: the class's fields, the record of the
 * helpers the emitted code calls (the generated file imports or defines exactly those), and the
 * `switch (index)` method over the fields that fieldEquals, thawField and freezeField each are.
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

/**
 * A field's case in a `switch (index)` method: `returns`, an expression (fields with the same
 * one share a case); `body`, statements of its own; null, the default (the generic helper).
 */
export type FieldCase = { readonly returns: string } | { readonly body: (out: Lines) => void } | null;

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
   * The method `signature`: a `switch (index)` over the fields, each field's case from `caseOf`;
   * fields with no case of their own return `fallback` (the generic helper's call).
   */
  protected switchMethod(out: Lines, signature: string, fallback: string, caseOf: (f: FieldModel) => FieldCase): void {
    const groups = new Map<string, number[]>();
    const blocks: Array<{ readonly index: number; readonly body: (out: Lines) => void }> = [];
    this.fields.forEach((f, i) => {
      const c = caseOf(f);
      if (c === null) return;
      if ('returns' in c) groups.set(c.returns, [...(groups.get(c.returns) ?? []), i]);
      else blocks.push({ index: i, body: c.body });
    });
    out.open(signature);
    out.open('switch (index) {');
    for (const [expr, indices] of groups) {
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
    out.close('},');
  }
}
