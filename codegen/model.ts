import * as path from 'path';
import type { ContainerShape, FieldKind as RuntimeFieldKind } from '../src/metadata/types';

/**
 * The plain data model between the reader (ts-morph) and the emitter: what the project's entity
 * classes and registered functions are, with no ts-morph objects inside. Paths are absolute;
 * the emitter makes them relative to the output file.
 */

/** The runtime's own shape type: the emitted literal must satisfy it. */
export type { ContainerShape };

/** The runtime's `FieldKind` minus `dynamic` (runtime metadata only). */
export type FieldKind = Exclude<RuntimeFieldKind, 'dynamic'>;

/**
 * What a value slot holds, as far as generated code cares. Every slot may also hold null or
 * undefined (typed init accepts `undefined` for any field), so generated code always guards.
 */
export type ValueType =
  /**
   * Primitive data compared with `===` (strings, numbers, booleans, bigint, literals, enums,
   * functions). `nan`: may be NaN. `json`: which JSON values it holds, for the row writer.
   */
  | { t: 'prim'; nan: boolean; json: PrimJson }
  | { t: 'date' }
  /** One entity of one of these classes (sorted names). */
  | { t: 'entity'; classes: string[] }
  | { t: 'array'; of: ValueType }
  /** Fixed elements, then an optional trailing rest element. */
  | { t: 'tuple'; elements: ValueType[]; rest: ValueType | null }
  /** `key`: how generated code prints a key into a place (mirrors values.ts `keyPlace`). */
  | { t: 'map'; key: 'string' | 'number' | 'other'; of: ValueType }
  | { t: 'set'; of: ValueType }
  /** Index-signature objects (`Record<string, V>`, `{ [k: string]: V }`). */
  | { t: 'record'; of: ValueType }
  /** Data without entities the generated code hands to the generic helpers (plain objects, class instances, mixed unions). */
  | { t: 'opaque' }
  /** May hold entities in a structure only the generic walker describes (object types with entity properties, mixed entity unions). */
  | { t: 'dynamic' };

/**
 * The JSON values a primitive type holds: only strings, only numbers, strings, numbers and
 * booleans (`mixed`), or `other` (may hold a bigint, symbol, function, undefined: the general
 * encoder's). Null and undefined beside them do not count (generated code always guards).
 */
export type PrimJson = 'string' | 'number' | 'mixed' | 'other';

/** The JSON values of a union of primitives. */
export function primJsonOf(members: readonly PrimJson[]): PrimJson {
  if (members.includes('other')) return 'other';
  return members.every((m) => m === members[0]) ? members[0] : 'mixed';
}

export interface SourceLocation {
  /** Absolute path. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface FieldModel {
  readonly name: string;
  /** The type as written in source (or as inferred from the initialiser). */
  readonly declaredType: string;
  readonly type: ValueType;
  /** The declared type for checking values written into the field (`put`); entity types by class name only. */
  readonly typeShape: TypeShape;
  readonly kind: FieldKind;
  /** Null where the shape is not a ContainerShape (entities inside object types: walked generically). */
  readonly shape: ContainerShape | null;
  readonly optional: boolean;
  /** The class that declares the field (a base class for inherited fields). */
  readonly declaredIn: string;
  readonly location: SourceLocation;
}

export interface EntityClassModel {
  readonly name: string;
  readonly location: SourceLocation;
  /** How the generated file may import the class (type-only), or null when it is not exported at module level. */
  readonly exportName: string | null;
  /** Base classes up to (excluding) Entity, nearest first. */
  readonly bases: readonly string[];
  readonly isConfig: boolean;
  readonly isAbstract: boolean;
  readonly fields: readonly FieldModel[];
  readonly transient: readonly string[];
}

export type ParamKind = 'entity' | 'entities' | 'data' | 'config';
export type ResultKind = 'entity' | 'entities' | 'data' | 'void';

export interface ParamModel {
  readonly name: string;
  readonly declaredType: string;
  /** The type for argument checks (optional parameters: without the `undefined`). */
  readonly type: TypeShape;
  readonly kind: ParamKind;
  /** Entity classes anywhere in the parameter's type (sorted). */
  readonly classNames: readonly string[];
  readonly shape: ContainerShape | null;
  readonly optional: boolean;
}

export interface ResultModel {
  readonly declaredType: string;
  /** The type for result checks (Promise unwrapped); null: not checked (void, any, unknown). */
  readonly type: TypeShape | null;
  readonly kind: ResultKind;
  readonly classNames: readonly string[];
  readonly shape: ContainerShape | null;
}

export interface FunctionModel {
  readonly name: string;
  readonly location: SourceLocation;
  /** `register`: `CallableRegistry.register(name, fn)`; `callable`: a static method decorated `@callable()`. */
  readonly via: 'register' | 'callable';
  readonly async: boolean;
  readonly params: readonly ParamModel[];
  readonly result: ResultModel;
  /**
   * TypeScript text of the argument object type and the result type (Promise unwrapped), with
   * references written as `import("/absolute/file.ts").Name` (the emitter rewrites them into imports).
   * `argsType` is null for functions without a parameter.
   */
  readonly argsType: string | null;
  readonly resultType: string;
}

/**
 * How the generated file's relative import specifiers end: `js`, the JavaScript file tsc emits for
 * the module (`'../model.js'`, which ESM under moduleResolution node16/nodenext requires); `ts`, the
 * source file itself (`'../model.ts'`, for projects that run their sources: allowImportingTsExtensions
 * under node16/nodenext, or rewriteRelativeImportExtensions); `none`, no extension (`'../model'`:
 * CommonJS, bundlers).
 */
