import { Subject, Subscription, type Observable } from 'rxjs';
import { currentFrame, depthAt, runInFrame, type ContextFrame } from './context';
import type { Event, EventClass, MutableEvent } from './event';
import { CascadeDepthError, EventBusError } from './errors';
import type { FrameworkEvent, FrameworkEventType } from './framework-events';
import { GuardedObservable } from './guarded-observable';
import { HandlerError } from './handler-error';
import { isThenable } from './thenable';
import { DEFAULT_HISTORY_SIZE, RingHistory, type EventHistory } from './history';
import { compileSelector, type EventMatcher, type EventSelector } from './selector';

export interface EventBusOptions {
  /** How many events `history` keeps (default 10,000; 0 keeps none). */
  readonly historySize?: number;
  /**
   * Count the history as an observer, so the bus is always observed and framework operations
   * always build and record their events. Default `false`: see `EventHistory`.
   */
  readonly recordHistory?: boolean;
  /**
   * How deep a cascade may nest before an emit is refused with `CascadeDepthError` (default
   * `DEFAULT_MAX_CASCADE_DEPTH`; a positive integer, or `Infinity` for no bound). The depth of
   * an emit is the number of dispatches (handlers and subscribers handling an event) it is
   * nested in, plus one, counted since the cascade last yielded to the event loop (a timer,
   * I/O): synchronous re-entry and chains of promise continuations count. An operation's own
   * events are as deep as the code that runs it.
   */
  readonly maxCascadeDepth?: number;
}

/**
 * Default `maxCascadeDepth`. A reactive cascade in an application is a few levels deep. A
 * handler that executes a registered function on every `function.execute` takes about 1.5 KB of
 * stack per level (Node's default stack of ~1 MB is exhausted after ~650 levels), so 100 levels
 * leave most of the stack to the caller and to the work done at each level.
 */
export const DEFAULT_MAX_CASCADE_DEPTH = 100;

export interface OnOptions {
  /** Higher runs first; default 0; equal priorities run in subscription order. */
  readonly priority?: number;
  /** Shown in `errors$` (default: the handler function's name). */
  readonly name?: string;
}

/**
 * The events a selector lets through: a framework event's type name gives its typed events
 * (`FrameworkEvent`), a class its instances, a type-guard predicate its narrowed type; anything
 * else (a glob, another name, a predicate) `Event`.
 */
export type Selected<S> = S extends FrameworkEventType
  ? FrameworkEvent<S>
  : S extends EventClass<infer E extends Event>
    ? E
    : S extends ((event: Event) => event is infer E extends Event)
      ? E
      : Event;

/** A handler may return a promise: `settled()` waits for it and a rejection goes to `errors$`. */
export type EventHandler<E extends Event = Event> = (event: E) => unknown;

interface HandlerEntry {
  readonly matches: EventMatcher;
  readonly handler: EventHandler;
  readonly priority: number;
  readonly name: string;
  active: boolean;
}

/**
 * The event bus (RxJS).
 *
 * - `on(selector, handler, { priority })`: handlers run synchronously inside `emit`, highest
 *   priority first, ties in subscription order; they may emit and run operations re-entrantly.
 *   A throwing or rejecting handler never breaks `emit` or other handlers: its error goes to
 *   `errors$`.
 * - `events$`: every emitted event, after the `on` handlers of that event. A throwing
 *   subscriber is isolated like a handler (see `events$`).
 * - Cascades are bounded: an emit nested deeper than `maxCascadeDepth` since the cascade last
 *   yielded to the event loop throws `CascadeDepthError` (see `emit`), so a handler that emits or
 *   executes on every event stops there instead of exhausting the stack or starving the event
 *   loop. A cascade that waits for a timer or I/O between steps may run forever, in constant
 *   memory.
 * - Lineage: an event emitted while an operation runs, or while a handler handles an event
 *   (also after awaits in an async handler), gets that operation's start event (or the
 *   handled event) as `parentId`, and the outermost one's id as `rootId`.
 * - `isObserved`: whether anyone listens. When nobody does, framework operations build no
 *   events at all (`runOperation` just runs its body), so nothing reaches `history` either.
 */
