import { AbstractionsError } from '../errors';
import { TreeStructureError } from '../tree/errors';

/** A class is not usable as an entity (missing decorator, unknown field, unsupported value). */
export class EntityDefinitionError extends AbstractionsError {}

/** Someone tried to change a stored version (or data inside one). */
export class ImmutableVersionError extends AbstractionsError {}

/** `Money.value.cents`, or the bare path when the class is not known (`value.cents`). */
function where(className: string, fieldPath: string): string {
  const path = fieldPath.length > 160 ? `${fieldPath.slice(0, 80)}…${fieldPath.slice(-60)}` : fieldPath;
  if (className === '') return path === '' ? 'the value' : path;
  return path === '' ? className : path.startsWith('[') ? `${className}${path}` : `${className}.${path}`;
}

const SUPPORTED =
  'field data is string, number, boolean, bigint, null, undefined, Date, plain arrays, plain objects, Map and Set ' +
  '(nested to a limited depth), with entities anywhere inside (see the README, "Field values")';

/**
 * A value that cannot be stored as field data (SPEC §1), refused when it would be stored
 * (`promoteToRoot`, `version`, `execute`, `put`): a function, a symbol, a class instance, a
 * RegExp, a wrapper object (`new String('x')`), a typed array, an ArrayBuffer, a WeakMap, an
 * Error, a Promise, an entity used as a Map key, or data nested too deep (`DataDepthError`).
 * Nothing is stored.
 */
export class UnsupportedValueError extends AbstractionsError {
  constructor(
    /** The entity class whose field holds the value ('' when the walk that found it had no entity). */
    readonly className: string,
    /** Where the value sits inside the entity: the field, then keys and indices (`prefs.colors[2]`). */
    readonly fieldPath: string,
    /** What the value is: `function`, `symbol`, `RegExp`, `String object`, `Money`, ... */
    readonly kind: string,
    description: string = kind,
  ) {
    super(`${where(className, fieldPath)} holds ${description}, which cannot be stored: ${SUPPORTED}`);
  }
}

/**
 * Data nested deeper than `MAX_DATA_DEPTH` containers inside one field value. A cyclic value is
 * a `DataCycleError` instead.
 */
export class DataDepthError extends UnsupportedValueError {
  constructor(
    className: string,
    /** Where the walk gave up: the first container deeper than `depth`. */
    fieldPath: string,
    /** What was being done: `storing`, `walking` (finding the entities of a tree), `copying`, ... */
    readonly operation: string,
    /** The supported depth (`MAX_DATA_DEPTH`). */
    readonly depth: number,
  ) {
    super(
      className,
      fieldPath,
      'data nested too deep',
      `data nested more than ${depth} levels deep (met while ${operation})`,
    );
  }
}

/**
 * Plain data that contains itself: an array, object, Map or Set met again inside itself. Stored
 * data is a tree; reported like an entity cycle, with both paths.
 */
export class DataCycleError extends TreeStructureError {
  constructor(
    /** The entity class whose field holds the cycle ('' when not known). */
    readonly className: string,
    /** Where the container sits (also `firstPath`, with the class). */
    readonly fieldPath: string,
    /** Where it is met again inside itself. */
    cyclePath: string,
  ) {
    const first = where(className, fieldPath);
    const second = where(className, cyclePath);
    super(
      `${first} contains itself (a cycle in plain data): it is at ${first} and again at ${second}; stored data must be a tree`,
      first,
      second,
    );
  }
}

/**
 * Something given where a type is expected is not one: `union()` without a type, an unknown type
 * name (`arrayOf('strng')`), `[]`, a class that is not an entity class. Thrown by the type helpers
 * (`optional`, `union`, `arrayOf`, ...) themselves; `register` reports it as a
 * `RegistrationError` naming the function and the parameter.
 */
export class InvalidTypeError extends AbstractionsError {
  /** What was given as a type (for `union()` without a type: the empty list of types). */
  readonly input: unknown;

  constructor(input: unknown, message: string) {
    super(message);
    this.input = input;
  }
}
