import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The operation context: which event new events on a bus hang under.
 *
 * One AsyncLocalStorage for the process (each enabled instance adds a cost to every promise
 * created, so we never make one per bus). A frame names its bus (`owner`) and links to the
 * frame it was entered from, so buses stay isolated: an event on bus A emitted inside an
 * operation of bus B still finds A's innermost frame further out.
 */
export interface ContextFrame {
  readonly owner: object;
  /** The parent of events emitted in this frame. */
  readonly eventId: string;
  /** The root shared by every event emitted in this frame. */
  readonly rootId: string;
  readonly outer: ContextFrame | undefined;
}

const storage = new AsyncLocalStorage<ContextFrame>();

/** The innermost frame of `owner` in the current (sync or async) execution, if any. */
export function currentFrame(owner: object): ContextFrame | undefined {
  let frame = storage.getStore();
  while (frame !== undefined && frame.owner !== owner) frame = frame.outer;
  return frame;
}

/**
 * Run `fn` with `eventId` as the parent of everything `owner` emits inside it, including
 * after awaits of promises created inside it.
 */
export function runInFrame<R>(owner: object, eventId: string, rootId: string, fn: () => R): R {
  return storage.run({ owner, eventId, rootId, outer: storage.getStore() }, fn);
}
