/**
 * `CallableRegistry` (SPEC §5): registered functions, executed with full versioning and
 * provenance.
 *
 * One execution, front to back:
 *   bind arguments (no side effects; errors here leave nothing)
 *   -> pre-call versioning (working trees versioned, orphans and configs promoted)
 *   -> Transaction: input trees declared, the function runs over stored versions with
 *      copy-on-write (sync `run` / async `runAsync`); a second version of a lineage is handed
 *      out as a working copy, so two arguments never share an object
 *   -> result read and type checked -> commit prepared (every changed input tree versioned, new
 *      roots registered, provenance stamped; nothing visible yet) -> stored result and
 *      FunctionExecution record built
 *   -> published with its record (bookkeeping that cannot fail) -> events announced last.
 * A throw in or after the call reaches the caller as it is; only a failed record is kept.
 *
 * This is the benchmark's hot path: binding plans are compiled at registration, a stored-entity
 * argument costs a few map lookups, and nothing walks or copies trees.
 */
import { performance } from 'node:perf_hooks';
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { runtimeOfObject } from '../entity/class-runtime';
import { EntityRegistry } from '../store/entity-registry';
import { Transaction, type TransactionOutput } from '../store/transaction';
import type { Provenance } from '../store/persist';
import { events as defaultBus } from '../events/default-bus';
import type { EventBus } from '../events/event-bus';
import { runOperation, type OperationSpec } from '../events/operation';
import { newId } from '../util/ids';
import { bindArguments, compileBindingPlan, handOutInputs, prepareInputs, withdrawBuiltConfigs, type AddressUse, type BindingPlan, type BoundCall } from './bind-arguments';
import { AsyncFunctionError, RegistrationError, ResultError, ReturnTypeError, SignatureRequiredError, UnknownFunctionError } from './errors';
import { FunctionExecution, type RawInputs } from './execution-record';
import { describeFunction, type FunctionDescription } from './json-schema';
import { compileSignature, type ArgsOf, type FunctionSignature, type FunctionSignatures, type ResultOf, type SignatureSpec } from './signatures';
import { generatedSignatureOf, generatedSignaturesGeneration } from './generated-signatures';
import { typeText } from './type-spec';
import { describeValue } from '../metadata/describe-value';
import { isRecordLike, mismatch } from './type-check';
import { setOwn } from '../metadata/values';
import { AbstractionsError, errorText } from '../errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (args: any) => unknown;

const AsyncFunctionCtor = Object.getPrototypeOf(async function () {}).constructor as unknown;

interface FunctionRecord {
  readonly name: string;
  readonly fn: AnyFunction;
  readonly isAsync: boolean;
  /** The explicit signature, or null (then the generated table's entry, if any, is used). */
  readonly explicit: FunctionSignature | null;
  plan: BindingPlan;
  /** Generated-table generation `plan` was compiled at (functions without explicit signature). */
  generation: number;
}

export interface CallableRegistryOptions {
  /** The entity registry executions read and write (default: `EntityRegistry.default`, looked up per call). */
  readonly entities?: EntityRegistry;
  /** Where `function.execute` events go (default: the default bus `events`). */
  readonly events?: EventBus;
}

/** A registered function, typed by its implementation. */
export interface RegisteredFunction<A, R> {
  readonly name: string;
  execute(args: A | Record<string, unknown>): Awaited<R>;
  aexecute(args: A | Record<string, unknown>): Promise<Awaited<R>>;
}

const NO_OUTPUTS: readonly EntityObject[] = Object.freeze([]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    !isEntityObject(value) &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * A name `FunctionSignatures` does not declare. The untyped overloads of `execute` accept only
 * these (when the name is inferred), so a typed name with wrong arguments is a type error instead
 * of falling through; `execute<R>(name, ...)` with an explicit result type accepts any name.
 */
type UntypedName<N extends string> = N extends keyof FunctionSignatures ? never : unknown;

/** How a result holds its entities. */
const RESULT_NONE = 0;
const RESULT_ENTITY = 1;
const RESULT_ARRAY = 2;
const RESULT_NESTED = 3;

/** The items of a result container the framework looks into (arrays, plain objects, Map values, Sets), else null. */
function resultItems(value: object): readonly unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.values()];
  if (isRecordLike(value)) return Object.keys(value).map((k) => value[k]);
  return null;
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
  const pending: [object, unknown][] = [];
  const copyOf = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (isEntityObject(v)) return stored.get(v) ?? v;
    let copy = copies.get(v);
    if (copy !== undefined) return copy;
    if (Array.isArray(v)) copy = new Array<unknown>(v.length);
    else if (v instanceof Set) copy = new Set();
    else if (v instanceof Map) copy = new Map();
    else if (isRecordLike(v)) copy = {};
    else return v;
    copies.set(v, copy);
    pending.push([v, copy]);
    return copy;
  };
  const result = copyOf(value);
  while (pending.length > 0) {
    const [source, copy] = pending.pop()!;
    if (Array.isArray(source)) for (let i = 0; i < source.length; i++) (copy as unknown[])[i] = copyOf(source[i]);
    else if (source instanceof Set) for (const v of source) (copy as Set<unknown>).add(copyOf(v));
    else if (source instanceof Map) for (const [k, v] of source) (copy as Map<unknown, unknown>).set(k, copyOf(v));
    else for (const k of Object.keys(source)) setOwn(copy as Record<string, unknown>, k, copyOf((source as Record<string, unknown>)[k]));
  }
  return result;
}

