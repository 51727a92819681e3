/**
 * What may be stored as field data (SPEC §1), and the typed error for what may not.
 *
 * The walks over field values (freeze, find entities, copy) stay recursive for speed and only
 * count their depth; when one meets a value it cannot store or nests deeper than
 * `MAX_DATA_DEPTH`, it calls `explainData`, which walks the value again iteratively from the top
 * of the field and says exactly what is wrong and where: an unsupported kind, a cycle, or too
 * much depth. Both metadata modes use this one explanation, so they report the same error.
 */
import { formatPath } from '../util/paths';
import { DataCycleError, DataDepthError, UnsupportedValueError } from './errors';
import { isEntityObject } from './object-model';
import { AbstractionsError, errorText } from '../errors';
import type { PathSegment } from './types';

/**
 * How many containers (arrays, plain objects, Maps, Sets) may nest inside one field value: the
 * field's own value is at depth 0, so an array of arrays nested `MAX_DATA_DEPTH` levels is stored
 * and one level more is refused. Bounded so that every recursive walk over stored data has room
 * on the stack; entities nested in entities are not limited by it.
 */
export const MAX_DATA_DEPTH = 1000;

export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An array that is exactly an Array (no subclass, no other realm's prototype). */
export function isPlainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;
}

const WRAPPERS = new Set<unknown>([String, Number, Boolean, BigInt, Symbol]);

/**
 * The kind of a value that is not field data, or null for field data (primitives, entities,
 * Dates, plain arrays, plain objects, Maps and Sets; their contents are not looked at).
 */
export function unsupportedKind(value: unknown): string | null {
  if (typeof value === 'function') return 'function';
  if (typeof value === 'symbol') return 'symbol';
  if (typeof value !== 'object' || value === null || isEntityObject(value)) return null;
  if (Array.isArray(value)) return isPlainArray(value) ? null : `${constructorName(value)} (an Array subclass)`;
  if (value instanceof Date || value instanceof Map || value instanceof Set || isPlainObject(value)) return null;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: unknown }).constructor;
  if (WRAPPERS.has(ctor)) return `${(ctor as { name: string }).name} object`;
  return constructorName(value);
}

/** `a function (f)`, `a symbol`, `a RegExp instance`, ... for messages. */
function describeUnsupported(value: unknown, kind: string): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (kind === 'symbol') return 'a symbol';
  if (kind.endsWith(' object')) return `a ${kind} (store the primitive value instead)`;
  return kind.startsWith('object ') ? `an ${kind}` : `a ${kind} instance`;
}

function constructorName(value: object): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  // A plain object's constructor, inherited through a prototype someone set: not a class instance.
  return typeof ctor === 'function' && ctor !== Object && typeof ctor.name === 'string' && ctor.name !== ''
    ? ctor.name
    : 'object with a custom prototype';
}

/** What a walk was doing when it gave up, for messages (`storing`, `walking`, `copying`, ...). */
export type DataOperation = 'storing' | 'walking' | 'copying' | 'comparing' | 'inspecting';

/** `key`: the value is, or is inside, a Map key. */
type Frame =
  | { readonly value: unknown; readonly path: PathSegment[]; readonly depth: number; readonly key: boolean }
  | { readonly leave: object };

/**
 * Why `top` (the value at `prefix` inside a field of class `className`, `baseDepth` containers
 * deep) cannot be stored: the first problem in walk order, as a typed error, or null when there
 * is none. Iterative: any depth and any cycle is fine here.
 */
export function explainData(
  top: unknown,
  prefix: readonly PathSegment[],
  baseDepth: number,
  className: string,
  operation: DataOperation,
): UnsupportedValueError | DataCycleError | null {
  /** Containers on the path from `top` to the current value, with their paths (for cycles). */
  const open = new Map<object, PathSegment[]>();
  const stack: Frame[] = [{ value: top, path: [...prefix], depth: baseDepth, key: false }];
  const at = (path: readonly PathSegment[]): string => formatPath('', path).replace(/^\./, '');
  while (stack.length > 0) {
    const f = stack.pop()!;
    if ('leave' in f) {
      open.delete(f.leave);
      continue;
    }
    try {
      const found = explainOne(f, stack, open, at, className, operation);
      if (found !== null) return found;
    } catch (error) {
      // Reading the value threw (a revoked Proxy, throwing traps or getters): that is what is wrong.
      return new UnsupportedValueError(
        className,
        at(f.path),
        'unreadable object',
        `an object that cannot be read (${errorText(error)})`,
      );
    }
  }
  return null;
}