export const IMPORT_EXTENSIONS = ['js', 'ts', 'none'] as const;
export type ImportExtension = (typeof IMPORT_EXTENSIONS)[number];

/** Where the generated file imports the runtime from. */
export type RuntimeLocation =
  /** The package's source tree (this repository): per-module imports below `dir` (…/src). */
  | { kind: 'source'; dir: string }
  /** One module specifier for everything (`abstractions-ts`, or a file path for tests). */
  | { kind: 'module'; specifier: string }
  | { kind: 'file'; path: string };

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly location: SourceLocation;
  readonly message: string;
}

/**
 * A declaration left out of the generated file, with a diagnostic saying why (an error of its
 * own; a warning for a class of one name and field names with such a class, or for conflicting
 * registrations of one function name): an entity class (it then uses runtime metadata) or a
 * registered function (it then has no generated signature).
 */
export interface OmittedDeclaration {
  readonly kind: 'class' | 'function';
  readonly name: string;
  readonly location: SourceLocation;
}

export interface CodegenModel {
  /** Absolute path of the tsconfig the model was read from. */
  readonly project: string;
  readonly classes: readonly EntityClassModel[];
  readonly functions: readonly FunctionModel[];
  /** Where the reader found the runtime (the emitter's default import location). */
  readonly runtime: RuntimeLocation;
  /** How relative imports end under the project's compiler options (the emitter's default). */
  readonly importExtension: ImportExtension;
  /** Sorted by kind, name, then place. */
  readonly omitted: readonly OmittedDeclaration[];
  readonly diagnostics: readonly Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Helpers over ValueType

const NO_TYPES: readonly ValueType[] = [];

/** The value types directly inside `t`: element and value types, tuple elements then the rest element. */
export function innerTypes(t: ValueType): readonly ValueType[] {
  switch (t.t) {
    case 'array':
    case 'set':
    case 'record':
    case 'map':
      return [t.of];
    case 'tuple':
      return t.rest === null ? t.elements : [...t.elements, t.rest];
    default:
      return NO_TYPES;
  }
}

/** True if `test` holds for `t` or for any value type nested inside it. */
export function someInside(t: ValueType, test: (t: ValueType) => boolean): boolean {
  return test(t) || innerTypes(t).some((inner) => someInside(inner, test));
}

/** May hold entities (declared entity types, or structures only the generic walker describes). */
export function hasEntity(t: ValueType): boolean {
  return someInside(t, (x) => x.t === 'entity' || x.t === 'dynamic');
}

export function hasDynamic(t: ValueType): boolean {
  return someInside(t, (x) => x.t === 'dynamic');
}

/** Every entity class name inside `t`, sorted. */
export function entityClassesIn(t: ValueType, out = new Set<string>()): string[] {
  if (t.t === 'entity') t.classes.forEach((c) => out.add(c));
  for (const inner of innerTypes(t)) entityClassesIn(inner, out);
  return [...out].sort();
}

export function kindOf(t: ValueType): FieldKind {
  if (t.t === 'entity') return 'entity';
  return hasEntity(t) ? 'entities' : 'data';
}

/**
 * The ContainerShape of a value type, or null when it has none (entities in structures only the
 * generic walker describes, tuples with a rest element). Data is `{ kind: 'data' }`.
 */
export function shapeOf(t: ValueType): ContainerShape | null {
  if (!hasEntity(t)) return { kind: 'data' };
  switch (t.t) {
    case 'entity':
      return { kind: 'entity', className: t.classes.join(' | ') };
    case 'array':
    case 'set':
    case 'map':
    case 'record': {
      const of = shapeOf(t.of);
      return of && { kind: t.t, of };
    }
    case 'tuple': {
      if (t.rest !== null) return null;
      const of = t.elements.map(shapeOf);
      return of.every((s): s is ContainerShape => s !== null) ? { kind: 'tuple', of } : null;
    }
    default:
      return null;
  }
}

export function formatLocation(loc: SourceLocation, relativeTo?: string): string {
  const file = relativeTo ? relativePosix(relativeTo, loc.file) : loc.file;
  return `${file}:${loc.line}:${loc.column}`;
}

export function formatDiagnostic(d: Diagnostic, relativeTo?: string): string {
  return `${formatLocation(d.location, relativeTo)} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/** `to` relative to the directory `from`, with forward slashes; `to` itself when it lies outside `from`. */
export function relativePosix(from: string, to: string): string {
  const rel = path.relative(from, to);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? to : rel).split(path.sep).join('/');
}

/**
 * Mirrors `GeneratedTypeShape` in src/metadata/generated-types.ts: the serialisable type of a
 * registered function's parameter or result in the generated signature table, and of a field.
 */
export type TypeShape =
  /**
   * `fields`: the class's field names in runtime order, when the class was read (its fingerprint:
   * the runtime resolves the name to the loaded class with exactly these fields, so two classes
   * with one name are never confused); `declaredAt`: where that class is declared (the emitter
   * names its spec, which tells apart classes with one name and one field list).
   */
  | { kind: 'entity'; className: string; fields?: readonly string[]; declaredAt?: SourceLocation }
  | { kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object' }
  | { kind: 'array' | 'set' | 'optional'; of: TypeShape }
  | { kind: 'map' | 'record'; of: TypeShape }
  | { kind: 'tuple' | 'union'; of: TypeShape[] };
