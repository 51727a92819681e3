/**
 * A bound call: what a function will receive after argument binding, and the primitive steps of
 * binding that record into it (an entity taken, an address resolved and noted).
 */
import { metaOf, type EntityObject } from '../metadata/object-model';
import { describeValue } from '../metadata/describe-value';
import { resolveAddress, type ResolvedAddress } from '../address/resolve';
import type { PathSegment } from '../address/parse';
import type { EntityRegistry } from '../store/entity-registry';
import { AbstractionsError } from '../errors';
import { excerpt } from '../util/excerpt';
import type { TypeShape } from '../metadata/type-spec';
import type { BindingPlan } from './binding-plan';
import { ArgumentError } from './errors';

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
}

/** The binding in progress: the bound call itself plus what binding needs (one object per call). */
export interface BindingContext extends BoundCall {
  readonly plan: BindingPlan;
  readonly registry: EntityRegistry;
  /** The top-level parameter being bound. */
  param: string;
}

/** Whether an address string at a place of this type is resolved (not for plain strings). */
export function resolvesAddresses(shape: TypeShape): boolean {
  if (shape.kind === 'string') return false;
  if (shape.kind === 'union' || shape.kind === 'optional') {
    const alts = shape.kind === 'union' ? (shape.of as readonly TypeShape[]) : [shape.of as TypeShape];
    return alts.every(resolvesAddresses);
  }
  return true;
}

export function argError(ctx: BindingContext, at: string, reason: string, cause?: unknown): ArgumentError {
  return new ArgumentError(ctx.plan.functionName, at, reason, cause === undefined ? undefined : { cause });
}

/**
 * Resolves an address argument. An address error keeps its class (AddressSyntaxError,
 * EntityNotFoundError, FieldPathError) and gains the function and argument: in its message,
 * and as `functionName` / `argument` properties.
 */
export function resolveArg(ctx: BindingContext, address: string, at: string): ResolvedAddress {
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

export function noteAddress(ctx: BindingContext, r: ResolvedAddress, at: string, received: unknown): void {
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
export function takeEntity(ctx: BindingContext, e: EntityObject, at: string): EntityObject {
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
