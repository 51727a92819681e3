import { currentFrame, depthAt, runInFrame } from './context';
import { Event, frozenMetadata, toEventError, type MutableEvent } from './event';
import type { EventBus } from './event-bus';
import { isThenable } from './thenable';

/** What an operation's events say about it; built only when someone listens. */
export interface OperationSpec {
  readonly type: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * Run one framework operation with its events:
 * 1. a `started` event (lineage from the current context),
 * 2. `body()` inside that event's context, so everything emitted within it (also after awaits)
 *    is parented to the start event,
 * 3. a `completed` event (`startId`, `durationMs`, the start's `parentId`/`rootId`, metadata =
 *    start metadata merged with `complete(result)`), or a `failed` event with `error`, after
 *    which the same error object is rethrown.
 * If `body` returns a thenable, the end event is emitted when it settles, and a promise
 * settling with the same value or error is returned.
 * An operation run by a cascade deeper than the bus's `maxCascadeDepth` is refused before `body`
 * runs: emitting its start event throws `CascadeDepthError` (see `EventBus.emit`). Its end event
 * and what `body` emits are never refused (they are as deep as the start event).
 *
 * Hot path: when `bus.isObserved` is false this is exactly `return body()`. Nothing is built:
 * `describe` and `complete` are not called, no event, no context, no clock. So both must be
 * free of side effects. An error thrown by `describe` reaches the caller (nothing has run
 * yet); one thrown by `complete` goes to `errors$` (the operation itself succeeded).
 */
export function runOperation<T>(
  bus: EventBus,
  describe: () => OperationSpec,
  body: () => T,
  complete?: (result: Awaited<T>) => Readonly<Record<string, unknown>>,
): T {
  if (!bus.isObserved) return body();
  return runObserved(bus, describe, body, complete);
}

// Kept apart so `runOperation` stays small enough to inline on the unobserved path.
function runObserved<T>(
  bus: EventBus,
  describe: () => OperationSpec,
  body: () => T,
  complete: ((result: Awaited<T>) => Readonly<Record<string, unknown>>) | undefined,
): T {
  const start = new Event(describe());
  (start as MutableEvent).phase = 'started';
  bus.emit(start);
  // The start event's own handlers are not part of the duration. (`performance`: Node's global
  // monotonic, sub-millisecond clock; `Date.now()` would round microsecond operations to 0.)
  const startedAt = performance.now();

  let result: T;
  try {
    // At the caller's depth: what the body emits is as deep as the start event, which `emit` has
    // just let through, so framework events inside an operation (a commit's) are never refused.
    result = runInFrame(bus, start, depthAt(currentFrame(bus)), body);
  } catch (error) {
    bus.emit(endEvent(start, startedAt, 'failed', start.metadata, error));
    throw error;
  }

  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        bus.emit(endEvent(start, startedAt, 'completed', completedMetadata(bus, start, complete, value as Awaited<T>)));
        return value;
      },
      (error: unknown) => {
        bus.emit(endEvent(start, startedAt, 'failed', start.metadata, error));
        throw error;
      },
    ) as T;
  }

  bus.emit(endEvent(start, startedAt, 'completed', completedMetadata(bus, start, complete, result as Awaited<T>)));
  return result;
}

function completedMetadata<R>(
  bus: EventBus,
  start: Event,
  complete: ((result: R) => Readonly<Record<string, unknown>>) | undefined,
  result: R,
): Readonly<Record<string, unknown>> {
  if (complete === undefined) return start.metadata;
  try {
    return frozenMetadata(start.metadata, complete(result));
  } catch (error) {
    bus.reportError(error, start, 'runOperation.complete');
    return start.metadata;
  }
}

function endEvent(
  start: Event,
  startedAt: number,
  phase: 'completed' | 'failed',
  metadata: Readonly<Record<string, unknown>>,
  error?: unknown,
): Event {
  const end = new Event({
    type: start.type,
    subjectType: start.subjectType,
    subjectId: start.subjectId,
  }) as MutableEvent;
  end.metadata = metadata; // already frozen: the start's own, or a frozen merge
  end.phase = phase;
  end.startId = start.id;
  end.durationMs = performance.now() - startedAt;
  // Preset lineage: the end event sits where its start sits, whatever context settles it.
  end.parentId = start.parentId;
  end.rootId = start.rootId;
  end.error = phase === 'failed' ? toEventError(error) : null;
  // Sealed here, since the bus only stamps and freezes events it has never seen (rootId null).
  return Object.freeze(end);
}