export class EventBus {
  readonly history: EventHistory;
  /**
   * Every emitted event, after that event's `on` handlers. Subscribing makes the bus observed.
   * Subscribers are isolated like `on` handlers: an error thrown by a subscriber's callback (of
   * `events$` or of `events$.pipe(...)`), or an error notification reaching a subscriber that has
   * no `error` callback, goes to `errors$` as a `HandlerError` named `'events$'`, never to RxJS's
   * asynchronous rethrow, which would end the process. The other subscribers and the emit carry
   * on, and, as in RxJS, a subscriber whose `next` threw stays subscribed; an error notification
   * ends its subscription. Observables RxJS builds outside `pipe` (`merge(events$, ...)`) follow
   * RxJS rules.
   */
  readonly events$: Observable<Event>;
  /**
   * Failures of handlers and `events$` subscribers (thrown or rejected). Subscribing does not make
   * the bus observed. A throwing `errors$` subscriber becomes a process warning.
   */
  readonly errors$: Observable<HandlerError>;
  readonly maxCascadeDepth: number;

  private readonly ring: RingHistory;
  private readonly eventSubject = new Subject<Event>();
  private readonly errorSubject = new Subject<HandlerError>();
  /** Sorted by priority; replaced, never mutated, so a dispatch in progress keeps its snapshot. */
  private handlers: readonly HandlerEntry[] = [];
  /** `on` handlers + `events$` subscribers + the history when `recordHistory` is set. */
  private observers: number;
  /** Promises of async handlers not yet settled (each already catches its own rejection). */
  private readonly pending = new Set<Promise<void>>();

  constructor(options: EventBusOptions = {}) {
    this.ring = new RingHistory(options.historySize ?? DEFAULT_HISTORY_SIZE);
    this.history = this.ring;
    this.observers = options.recordHistory === true ? 1 : 0;
    const maxCascadeDepth = options.maxCascadeDepth ?? DEFAULT_MAX_CASCADE_DEPTH;
    if (!(Number.isInteger(maxCascadeDepth) || maxCascadeDepth === Infinity) || maxCascadeDepth < 1) {
      throw new EventBusError(`maxCascadeDepth must be a positive integer or Infinity, got ${String(maxCascadeDepth)}`);
    }
    this.maxCascadeDepth = maxCascadeDepth;
    this.errors$ = new GuardedObservable<HandlerError>(
      (subscriber) => this.errorSubject.subscribe(subscriber),
      (error) => warn(new HandlerError(error, null, 'errors$')),
    );
    // Subscribing counts as observing, in O(1).
    this.events$ = new GuardedObservable<Event>(
      (subscriber) => {
        this.observers++;
        const inner = this.eventSubject.subscribe(subscriber);
        return () => {
          inner.unsubscribe();
          this.observers--;
        };
      },
      (error) => this.reportError(error, currentFrame(this)?.event ?? null, 'events$'),
    );
  }

  /**
   * Whether anyone listens: an `on` handler, an `events$` subscriber, or `recordHistory`.
   * O(1); framework code reads it on every operation.
   */
  get isObserved(): boolean {
    return this.observers > 0;
  }

  /**
   * Call `handler` for every event the selector matches:
   * - an event class: instances of it (or of subclasses), and events carrying the `type` its
   *   instances carry (e.g. plain framework events of that type);
   * - a glob over the type: `entity.*`, `function.**`, `**` (see `compileGlob`); the exact
   *   type name of a framework event (`'function.execute'`) types the handler's event and its
   *   metadata (`FrameworkEvent`);
   * - a predicate.
   * Returns a `Subscription`; `unsubscribe()` removes the handler (also mid-dispatch).
   */
  on<S extends EventSelector>(selector: S, handler: EventHandler<Selected<S>>, options: OnOptions = {}): Subscription {
    const priority = options.priority ?? 0;
    if (Number.isNaN(priority)) throw new TypeError('priority must be a number, got NaN');
    const entry: HandlerEntry = {
      matches: compileSelector(selector),
      handler: handler as EventHandler,
      priority,
      name: options.name ?? (handler.name !== '' ? handler.name : 'anonymous'),
      active: true,
    };
    // Insert after every entry of equal or higher priority: ties keep subscription order.
    const list = this.handlers;
    let at = list.length;
    while (at > 0 && list[at - 1]!.priority < priority) at--;
    this.handlers = [...list.slice(0, at), entry, ...list.slice(at)];
    this.observers++;

    return new Subscription(() => {
      entry.active = false;
      this.handlers = this.handlers.filter((other) => other !== entry);
      this.observers--;
    });
  }