/**
 * `attributeSource` of returned entities whose fields hold values read through addresses:
 * an object value the function received from an address (by identity), or a scalar equal to
 * one read through an address whose parameter name or last path segment is the field's name.
 * Runs inside the call (the copy-on-write view), only when addresses were used.
 */
function attributeSources(result: unknown, uses: readonly AddressUse[]): Map<EntityObject, Record<string, string | null>> | undefined {
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

/** How an execution ended, as its record takes it. */
type ExecutionOutcome = ConstructorParameters<typeof FunctionExecution>[6];

/**
 * One execution from input preparation to its record (the part `runSync` and `runAsync` share):
 * the input trees (working ones versioned first), the transaction they are declared in, the
 * clock, and the attribute sources the call found. It is also the transaction's provenance
 * (`functionName`, `executionId`), so an execution allocates no more objects than before.
 */
class RunningCall implements Provenance {
  readonly functionName: string;
  readonly roots: EntityObject[];
  readonly tx: Transaction;
  /** Milliseconds since the epoch when the function was called. */
  readonly startedAt: number;
  /** `performance.now()` at the same moment (for the duration). */
  readonly t0: number;
  /** The entities the function receives (`bound.entities` keeps the stored versions, for the record). */
  readonly handed: readonly EntityObject[];
  /** Set inside the call when addresses were used and a returned entity holds values read through them. */
  sources: Map<EntityObject, Record<string, string | null>> | undefined = undefined;

  constructor(
    readonly rec: FunctionRecord,
    readonly bound: BoundCall,
    readonly registry: EntityRegistry,
    readonly executionId: string,
  ) {
    this.functionName = rec.name;
    const roots = prepareInputs(rec.plan, bound, registry);
    this.roots = roots;
    const tx = new Transaction(registry, this);
    let copied = false;
    for (let i = 0; i < roots.length; i++) if (tx.addInput(roots[i]) !== roots[i]) copied = true;
    this.tx = tx;
    this.handed = copied ? handOutInputs(bound, registry, (e, root) => tx.handedOut(e, root)) : bound.entities;
    this.startedAt = Date.now();
    this.t0 = performance.now();
  }
}

/**
 * The registry of callable functions. The static methods use `CallableRegistry.default`;
 * `new CallableRegistry({ entities })` is an isolated one (tests, several worlds).
 *
 * ```ts
 * CallableRegistry.register('update_gpa', ({ student, newGpa }: { student: Student; newGpa: number }) => {
 *   student.gpa = newGpa;
 *   return student;
 * }, { params: { student: Student, newGpa: Number }, returns: Student });
 * const updated = CallableRegistry.execute<Student>('update_gpa', { student, newGpa: 3.8 });
 * ```
 */
export class CallableRegistry {
  private static current: CallableRegistry = new CallableRegistry();

  private readonly functions = new Map<string, FunctionRecord>();
  /** Every execution record, oldest first. */
  private records: FunctionExecution[] = [];
  /** executionId -> record, filled lazily from `records` (an insertion per call costs more than a push). */
  private readonly recordIndex = new Map<string, FunctionExecution>();
  private indexed = 0;
  private readonly ownEntities: EntityRegistry | null;
  /** The bus `function.execute` events go to. */
  readonly bus: EventBus;

  constructor(options: CallableRegistryOptions = {}) {
    this.ownEntities = options.entities ?? null;
    this.bus = options.events ?? defaultBus;
  }

  /** The registry behind the static API. */
  static get default(): CallableRegistry {
    return CallableRegistry.current;
  }

  /** The entity registry executions read and write. */
  get entities(): EntityRegistry {
    return this.ownEntities ?? EntityRegistry.default;
  }

  // ---- registration ---------------------------------------------------------------------------

  /**
   * Registers `fn` under `name`. The signature (or the generated table's entry for `name`)
   * enables argument type checks, `ConfigEntity` parameters from loose arguments, result checks
   * and `describe()`; without one, entities and addresses are still recognised by value.
   * @throws RegistrationError for a duplicate name, a non-function or an invalid signature.
   */
  register<A, R>(name: string, fn: (args: A) => R, signature?: SignatureSpec): RegisteredFunction<A, R> {
    if (typeof name !== 'string' || name.length === 0) throw new RegistrationError(describeValue(name), 'the name must be a non-empty string');
    if (typeof fn !== 'function') throw new RegistrationError(name, `expected a function, got ${describeValue(fn)}`);
    if (this.functions.has(name)) throw new RegistrationError(name, 'a function with this name is registered already');
    let explicit: FunctionSignature | null = null;
    try {
      if (signature !== undefined) explicit = compileSignature(name, signature);
    } catch (error) {
      if (error instanceof AbstractionsError) throw error;
      throw new RegistrationError(name, `the signature cannot be read: ${errorText(error)}`);
    }
    const generation = generatedSignaturesGeneration();
    const plan = compileBindingPlan(name, explicit ?? generatedSignatureOf(name) ?? null);
    this.functions.set(name, {
      name,
      fn: fn as AnyFunction,
      isAsync: fn instanceof (AsyncFunctionCtor as new () => unknown),
      explicit,
      plan,
      generation,
    });
    return {
      name,
      execute: (args) => this.execute(name, args as Record<string, unknown>) as Awaited<R>,
      aexecute: (args) => this.aexecute(name, args as Record<string, unknown>) as Promise<Awaited<R>>,
    };
  }

  /** True if a function is registered under `name`. */
  has(name: string): boolean {
    return this.functions.has(name);
  }

  private lookup(name: string): FunctionRecord {
    const rec = this.functions.get(name);
    if (rec === undefined) throw new UnknownFunctionError(String(name), [...this.functions.keys()]);
    if (rec.explicit === null && rec.generation !== generatedSignaturesGeneration()) {
      // Compiled first: a bad generated entry throws here and is met again on the next call.
      const generation = generatedSignaturesGeneration();
      rec.plan = compileBindingPlan(name, generatedSignatureOf(name) ?? null);
      rec.generation = generation;
    }
    return rec;
  }

  /** The signature in use for a function (explicit, generated) or null. */
  signatureOf(name: string): FunctionSignature | null {
    return this.lookup(name).plan.signature;
  }

  // ---- execution ------------------------------------------------------------------------------

  /**
   * Runs a synchronous registered function and returns its stored result: one entity, an array
   * of entities in order, or a non-entity result as it was returned.
   * @throws UnknownFunctionError, ArgumentError, address errors, AsyncFunctionError,
   * ReturnTypeError, and whatever the function throws (the same error object).
   */
  execute<N extends keyof FunctionSignatures & string>(name: N, args: ArgsOf<N>): ResultOf<N>;
  execute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): R;
  execute(name: string, args?: Record<string, unknown>): unknown {
    const rec = this.lookup(name);
    if (rec.isAsync) throw new AsyncFunctionError(name);
    const registry = this.entities;
    const bound = bindArguments(rec.plan, args, registry);
    const executionId = newId();
    if (!this.bus.isObserved) return this.runSync(rec, bound, registry, executionId);
    return this.observed(rec.name, executionId, () => this.runSync(rec, bound, registry, executionId));
  }

  /**
   * Runs a registered function, sync or async, and resolves to its stored result. Concurrent
   * executions are isolated; two started from the same version both succeed (a branch).
   */
  aexecute<N extends keyof FunctionSignatures & string>(name: N, args: ArgsOf<N>): Promise<ResultOf<N>>;
  aexecute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): Promise<R>;
  async aexecute(name: string, args?: Record<string, unknown>): Promise<unknown> {
    const rec = this.lookup(name);
    const registry = this.entities;
    const bound = bindArguments(rec.plan, args, registry);
    const executionId = newId();
    if (!this.bus.isObserved) return this.runAsync(rec, bound, registry, executionId);
    return this.observed(rec.name, executionId, () => this.runAsync(rec, bound, registry, executionId));
  }

  // ===== EVENTS: function.execute — the one place it is emitted (SPEC §7) =====================
  /**
   * Runs one execution (after argument binding) as the `function.execute` operation: a `started`
   * event, then `completed` (execution id, inputs, outputs, semantics, versions, duration) or
   * `failed`. Only called when the bus is observed; otherwise `execute` runs the body directly
   * and builds no event at all. Events nested in the call (pre-call versioning, commits,
   * handlers) are parented to the start event.
   */
  private observed<T>(functionName: string, executionId: string, body: () => T): T {
    return runOperation(
      this.bus,
      (): OperationSpec => ({
        type: 'function.execute',
        subjectType: 'function',
        subjectId: functionName,
        metadata: { executionId, functionName },
      }),
      body,
      () => {
        const r = this.record(executionId);
        if (r === undefined) return {};
        return {
          inputs: r.inputs.entities,
          inputRootIds: r.inputs.rootIds,
          outputIds: r.outputIds,
          semantics: r.semantics,
          versionIds: r.versionIds,
          durationMs: r.durationMs,
        };
      },
    );
  }

  private runSync(rec: FunctionRecord, bound: BoundCall, registry: EntityRegistry, executionId: string): unknown {
    const call = new RunningCall(rec, bound, registry, executionId);
    let result: unknown;
    try {
      const { fn } = rec;
      const args = bound.args;
      if (bound.addresses === null) {
        result = call.tx.run(() => fn(args));
      } else {
        const uses = bound.addresses;
        result = call.tx.run(() => {
          const r = fn(args);
          if (!isThenable(r)) call.sources = attributeSources(r, uses);
          return r;
        });
      }
      if (isThenable(result)) {
        // The function ran and returned a promise: too late to await it here. Its work is dropped.
        Promise.resolve(result).then(undefined, () => undefined);
        throw new AsyncFunctionError(rec.name, true);
      }
    } catch (error) {
      throw this.fail(call, error);
    }
    return this.finish(call, result);
  }

  private async runAsync(rec: FunctionRecord, bound: BoundCall, registry: EntityRegistry, executionId: string): Promise<unknown> {
    const call = new RunningCall(rec, bound, registry, executionId);
    let result: unknown;
    try {
      const { fn } = rec;
      const args = bound.args;
      const uses = bound.addresses;
      result = await call.tx.runAsync(async () => {
        const r = await fn(args);
        if (uses !== null) call.sources = attributeSources(r, uses);
        return r;
      });
    } catch (error) {
      throw this.fail(call, error);
    }
    return this.finish(call, result);
  }

  /**
   * After a successful call: result check, commit prepared, stored result and record built; any
   * error up to here leaves only the failed record. Then the commit is published with its record
   * (bookkeeping that cannot fail), and its events go out last.
   */
  private finish(call: RunningCall, result: unknown): unknown {
    let value: unknown;
    let record: FunctionExecution;
    try {
      const { outputs, kind } = this.readResult(call.rec, result);
      // `arguments`: the entities handed to the function. A returned entity that is one of them
      // is a mutation of its tree, not a detachment (SPEC §5).
      const committed = call.tx.prepare(outputs, {
        arguments: call.handed,
        attributeSource: call.sources,
        multiple: kind === RESULT_ARRAY || kind === RESULT_NESTED,
      });
      value = this.storedResult(call.rec, result, kind, outputs, committed.outputs);
      record = this.recordOf(call, { ok: true, outputs: committed.outputs, versions: committed.versions.slice(), result: value });
    } catch (error) {
      throw this.fail(call, error);
    }
    call.tx.publish();
    this.records.push(record);
    call.tx.announce();
    return value;
  }

  /** Checks a result against the signature and finds the entities it returns. */
  private readResult(rec: FunctionRecord, result: unknown): { outputs: readonly EntityObject[]; kind: number } {
    try {
      const returns = rec.plan.signature?.returns ?? null;
      if (returns !== null) {
        const m = mismatch(returns, result);
        if (m !== null) {
          throw new ReturnTypeError(
            rec.name,
            typeText(returns),
            describeValue(m.at === '' ? result : m.found),
            m.at === '' ? '' : `result${m.at} (expected ${typeText(m.expected)} there)`,
          );
        }
      }
      if (typeof result !== 'object' || result === null) return { outputs: NO_OUTPUTS, kind: RESULT_NONE };
      if (isEntityObject(result)) return { outputs: [result], kind: RESULT_ENTITY };
      let kind = RESULT_ARRAY;
      const list: EntityObject[] = [];
      if (Array.isArray(result)) {
        for (let i = 0; i < result.length; i++) {
          const v = result[i];
          if (isEntityObject(v)) list.push(v);
          else if (typeof v === 'object' && v !== null) kind = RESULT_NESTED;
        }
        if (kind === RESULT_NESTED) {
          list.length = 0;
          collectOutputs(result, list);
        }
      } else {
        kind = RESULT_NESTED;
        collectOutputs(result, list);
      }
      return list.length === 0 ? { outputs: NO_OUTPUTS, kind: RESULT_NONE } : { outputs: list, kind };
    } catch (error) {
      throw error instanceof AbstractionsError ? error : new ResultError(rec.name, error);
    }
  }

  /** What the caller receives: the result with each returned entity replaced by its stored result. */
  private storedResult(rec: FunctionRecord, result: unknown, kind: number, outputs: readonly EntityObject[], outs: readonly TransactionOutput[]): unknown {
    if (kind === RESULT_ENTITY) return outs[0].entity;
    if (kind === RESULT_NONE) return result;
    try {
      if (kind === RESULT_ARRAY) {
        const arr = result as unknown[];
        const copy = new Array<unknown>(arr.length);
        for (let i = 0, k = 0; i < arr.length; i++) copy[i] = isEntityObject(arr[i]) ? outs[k++].entity : arr[i];
        return copy;
      }
      const stored = new Map<EntityObject, EntityObject>();
      for (let i = 0; i < outs.length; i++) stored.set(outputs[i], outs[i].entity);
      return rebuildResult(result, stored);
    } catch (error) {
      throw new ResultError(rec.name, error);
    }
  }

  /** After a failure in or after the call: records it and returns `error`, for the caller to throw as it is. */
  private fail(call: RunningCall, error: unknown): unknown {
    // Configs built for this call were registered before it; a failed execution leaves nothing
    // but its record (SPEC §5), so they go again. The caller's own pre-call versions stay.
    withdrawBuiltConfigs(call.bound, call.registry);
    this.records.push(this.recordOf(call, { ok: false, error }));
    return error;
  }

  /**
   * The execution's record. Records live as long as the registry, so a record keeps exact-size
   * copies of the inputs it reports, not the binding context (with the function's argument
   * object) nor arrays grown by pushing.
   */
  private recordOf(call: RunningCall, outcome: ExecutionOutcome): FunctionExecution {
    const { bound } = call;
    const addresses = bound.addresses === null ? null : bound.addresses.map(({ argument, address }) => ({ argument, address }));
    const raw: RawInputs = { entities: bound.entities.slice(), entityPaths: bound.entityPaths.slice(), addresses, values: bound.values };
    return new FunctionExecution(call.executionId, call.functionName, raw, call.roots.slice(), call.startedAt, performance.now() - call.t0, outcome);
  }

  // ---- queries ---------------------------------------------------------------------------------

  private record(executionId: string): FunctionExecution | undefined {
    for (; this.indexed < this.records.length; this.indexed++) {
      const r = this.records[this.indexed];
      this.recordIndex.set(r.id, r);
    }
    return this.recordIndex.get(executionId);
  }

  /** Every execution record, oldest first. */
  executions(): FunctionExecution[] {
    return [...this.records];
  }

  /** The record of one execution, or undefined. */
  execution(executionId: string): FunctionExecution | undefined {
    return this.record(typeof executionId === 'string' ? executionId.toLowerCase() : executionId);
  }

  /**
   * The execution that produced an entity version (its `derivedFromExecutionId`), given the
   * stored entity or its ecsId. Undefined for versions no execution of this registry produced
   * (an `unchanged` output names the execution that produced it earlier, if any).
   */
  executionOf(entityOrEcsId: object | string): FunctionExecution | undefined {
    let e: EntityObject | undefined;
    if (typeof entityOrEcsId === 'string') e = this.entities.findStoredEntity<EntityObject>(entityOrEcsId);
    else if (isEntityObject(entityOrEcsId)) e = entityOrEcsId;
    if (e === undefined) return undefined;
    const id = metaOf(e).derivedFromExecutionId;
    return id === null ? undefined : this.record(id);
  }

  /** Names of the registered functions, in registration order. */
  names(): string[] {
    return [...this.functions.keys()];
  }

  /** Every function with its parameters and result as JSON Schema (untyped functions flagged `typed: false`). */
  list(): FunctionDescription[] {
    return [...this.functions.keys()].map((name) => describeFunction(name, this.lookup(name).plan.signature));
  }

  /**
   * One function's parameters and result as JSON Schema.
   * @throws UnknownFunctionError; SignatureRequiredError for a function without a signature.
   */
  describe(name: string): FunctionDescription {
    const sig = this.lookup(name).plan.signature;
    if (sig === null) throw new SignatureRequiredError(name, 'describe()');
    return describeFunction(name, sig);
  }

  /** Forgets every execution record (functions stay registered). */
  clearExecutions(): void {
    this.records = [];
    this.recordIndex.clear();
    this.indexed = 0;
  }

  /** Unregisters every function and forgets every execution record. */
  reset(): this {
    this.functions.clear();
    this.clearExecutions();
    return this;
  }

  // ---- static facade over the default registry ----------------------------------------------

  static register<A, R>(name: string, fn: (args: A) => R, signature?: SignatureSpec): RegisteredFunction<A, R> {
    return CallableRegistry.current.register(name, fn, signature);
  }
  static has(name: string): boolean {
    return CallableRegistry.current.has(name);
  }
  static execute<N extends keyof FunctionSignatures & string>(name: N, args: ArgsOf<N>): ResultOf<N>;
  static execute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): R;
  static execute(name: string, args?: Record<string, unknown>): unknown {
    return CallableRegistry.current.execute(name, args);
  }
  static aexecute<N extends keyof FunctionSignatures & string>(name: N, args: ArgsOf<N>): Promise<ResultOf<N>>;
  static aexecute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): Promise<R>;
  static aexecute(name: string, args?: Record<string, unknown>): Promise<unknown> {
    return CallableRegistry.current.aexecute(name, args);
  }
  static executions(): FunctionExecution[] {
    return CallableRegistry.current.executions();
  }
  static execution(executionId: string): FunctionExecution | undefined {
    return CallableRegistry.current.execution(executionId);
  }
  static executionOf(entityOrEcsId: object | string): FunctionExecution | undefined {
    return CallableRegistry.current.executionOf(entityOrEcsId);
  }
  static list(): FunctionDescription[] {
    return CallableRegistry.current.list();
  }
  static describe(name: string): FunctionDescription {
    return CallableRegistry.current.describe(name);
  }
  static names(): string[] {
    return CallableRegistry.current.names();
  }
  static signatureOf(name: string): FunctionSignature | null {
    return CallableRegistry.current.signatureOf(name);
  }
  static clearExecutions(): void {
    CallableRegistry.current.clearExecutions();
  }
  /** Clears the default registry (functions and records) and returns it. */
  static reset(): CallableRegistry {
    return CallableRegistry.current.reset();
  }
}

