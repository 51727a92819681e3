/**
 * Argument binding (SPEC §5): from what the caller passed to what the function receives.
 *
 * Two phases, so that an error before the call leaves nothing at all:
 * 1. `bindArguments` (no side effects): validates names and types against the signature,
 *    resolves addresses anywhere in the arguments, deep-copies plain values, builds
 *    `ConfigEntity` parameters from loose arguments, and collects every entity the function
 *    will receive.
 * 2. `prepareInputs` (writes to the registry): versions working trees edited since their stored
 *    version, promotes orphans and built configs, and returns the stored root versions that are
 *    the call's input trees. The function receives stored versions (copy-on-write inside the
 *    call), never the caller's objects.
 *
 * Per function a `BindingPlan` is compiled once (at registration, again if generated tables
 * arrive later); the hot path of a stored entity plus scalars does no copying and no tree walk.
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { DataDepthError, UnsupportedValueError } from '../metadata/errors';
import { isEntityObject, metaOf, type EntityMeta, type EntityObject } from '../metadata/object-model';
import { freezeValue, setOwn } from '../metadata/values';
import { copyOut } from '../address/copy';
import { looksLikeAddress } from '../address/parse';
import { resolveAddress, type ResolvedAddress } from '../address/resolve';
import type { PathSegment } from '../address/parse';
import type { EntityRegistry } from '../store/entity-registry';
import type { RootVersion } from '../store/root-version';
import { AbstractionsError, errorText } from '../errors';
import { excerpt } from '../util/excerpt';
import { isConfigClass } from './config-entity';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import { templateValues } from './class-defaults';
import { ArgumentError } from './errors';
import type { FunctionSignature } from './signatures';
import { typeText, type TypeShape } from './type-spec';
import { describeValue } from '../metadata/describe-value';
import { isRecordLike, mismatch } from './type-check';

// ---- plans ----------------------------------------------------------------------------------

const MODE_DYNAMIC = 0;
const MODE_ENTITY = 1;
const MODE_SCALAR = 2;
const MODE_TYPED = 3;
const MODE_CONFIG = 4;

export interface ParamPlan {
  readonly name: string;
  readonly mode: number;
  readonly optional: boolean;
  readonly type: TypeShape;
  /** MODE_SCALAR: the `typeof` expected. */
  readonly scalar: string;
  /** MODE_ENTITY / MODE_CONFIG: the class. */
  readonly ctor: AnyClass | null;
  /** MODE_CONFIG: field name -> declared type (lower-case scalar name or null). */
  readonly configFields: ReadonlyMap<string, string | null> | null;
}

export interface BindingPlan {
  readonly functionName: string;
  readonly signature: FunctionSignature | null;
  readonly params: readonly ParamPlan[];
  readonly byName: ReadonlyMap<string, ParamPlan>;
  /** Field name of a ConfigEntity parameter -> that parameter (for loose arguments). */
  readonly looseFields: ReadonlyMap<string, ParamPlan>;
  readonly paramList: string;
}

const SCALAR_KINDS = new Set(['string', 'number', 'boolean', 'bigint']);
const DECLARED_SCALARS: Record<string, string> = {
  string: 'string', String: 'string', number: 'number', Number: 'number', boolean: 'boolean', Boolean: 'boolean',
  bigint: 'bigint', BigInt: 'bigint',
};

/**
 * Per field of a config class, the scalar type its values must have: the declared type when
 * metadata knows it, else the type of the class-field default (a number default takes numbers).
 * null: unchecked. null and undefined values are never refused.
 */
function configFieldTypes(ctor: AnyClass): Map<string, string | null> {
  const meta = classMetaOf(ctor);
  let defaults: readonly unknown[] | null | undefined;
  const out = new Map<string, string | null>();
  for (const f of meta.fields) {
    let scalar: string | null = f.declaredType ? DECLARED_SCALARS[f.declaredType] ?? null : null;
    if (scalar === null && (f.declaredType === null || f.declaredType === 'Object')) {
      if (defaults === undefined) defaults = templateValues(ctor);
      const d = defaults?.[f.index];
      if (typeof d === 'number' || typeof d === 'string' || typeof d === 'boolean') scalar = typeof d;
    }
    out.set(f.name, scalar);
  }
  return out;
}

