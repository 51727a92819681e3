/**
 * `FunctionExecution` (SPEC §5): the record every execution that reaches the function leaves,
 * successful or failed. Frozen once created.
 *
 * Records are made on the hot path of every execution and kept, so a record holds the raw
 * parts the execution produced anyway (the stored inputs, the commit's outputs and versions) and
 * builds its id lists and input maps on first read (then keeps them). Reads look like plain
 * frozen data; `toJSON()` gives a plain object.
 */
import { metaOf, type EntityObject } from '../metadata/object-model';
import { setOwn } from '../metadata/values';
import type { RootVersion } from '../store/root-version';
import type { ExecutionOutput } from '../store/commit-execution';
import type { OutputSemantic } from '../store/output-plan';

export type { OutputSemantic };

export type ExecutionStatus = 'succeeded' | 'failed';

/** What the function received. */
export interface ExecutionInputs {
  /** Argument position (`student`, `students[1]`, `options`) -> ecsId of the stored entity version passed. */
  readonly entities: Readonly<Record<string, string>>;
  /** Argument position -> the address given there (canonical form). */
  readonly addresses: Readonly<Record<string, string>>;
  /** Top-level arguments holding no entity -> frozen copies of the values the function received. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Root ecsIds of the input trees (the stored versions the function's changes are based on). */
  readonly rootIds: readonly string[];
}

/** A failure, as recorded (the error object itself reached the caller). */
export interface ExecutionError {
  readonly name: string;
  readonly message: string;
}

/** The raw inputs of a record (what argument binding produced). */
export interface RawInputs {
  /** Stored entity versions the function received, with their argument positions. */
  readonly entities: readonly EntityObject[];
  readonly entityPaths: readonly string[];
  /** Addresses met, with their argument positions (null: none). */
  readonly addresses: ReadonlyArray<{ readonly argument: string; readonly address: string }> | null;
  /** Frozen copies of the top-level arguments that hold no entity. */
  readonly values: Record<string, unknown>;
}

const NONE: readonly never[] = Object.freeze([]);

/** A record as a history store gives it back (see `FunctionExecution.restored`). */
export interface RestoredExecution {
  readonly id: string;
  readonly functionName: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly inputs: ExecutionInputs;
  readonly outputIds: readonly string[];
  readonly semantics: readonly OutputSemantic[];
  readonly versionIds: readonly string[];
  readonly result: unknown;
  /** null for a succeeded execution. */
  readonly error: ExecutionError | null;
}

/** The raw inputs of a restored record: its inputs are given as they were stored. */
const NO_RAW: RawInputs = Object.freeze({ entities: [], entityPaths: [], addresses: null, values: {} });

/** How an execution ended, as its record takes it. */
export type ExecutionOutcome =
  | {
      readonly ok: true;
      readonly outputs: readonly ExecutionOutput[];
      readonly versions: readonly RootVersion[];
      readonly result: unknown;
    }
  | { readonly ok: false; readonly error: unknown }
  /** A failure as a history store kept it: already described. */
  | { readonly ok: false; readonly described: ExecutionError };
const NO_ADDRESSES: Readonly<Record<string, string>> = Object.freeze({});

/** Error -> `{ name, message }` (non-Error throws: `typeof` and `String()`). */
function describeError(error: unknown): ExecutionError {
  // Whatever was thrown is recorded: an error whose properties cannot be read is named as such.
  try {
    if (error instanceof Error) return Object.freeze({ name: String(error.name), message: String(error.message) });
    return Object.freeze({ name: typeof error, message: String(error) });
  } catch {
    return Object.freeze({ name: typeof error, message: '(the error could not be read)' });
  }
}

export class FunctionExecution {
  /** Lower-case UUID; every version this execution produced has it as `derivedFromExecutionId`. */
  readonly id: string;
  readonly functionName: string;
  readonly status: ExecutionStatus;
  /** What the caller received: stored entities (or an array of them) or the non-entity result as returned. */
  readonly result: unknown;
  readonly error: ExecutionError | null;
  /** Milliseconds since the epoch when the function was called. */
  readonly startedAt: number;
  /** Milliseconds (fractional) from the call to the end of the commit (or the failure). */
  readonly durationMs: number;

  readonly #raw: RawInputs;
  readonly #inputVersions: readonly RootVersion[];
  readonly #outputs: readonly ExecutionOutput[];
  readonly #versions: readonly RootVersion[];
  // Built on first read (private fields stay writable on a frozen object).
  #inputs: ExecutionInputs | undefined;
  #outputIds: readonly string[] | undefined;
  #semantics: readonly OutputSemantic[] | undefined;
  #versionIds: readonly string[] | undefined;

