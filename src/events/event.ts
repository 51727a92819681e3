import { newId } from '../util/ids';

/**
 * `started` / `completed` / `failed` belong to operations (see `runOperation`);
 * `emitted` is a one-shot event a user (or the framework) emits on its own.
 */
export type EventPhase = 'started' | 'completed' | 'failed' | 'emitted';

/** What a failed operation reports: enough to read, nothing that keeps the error object alive. */
export interface EventError {
  readonly name: string;
  readonly message: string;
}

/** Constructor argument of `Event`. `type` may be omitted by subclasses that set it as a field. */
export interface EventInit {
  readonly type?: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A metadata value built on first read, then kept (frozen). For values that cost more than the
 * event itself: an object keyed by entity ids (`entity.version`'s id map) makes V8 intern every
 * key, about 3–4 µs per version, which a listener that never reads it should not pay. Internal.
 */
export class LazyMetadata<T> {
  constructor(readonly build: () => T) {}
}

/** Metadata of shape `T` as given to an event, any value of it possibly lazy. Internal. */
export type LazyFields<T> = { readonly [K in keyof T]: T[K] | LazyMetadata<T[K]> };

/** Where a metadata object keeps its lazy values (built ones replace their `LazyMetadata`). */
const LAZY: unique symbol = Symbol('lazy metadata');
const lazyGetters = new Map<string, (this: { [LAZY]: Record<string, unknown> }) => unknown>();

/** One getter per key name, shared by every event: V8 shares the objects' hidden classes too. */
function lazyGetter(key: string): (this: { [LAZY]: Record<string, unknown> }) => unknown {
  let getter = lazyGetters.get(key);
  if (getter === undefined) {
    getter = function (this: { [LAZY]: Record<string, unknown> }): unknown {
      const pending = this[LAZY];
      let value = pending[key];
      if (value instanceof LazyMetadata) pending[key] = value = Object.freeze(value.build());
      return value;
    };
    lazyGetters.set(key, getter);
  }
  return getter;
}

/**
 * Metadata is copied (the caller may reuse or change its objects) and frozen at once (it is
 * readonly from the start); later sources win. Copied key by key: freezing a `{ ...spread }`
 * clone costs V8 a new hidden class every time (about 10x slower). A `LazyMetadata` value becomes
 * an enumerable getter (plain reads, spreads and JSON see the value). Internal.
 */
export function frozenMetadata(
  ...sources: readonly Readonly<Record<string, unknown>>[]
): Readonly<Record<string, unknown>> {
  const copy: Record<string, unknown> = {};
  for (const source of sources) {
    const sourcePending = (source as { [LAZY]?: Record<string, unknown> })[LAZY];
    for (const key of Object.keys(source)) {
      // A value still pending in metadata made here is copied as pending (reading it would build it).
      const value = sourcePending !== undefined && key in sourcePending ? sourcePending[key] : source[key];
      if (value instanceof LazyMetadata) {
        let pending = (copy as { [LAZY]?: Record<string, unknown> })[LAZY];
        if (pending === undefined) {
          pending = Object.create(null) as Record<string, unknown>;
          Object.defineProperty(copy, LAZY, { value: pending }); // not enumerable: spreads and JSON skip it
        }
        pending[key] = value;
        Object.defineProperty(copy, key, { get: lazyGetter(key), enumerable: true, configurable: true });
      } else if (key === '__proto__') {
        Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        copy[key] = value;
      }
    }
  }
  return Object.freeze(copy);
}

/**
 * An event: ids and metadata, never copies of entity data.
 *
 * ```ts
 * bus.emit(new Event({ type: 'student.enrolled', subjectId: student.ecsId }));
 *
 * class StudentProcessed extends Event {
 *   override type = 'student.processed';
 * }
 * ```
 * Subclass field initialisers run after this constructor, so nothing here depends on `type`;
 * the bus reads it when the event is emitted. Lineage fields (`parentId`, `rootId`) are filled
 * by the bus at emit time from the running operation or handler, and the event is frozen then:
 * once on the bus it never changes. Its `metadata` is a frozen copy from the start (shallow:
 * pass fresh values, not objects you keep mutating).
 */
export class Event {
  /** Lower-case UUID. */
  readonly id: string;
  /** Dot-separated, e.g. `entity.version`; matched by globs such as `entity.*`. */
  readonly type: string;
  readonly phase: EventPhase;
  readonly subjectType?: string;
  readonly subjectId?: string;
  /** The innermost running operation's start event, or the event whose handler emitted this one. */
  readonly parentId: string | null;
  /** The outermost start event (or one-shot event) of the cascade; an outermost event's own id. */
  readonly rootId: string | null;
  /** On an end event (`completed`/`failed`): the id of its `started` event. */
  readonly startId: string | null;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** On an end event: how long the operation's body ran (fractional milliseconds). */
  readonly durationMs: number | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly error: EventError | null;
  /**
   * 'local': emitted in this process; 'remote': emitted by another process sharing the store and
   * relayed here (SPEC §13), with its original id, `parentId` and `rootId`.
   */
  readonly origin: 'local' | 'remote';

  constructor(init: EventInit = {}) {
    this.id = newId();
    this.type = init.type ?? '';
    this.phase = 'emitted';
    this.subjectType = init.subjectType;
    this.subjectId = init.subjectId;
    this.parentId = null;
    this.rootId = null;
    this.startId = null;
    this.timestamp = Date.now();
    this.durationMs = null;
    this.metadata = init.metadata === undefined ? NO_METADATA : frozenMetadata(init.metadata);
    this.error = null;
    this.origin = 'local';
  }
}

/**
 * The writable view of an event, for the bus and `runOperation` only (not exported from the
 * package): they stamp lineage and phase before the event is frozen.
 */
export type MutableEvent = { -readonly [K in keyof Event]: Event[K] };

/** Any class of events, abstract or not; used as a selector by `on` and `ofType`. */
export type EventClass<E extends Event = Event> = abstract new (...args: never[]) => E;

/** A class whose instances are the subject of an event (only its name is kept). */
export type SubjectClass<T> = abstract new (...args: never[]) => T;

/** Init of the lifecycle events: `subjectClass` fills `subjectType` with the class name. */
export interface SubjectEventInit<T> extends EventInit {
  readonly subjectClass?: SubjectClass<T>;
}

function subjectInit<T>(init: SubjectEventInit<T>, defaultType: string): EventInit {
  return {
    type: init.type ?? defaultType,
    subjectType: init.subjectType ?? init.subjectClass?.name,
    subjectId: init.subjectId,
    metadata: init.metadata,
  };
}

/**
 * Lifecycle events users subclass, generic only in the subject type (they carry its id, never
 * its data):
 * ```ts
 * class StudentCreated extends CreatedEvent<Student> { override type = 'student.created'; }
 * bus.emit(new StudentCreated({ subjectClass: Student, subjectId: s.ecsId }));
 * ```
 * A default type is set in the constructor (not as a field) so that both `{ type }` in the init
 * and a subclass field initialiser can override it.
 */
export class CreatedEvent<T = unknown> extends Event {
  constructor(init: SubjectEventInit<T> = {}) {
    super(subjectInit(init, 'lifecycle.created'));
  }
}

export interface ModifiedEventInit<T> extends SubjectEventInit<T> {
  readonly changedFields?: readonly string[];
}

/** See `CreatedEvent`. `changedFields` is kept in `metadata.changedFields`. */
export class ModifiedEvent<T = unknown> extends Event {
  constructor(init: ModifiedEventInit<T> = {}) {
    const base = subjectInit(init, 'lifecycle.modified');
    super(
      init.changedFields === undefined
        ? base
        : { ...base, metadata: { ...base.metadata, changedFields: Object.freeze([...init.changedFields]) } },
    );
  }

  get changedFields(): readonly string[] {
    const fields = this.metadata['changedFields'];
    return Array.isArray(fields) ? (fields as readonly string[]) : [];
  }
}

/** See `CreatedEvent`. */
export class DeletedEvent<T = unknown> extends Event {
  constructor(init: SubjectEventInit<T> = {}) {
    super(subjectInit(init, 'lifecycle.deleted'));
  }
}

export interface StateTransitionInit<T> extends SubjectEventInit<T> {
  readonly from: string;
  readonly to: string;
}

/** See `CreatedEvent`. `from` and `to` are kept in `metadata` (so they survive serialisation). */
export class StateTransitionEvent<T = unknown> extends Event {
  constructor(init: StateTransitionInit<T>) {
    const base = subjectInit(init, 'lifecycle.transition');
    super({ ...base, metadata: { ...base.metadata, from: init.from, to: init.to } });
  }

  get from(): string {
    return this.metadata['from'] as string;
  }

  get to(): string {
    return this.metadata['to'] as string;
  }
}

/** `{ name, message }` of anything thrown, Error or not. */
export function toEventError(thrown: unknown): EventError {
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message };
  return { name: typeof thrown, message: String(thrown) };
}
