/**
 * `CallableRegistry` (SPEC §5): the registry of callable functions — registration (with binding
 * plans compiled once), lookup, execution records and queries, and the static facade over the
 * default registry. What one execution does, step by step, is in `execute.ts`.
 */
import { checkLatest, expectsLatest } from './expect-latest';
import type { LockHeads } from '../store/history-store';
import { metaOf, isEntityObject, type EntityObject } from '../metadata/object-model';
import { EntityRegistry } from '../store/entity-registry';
import { events as defaultBus } from '../events/default-bus';
import type { EventBus } from '../events/event-bus';
import { runOperation, type OperationSpec } from '../events/operation';
import type { FunctionExecuteMetadata, FunctionExecuteStartMetadata } from '../events/framework-events';
import { newId } from '../util/ids';
import { AbstractionsError, errorText } from '../errors';
import { describeValue } from '../metadata/describe-value';
import { bindArguments } from './bind-arguments';
import { compileBindingPlan, type BindingPlan } from './binding-plan';
import type { BoundCall } from './bound-call';
import { AsyncFunctionError, RegistrationError, SignatureRequiredError, UnknownFunctionError } from './errors';
import { executeAsync, executeSync, type AnyFunction, type Execution } from './execute';
import type { FunctionExecution } from './execution-record';
import { describeFunction, type FunctionDescription } from './json-schema';
import {
  compileSignature,
  type ArgsParams,
  type CallParams,
  type FunctionSignature,
  type FunctionSignatures,
  type ResultOf,
  type SignatureSpec,
  type UntypedName,
} from './signatures';
import { generatedSignatureOf, generatedSignaturesGeneration } from './generated-signatures';

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

/** Options of `aexecute`. */
export interface ExecuteOptions {
  /**
   * `'latest'`: a compare-and-set (SPEC §13). Every input tree must be its lineage's latest
   * version (or a working copy of it) when the call starts, and on a shared store the heads stay
   * locked until the result is written, so no other process moves them meanwhile. Otherwise the
   * call fails with `StaleVersionError` naming the current head, and only its failed record is kept.
   * Default: none (two calls on one version both succeed: a branch, SPEC §4).
   */
  readonly expect?: 'latest';
}

/**
 * A registered function, typed by its implementation: `execute(args)` takes the arguments the
 * implementation declares (see {@link CallArgs}), so a misspelled, missing or mistyped argument
 * is a compile error, and returns its result type. `untyped` calls it with arguments the compiler
 * does not check (built at run time, say); the run-time checks of its signature still apply.
 */
export interface RegisteredFunction<A, R> {
  readonly name: string;
  execute(...args: CallParams<A>): Awaited<R>;
  aexecute(...args: CallParams<A, [options?: ExecuteOptions]>): Promise<Awaited<R>>;
  readonly untyped: {
    execute(args?: Record<string, unknown>): Awaited<R>;
    aexecute(args?: Record<string, unknown>, options?: ExecuteOptions): Promise<Awaited<R>>;
  };
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
/**
 * How many records on registries with a durable store stay in memory (at least; at most twice).
 * A record holds what its call returned (a version's root, say): a few, not a history's worth.
 */
const RECENT_RECORDS = 1_000;

export class CallableRegistry {
  private static current: CallableRegistry = new CallableRegistry();

  private readonly functions = new Map<string, FunctionRecord>();
  /** Every execution record on a registry without a durable store, oldest first. */
  private readonly records: FunctionExecution[] = [];
  /**
   * The latest records on registries with a durable store, oldest first: a bounded ring (SPEC
   * §12), older ones are read back from the store when asked for.
   */
  private readonly recent: FunctionExecution[] = [];
  /** Records `clearExecutions()` forgot that a durable store still holds: not listed again. */
  private readonly forgotten = new Set<string>();
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
    if (typeof name !== 'string' || name.length === 0)
      throw new RegistrationError(describeValue(name), 'the name must be a non-empty string');
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
    // The typed and the untyped calls are the same functions: the types differ, not the call.
    const execute = (args?: Record<string, unknown>) => this.execute<Awaited<R>>(name, args);
    const aexecute = (args?: Record<string, unknown>, options?: ExecuteOptions) =>
      this.aexecute<Awaited<R>>(name, args, options);
    return { name, execute, aexecute, untyped: { execute, aexecute } } as RegisteredFunction<A, R>;
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

