import type { Event } from './event';

/**
 * What `errors$` carries when a handler throws or its promise rejects: the original error
 * (also as `cause`), the event being handled and the handler's name.
 */
export class HandlerError extends Error {
  override readonly name = 'HandlerError';

  constructor(
    /** What the handler threw or rejected with, unchanged. */
    readonly error: unknown,
    readonly event: Event,
    readonly handler: string,
  ) {
    super(
      `handler '${handler}' failed on '${event.type}' (${event.id}): ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}
