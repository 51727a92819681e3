/**
 * Function signatures (SPEC §5): what a registered function expects and returns. TypeScript erases
 * types, so this comes from an explicit signature given to `register` (compiled here), or from the
 * tables the code generator emits (§8, generated-signatures.ts); both normalise to one
 * `FunctionSignature`, which binding, result checks and JSON Schema read. The types themselves
 * (`TypeSpec`, `optional`, `union`, ...) are in type-spec.ts.
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
 */
import { InvalidTypeError, RegistrationError } from './errors';
import { toShape, type TypeShape, type TypeSpec } from './type-spec';

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
 * Registered function name -> `{ args, result }`, for typing `execute` / `aexecute` by name.
 * Empty here; the generated file augments it:
 * ```ts
 * declare module 'abstractions-ts' {
 *   interface FunctionSignatures { update_gpa: { args: { student: Student; newGpa: number }; result: Student } }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by generated files
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
  return Object.freeze({
    params: Object.freeze(params),
    returns,
    description: spec.description,
    source: 'explicit' as const,
  });
}