/** One step of `explainData`: the error `f`'s value itself explains, or null (its children pushed). */
function explainOne(
  f: Extract<Frame, { value: unknown }>,
  stack: Frame[],
  open: Map<object, PathSegment[]>,
  at: (path: readonly PathSegment[]) => string,
  className: string,
  operation: DataOperation,
): UnsupportedValueError | DataCycleError | null {
  const { value, path, depth } = f;
  if (f.key && isEntityObject(value)) {
    const name = (value as object).constructor.name;
    return new UnsupportedValueError(
      className,
      at(path),
      'entity in a Map key',
      `an entity (${name}) in a Map key (entities may be Map values, not keys)`,
    );
  }
  const kind = unsupportedKind(value);
  if (kind !== null) return new UnsupportedValueError(className, at(path), kind, describeUnsupported(value, kind));
  if (typeof value !== 'object' || value === null || isEntityObject(value) || value instanceof Date) return null;
  const first = open.get(value);
  if (first !== undefined) return new DataCycleError(className, at(first), at(path));
  if (depth >= MAX_DATA_DEPTH) return new DataDepthError(className, at(path), operation, MAX_DATA_DEPTH);
  open.set(value, path);
  stack.push({ leave: value });
  // Children pushed last-first, so they are visited in the order the walks visit them.
  const children: Frame[] = [];
  const child = (v: unknown, segment: PathSegment, key = f.key): number =>
    children.push({ value: v, path: [...path, segment], depth: depth + 1, key });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) child(value[i], i);
  } else if (value instanceof Map) {
    let j = 0;
    for (const [k, v] of value) {
      const keyed = typeof k === 'string' || typeof k === 'number';
      if (!keyed) child(k, `<key ${j}>`, true);
      child(v, keyed ? k : `<value ${j}>`);
      j++;
    }
  } else if (value instanceof Set) {
    let i = 0;
    for (const v of value) child(v, i++);
  } else {
    for (const k of Object.keys(value)) child((value as Record<string, unknown>)[k], k);
  }
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  return null;
}

/**
 * The error for a walk that gave up on `top` (see `explainData`), or `fallback` when the walk
 * again finds nothing wrong (not expected: the walks and this explanation share their rules).
 */
export function dataError(
  top: unknown,
  prefix: readonly PathSegment[],
  baseDepth: number,
  className: string,
  operation: DataOperation,
  fallback?: unknown,
): Error {
  const at = formatPath('', prefix).replace(/^\./, '');
  return (
    explainData(top, prefix, baseDepth, className, operation) ??
    typedFallback(className, at, fallback) ??
    new DataDepthError(className, at, operation, MAX_DATA_DEPTH)
  );
}

/** A walk's own error, or what reading the data threw as the UnsupportedValueError it stands for. */
function typedFallback(className: string, at: string, fallback: unknown): Error | undefined {
  if (fallback === undefined) return undefined;
  if (fallback instanceof AbstractionsError) return fallback;
  return new UnsupportedValueError(
    className,
    at,
    'unreadable object',
    `an object that cannot be read (${errorText(fallback)})`,
  );
}

/**
 * True for an error of a value walk that did not know the entity (`className` ''): whoever knows
 * the entity explains the value again, from its field (`dataError`, `fieldsError`).
 */
export function isAnonymousDataError(e: unknown): boolean {
  // Anything not typed came from reading the data itself (a revoked Proxy, a throwing getter).
  return (
    ((e instanceof UnsupportedValueError || e instanceof DataCycleError) && e.className === '') ||
    !(e instanceof AbstractionsError)
  );
}

/** `dataError` for a walk over all fields of one entity: the first field that explains it. */
export function fieldsError(
  className: string,
  fieldNames: readonly string[],
  values: readonly unknown[],
  operation: DataOperation,
  fallback: unknown,
): Error {
  for (let i = 0; i < fieldNames.length; i++) {
    const e = explainData(values[i], [fieldNames[i]], 0, className, operation);
    if (e !== null) return e;
  }
  return typedFallback(className, '', fallback)!;
}
