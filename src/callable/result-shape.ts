/**
 * The shape of a function's result: which entities it returns (at any depth of arrays, plain
 * objects, Maps and Sets), and the result the caller gets back, with each returned entity
 * replaced by its stored version. Also where returned entities' values came from, when the
 * function read them through addresses (`attributeSource`, SPEC §5).
 */
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { runtimeOfObject } from '../entity/class-runtime';
import { describeValue } from '../metadata/describe-value';
import { containerKind, copyShell, fillCopy, itemsOf, type DataContainerKind } from '../metadata/containers';
import type { ExecutionOutput } from '../store/commit-execution';
import { AbstractionsError } from '../errors';
import type { AddressUse } from './bound-call';
import { ResultError, ReturnTypeError } from './errors';
import { typeText, type TypeShape } from '../metadata/type-spec';
import { mismatch } from '../metadata/type-check';

/**
 * How a result holds its entities: none, one entity, a flat array with entities (each in its
 * place), or nested deeper (rebuilt through a copy).
 */
export type ResultShape = 'none' | 'entity' | 'array' | 'nested';

/** A result as read: the entities it returns, in order of appearance. */
export interface ReadResult {
  readonly shape: ResultShape;
  readonly outputs: readonly EntityObject[];
}

const NO_RESULT: ReadResult = Object.freeze({ shape: 'none', outputs: Object.freeze([]) as readonly EntityObject[] });

/** The items of a result container the framework looks into (arrays, plain objects, Map values, Sets), else null. */
function resultItems(value: object): readonly unknown[] | null {
  const kind = containerKind(value);
  return kind === null ? null : itemsOf(value, kind);
}

/** The entities a result returns, in order of appearance, at any depth (a container met twice is read once). */
function collectOutputs(value: unknown, out: EntityObject[]): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (isEntityObject(v)) {
      out.push(v);
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    const items = resultItems(v);
    if (items !== null) for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
  }
}

/**
 * A copy of a nested result with its entities replaced by their stored results, at any depth;
 * a container met twice (or in a cycle) is copied once, so the copy has the same shape.
 */
function rebuildResult(value: unknown, stored: ReadonlyMap<EntityObject, EntityObject>): unknown {
  const copies = new Map<object, unknown>();
  const pending: [object, DataContainerKind, object][] = [];
  const copyOf = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (isEntityObject(v)) return stored.get(v) ?? v;
    const copy = copies.get(v);
    if (copy !== undefined) return copy;
    const kind = containerKind(v);
    if (kind === null) return v;
    const shell = copyShell(v, kind, { recordPrototype: 'object' });
    copies.set(v, shell);
    pending.push([v, kind, shell]);
    return shell;
  };
  const result = copyOf(value);
  while (pending.length > 0) {
    const [source, kind, copy] = pending.pop()!;
    fillCopy(source, kind, copy as never, copyOf);
  }
  return result;
}

/**
 * `attributeSource` of returned entities whose fields hold values read through addresses:
 * an object value the function received from an address (by identity), or a scalar equal to
 * one read through an address whose parameter name or last path segment is the field's name.
 * Runs inside the call (the copy-on-write view), only when addresses were used.
 */
export function attributeSources(
  functionName: string,
  result: unknown,
  uses: readonly AddressUse[],
): Map<EntityObject, Record<string, string | null>> | undefined {
  try {
    return sourcesOf(result, uses);
  } catch (error) {
    throw error instanceof AbstractionsError ? error : new ResultError(functionName, error);
  }
}

function sourcesOf(
  result: unknown,
  uses: readonly AddressUse[],
): Map<EntityObject, Record<string, string | null>> | undefined {
  const outputs: EntityObject[] = [];
  collectOutputs(result, outputs);
  let map: Map<EntityObject, Record<string, string | null>> | undefined;
  for (const e of outputs) {
    const { meta } = runtimeOfObject(e);
    let sources: Record<string, string | null> | undefined;
    for (const f of meta.fields) {
      const v = (e as unknown as Record<string, unknown>)[f.name];
      for (const u of uses) {
        if (isEntityObject(u.value)) continue;
        const match =
          typeof v === 'object' && v !== null
            ? v === u.value
            : Object.is(v, u.value) && (f.name === u.param || f.name === u.lastSegment);
        if (match) {
          if (!sources) sources = {};
          sources[f.name] = u.holderId;
          break;
        }
      }
    }
    if (sources) {
      if (!map) map = new Map();
      map.set(e, { ...metaOf(e).attributeSource, ...sources });
    }
  }
  return map;
}

/** Checks a result against the signature and finds the entities it returns. */
export function readResult(functionName: string, returns: TypeShape | null, result: unknown): ReadResult {
  try {
    if (returns !== null) {
      const m = mismatch(returns, result);
      if (m !== null) {
        throw new ReturnTypeError(
          functionName,
          typeText(returns),
          describeValue(m.at === '' ? result : m.found),
          m.at === '' ? '' : `result${m.at} (expected ${typeText(m.expected)} there)`,
        );
      }
    }
    if (typeof result !== 'object' || result === null) return NO_RESULT;
    if (isEntityObject(result)) return { outputs: [result], shape: 'entity' };
    let shape: ResultShape = 'array';
    const list: EntityObject[] = [];
    if (Array.isArray(result)) {
      for (let i = 0; i < result.length; i++) {
        const v = result[i];
        if (isEntityObject(v)) list.push(v);
        else if (typeof v === 'object' && v !== null) shape = 'nested';
      }
      if (shape === 'nested') {
        list.length = 0;
        collectOutputs(result, list);
      }
    } else {
      shape = 'nested';
      collectOutputs(result, list);
    }
    return list.length === 0 ? NO_RESULT : { outputs: list, shape };
  } catch (error) {
    throw error instanceof AbstractionsError ? error : new ResultError(functionName, error);
  }
}

/** What the caller receives: the result with each returned entity replaced by its stored result. */
export function storedResult(
  functionName: string,
  result: unknown,
  read: ReadResult,
  outs: readonly ExecutionOutput[],
): unknown {
  const { shape, outputs } = read;
  if (shape === 'entity') return outs[0].entity;
  if (shape === 'none') return result;
  try {
    if (shape === 'array') {
      const arr = result as unknown[];
      const copy = new Array<unknown>(arr.length);
      for (let i = 0, k = 0; i < arr.length; i++) copy[i] = isEntityObject(arr[i]) ? outs[k++].entity : arr[i];
      return copy;
    }
    const stored = new Map<EntityObject, EntityObject>();
    for (let i = 0; i < outs.length; i++) stored.set(outputs[i], outs[i].entity);
    return rebuildResult(result, stored);
  } catch (error) {
    throw new ResultError(functionName, error);
  }
}