/** Options of the `@callable()` decorator. */
export interface CallableOptions {
  /** The registered name (default: the method's name). */
  readonly name?: string;
  readonly signature?: SignatureSpec;
  /** Where to register (default: `CallableRegistry.default` at decoration time). */
  readonly registry?: CallableRegistry;
}

/**
 * Registers a static method as a callable function (`this` is the class):
 * ```ts
 * class Grades {
 *   @callable('update_gpa', { params: { student: Student, newGpa: Number }, returns: Student })
 *   static updateGpa({ student, newGpa }: { student: Student; newGpa: number }) { ... }
 * }
 * ```
 * Works with TypeScript's `experimentalDecorators` and with standard decorators.
 */
export function callable(nameOrOptions?: string | CallableOptions, signature?: SignatureSpec) {
  const options: CallableOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions, signature } : { signature, ...nameOrOptions };
  return function callableDecorator(target: unknown, key: unknown, descriptor?: PropertyDescriptor): void {
    const registry = options.registry ?? CallableRegistry.default;
    // Standard decorators: (method, context).
    if (typeof key === 'object' && key !== null && 'kind' in key) {
      const context = key as { kind: string; name: string | symbol; static: boolean; addInitializer(init: (this: unknown) => void): void };
      const name = options.name ?? String(context.name);
      if (context.kind !== 'method' || !context.static) {
        throw new RegistrationError(name, '@callable() decorates static methods');
      }
      const method = target as AnyFunction;
      context.addInitializer(function (this: unknown) {
        registry.register(name, method.bind(this), options.signature);
      });
      return;
    }
    // experimentalDecorators: (class, propertyKey, descriptor) for a static method.
    const name = options.name ?? String(key);
    if (typeof target !== 'function' || descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new RegistrationError(name, '@callable() decorates static methods');
    }
    registry.register(name, (descriptor.value as AnyFunction).bind(target), options.signature);
  };
}
