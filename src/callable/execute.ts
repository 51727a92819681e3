/**
 * One execution of a registered function (SPEC §5), front to back. Each step hands plain data to
 * the next; the file of each step is named beside it.
 *
 *   1. bind            `bindArguments` (bind-arguments.ts), run by `CallableRegistry` before the
 *                      `function.execute` event starts: no side effects, an error leaves nothing.
 *   2. prepare inputs  `prepareInputs` (prepare-inputs.ts) -> `PreparedInputs`: working trees
 *                      versioned, orphans and configs built for the call registered.
 *   3. draft           `new Draft(versions)` (store/draft.ts): copy-on-write over the inputs.
 *   4. call            `draft.run(fn)` / `draft.runAsync(fn)`.
 *   5. read result     `readResult` (result-shape.ts): return type checked, entities found.
 *   6. detect changes  `changesOfInputs` (store/input-trees.ts, diff/draft-diff.ts) -> `InputTree[]`.
 *   7. plan outputs    `planOutputs` (store/output-plan.ts) -> `OutputPlan`: where each returned
 *                      entity is stored and with which identity, decided once.
 *   8. fork and freeze `prepareExecution` (store/commit-execution.ts, store/persist.ts) ->
 *                      `PreparedExecution`: new stored versions, nothing visible yet.
 *   9. record          `storedResult` (result-shape.ts) and the `FunctionExecution` record.
 *  10. index           `publishExecution`: the versions become visible (cannot fail); the
 *                      registry's history store (if any) queues each commit for writing.
 *  11. keep            the record joins the registry's records (and the store's queue).
 *  12. emit            `announceExecution`: `entity.*` events (never throws); the caller's
 *                      `function.execute` completion reads the record it was handed.
 *
 * Any throw in steps 2-9 reaches the caller as it is, and only a failed record is kept (from
 * step 4 on); nothing of the execution is visible: configs registered for it in step 2 are
 * withdrawn (they are registered before the call because the function may pass them on to a
 * nested call, which must find them). The draft is the one place where a lower
 * layer calls up: stored objects' field accessors read and write through it (`DraftAccess`).
 *
 * This is the benchmark's hot path: a stored-entity argument costs a few map lookups, and
 * nothing walks or copies trees.
 */
import { performance } from 'node:perf_hooks';
import { isEntityObject, type EntityObject } from '../metadata/object-model';
import type { EntityRegistry } from '../store/entity-registry';
import { Draft } from '../store/draft';
import { changesOfInputs } from '../store/input-trees';
import { planOutputs } from '../store/output-plan';
import { announceExecution, prepareExecution, publishExecution } from '../store/commit-execution';
import type { Provenance } from '../store/persist';
import type { RootVersion } from '../store/root-version';
import type { BindingPlan } from './binding-plan';
import type { AddressUse, BoundCall } from './bound-call';
import { isThenable as isPromiseLike } from '../events/thenable';
import { AsyncFunctionError } from './errors';
import { FunctionExecution, type ExecutionOutcome, type RawInputs } from './execution-record';
import { handOutInputs, prepareInputs, withdrawConfigs, type PreparedInputs } from './prepare-inputs';
import { attributeSources, readResult, storedResult } from './result-shape';

/** A registered function's implementation, whatever its argument type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the function's own argument type
export type AnyFunction = (args: any) => unknown;

/** One execution after binding: what it runs, on what, and where its record goes. */
export interface Execution extends Provenance {
  readonly functionName: string;
  readonly executionId: string;
  readonly fn: AnyFunction;
  readonly plan: BindingPlan;
  readonly bound: BoundCall;
  readonly registry: EntityRegistry;
  /** The registry's records: the execution's record is pushed here. */
  readonly records: FunctionExecution[];
  /** The record, once kept (the `function.execute` completion reads it). */
  record: FunctionExecution | null;
  /**
   * Checked once the input trees are prepared, before the call (`expect: 'latest'`): a throw
   * fails the execution, keeping its failed record.
   */
  precondition?: (versions: readonly RootVersion[]) => void;
}

/** An execution whose inputs are prepared and drafted (steps 2-3), ready for the call. */
interface Started {
  readonly inputs: PreparedInputs;
  readonly draft: Draft;
  /** The entities the function receives (`bound.entities` keeps the stored versions, for the record). */
  readonly handed: readonly EntityObject[];
  /** Milliseconds since the epoch when the function was called. */
  readonly startedAt: number;
  /** `performance.now()` at the same moment (for the duration). */
  readonly t0: number;
  /** Set inside the call when addresses were used and a returned entity holds values read through them. */
  sources: Map<EntityObject, Record<string, string | null>> | undefined;
}

