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
import type { EntityInit } from '../entity/entity';
import type { ConfigEntity } from './config-entity';
import { InvalidTypeError } from '../metadata/errors';
import { RegistrationError } from './errors';
import { toShape, type TypeShape, type TypeSpec } from '../metadata/type-spec';

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

/** What a call may pass for a value of type `T`: the value or an address, and in an array each item either way. */
export type ArgValue<T> = T | Address | (T extends readonly (infer E)[] ? readonly ArgValue<E>[] : never);

/** The parameters of `A` typed as a `ConfigEntity` subclass (built from loose arguments when left out). */
type ConfigKey<A> = { [K in keyof A]-?: NonNullable<A[K]> extends ConfigEntity ? K : never }[keyof A];

/** A `ConfigEntity` given as its fields (a plain object, or loose arguments): each optional, defaults fill the rest. */
type ConfigFields<C> = { [K in keyof EntityInit<C>]?: EntityInit<C>[K] | Address };

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * The arguments object a call of a function taking `A` accepts (SPEC §5): every parameter as
 * declared or as an address; a `ConfigEntity` parameter also as a plain object of its fields, or
 * left out, its fields then given loose next to the other arguments. A misspelled or missing
 * argument, or one of the wrong type, is a compile error.
 */
export type CallArgs<A> = [ConfigKey<A>] extends [never]
  ? { [K in keyof A]: ArgValue<A[K]> }
  : { [K in keyof Omit<A, ConfigKey<A>>]: ArgValue<A[K]> } & {
      [K in ConfigKey<A>]?: NonNullable<A[K]> | Address | ConfigFields<NonNullable<A[K]>>;
    } & Omit<UnionToIntersection<{ [K in ConfigKey<A>]: ConfigFields<NonNullable<A[K]>> }[ConfigKey<A>]>, keyof A>;

/**
 * The parameter list of a typed call with arguments `A`, then `Tail`: the arguments object is
 * optional when every argument is (or the function takes none); `any` (an implementation typed
 * `(args: any)`) takes any object.
 */
export type CallParams<A, Tail extends unknown[] = []> = 0 extends 1 & A
  ? [args?: Record<string, unknown>, ...rest: Tail]
  : unknown extends A
    ? [args?: Record<string, never>, ...rest: Tail]
    : Record<string, never> extends CallArgs<A>
      ? [args?: CallArgs<A>, ...rest: Tail]
      : [args: CallArgs<A>, ...rest: Tail];

/** The declared arguments of a function `FunctionSignatures` names. */
type DeclaredArgs<N extends string> = N extends keyof FunctionSignatures
  ? FunctionSignatures[N] extends { args: infer A }
    ? A
    : never
  : never;

/** The arguments `execute(name, ...)` accepts (see {@link CallArgs}). */
export type ArgsOf<N extends string> = [DeclaredArgs<N>] extends [never]
  ? Record<string, unknown>
  : CallArgs<DeclaredArgs<N>>;

/** The parameter list of `execute(name, ...)` after the name, then `Tail`. */
export type ArgsParams<N extends string, Tail extends unknown[] = []> = [DeclaredArgs<N>] extends [never]
  ? [args?: Record<string, unknown>, ...rest: Tail]
  : CallParams<DeclaredArgs<N>, Tail>;

/** What `execute(name, ...)` returns. */
export type ResultOf<N extends string> = N extends keyof FunctionSignatures
  ? FunctionSignatures[N] extends { result: infer R }
    ? Awaited<R>
    : unknown
  : unknown;

/**
 * What the untyped `execute` overloads accept as the name `N`, given the signatures `S` (the
 * generated `FunctionSignatures`): any name while `S` declares no function (no generated file);
 * a name that is not a literal (`execute<R>(name, ...)` with an explicit result type, or a
 * `string` variable); not the names `S` declares (those take the typed overloads, so wrong
 * arguments are an error); and not a literal name `S` does not declare, a misspelling once
 * signatures are generated (the type then says how to call it untyped on purpose).
 */
export type UntypedName<N extends string, S = FunctionSignatures> = N extends keyof S
  ? never
  : [keyof S] extends [never]
    ? unknown
    : string extends N
      ? unknown
      : {
          readonly 'not a function name FunctionSignatures declares': 'to call it untyped, give the result type: execute<R>(name, args)';
        };

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