/** Compiles the binding plan of one function (null signature: arguments recognised by value). */
export function compileBindingPlan(functionName: string, signature: FunctionSignature | null): BindingPlan {
  const params: ParamPlan[] = [];
  const looseFields = new Map<string, ParamPlan>();
  for (const p of signature?.params ?? []) {
    let mode = MODE_TYPED;
    let ctor: AnyClass | null = null;
    let configFields: Map<string, string | null> | null = null;
    if (p.type.kind === 'entity' && p.type.ctor) {
      ctor = p.type.ctor;
      if (isConfigClass(ctor)) {
        mode = MODE_CONFIG;
        configFields = configFieldTypes(ctor);
      } else {
        mode = MODE_ENTITY;
      }
    } else if (SCALAR_KINDS.has(p.type.kind)) {
      mode = MODE_SCALAR;
    } else if (p.type.kind === 'unknown') {
      mode = MODE_DYNAMIC;
    }
    const plan: ParamPlan = Object.freeze({
      name: p.name,
      mode,
      optional: p.optional,
      type: p.type,
      scalar: mode === MODE_SCALAR ? p.type.kind : '',
      ctor,
      configFields,
    });
    params.push(plan);
  }
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const p of params) {
    if (!p.configFields) continue;
    for (const field of p.configFields.keys()) {
      if (!byName.has(field) && !looseFields.has(field)) looseFields.set(field, p);
    }
  }
  return {
    functionName,
    signature,
    params,
    byName,
    looseFields,
    paramList: params.length === 0 ? '(none)' : params.map((p) => p.name).join(', '),
  };
}

// ---- bound calls ------------------------------------------------------------------------------

/** One address met in the arguments. */
export interface AddressUse {
  /** Where in the arguments (`student`, `students[1]`, `options.limit`). */
  readonly argument: string;
  /** The top-level parameter it belongs to. */
  readonly param: string;
  /** Canonical address text. */
  readonly address: string;
  /** ecsId of the entity that held the value (`attributeSource`). */
  readonly holderId: string;
  /** The address path's last segment (a field name, usually), or undefined for an entity address. */
  readonly lastSegment: PathSegment | undefined;
  /** What the function receives there (entity addresses: the entity). */
  readonly value: unknown;
}

/** The result of binding: what the function will receive, and what must be prepared. */
export interface BoundCall {
  /**
   * The argument object handed to the function (entities replaced by stored versions in
   * phase 2). The execution record does not keep it.
   */
  readonly args: Record<string, unknown>;
  /** Every entity the function receives, as given or resolved (working ones until phase 2). */
  readonly entities: EntityObject[];
  /** Where each of `entities` sits in the arguments (parallel array). */
  readonly entityPaths: string[];
  /** Addresses met (null: none). */
  addresses: AddressUse[] | null;
  /** Top-level arguments holding no entity: frozen copies for the execution record. */
  readonly values: Record<string, unknown>;
  /** Some entity is a working object: phase 2 has to version / promote. */
  needsPrepare: boolean;
  /** ConfigEntity parameters built from loose arguments or plain objects (null: none). */
  builtConfigs: EntityObject[] | null;
  /**
   * Root versions registered in phase 2 for built configs: part of the execution, so they are
   * withdrawn again if it fails (null: none).
   */
  registeredConfigs: string[] | null;
}

/** The binding in progress: the bound call itself plus what binding needs (one object per call). */
interface Ctx extends BoundCall {
  readonly plan: BindingPlan;
  readonly registry: EntityRegistry;
  /** The top-level parameter being bound. */
  param: string;
}

function argError(ctx: Ctx, at: string, reason: string, cause?: unknown): ArgumentError {
  return new ArgumentError(ctx.plan.functionName, at, reason, cause === undefined ? undefined : { cause });
}

/**
 * Resolves an address argument. An address error keeps its class (AddressSyntaxError,
 * EntityNotFoundError, FieldPathError) and gains the function and argument: in its message,
 * and as `functionName` / `argument` properties.
 */