/** Runs a synchronous function; returns its stored result. */
export function executeSync(x: Execution): unknown {
  const s = start(x);
  let result: unknown;
  try {
    const { fn } = x;
    const { args, addresses } = x.bound;
    if (addresses === null) {
      result = s.draft.run(() => fn(args));
    } else {
      result = s.draft.run(() => {
        const r = fn(args);
        if (!isThenable(r)) s.sources = attributeSources(x.functionName, r, addresses);
        return r;
      });
    }
    if (isThenable(result)) {
      // The function ran and returned a promise: too late to await it here. Its work is dropped.
      Promise.resolve(result).then(undefined, () => undefined);
      throw new AsyncFunctionError(x.functionName, true);
    }
  } catch (error) {
    throw fail(x, s, error);
  }
  return complete(x, s, result);
}

/** Runs an async (or sync) function, awaiting it inside the draft; resolves to its stored result. */
export async function executeAsync(x: Execution): Promise<unknown> {
  const s = start(x);
  let result: unknown;
  try {
    x.precondition?.(s.inputs.versions);
    const { fn } = x;
    const { args, addresses } = x.bound;
    result = await s.draft.runAsync(async () => {
      const r = await fn(args);
      if (addresses !== null) s.sources = attributeSources(x.functionName, r, addresses);
      return r;
    });
  } catch (error) {
    throw fail(x, s, error);
  }
  return complete(x, s, result);
}

/** Steps 2-3: the input trees prepared and drafted. A throw here leaves no record. */
function start(x: Execution): Started {
  x.registry.checkWritable();
  const inputs = prepareInputs(x.plan, x.bound, x.registry);
  const draft = new Draft(inputs.versions);
  const handed =
    draft.copied.length === 0
      ? x.bound.entities
      : handOutInputs(x.bound, inputs.inputOf, (e, input) => draft.handedOut(e, input));
  return { inputs, draft, handed, startedAt: Date.now(), t0: performance.now(), sources: undefined };
}

/** Steps 5-12, after the function returned. */
function complete(x: Execution, s: Started, result: unknown): unknown {
  const { registry } = x;
  let value: unknown;
  let record: FunctionExecution;
  let prepared: ReturnType<typeof prepareExecution>;
  try {
    const read = readResult(x.functionName, x.plan.signature?.returns ?? null, result);
    const trees = changesOfInputs(s.draft, registry, x);
    const plan = planOutputs(trees, s.draft, registry, read.outputs, {
      handed: s.handed,
      multiple: read.shape === 'array' || read.shape === 'nested',
      attributeSource: s.sources,
    });
    prepared = prepareExecution(registry, s.draft, trees, plan, x);
    value = storedResult(x.functionName, result, read, prepared.outputs);
    record = recordOf(x, s, {
      ok: true,
      outputs: prepared.outputs,
      versions: prepared.versions.slice(),
      result: value,
    });
  } catch (error) {
    throw fail(x, s, error);
  }
  // Plain bookkeeping from here on: nothing can fail between the versions and their record.
  publishExecution(registry, prepared);
  keep(x, record);
  announceExecution(registry, prepared);
  registry.operationEnded();
  return value;
}

/** After a failure in or after the call: keeps the failed record and returns `error`, for the caller to throw as it is. */
function fail(x: Execution, s: Started, error: unknown): unknown {
  withdrawConfigs(x.registry, s.inputs.configs);
  keep(x, recordOf(x, s, { ok: false, error }));
  try {
    x.registry.operationEnded();
  } catch {
    // A store that cannot write its record is in fail-stop now (its errors$ says so); the
    // caller gets the execution's own error.
  }
  return error;
}

function keep(x: Execution, record: FunctionExecution): void {
  x.records.push(record);
  x.record = record;
  x.registry.keepRecord(record);
}

/**
 * The execution's record. Records live as long as the registry, so a record keeps exact-size
 * copies of the inputs it reports, not the binding context (with the function's argument
 * object) nor arrays grown by pushing.
 */
function recordOf(x: Execution, s: Started, outcome: ExecutionOutcome): FunctionExecution {
  const { bound } = x;
  const addresses = bound.addresses === null ? null : bound.addresses.map(toRecordedAddress);
  const raw: RawInputs = {
    entities: bound.entities.slice(),
    entityPaths: bound.entityPaths.slice(),
    addresses,
    values: bound.values,
  };
  return new FunctionExecution(
    x.executionId,
    x.functionName,
    raw,
    s.inputs.versions.slice(), // exact size: a pushed-to array keeps spare capacity, and records live long
    s.startedAt,
    performance.now() - s.t0,
    outcome,
  );
}

function toRecordedAddress({ argument, address }: AddressUse): { argument: string; address: string } {
  return { argument, address };
}

/** A promise-like result (an entity with a `then` field is a result, not a promise: not even read). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return !isEntityObject(value) && isPromiseLike(value);
}
