/**
 * Argument binding (SPEC §5), the first step of an execution: from what the caller passed to what
 * the function will receive, with no side effects, so an error here leaves nothing at all.
 * Validates names and types against the signature (`binding-plan.ts`), resolves addresses
 * anywhere in the arguments, deep-copies plain values, builds `ConfigEntity` parameters from
 * loose arguments (`build-config.ts`), and collects every entity the function will receive
 * (`bound-call.ts`). The next step, `prepare-inputs.ts`, turns working entities into stored
 * versions.
 */
import { DataDepthError, UnsupportedValueError } from '../metadata/errors';
import { isEntityObject } from '../metadata/object-model';
import { freezeValue, setOwn } from '../metadata/values';
import { containerKind, mapItems } from '../metadata/containers';
import { describeValue } from '../metadata/describe-value';
import { looksLikeAddress } from '../address/parse';
import type { EntityRegistry } from '../store/entity-registry';
import { AbstractionsError, errorText } from '../errors';
import { excerpt } from '../util/excerpt';
import type { BindingPlan, ParamPlan } from './binding-plan';
import {
  argError,
  noteAddress,
  resolveArg,
  resolvesAddresses,
  takeEntity,
  type BindingContext,
  type BoundCall,
} from './bound-call';
import { buildConfig } from './build-config';
import { isConfigClass } from './config-entity';
import { ArgumentError } from './errors';
import { typeText, type TypeShape } from '../metadata/type-spec';
import { isRecordLike, itemAt, mismatch } from '../metadata/type-check';

/**
 * Binds a value without type information: addresses resolved (unless `addresses` is false),
 * entities taken, plain containers copied (entity leaves kept), other objects passed as they are.
 */
function bindDynamic(ctx: BindingContext, value: unknown, at: string, addresses = true): unknown {
  if (typeof value !== 'object' || value === null) {
    if (addresses && typeof value === 'string' && looksLikeAddress(value)) {
      const r = resolveArg(ctx, value, at);
      const received = bindResolved(ctx, r.value, at);
      noteAddress(ctx, r, at, received);
      return received;
    }
    return value;
  }
  if (isEntityObject(value)) return takeEntity(ctx, value, at);
  if (value instanceof Date) return new Date(value.getTime());
  const kind = containerKind(value);
  if (kind === null) return value; // class instances that are not data: passed as they are
  return mapItems(value, kind, (item, key) => bindDynamic(ctx, item, at + itemAt(kind, key), addresses), {
    recordPrototype: 'object',
  });
}

/**
 * What the function receives for a value read through an address: a stored entity as it is
 * (an input), stored data as a mutable copy whose entity leaves are inputs. A string inside
 * stored data is data, even when it reads like an address.
 */
function bindResolved(ctx: BindingContext, stored: unknown, at: string): unknown {
  return bindDynamic(ctx, stored, at, false);
}

function typeError(ctx: BindingContext, at: string, shape: TypeShape, value: unknown): ArgumentError {
  return argError(ctx, at, `expected ${typeText(shape)}, got ${describeValue(value)}`);
}

/** Binds a value against a type: resolves, checks, copies. */
function bindTyped(ctx: BindingContext, shape: TypeShape, value: unknown, at: string): unknown {
  if (typeof value === 'string' && value.charCodeAt(0) === 64 && resolvesAddresses(shape) && looksLikeAddress(value)) {
    const r = resolveArg(ctx, value, at);
    const m = mismatch(shape, r.value);
    if (m)
      throw argError(
        ctx,
        at + m.at,
        `expected ${typeText(m.expected)}, got ${describeValue(m.found)} (read from ${excerpt(r.address)})`,
      );
    const received = bindResolved(ctx, r.value, at);
    noteAddress(ctx, r, at, received);
    return received;
  }
  switch (shape.kind) {
    case 'unknown':
      return bindDynamic(ctx, value, at);
    case 'entity':
      if (!isEntityObject(value) || !(value instanceof (shape.ctor as unknown as new () => object))) {
        if (shape.ctor && isConfigClass(shape.ctor) && isRecordLike(value))
          return buildConfig(ctx, shape.ctor, value, at);
        throw typeError(ctx, at, shape, value);
      }
      return takeEntity(ctx, value, at);
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      if (typeof value !== shape.kind) throw typeError(ctx, at, shape, value);
      return value;
    case 'null':
      if (value !== null) throw typeError(ctx, at, shape, value);
      return value;
    case 'undefined':
      if (value !== undefined) throw typeError(ctx, at, shape, value);
      return value;
    case 'date':
      if (!(value instanceof Date)) throw typeError(ctx, at, shape, value);
      return new Date(value.getTime());
    case 'object':
      if (typeof value !== 'object' || value === null || isEntityObject(value) || Array.isArray(value))
        throw typeError(ctx, at, shape, value);
      return bindDynamic(ctx, value, at);
    case 'optional':
      return value === undefined ? undefined : bindTyped(ctx, shape.of, value, at);
    case 'union': {
      for (const alt of shape.of) {
        if (
          typeof value === 'string' &&
          value.charCodeAt(0) === 64 &&
          resolvesAddresses(alt) &&
          looksLikeAddress(value)
        ) {
          return bindTyped(ctx, alt, value, at); // an address: resolved against the first non-string alternative
        }
        if (mismatch(alt, value) === null) return bindTyped(ctx, alt, value, at);
      }
      throw typeError(ctx, at, shape, value);
    }
    case 'array': {
      if (!Array.isArray(value)) throw typeError(ctx, at, shape, value);
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = bindTyped(ctx, shape.of, value[i], `${at}[${i}]`);
      return out;
    }
    case 'tuple': {
      if (!Array.isArray(value)) throw typeError(ctx, at, shape, value);
      if (value.length !== shape.of.length) {
        throw argError(
          ctx,
          at,
          `expected ${typeText(shape)} (${shape.of.length} element(s)), got an array of ${value.length} element(s)`,
        );
      }
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = bindTyped(ctx, shape.of[i], value[i], `${at}[${i}]`);
      return out;
    }
    case 'set': {
      if (!(value instanceof Set)) throw typeError(ctx, at, shape, value);
      const out = new Set<unknown>();
      let i = 0;
      for (const v of value) out.add(bindTyped(ctx, shape.of, v, `${at}<${i++}>`));
      return out;
    }
    case 'map': {
      if (!(value instanceof Map)) throw typeError(ctx, at, shape, value);
      const out = new Map<unknown, unknown>();
      for (const [k, v] of value)
        out.set(k, bindTyped(ctx, shape.of, v, `${at}.get(${JSON.stringify(k) ?? String(k)})`));
      return out;
    }
    case 'record': {
      if (!isRecordLike(value)) throw typeError(ctx, at, shape, value);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) out[k] = bindTyped(ctx, shape.of, value[k], `${at}.${k}`);
      return out;
    }
  }
}