  /**
   * The signature in use for a registered function (explicit, else generated), or null when it
   * has none (its arguments are then recognised by value).
   * @throws UnknownFunctionError when no function has this name (null would read as "registered
   * without a signature", SPEC §5); `has(name)` asks first.
   */
  signatureOf(name: string): FunctionSignature | null {
    return this.lookup(name).plan.signature;
  }

  // ---- execution ------------------------------------------------------------------------------

  /**
   * Runs a synchronous registered function and returns its stored result: one entity, an array
   * of entities in order, or a non-entity result as it was returned.
   *
   * Typed by name when `FunctionSignatures` declares the function (the generated file does):
   * wrong or missing arguments are compile errors and the result has its type. Once it declares
   * any function, a literal name it does not declare (a misspelling) is a compile error too; to
   * call such a function on purpose, name the result type: `execute<Student>('name', args)`
   * (arguments unchecked at compile time, as for every name without generated signatures).
   * @throws UnknownFunctionError, ArgumentError, address errors, AsyncFunctionError,
   * ReturnTypeError, and whatever the function throws (the same error object).
   */
  execute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): R;
  execute<N extends keyof FunctionSignatures & string>(name: N, ...args: ArgsParams<N>): ResultOf<N>;
  execute(name: string, args?: Record<string, unknown>): unknown {
    const rec = this.lookup(name);
    if (rec.isAsync) throw new AsyncFunctionError(name);
    const registry = this.entities;
    const bound = bindArguments(rec.plan, args, registry);
    const x = this.newExecution(rec, bound, registry);
    if (!this.bus.isObserved) return executeSync(x);
    return this.observed(x, () => executeSync(x));
  }

  /**
   * Runs a registered function, sync or async, and resolves to its stored result. Concurrent
   * executions are isolated; two started from the same version both succeed (a branch). Typed
   * by name as `execute` is.
   */
  aexecute<R = unknown, N extends string = string>(
    name: N & UntypedName<N>,
    args?: Record<string, unknown>,
    options?: ExecuteOptions,
  ): Promise<R>;
  aexecute<N extends keyof FunctionSignatures & string>(
    name: N,
    ...args: ArgsParams<N, [options?: ExecuteOptions]>
  ): Promise<ResultOf<N>>;
  async aexecute(name: string, args?: Record<string, unknown>, options?: ExecuteOptions): Promise<unknown> {
    const conditional = expectsLatest(name, options);
    const rec = this.lookup(name);
    const registry = this.entities;
    const run = (lockHeads?: LockHeads): Promise<unknown> => {
      const bound = bindArguments(rec.plan, args, registry);
      const x = this.newExecution(rec, bound, registry);
      if (lockHeads !== undefined) x.precondition = (versions) => checkLatest(versions, lockHeads);
      return this.bus.isObserved ? this.observed(x, () => executeAsync(x)) : executeAsync(x);
    };
    const result = await (conditional ? registry.conditionally(run) : run());
    await registry.acknowledged(); // a `durable` store: resolve only once the rows are fsynced
    return result;
  }

  /** One execution of `rec` after binding (see execute.ts). */
  private newExecution(rec: FunctionRecord, bound: BoundCall, registry: EntityRegistry): Execution {
    const { name: functionName, fn, plan } = rec;
    let records = this.records;
    if (registry.keepsRecords) {
      records = this.recent;
      // Trimmed in halves, so a call costs a push and the ring never holds more than twice its size.
      if (records.length >= 2 * RECENT_RECORDS) records.splice(0, records.length - RECENT_RECORDS);
    }
    return { functionName, executionId: newId(), fn, plan, bound, registry, records, record: null };
  }

