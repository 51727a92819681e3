/**
 * Function signatures (SPEC §5). TypeScript erases types, so what a registered function expects
 * comes from an explicit signature given to `register`, or from the tables the code generator
 * emits (§8):
 *
 * ```ts
 * CallableRegistry.register('enroll', enroll, {
 *   params: {
 *     student: Student,              // an entity class (or a ConfigEntity subclass)
 *     newGpa: Number,                // Number, String, Boolean, BigInt, Date, Object, Map, Set, Array
 *     tags: [String],                // [T]: an array of T  (also arrayOf(T))
 *     pair: [Student, Course],       // [A, B, ...]: a tuple (also tupleOf(A, B); tupleOf(A) for one element)
 *     maybe: optional(Student),      // may be omitted (undefined)
 *     either: union(Student, Course),
 *     note: union(String, null),     // nullable
 *   },
 *   returns: Student,                // or [Student, Course], Number, arrayOf(Course), ...; omit: not checked
 * });
 * ```
 * The names `'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'object' | 'unknown' | 'null' |
 * 'undefined'` are accepted wherever a type is.
 */
import {
  classMetaOf,
  entityClassesNamed,
  entityClassRecord,
  generatedSpecOf,
  onEntityClassRegistered,
  sameClassDescription,
  type AnyClass,
  type GeneratedClassSpec,
} from '../metadata/class-registry';
import { RegistrationError } from './errors';

/** The normalised, serialisable form of a type (what generated tables contain). */
export type TypeShape =
  | { readonly kind: 'entity'; readonly className: string; readonly ctor?: AnyClass }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object' }
  | { readonly kind: 'array' | 'set' | 'optional'; readonly of: TypeShape }
  | { readonly kind: 'map' | 'record'; readonly of: TypeShape }
  | { readonly kind: 'tuple' | 'union'; readonly of: readonly TypeShape[] };

export type ScalarTypeName = 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object';

const SHAPE: unique symbol = Symbol('abstractions.typeShape');

/** A type built by the helpers below (`optional`, `union`, ...). */
export type TypeHelper = TypeShape & { readonly [SHAPE]: true };

/** What a signature accepts as a type. */
export type TypeSpec =
  | TypeHelper
  | AnyClass
  | NumberConstructor
  | StringConstructor
  | BooleanConstructor
  | BigIntConstructor
  | DateConstructor
  | ObjectConstructor
  | ArrayConstructor
  | MapConstructor
  | SetConstructor
  | ScalarTypeName
  | null
  | undefined
  | readonly TypeSpec[];

/** The explicit signature of `register(name, fn, signature)`. */
export interface SignatureSpec {
  /** Parameter name -> type. `optional(T)` marks a parameter that may be omitted. */
  readonly params: Readonly<Record<string, TypeSpec>>;
  /** The result type; omitted: the result is not checked (and described as `{}`). */
  readonly returns?: TypeSpec;
  /** Shown by `describe()` / `list()`. */
  readonly description?: string;
  /** Per parameter, shown in its JSON Schema. */
  readonly paramDescriptions?: Readonly<Record<string, string>>;
}

export interface ParamSignature {
  readonly name: string;
  /** The type (top-level `optional` unwrapped into `optional`). */
  readonly type: TypeShape;
  readonly optional: boolean;
  readonly description?: string;
}

/** A signature in normalised form. */
export interface FunctionSignature {
  readonly params: readonly ParamSignature[];
  /** null: the result is not checked. */
  readonly returns: TypeShape | null;
  readonly description?: string;
  readonly source: 'explicit' | 'generated';
}

/**
 * A type in a generated signature table. Entity types name their class and, from the code
 * generator, the class's field names in runtime order (`fields`) and its generated spec (`spec`):
 * several classes may share a name; the name resolves to the one loaded class with exactly these
 * fields, or, when several have them, to the one whose metadata comes from that spec.
 */
export type GeneratedTypeShape =
  | { readonly kind: 'entity'; readonly className: string; readonly fields?: readonly string[]; readonly spec?: GeneratedClassSpec }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object' }
  | { readonly kind: 'array' | 'set' | 'optional'; readonly of: GeneratedTypeShape }
  | { readonly kind: 'map' | 'record'; readonly of: GeneratedTypeShape }
  | { readonly kind: 'tuple' | 'union'; readonly of: readonly GeneratedTypeShape[] };