function resolveArg(ctx: Ctx, address: string, at: string): ResolvedAddress {
  try {
    return resolveAddress(address, ctx.registry);
  } catch (e) {
    if (e instanceof AbstractionsError) {
      Object.defineProperty(e, 'message', {
        value: `${ctx.plan.functionName}: argument '${excerpt(at)}': ${e.message}`,
        writable: true,
        configurable: true,
        enumerable: false,
      });
      Object.assign(e, { functionName: ctx.plan.functionName, argument: at });
    }
    throw e;
  }
}

function noteAddress(ctx: Ctx, r: ResolvedAddress, at: string, received: unknown): void {
  const use: AddressUse = {
    argument: at,
    param: ctx.param,
    address: r.address,
    holderId: metaOf(r.holder).ecsId,
    lastSegment: r.path.length === 0 ? undefined : r.path[r.path.length - 1],
    value: received,
  };
  if (ctx.addresses === null) ctx.addresses = [use];
  else ctx.addresses.push(use);
}

/** Records an entity the function receives. */
function takeEntity(ctx: Ctx, e: EntityObject, at: string): EntityObject {
  const m = metaOf(e);
  if (m.stored) {
    if (!ctx.registry.holds(e)) {
      throw argError(ctx, at, `${describeValue(e)} is a stored version of another registry`);
    }
  } else {
    ctx.needsPrepare = true;
  }
  ctx.entities.push(e);
  ctx.entityPaths.push(at);
  return e;
}

/**
 * Binds a value without type information: addresses resolved (unless `addresses` is false),
 * entities taken, plain containers copied (entity leaves kept), other objects passed as they are.
 */
function bindDynamic(ctx: Ctx, value: unknown, at: string, addresses = true): unknown {
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
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = bindDynamic(ctx, value[i], `${at}[${i}]`, addresses);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, bindDynamic(ctx, v, `${at}.get(${JSON.stringify(k) ?? String(k)})`, addresses));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    let i = 0;
    for (const v of value) out.add(bindDynamic(ctx, v, `${at}<${i++}>`, addresses));
    return out;
  }
  if (!isRecordLike(value)) return value; // class instances that are not data: passed as they are
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) setOwn(out, k, bindDynamic(ctx, value[k], `${at}.${k}`, addresses));
  return out;
}

/**
 * What the function receives for a value read through an address: a stored entity as it is
 * (an input), stored data as a mutable copy whose entity leaves are inputs. A string inside
 * stored data is data, even when it reads like an address.
 */
function bindResolved(ctx: Ctx, stored: unknown, at: string): unknown {
  return bindDynamic(ctx, stored, at, false);
}

function typeError(ctx: Ctx, at: string, shape: TypeShape, value: unknown): ArgumentError {
  return argError(ctx, at, `expected ${typeText(shape)}, got ${describeValue(value)}`);
}

/** Whether an address string at a place of this type is resolved (not for plain strings). */
function resolvesAddresses(shape: TypeShape): boolean {
  if (shape.kind === 'string') return false;
  if (shape.kind === 'union' || shape.kind === 'optional') {
    const alts = shape.kind === 'union' ? (shape.of as readonly TypeShape[]) : [shape.of as TypeShape];
    return alts.every(resolvesAddresses);
  }
  return true;
}

