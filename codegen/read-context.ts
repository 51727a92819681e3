import { ts, type Node, type Type } from 'ts-morph';
import type { OmittedDeclaration, Severity, SourceLocation, ValueType } from './model';
import type { ClassOracle } from './runtime-refs';

/**
 * What the readers of entity classes (read-classes.ts) and of registered functions
 * (read-functions.ts) share: the model reader that runs them gives them one diagnostics sink, one
 * class oracle and one type analysis; and both print declared types the same way.
 */

export interface ReadContext {
  readonly oracle: ClassOracle;
  /** Records a diagnostic (once per place and message). */
  report(location: SourceLocation, message: string, severity?: Severity): void;
  /**
   * Error diagnostics reported so far, repeats included: a reader compares it before and after
   * reading a declaration to know whether that declaration has an error (and is left out).
   */
  readonly errorsReported: number;
  /** Records a declaration left out of the generated file. */
  omit(declaration: OmittedDeclaration): void;
  /** The ValueType of `type` at `at` (`dynamic` when anything inside it is); `report` takes its problems. */
  analyzeAt(type: Type, at: Node, allowUnknown: boolean, report: (m: string) => void): ValueType;
}

/** A declared type's text on one line, as the generated file quotes it. */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/;\s*}/g, ' }').trim();
}

/** True when `type` admits undefined (an optional field or argument). */
export function includesUndefined(type: Type): boolean {
  if (type.getFlags() & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return true;
  return (
    type.isUnion() && type.getUnionTypes().some((m) => m.getFlags() & (ts.TypeFlags.Undefined | ts.TypeFlags.Void))
  );
}