  /** @internal Records are created by `CallableRegistry`. */
  constructor(
    id: string,
    functionName: string,
    raw: RawInputs,
    inputVersions: readonly RootVersion[],
    startedAt: number,
    durationMs: number,
    outcome: ExecutionOutcome,
  ) {
    this.id = id;
    this.functionName = functionName;
    this.startedAt = startedAt;
    this.durationMs = durationMs;
    this.#raw = raw;
    this.#inputVersions = inputVersions;
    if (outcome.ok) {
      this.status = 'succeeded';
      this.result = outcome.result;
      this.error = null;
      this.#outputs = outcome.outputs;
      this.#versions = outcome.versions;
    } else {
      this.status = 'failed';
      this.result = undefined;
      this.error = 'described' in outcome ? Object.freeze({ ...outcome.described }) : describeError(outcome.error);
      this.#outputs = NONE;
      this.#versions = NONE;
    }
    Object.freeze(this);
  }

  /**
   * @internal A record read back from a history store: its lists as they were stored (the
   * durable layer decodes the row; stored entities in `result` are the registry's own).
   */
  static restored(data: RestoredExecution): FunctionExecution {
    const outcome: ExecutionOutcome =
      data.error === null
        ? { ok: true, outputs: NONE, versions: NONE, result: data.result }
        : { ok: false, described: data.error };
    const r = new FunctionExecution(data.id, data.functionName, NO_RAW, NONE, data.startedAt, data.durationMs, outcome);
    r.#inputs = Object.freeze({ ...data.inputs });
    r.#outputIds = Object.freeze([...data.outputIds]);
    r.#semantics = Object.freeze([...data.semantics]);
    r.#versionIds = Object.freeze([...data.versionIds]);
    return r;
  }

  /** What the function received: entity versions, addresses, plain values, input tree roots. */
  get inputs(): ExecutionInputs {
    return (this.#inputs ??= this.#readInputs());
  }

  /** ecsIds of the stored entities returned, in order (empty for a non-entity result or a failure). */
  get outputIds(): readonly string[] {
    return (this.#outputIds ??= this.#readOutputIds());
  }

  /** Per output (same order as `outputIds`): mutation, creation, detachment or unchanged. */
  get semantics(): readonly OutputSemantic[] {
    return (this.#semantics ??= this.#readSemantics());
  }

  /** Root ecsIds of every version this execution created (input trees changed, new roots). */
  get versionIds(): readonly string[] {
    return (this.#versionIds ??= this.#readVersionIds());
  }

  #readInputs(): ExecutionInputs {
    const raw = this.#raw;
    const entities: Record<string, string> = {};
    for (let i = 0; i < raw.entities.length; i++) setOwn(entities, raw.entityPaths[i], metaOf(raw.entities[i]).ecsId);
    let addresses = NO_ADDRESSES;
    if (raw.addresses !== null) {
      const a: Record<string, string> = {};
      for (const u of raw.addresses) setOwn(a, u.argument, u.address);
      addresses = Object.freeze(a);
    }
    return Object.freeze({
      entities: Object.freeze(entities),
      addresses,
      values: Object.freeze(raw.values),
      rootIds: Object.freeze(this.#inputVersions.map((v) => v.ecsId)),
    });
  }

  #readOutputIds(): readonly string[] {
    return Object.freeze(this.#outputs.map((o) => metaOf(o.entity).ecsId));
  }

  #readSemantics(): readonly OutputSemantic[] {
    return Object.freeze(this.#outputs.map((o) => o.semantic));
  }

  #readVersionIds(): readonly string[] {
    return Object.freeze(this.#versions.map((v) => v.ecsId));
  }

  /**
   * @internal `toJSON()` without keeping what it builds: a history store writes every record, and
   * the lists a record builds on first read would otherwise stay with it for good (~450 B each).
   */
  toStoredJSON(): Record<string, unknown> {
    return this.#json(
      this.#inputs ?? this.#readInputs(),
      this.#outputIds ?? this.#readOutputIds(),
      this.#semantics ?? this.#readSemantics(),
      this.#versionIds ?? this.#readVersionIds(),
    );
  }

  /** A plain object of the record (for logs, JSON, comparisons). */
  toJSON(): Record<string, unknown> {
    return this.#json(this.inputs, this.outputIds, this.semantics, this.versionIds);
  }

  #json(
    inputs: ExecutionInputs,
    outputIds: readonly string[],
    semantics: readonly OutputSemantic[],
    versionIds: readonly string[],
  ): Record<string, unknown> {
    return {
      id: this.id,
      functionName: this.functionName,
      inputs,
      outputIds,
      semantics,
      versionIds,
      result: this.result,
      status: this.status,
      error: this.error,
      startedAt: this.startedAt,
      durationMs: this.durationMs,
    };
  }
}
