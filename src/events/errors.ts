/**
 * Typed errors of the event bus. Both extend {@link AbstractionsError}.
 */
import { AbstractionsError } from '../errors';
import type { Event } from './event';

/**
 * An emit refused because it would make a cascade deeper than the bus's `maxCascadeDepth`:
 * handlers (or `events$` subscribers) reacting to events emitted by handlers reacting to events
 * ..., more than `maxCascadeDepth` levels deep since the cascade last yielded to the event loop.
 * Typically a handler that emits or executes on every event it handles, synchronously or after
 * awaiting only promises. The emit throws before anything happens: the event is not stamped,
 * recorded or delivered, and an operation whose start event it is does not run. Thrown in a
 * handler or subscriber, it reaches `errors$` as the `HandlerError`'s `error`.
 */
export class CascadeDepthError extends AbstractionsError {
  constructor(
    /** The refused event (never emitted: its `rootId` is still null). */
    readonly event: Event,
    /** The event it would have been emitted under (the one being handled, or an operation's start). */
    readonly parent: Event,
    readonly maxCascadeDepth: number,
  ) {
    super(
      `event '${event.type}' refused: emitted under '${parent.type}' (${parent.id}), it would be dispatched ` +
        `${maxCascadeDepth + 1} handler levels deep, beyond maxCascadeDepth ${maxCascadeDepth}; a handler that ` +
        `emits or executes on every event it handles never ends unless it waits for a timer or I/O between steps`,
    );
  }
}

/** An invalid `EventBus` option (the message names it and the value given). */
export class EventBusError extends AbstractionsError {}