/** One function's entry in a generated signature table (emitted by abstractions-codegen). */
export interface GeneratedSignature {
  readonly params: ReadonlyArray<{
    readonly name: string;
    /** Entity types name their class (`{ kind: 'entity', className: 'Student' }`), resolved when first used. */
    readonly type: GeneratedTypeShape;
    readonly optional?: boolean;
    readonly description?: string;
    /** The type as written in source (informational). */
    readonly declaredType?: string;
  }>;
  readonly returns?: GeneratedTypeShape | null;
  readonly description?: string;
}

/**
 * Registered function name -> `{ args, result }`, for typing `execute` / `aexecute` by name.
 * Empty here; the generated file augments it:
 * ```ts
 * declare module 'abstractions-ts' {
 *   interface FunctionSignatures { update_gpa: { args: { student: Student; newGpa: number }; result: Student } }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FunctionSignatures {}

/** An address string (`@<uuid>...`), accepted wherever an entity or a value is. */
export type Address = `@${string}`;

/** The arguments `execute(name, ...)` accepts: each one as declared, or an address. */
export type ArgsOf<N extends string> = N extends keyof FunctionSignatures
  ? FunctionSignatures[N] extends { args: infer A }
    ? { [K in keyof A]: A[K] | Address }
    : Record<string, unknown>
  : Record<string, unknown>;

/** What `execute(name, ...)` returns. */
export type ResultOf<N extends string> = N extends keyof FunctionSignatures
  ? FunctionSignatures[N] extends { result: infer R }
    ? Awaited<R>
    : unknown
  : unknown;

// ---- helpers --------------------------------------------------------------------------------

function brand<T extends TypeShape>(shape: T): TypeHelper {
  return Object.freeze({ ...shape, [SHAPE]: true as const }) as unknown as TypeHelper;
}

/** A parameter that may be omitted (or a value that may be `undefined`). */
export function optional(type: TypeSpec): TypeHelper {
  return brand({ kind: 'optional', of: toShape(type) });
}

/** Any of the given types (`union(Student, Course)`, `union(String, null)`). */
export function union(...types: TypeSpec[]): TypeHelper {
  if (types.length === 0) throw new TypeError('union() needs at least one type');
  return brand({ kind: 'union', of: types.map(toShape) });
}

/** An array of `type` (same as `[type]`). */
export function arrayOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'array', of: toShape(type) });
}

/** A tuple (same as `[A, B, ...]`; `tupleOf(A)` is the one-element tuple). */
export function tupleOf(...types: TypeSpec[]): TypeHelper {
  return brand({ kind: 'tuple', of: types.map(toShape) });
}

/** A Map whose values are `type` (keys unchecked). */
export function mapOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'map', of: toShape(type) });
}

/** A Set of `type`. */
export function setOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'set', of: toShape(type) });
}

/** A plain object whose values are `type` (`Record<string, T>`). */
export function recordOf(type: TypeSpec): TypeHelper {
  return brand({ kind: 'record', of: toShape(type) });
}

// ---- normalisation ------------------------------------------------------------------------

const SCALARS: ReadonlySet<string> = new Set(['string', 'number', 'boolean', 'bigint', 'date', 'null', 'undefined', 'unknown', 'object']);
const UNKNOWN: TypeShape = { kind: 'unknown' };

const BUILTINS = new Map<unknown, TypeShape>([
  [Number, { kind: 'number' }],
  [String, { kind: 'string' }],
  [Boolean, { kind: 'boolean' }],
  [BigInt, { kind: 'bigint' }],
  [Date, { kind: 'date' }],
  [Object, { kind: 'object' }],
  [Array, { kind: 'array', of: UNKNOWN }],
  [Map, { kind: 'map', of: UNKNOWN }],
  [Set, { kind: 'set', of: UNKNOWN }],
]);

/** Thrown by `toShape` for something that is not a type; callers add the function's name. */
export class InvalidTypeError extends TypeError {}