  /**
   * Emit an event: stamp its lineage from the current context, freeze it, record it in
   * `history`, then run the matching handlers and `events$` subscribers synchronously.
   * Returns nothing and never waits: async handlers are tracked by `settled()`.
   * Re-emitting an already emitted event (on this bus or another) delivers it unchanged.
   * @throws CascadeDepthError when the emit would nest deeper than `maxCascadeDepth` since the
   * cascade last yielded to the event loop; the event is then left as it was (not stamped,
   * recorded or delivered). Thrown in a handler or subscriber, it reaches `errors$`.
   */
  emit(event: Event): void {
    const outer = currentFrame(this);
    const depth = depthAt(outer) + 1;
    if (depth > this.maxCascadeDepth) throw new CascadeDepthError(event, outer!.event, this.maxCascadeDepth);
    // A null rootId means "never emitted": every emitted event has a root (its own id at least).
    if (event.rootId === null) this.seal(event, outer);
    this.ring.record(event);
    const handlers = this.handlers;
    const toSubject = this.eventSubject.observed;
    if (handlers.length === 0 && !toSubject) return;
    // One frame for the whole dispatch: whatever the handlers emit (now or after an await)
    // is parented to this event.
    runInFrame(this, event, depth, () => {
      for (const entry of handlers) this.invoke(entry, event);
      if (toSubject) this.eventSubject.next(event);
    });
  }

  /**
   * Resolves when every async handler in flight is done, including those of emits nobody
   * awaited and those started while waiting (e.g. by a handler that emits). Never rejects:
   * rejections go to `errors$`.
   */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /**
   * Route an error that happened while reacting to `event` to `errors$` (the bus does this
   * for handlers and `events$` subscribers; framework code may for its own callbacks). With no
   * `errors$` subscriber the error becomes a process warning rather than vanishing. `event` is
   * null for a failure outside any event's delivery.
   */
  reportError(error: unknown, event: Event | null, source: string): void {
    const failure = new HandlerError(error, event, source);
    if (this.errorSubject.observed) this.errorSubject.next(failure);
    else warn(failure);
  }

  private seal(event: Event, frame: ContextFrame | undefined): void {
    if (typeof event.type !== 'string' || event.type === '') {
      throw new TypeError(
        `cannot emit an event without a type: pass { type } or declare \`override type = '...'\` in ${event.constructor.name}`,
      );
    }
    const writable = event as MutableEvent;
    writable.parentId = frame === undefined ? null : frame.event.id;
    writable.rootId = frame === undefined ? event.id : frame.event.rootId;
    Object.freeze(event);
  }

  private invoke(entry: HandlerEntry, event: Event): void {
    if (!entry.active) return;
    try {
      if (!entry.matches(event)) return;
      const result = entry.handler(event);
      if (isThenable(result)) this.track(result, event, entry.name);
    } catch (error) {
      this.reportError(error, event, entry.name);
    }
  }

  private track(result: PromiseLike<unknown>, event: Event, name: string): void {
    const done: Promise<void> = Promise.resolve(result).then(
      () => {
        this.pending.delete(done);
      },
      (error: unknown) => {
        this.pending.delete(done);
        this.reportError(error, event, name);
      },
    );
    this.pending.add(done);
  }
}

/**
 * An unobserved failure as a process warning. Given as a string, not the error: Node checks
 * `instanceof Error` against its own realm, which an error made in another (a vm context, a test
 * runner's sandbox) fails, and `emitWarning` would throw instead of warning.
 */
function warn(failure: HandlerError): void {
  process.emitWarning(failure.message, { type: 'HandlerError', detail: failure.stack });
}
