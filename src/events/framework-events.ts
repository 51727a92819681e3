/**
 * The events the framework emits itself (SPEC §7), and what each carries in `metadata`, by type
 * and phase. `on('function.execute', handler)` and `ofPattern('function.execute')` give the
 * handler these types (`FrameworkEvent<'function.execute'>`); any other type name, a glob or a
 * predicate gives a plain `Event`.
 *
 * An operation's events (`started`, then `completed` or `failed`) carry the start metadata in
 * every phase; `completed` adds what the operation produced. Metadata holds ids, never entities.
 * An event relayed from another process (`origin: 'remote'`) carries the same keys, read back
 * from JSON (`$unserialisable` instead when its metadata had no JSON form).
 */
import type { Event, EventError, EventPhase } from './event';

/** How a function's output was stored: in a changed input tree, as a new root, detached, or not at all. */
export type OutputSemantic = 'mutation' | 'creation' | 'detachment' | 'unchanged';

/** `entity.promote` completed: `promoteToRoot` stored (or found) this version. */
export type EntityPromoteMetadata = {
  /** The version's ecsId (its root's). */
  readonly rootEcsId: string;
  readonly lineageId: string;
};

/** `entity.register` completed: a first version of a lineage was stored (by `promoteToRoot` or a function's new root). */
export type EntityRegisterMetadata = {
  readonly rootEcsId: string;
  readonly lineageId: string;
  /** How many entities the version stored. */
  readonly entityCount: number;
};

/** `entity.version` completed: `version()` or a registered function changed a tree. */
export type EntityVersionMetadata = {
  /** Whether a version was created (`version()` of an unchanged tree creates none). */
  readonly created: boolean;
  /** The new version's ecsId (the old one's when nothing was created). */
  readonly rootEcsId: string;
  /** Old ecsId → new ecsId of every entity that forked. */
  readonly idMap: Readonly<Record<string, string>>;
  /** Old ecsId → names of the fields that changed on that entity. */
  readonly changedFields: Readonly<Record<string, readonly string[]>>;
};

/** `entity.detach` completed: the detached entity is the root of a version of its own. */
export type EntityDetachMetadata = {
  readonly rootEcsId: string;
  /** Its ecsId inside the tree it left. */
  readonly previousEcsId: string | null;
};

/** `entity.attach`, every phase: the root of the tree the entity was put into. */
export type EntityAttachStartMetadata = {
  readonly parentEcsId: string;
};

/** `entity.attach` completed: the new version of that tree. */
export type EntityAttachMetadata = EntityAttachStartMetadata & {
  readonly rootEcsId: string;
  readonly created: boolean;
};

/** `function.execute`, every phase: which execution of which function. */
export type FunctionExecuteStartMetadata = {
  /** The execution record's id (`CallableRegistry.execution(id)`; `derivedFromExecutionId` of what it produced). */
  readonly executionId: string;
  /** The name the function is registered under. */
  readonly functionName: string;
};

/** `function.execute` completed: what the execution record (`FunctionExecution`) says. */
export type FunctionExecuteMetadata = FunctionExecuteStartMetadata & {
  /** Argument position (`student`, `students[1]`) → ecsId of the stored entity version passed. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Root ecsIds of the input trees (the versions the function's changes are based on). */
  readonly inputRootIds: readonly string[];
  /** ecsIds of the stored entities returned, in order (empty for a result that holds no entity). */
  readonly outputIds: readonly string[];
  /** Per output, in the order of `outputIds`. */
  readonly semantics: readonly OutputSemantic[];
  /** Root ecsIds of every version the execution created. */
  readonly versionIds: readonly string[];
  /** Milliseconds from the call to the end of the commit (the record's). */
  readonly durationMs: number;
};

/** `lineage.branch` (one-shot): a shared store wrote a version on a parent that was no longer the lineage's head (SPEC §13). */
export type LineageBranchMetadata = {
  readonly lineageId: string;
  /** The version written. */
  readonly ecsId: string;
  readonly parentEcsId: string | null;
  /** The head it did not build on. */
  readonly replacedHead: string;
};

/** Metadata of a phase that carries none. */
export type NoMetadata = Readonly<Record<never, never>>;

/** Each framework event type, by phase, with its metadata. */
export interface FrameworkEventPhases {
  'entity.promote': { started: NoMetadata; completed: EntityPromoteMetadata; failed: NoMetadata };
  'entity.register': { started: NoMetadata; completed: EntityRegisterMetadata };
  'entity.version': { started: NoMetadata; completed: EntityVersionMetadata; failed: NoMetadata };
  'entity.detach': { started: NoMetadata; completed: EntityDetachMetadata; failed: NoMetadata };
  'entity.attach': {
    started: EntityAttachStartMetadata;
    completed: EntityAttachMetadata;
    failed: EntityAttachStartMetadata;
  };
  'function.execute': {
    started: FunctionExecuteStartMetadata;
    completed: FunctionExecuteMetadata;
    failed: FunctionExecuteStartMetadata;
  };
  'lineage.branch': { emitted: LineageBranchMetadata };
}

/** The type names of the framework's own events. */
export type FrameworkEventType = keyof FrameworkEventPhases;

/** The phases events of type `T` come in. */
export type FrameworkEventPhase<T extends FrameworkEventType> = keyof FrameworkEventPhases[T] & EventPhase;

type AllKeys<T extends FrameworkEventType> = {
  [P in FrameworkEventPhase<T>]: keyof FrameworkEventPhases[T][P];
}[FrameworkEventPhase<T>];

/**
 * The metadata of a `T` event in phase `P`. A key only another phase carries is typed
 * `undefined`, so `e.metadata.outputIds` reads without narrowing, and `e.phase === 'completed'`
 * narrows it to its value.
 */
export type FrameworkEventMetadata<T extends FrameworkEventType, P extends FrameworkEventPhase<T>> = {
  readonly [K in keyof FrameworkEventPhases[T][P]]: FrameworkEventPhases[T][P][K];
} & { readonly [K in Exclude<AllKeys<T>, keyof FrameworkEventPhases[T][P]>]?: undefined };

/** One phase of a framework event: `Event` with its type, phase, metadata and end fields typed. */
export interface FrameworkPhaseEvent<T extends FrameworkEventType, P extends FrameworkEventPhase<T>> extends Omit<
  Event,
  'type' | 'phase' | 'metadata' | 'startId' | 'durationMs' | 'error'
> {
  readonly type: T;
  readonly phase: P;
  readonly metadata: FrameworkEventMetadata<T, P>;
  /** On an end event (`completed`/`failed`): the id of its `started` event. */
  readonly startId: P extends 'completed' | 'failed' ? string : null;
  /** On an end event: how long the operation's body ran (fractional milliseconds). */
  readonly durationMs: P extends 'completed' | 'failed' ? number : null;
  readonly error: P extends 'failed' ? EventError : null;
}

/**
 * An event the framework emits, typed by its type name: a union over its phases, so
 * `e.phase === 'completed'` narrows `e.metadata`.
 * ```ts
 * events.on('function.execute', (e) => {
 *   if (e.phase === 'completed') console.log(e.metadata.functionName, e.metadata.outputIds);
 * });
 * ```
 */
export type FrameworkEvent<T extends FrameworkEventType = FrameworkEventType> = {
  [K in T]: { [P in FrameworkEventPhase<K>]: FrameworkPhaseEvent<K, P> }[FrameworkEventPhase<K>];
}[T];