  // ===== EVENTS: function.execute — the one place it is emitted (SPEC §7) =====================
  /**
   * Runs one execution (after argument binding) as the `function.execute` operation: a `started`
   * event, then `completed` (execution id, inputs, outputs, semantics, versions, duration) or
   * `failed`. Only called when the bus is observed; otherwise `execute` runs the body directly
   * and builds no event at all. Events nested in the call (pre-call versioning, commits,
   * handlers) are parented to the start event.
   */
  private observed<T>(x: Execution, body: () => T): T {
    return runOperation(
      this.bus,
      (): OperationSpec => ({
        type: 'function.execute',
        subjectType: 'function',
        subjectId: x.functionName,
        metadata: {
          executionId: x.executionId,
          functionName: x.functionName,
        } satisfies FunctionExecuteStartMetadata,
      }),
      body,
      () => {
        const r = x.record;
        if (r === null) return {};
        return {
          inputs: r.inputs.entities,
          inputRootIds: r.inputs.rootIds,
          outputIds: r.outputIds,
          semantics: r.semantics,
          versionIds: r.versionIds,
          durationMs: r.durationMs,
        } satisfies Omit<FunctionExecuteMetadata, keyof FunctionExecuteStartMetadata>;
      },
    );
  }

  // ---- queries ---------------------------------------------------------------------------------

  private record(executionId: string): FunctionExecution | undefined {
    for (; this.indexed < this.records.length; this.indexed++) {
      const r = this.records[this.indexed];
      this.recordIndex.set(r.id, r);
    }
    const own = this.recordIndex.get(executionId);
    if (own !== undefined) return own;
    for (let i = this.recent.length - 1; i >= 0; i--) if (this.recent[i].id === executionId) return this.recent[i];
    // Records of earlier processes, and older ones of this one, come back from the history store.
    return this.entities.storedRecord(executionId) as FunctionExecution | undefined;
  }

  /** Every execution record, oldest first. */
  executions(): FunctionExecution[] {
    let stored = this.entities.storedRecords() as readonly FunctionExecution[];
    const forgotten = this.forgotten;
    if (forgotten.size > 0) stored = stored.filter((r) => !forgotten.has(r.id));
    if (stored.length === 0) return [...this.records, ...this.recent];
    // A durable store holds this process's records too (once written): each listed once, as the
    // record this registry made where it still holds it.
    const own = new Map<string, FunctionExecution>();
    for (const r of this.records) own.set(r.id, r);
    for (const r of this.recent) own.set(r.id, r);
    const out = stored.map((r) => {
      const mine = own.get(r.id);
      if (mine === undefined) return r;
      own.delete(r.id);
      return mine;
    });
    for (const r of own.values()) out.push(r);
    return out;
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

  /** Forgets every execution record this registry made (functions stay registered); a store's records of earlier processes stay. */
  clearExecutions(): void {
    for (const r of this.records) this.forgotten.add(r.id);
    for (const r of this.recent) this.forgotten.add(r.id);
    this.records.length = 0;
    this.recent.length = 0;
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
  static execute<R = unknown, N extends string = string>(name: N & UntypedName<N>, args?: Record<string, unknown>): R;
  static execute<N extends keyof FunctionSignatures & string>(name: N, ...args: ArgsParams<N>): ResultOf<N>;
  static execute(name: string, args?: Record<string, unknown>): unknown {
    return CallableRegistry.current.execute(name, args);
  }
  static aexecute<R = unknown, N extends string = string>(
    name: N & UntypedName<N>,
    args?: Record<string, unknown>,
    options?: ExecuteOptions,
  ): Promise<R>;
  static aexecute<N extends keyof FunctionSignatures & string>(
    name: N,
    ...args: ArgsParams<N, [options?: ExecuteOptions]>
  ): Promise<ResultOf<N>>;
  static aexecute(name: string, args?: Record<string, unknown>, options?: ExecuteOptions): Promise<unknown> {
    return CallableRegistry.current.aexecute(name, args, options);
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