/** Normalises a type given in any accepted form. */
export function toShape(spec: TypeSpec): TypeShape {
  if (spec === null) return { kind: 'null' };
  if (spec === undefined) return { kind: 'undefined' };
  if (typeof spec === 'string') {
    if (!SCALARS.has(spec)) throw new InvalidTypeError(`unknown type name '${spec}' (known: ${[...SCALARS].join(', ')})`);
    return { kind: spec } as TypeShape;
  }
  if (typeof spec === 'function') {
    const builtin = BUILTINS.get(spec);
    if (builtin) return builtin;
    const record = entityClassRecord(spec);
    if (!record) {
      throw new InvalidTypeError(
        `${spec.name || 'an anonymous class'} is not a supported type: use an @entity() class, Number, String, Boolean, BigInt, Date, Object, Array, Map or Set`,
      );
    }
    return { kind: 'entity', className: record.name, ctor: record.ctor };
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new InvalidTypeError('[] is not a type: write [T] for an array of T, [A, B] for a tuple');
    if (spec.length === 1) return { kind: 'array', of: toShape(spec[0]) };
    return { kind: 'tuple', of: spec.map(toShape) };
  }
  if (typeof spec === 'object' && (spec as TypeHelper)[SHAPE] === true) return spec as TypeShape;
  throw new InvalidTypeError(`${String(spec)} is not a type`);
}

/** A class a generated table names is not loaded, or more than one loaded class fits the name. */
export class UnresolvedClassError extends InvalidTypeError {}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** The loaded class a generated entity type names: by name, by field list, then by spec, as far as the table gives them. */
function resolveGeneratedClass(className: string, fields: readonly string[] | undefined, spec: GeneratedClassSpec | undefined): AnyClass {
  const named = entityClassesNamed(className);
  let fitting =
    fields === undefined ? named : named.filter((r) => sameNames(classMetaOf(r.ctor).fields.map((f) => f.name), fields));
  if (fitting.length > 1 && spec !== undefined) {
    fitting = fitting.filter((r) => {
      const used = generatedSpecOf(r.ctor);
      return used !== null && sameClassDescription(used, spec);
    });
  }
  if (fitting.length === 1) return fitting[0].ctor;
  if (named.length === 0) throw new UnresolvedClassError(`entity class ${className} is not loaded (import it before executing)`);
  throw new UnresolvedClassError(
    fitting.length === 0
      ? `no loaded entity class ${className} has the fields ${(fields ?? []).join(', ')} (import it before executing)`
      : `${fitting.length} loaded entity classes are named ${className}: the generated signature cannot tell which one it means`,
  );
}

/** Validates a shape from a generated table (plain data) and resolves entity class names. */
export function shapeFromGenerated(raw: GeneratedTypeShape): TypeShape {
  if (typeof raw !== 'object' || raw === null || typeof (raw as { kind?: unknown }).kind !== 'string') {
    throw new InvalidTypeError(`invalid type ${JSON.stringify(raw)}`);
  }
  switch (raw.kind) {
    case 'entity': {
      const ctor = resolveGeneratedClass(raw.className, raw.fields, raw.spec);
      return { kind: 'entity', className: raw.className, ctor };
    }
    case 'array':
    case 'set':
    case 'optional':
    case 'map':
    case 'record':
      return { kind: raw.kind, of: shapeFromGenerated(raw.of) };
    case 'tuple':
    case 'union':
      return { kind: raw.kind, of: raw.of.map(shapeFromGenerated) };
    default:
      if (!SCALARS.has(raw.kind)) throw new InvalidTypeError(`unknown type kind '${raw.kind}'`);
      return raw as TypeShape;
  }
}

/** Normalises an explicit signature. */
export function compileSignature(functionName: string, spec: SignatureSpec): FunctionSignature {
  if (typeof spec !== 'object' || spec === null || typeof spec.params !== 'object' || spec.params === null) {
    throw new RegistrationError(functionName, 'the signature must be { params: { name: Type, ... }, returns?: Type }');
  }
  const params: ParamSignature[] = [];
  for (const name of Object.keys(spec.params)) {
    let type: TypeShape;
    try {
      type = toShape(spec.params[name]);
    } catch (e) {
      if (e instanceof InvalidTypeError) throw new RegistrationError(functionName, `parameter '${name}': ${e.message}`);
      throw e;
    }
    const isOptional = type.kind === 'optional';
    params.push(
      Object.freeze({
        name,
        type: isOptional ? (type as { of: TypeShape }).of : type,
        optional: isOptional,
        description: spec.paramDescriptions?.[name],
      }),
    );
  }
  let returns: TypeShape | null = null;
  if ('returns' in spec) {
    try {
      returns = toShape(spec.returns);
    } catch (e) {
      if (e instanceof InvalidTypeError) throw new RegistrationError(functionName, `returns: ${e.message}`);
      throw e;
    }
  }
  return Object.freeze({ params: Object.freeze(params), returns, description: spec.description, source: 'explicit' as const });
}

