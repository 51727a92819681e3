import type { Event } from './event';

/**
 * What `errors$` carries when a handler or an `events$` subscriber throws or its promise
 * rejects: the original error (also as `cause`), the event being handled and the handler's name
 * (`'events$'` for a subscriber).
 */
export class HandlerError extends Error {
  override readonly name = 'HandlerError';

  constructor(
    /** What the handler threw or rejected with, unchanged. */
    readonly error: unknown,
    /**
     * The event being handled; for a subscriber, the event whose delivery led to the failure
     * (also through asynchronous operators), or null when none did (e.g. a value another
     * Observable merged in, or a failure while subscribing).
     */
    readonly event: Event | null,
    readonly handler: string,
  ) {
    super(
      `handler '${handler}' failed${event === null ? '' : ` on '${event.type}' (${event.id})`}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}
