/**
 * Typed errors of registered functions (SPEC §5). All extend {@link AbstractionsError}; each
 * names the function (and the argument, where there is one), or the input that is not a type.
 */
import { AbstractionsError, errorText } from '../errors';
import { excerpt } from '../util/excerpt';

/** `execute` / `describe` of a name nothing was registered under. */
export class UnknownFunctionError extends AbstractionsError {
  readonly functionName: string;
  /** The names that are registered (sorted). */
  readonly registered: readonly string[];

  constructor(functionName: string, registered: readonly string[]) {
    const sorted = [...registered].sort();
    const near = sorted.filter((n) => n.toLowerCase() === functionName.toLowerCase());
    const hint = near.length > 0 ? ` (did you mean '${excerpt(near[0])}'?)` : '';
    const listed =
      sorted.length === 0
        ? 'no functions are registered'
        : `registered: ${sorted.slice(0, 30).join(', ')}${sorted.length > 30 ? ', …' : ''}`;
    super(`unknown function '${excerpt(functionName)}'${hint}; ${listed}`);
    this.functionName = functionName;
    this.registered = sorted;
  }
}

/**
 * An argument that cannot be bound: missing, unknown, or of the wrong type (also a
 * `ConfigEntity` that cannot be built from the given fields). `argument` is the argument's name,
 * with a position inside it where the problem is nested (`students[2]`, `options.limit`).
 */
export class ArgumentError extends AbstractionsError {
  readonly functionName: string;
  readonly argument: string;
  /** What is wrong, without the function and argument. */
  readonly reason: string;

  constructor(functionName: string, argument: string, reason: string, options?: { cause?: unknown }) {
    super(`${functionName}: argument '${excerpt(argument)}': ${reason}`, options);
    this.functionName = functionName;
    this.argument = argument;
    this.reason = reason;
  }
}

/** The function returned something its signature's `returns` does not allow. */
export class ReturnTypeError extends AbstractionsError {
  readonly functionName: string;
  /** The declared result type, as text (`Student`, `[Student, Course]`, `number`). */
  readonly expected: string;
  /** What was returned, described. */
  readonly actual: string;

  constructor(functionName: string, expected: string, actual: string, where = '') {
    super(`${functionName}: returned ${actual}${where ? ` at ${where}` : ''}, but its signature declares ${expected}`);
    this.functionName = functionName;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The function's result could not be read (a Proxy whose traps throw, a getter that throws): the
 * framework cannot tell what it returned. `cause` is the error met.
 */
export class ResultError extends AbstractionsError {
  readonly functionName: string;

  constructor(functionName: string, cause: unknown) {
    super(`${functionName}: its result could not be read: ${errorText(cause)}`, { cause });
    this.functionName = functionName;
  }
}

/** An async function (or one returning a promise) run with the synchronous `execute`. */
export class AsyncFunctionError extends AbstractionsError {
  readonly functionName: string;

  constructor(functionName: string, returnedPromise = false) {
    super(
      returnedPromise
        ? `${functionName} returned a promise: execute() runs synchronous functions only; run it with aexecute('${functionName}', args)`
        : `${functionName} is an async function: execute() runs synchronous functions only; use await aexecute('${functionName}', args)`,
    );
    this.functionName = functionName;
  }
}

/** A registration that cannot be made: duplicate name, not a function, invalid signature. */
export class RegistrationError extends AbstractionsError {
  readonly functionName: string;

  constructor(functionName: string, reason: string) {
    super(`cannot register '${excerpt(functionName)}': ${reason}`);
    this.functionName = functionName;
  }
}

/**
 * What needs parameter types (`describe()`, JSON Schema) was asked of a function registered
 * without a signature and without generated tables.
 */
export class SignatureRequiredError extends AbstractionsError {
  readonly functionName: string;

  constructor(functionName: string, what: string) {
    super(
      `${functionName}: ${what} needs the function's signature: register it with an explicit signature ` +
        `(register('${functionName}', fn, { params: { ... }, returns: ... })) or import the generated tables (abstractions-codegen)`,
    );
    this.functionName = functionName;
  }
}

/**
 * An entry of a table given to `installGeneratedSignatures` is not a generated signature: the
 * generated file was edited by hand, or written by another version of abstractions-codegen
 * (regenerate it).
 */
export class GeneratedSignatureError extends AbstractionsError {
  readonly functionName: string;

  constructor(functionName: string, reason: string) {
    super(`installGeneratedSignatures: the entry of '${excerpt(functionName)}' ${reason}`);
    this.functionName = functionName;
  }
}