// ---- generated tables -------------------------------------------------------------------

const generatedTable = new Map<string, GeneratedSignature>();
const generatedCompiled = new Map<string, FunctionSignature>();
/** Names whose entry names a class that is not loaded (yet): retried once more classes are. */
const pendingNames = new Set<string>();
let generation = 0;

// A class registered after a lookup failed may resolve it: functions recompile their plans
// (the registry compares generations) and look the entry up again.
onEntityClassRegistered(() => {
  if (pendingNames.size === 0) return;
  pendingNames.clear();
  generation++;
});

/**
 * Installs a generated signature table (called by the generated file when it is imported).
 * Functions registered without an explicit signature use the entry of their name; it may be
 * installed before or after they are registered. Later tables override earlier entries.
 */
export function installGeneratedSignatures(table: Readonly<Record<string, GeneratedSignature>>): void {
  for (const name of Object.keys(table)) {
    const entry = table[name];
    if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.params)) {
      throw new TypeError(`installGeneratedSignatures: entry '${name}' must be { params: [...], returns? }`);
    }
    generatedTable.set(name, entry);
    generatedCompiled.delete(name);
  }
  generation++;
}

/** Changes whenever a generated table is installed or a pending entry may now resolve (binding plans compare it to rebuild). */
export function generatedSignaturesGeneration(): number {
  return generation;
}

/**
 * The generated signature of `name`, normalised, or undefined. Lazy: entity classes are resolved
 * when the signature is first needed (registering, executing, describing), and an entry naming a
 * class that is not loaded yet (a parameter class imported as a type only) is undefined for now
 * and tried again once more classes are loaded. So `register` never fails on it; a function
 * whose class never loads runs without a signature, as without the generated file.
 */
export function generatedSignatureOf(functionName: string): FunctionSignature | undefined {
  const cached = generatedCompiled.get(functionName);
  if (cached) return cached;
  const entry = generatedTable.get(functionName);
  if (!entry) return undefined;
  let sig: FunctionSignature;
  try {
    sig = Object.freeze({
      params: Object.freeze(
        entry.params.map((p) => {
          const type = shapeFromGenerated(p.type);
          const isOptional = p.optional === true || type.kind === 'optional';
          return Object.freeze({
            name: p.name,
            type: type.kind === 'optional' ? (type as { of: TypeShape }).of : type,
            optional: isOptional,
            description: p.description,
          });
        }),
      ),
      returns: entry.returns ? shapeFromGenerated(entry.returns) : null,
      description: entry.description,
      source: 'generated' as const,
    });
  } catch (e) {
    if (e instanceof UnresolvedClassError) {
      pendingNames.add(functionName);
      return undefined;
    }
    if (e instanceof InvalidTypeError) throw new RegistrationError(functionName, `generated signature: ${e.message}`);
    throw e;
  }
  pendingNames.delete(functionName);
  generatedCompiled.set(functionName, sig);
  return sig;
}

/** Why the generated entry of `name` is not used now (a class it names is not loaded or ambiguous), or null. */
export function pendingGeneratedSignature(functionName: string): string | null {
  const entry = generatedTable.get(functionName);
  if (!entry || generatedCompiled.has(functionName)) return null;
  try {
    for (const p of entry.params) shapeFromGenerated(p.type);
    if (entry.returns) shapeFromGenerated(entry.returns);
    return null;
  } catch (e) {
    return e instanceof UnresolvedClassError ? e.message : null;
  }
}

// ---- text -------------------------------------------------------------------------------------

/** A type as TypeScript-like text, for messages: `Student`, `number[]`, `[Student, Course]`. */
export function typeText(shape: TypeShape): string {
  switch (shape.kind) {
    case 'entity':
      return shape.className;
    case 'date':
      return 'Date';
    case 'array': {
      const inner = typeText(shape.of);
      return shape.of.kind === 'union' || shape.of.kind === 'optional' ? `(${inner})[]` : `${inner}[]`;
    }
    case 'set':
      return `Set<${typeText(shape.of)}>`;
    case 'map':
      return `Map<unknown, ${typeText(shape.of)}>`;
    case 'record':
      return `Record<string, ${typeText(shape.of)}>`;
    case 'optional':
      return `${typeText(shape.of)} | undefined`;
    case 'tuple':
      return `[${shape.of.map(typeText).join(', ')}]`;
    case 'union':
      return shape.of.map(typeText).join(' | ');
    default:
      return shape.kind;
  }
}