/** Binds a value against a type: resolves, checks, copies. */
function bindTyped(ctx: Ctx, shape: TypeShape, value: unknown, at: string): unknown {
  if (typeof value === 'string' && value.charCodeAt(0) === 64 && resolvesAddresses(shape) && looksLikeAddress(value)) {
    const r = resolveArg(ctx, value, at);
    const m = mismatch(shape, r.value);
    if (m) throw argError(ctx, at + m.at, `expected ${typeText(m.expected)}, got ${describeValue(m.found)} (read from ${excerpt(r.address)})`);
    const received = bindResolved(ctx, r.value, at);
    noteAddress(ctx, r, at, received);
    return received;
  }
  switch (shape.kind) {
    case 'unknown':
      return bindDynamic(ctx, value, at);
    case 'entity':
      if (!isEntityObject(value) || !(value instanceof (shape.ctor as unknown as new () => object))) {
        if (shape.ctor && isConfigClass(shape.ctor) && isRecordLike(value)) return buildConfig(ctx, shape.ctor, value, at);
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
      if (typeof value !== 'object' || value === null || isEntityObject(value) || Array.isArray(value)) throw typeError(ctx, at, shape, value);
      return bindDynamic(ctx, value, at);
    case 'optional':
      return value === undefined ? undefined : bindTyped(ctx, shape.of, value, at);
    case 'union': {
      for (const alt of shape.of) {
        if (typeof value === 'string' && value.charCodeAt(0) === 64 && resolvesAddresses(alt) && looksLikeAddress(value)) {
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
        throw argError(ctx, at, `expected ${typeText(shape)} (${shape.of.length} element(s)), got an array of ${value.length} element(s)`);
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
      for (const [k, v] of value) out.set(k, bindTyped(ctx, shape.of, v, `${at}.get(${JSON.stringify(k) ?? String(k)})`));
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

/**
 * Builds a ConfigEntity from fields (loose arguments or a plain object): addresses resolved
 * (copied, with `attributeSource`), scalar field types checked, class defaults for the rest.
 * The result is a new working entity, promoted in phase 2.
 */
function buildConfig(ctx: Ctx, ctor: AnyClass, fields: Record<string, unknown>, at: string, looseNames = false): EntityObject {
  const plan = ctx.plan.byName.get(ctx.param);
  const declared = plan?.configFields ?? new Map(classMetaOf(ctor).fields.map((f) => [f.name, null] as [string, string | null]));
  const init: Record<string, unknown> = {};
  const sources: Record<string, string | null> = {};
  for (const name of Object.keys(fields)) {
    const fieldAt = looseNames ? name : `${at}.${name}`;
    if (!declared.has(name)) {
      throw argError(ctx, fieldAt, `${ctor.name} has no field '${excerpt(name)}' (fields: ${[...declared.keys()].join(', ') || '(none)'})`);
    }
    let v = fields[name];
    if (typeof v === 'string' && v.charCodeAt(0) === 64 && declared.get(name) !== 'string' && looksLikeAddress(v)) {
      const r = resolveArg(ctx, v, fieldAt);
      v = copyOut(r.value);
      sources[name] = metaOf(r.holder).ecsId;
    }
    const scalar = declared.get(name);
    if (scalar && v !== undefined && v !== null && typeof v !== scalar) {
      throw argError(ctx, fieldAt, `${ctor.name}.${name} expects ${scalar}, got ${describeValue(v)}`);
    }
    init[name] = v;
  }
  let config: EntityObject;
  try {
    config = new (ctor as unknown as new (init: object) => EntityObject)(init);
  } catch (e) {
    throw argError(ctx, at, `cannot build ${ctor.name}: ${(e as Error).message}`, e);
  }
  if (Object.keys(sources).length > 0) {
    const m = metaOf(config) as EntityMeta;
    m.attributeSource = { ...m.attributeSource, ...sources };
  }
  (ctx.builtConfigs ??= []).push(config);
  return takeEntity(ctx, config, at);
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
  const ctx: Ctx = { args: {}, entities: [], entityPaths: [], addresses: null, values: {}, needsPrepare: false, builtConfigs: null, registeredConfigs: null, plan, registry, param: '' };
  try {
    bindInto(ctx, args);
    return ctx;
  } catch (error) {
    // Binding only reads what the caller passed: anything else it meets is an argument that
    // cannot be read (a revoked Proxy, a throwing getter, nesting deeper than the stack).
    if (error instanceof AbstractionsError) throw error;
    const reason = error instanceof RangeError && /call stack/i.test(error.message) ? 'is nested too deeply to bind' : `cannot be read: ${errorText(error)}`;
    throw new ArgumentError(plan.functionName, ctx.param || '(arguments)', reason, { cause: error });
  }
}

function bindInto(ctx: Ctx, args: unknown): void {
  const { plan } = ctx;
  if (args === undefined || args === null) args = EMPTY_ARGS;
  if (typeof args !== 'object' || Array.isArray(args) || isEntityObject(args)) {
    throw new ArgumentError(plan.functionName, '(arguments)', `a function takes one object of named arguments, got ${describeValue(args)}`);
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
      if (p.mode === MODE_CONFIG) {
        b = buildConfig(ctx, p.ctor!, loose?.get(p) ?? {}, p.name, true);
        out[p.name] = b;
        continue;
      }
      if (p.optional) continue;
      throw new ArgumentError(plan.functionName, p.name, `missing (expected ${typeText(p.type)})`);
    }
    switch (p.mode) {
      case MODE_SCALAR:
        if (typeof v !== p.scalar) b = bindTyped(ctx, p.type, v, p.name);
        else b = v;
        break;
      case MODE_ENTITY:
        if (isEntityObject(v) && v instanceof (p.ctor as unknown as new () => object)) b = takeEntity(ctx, v, p.name);
        else b = bindTyped(ctx, p.type, v, p.name);
        break;
      case MODE_CONFIG: {
        const extra = loose?.get(p);
        if (extra) {
          const first = Object.keys(extra)[0];
          throw new ArgumentError(plan.functionName, first, `'${first}' is a field of ${p.ctor!.name}, but '${p.name}' is given too: pass the field inside '${p.name}' or leave '${p.name}' out`);
        }
        b = bindTyped(ctx, p.type, v, p.name);
        break;
      }
      case MODE_DYNAMIC:
        b = bindDynamic(ctx, v, p.name);
        break;
      default:
        b = bindTyped(ctx, p.type, v, p.name);
    }
    out[p.name] = b;
    if (entities.length === before) ctx.values[p.name] = recordValue(b);
  }
}

// ---- phase 2 ----------------------------------------------------------------------------------

/** Withdraws the configs promoted for this call (an execution that fails leaves none behind). */
export function withdrawBuiltConfigs(bound: BoundCall, registry: EntityRegistry): void {
  if (bound.registeredConfigs !== null) for (const id of bound.registeredConfigs) registry.withdrawFirstVersion(id);
}

/**
 * The stored root version a stored entity is passed in: itself for a root; for a child, the
 * latest version of its tree if that still contains this very version (so changes build on
 * the present), else the version that first stored it.
 */
export function inputRootOf(registry: EntityRegistry, e: EntityObject): EntityObject {
  const m = metaOf(e);
  if (m.rootEcsId === m.ecsId) return e;
  const first: RootVersion = registry.getVersion(m.rootEcsId!);
  const latest = registry.latestVersion(first.lineageId);
  if (latest !== undefined && latest !== first && latest.index.get(m.lineageId) === e) return latest.root;
  return first.root;
}

/** Replaces working entities by their stored versions inside our own (mutable) argument copies. */
function substitute(value: unknown, map: ReadonlyMap<EntityObject, EntityObject>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEntityObject(value)) return map.get(value) ?? value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = substitute(value[i], map);
    return value;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, substitute(v, map));
    return value;
  }
  if (value instanceof Set) {
    const items = [...value].map((v) => substitute(v, map));
    value.clear();
    for (const v of items) value.add(v);
    return value;
  }
  if (isRecordLike(value)) for (const k of Object.keys(value)) value[k] = substitute(value[k], map);
  return value;
}

/**
 * Phase 2: pre-call versioning. Working entities become stored versions (edited working trees
 * are versioned, orphans and built configs promoted), and the stored root versions of every
 * input tree are returned (each once, in argument order).
 */
export function prepareInputs(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): EntityObject[] {
  try {
    return prepareInputsNow(plan, bound, registry);
  } catch (error) {
    // An error before the call leaves nothing of the execution: configs built for it go again.
    withdrawBuiltConfigs(bound, registry);
    throw error;
  }
}

/**
 * Everything that can reject a working-tree argument, checked before any of them is versioned or
 * promoted: a bad second argument must not leave the first one's pre-call version behind.
 */
function checkWorkingArguments(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): void {
  const trees = new Map<EntityObject, EntityTree>();
  bound.entities.forEach((e, i) => {
    const m = metaOf(e);
    if (m.stored) return;
    const fail = (reason: string): never => {
      throw new ArgumentError(plan.functionName, bound.entityPaths[i], `${describeValue(e)} ${reason}`);
    };
    const root = m.rootEcsId === null || m.rootEcsId === m.ecsId ? e : registry.workingRootOf<EntityObject>(e);
    if (root === undefined) return fail('belongs to a working tree that is no longer available: pass its root, or a stored version');
    const rootVersion = metaOf(root).rootEcsId;
    if (rootVersion !== null && !registry.hasVersion(rootVersion)) {
      return fail(`comes from version ${rootVersion}, which this registry does not hold`);
    }
    let tree = trees.get(root);
    if (tree === undefined) trees.set(root, (tree = buildEntityTree(root))); // a malformed tree throws here
    if (tree.nodes.get(m.ecsId) !== e) {
      fail(`is not part of its tree's working root any more (was it removed from it?): detach() it or pass its root`);
    }
  });
}

function prepareInputsNow(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): EntityObject[] {
  const { entities } = bound;
  const roots: EntityObject[] = [];
  if (!bound.needsPrepare) {
    for (let i = 0; i < entities.length; i++) {
      const root = inputRootOf(registry, entities[i]);
      if (!roots.includes(root)) roots.push(root);
    }
    return roots;
  }
  checkWorkingArguments(plan, bound, registry);
  const replaced = new Map<EntityObject, EntityObject>();
  const versioned = new Map<EntityObject, RootVersion>();
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    const m = metaOf(e);
    let stored: EntityObject;
    if (m.stored) {
      stored = e;
    } else if (replaced.has(e)) {
      stored = replaced.get(e)!;
    } else {
      let version: RootVersion;
      if (m.rootEcsId === null) {
        version = registry.promoteToRoot(e);
        if (bound.builtConfigs?.includes(e)) (bound.registeredConfigs ??= []).push(version.ecsId);
      } else {
        const root = m.rootEcsId === m.ecsId ? e : registry.workingRootOf<EntityObject>(e)!; // checked above
        let v = versioned.get(root);
        if (v === undefined) {
          registry.version(root);
          v = registry.getVersion(metaOf(root).rootEcsId!);
          versioned.set(root, v);
        }
        version = v;
      }
      const inTree = version.index.get(m.lineageId);
      if (inTree === undefined || metaOf(inTree).ecsId !== metaOf(e).ecsId) {
        throw new ArgumentError(
          plan.functionName,
          bound.entityPaths[i],
          `${describeValue(e)} is not part of its tree's version ${version.ecsId} (was it removed from it?): detach() it or pass its root`,
        );
      }
      stored = inTree;
      replaced.set(e, stored);
    }
    entities[i] = stored;
    const root = inputRootOf(registry, stored);
    if (!roots.includes(root)) roots.push(root);
  }
  substituteArguments(bound, replaced);
  return roots;
}

/** Replaces entities in the function's arguments (and the address uses that point at them). */
function substituteArguments(bound: BoundCall, replaced: ReadonlyMap<EntityObject, EntityObject>): void {
  const args = bound.args;
  for (const k of Object.keys(args)) args[k] = substitute(args[k], replaced);
  if (bound.addresses) {
    bound.addresses = bound.addresses.map((a) => (isEntityObject(a.value) && replaced.has(a.value) ? { ...a, value: replaced.get(a.value) } : a));
  }
}

/**
 * After the input trees are declared: the entities the function receives, where some input trees
 * are handed out as working copies (`Transaction.addInput`). Substitutes them in the arguments and
 * returns them in the order of `bound.entities` (which keeps the stored versions, for the record).
 */
export function handOutInputs(bound: BoundCall, registry: EntityRegistry, handedOut: (e: EntityObject, root: EntityObject) => EntityObject): EntityObject[] {
  const replaced = new Map<EntityObject, EntityObject>();
  const handed = bound.entities.map((e) => {
    const h = handedOut(e, inputRootOf(registry, e));
    if (h !== e) replaced.set(e, h);
    return h;
  });
  substituteArguments(bound, replaced);
  return handed;
}