const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY_ARGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * A frozen copy of a bound top-level value for the execution record. A value holding what is not
 * field data (a class instance or a function, which functions may be given as they are) is
 * recorded as it was given: freezing would refuse it.
 */
function recordValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  try {
    return freezeValue(v, (leaf) => leaf);
  } catch (e) {
    if (e instanceof UnsupportedValueError && !(e instanceof DataDepthError)) return v;
    throw e;
  }
}

/**
 * Phase 1: binds `args` (no side effects).
 * @throws ArgumentError (missing, unknown, wrong type, unresolvable address)
 */
export function bindArguments(plan: BindingPlan, args: unknown, registry: EntityRegistry): BoundCall {
  const ctx: BindingContext = {
    args: {},
    entities: [],
    entityPaths: [],
    addresses: null,
    values: {},
    needsPrepare: false,
    builtConfigs: null,
    plan,
    registry,
    param: '',
  };
  try {
    bindInto(ctx, args);
    return ctx;
  } catch (error) {
    // Binding only reads what the caller passed: anything else it meets is an argument that
    // cannot be read (a revoked Proxy, a throwing getter, nesting deeper than the stack).
    if (error instanceof AbstractionsError) throw error;
    const reason =
      error instanceof RangeError && /call stack/i.test(error.message)
        ? 'is nested too deeply to bind'
        : `cannot be read: ${errorText(error)}`;
    throw new ArgumentError(plan.functionName, ctx.param || '(arguments)', reason, { cause: error });
  }
}

function bindInto(ctx: BindingContext, args: unknown): void {
  const { plan } = ctx;
  if (args === undefined || args === null) args = EMPTY_ARGS;
  if (typeof args !== 'object' || Array.isArray(args) || isEntityObject(args)) {
    throw new ArgumentError(
      plan.functionName,
      '(arguments)',
      `a function takes one object of named arguments, got ${describeValue(args)}`,
    );
  }
  const given = args as Record<string, unknown>;
  const out = ctx.args;
  const entities = ctx.entities;

  if (plan.signature === null) {
    for (const name in given) {
      if (!hasOwn.call(given, name)) continue;
      ctx.param = name;
      const before = entities.length;
      const v = bindDynamic(ctx, given[name], name);
      // Own properties: an argument named '__proto__' is an argument, not a prototype.
      setOwn(out, name, v);
      if (entities.length === before) setOwn(ctx.values, name, recordValue(v));
    }
    return;
  }

  let loose: Map<ParamPlan, Record<string, unknown>> | null = null;
  for (const name in given) {
    if (plan.byName.has(name) || !hasOwn.call(given, name)) continue;
    const owner = plan.looseFields.get(name);
    if (owner === undefined) {
      throw new ArgumentError(plan.functionName, name, `unknown argument (parameters: ${plan.paramList})`);
    }
    if (given[name] === undefined) continue;
    if (loose === null) loose = new Map();
    let fields = loose.get(owner);
    if (!fields) loose.set(owner, (fields = {}));
    fields[name] = given[name];
  }

  const params = plan.params;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const v = given[p.name];
    ctx.param = p.name;
    const before = entities.length;
    let b: unknown;
    if (v === undefined) {
      if (p.mode === 'config') {
        b = buildConfig(ctx, p.ctor!, loose?.get(p) ?? {}, p.name, true);
        out[p.name] = b;
        continue;
      }
      if (p.optional) continue;
      throw new ArgumentError(plan.functionName, p.name, `missing (expected ${typeText(p.type)})`);
    }
    switch (p.mode) {
      case 'scalar':
        if (typeof v !== p.scalar) b = bindTyped(ctx, p.type, v, p.name);
        else b = v;
        break;
      case 'entity':
        if (isEntityObject(v) && v instanceof (p.ctor as unknown as new () => object)) b = takeEntity(ctx, v, p.name);
        else b = bindTyped(ctx, p.type, v, p.name);
        break;
      case 'config': {
        const extra = loose?.get(p);
        if (extra) {
          const first = Object.keys(extra)[0];
          throw new ArgumentError(
            plan.functionName,
            first,
            `'${first}' is a field of ${p.ctor!.name}, but '${p.name}' is given too: pass the field inside '${p.name}' or leave '${p.name}' out`,
          );
        }
        b = bindTyped(ctx, p.type, v, p.name);
        break;
      }
      case 'dynamic':
        b = bindDynamic(ctx, v, p.name);
        break;
      case 'typed':
        b = bindTyped(ctx, p.type, v, p.name);
    }
    out[p.name] = b;
    if (entities.length === before) ctx.values[p.name] = recordValue(b);
  }
}
