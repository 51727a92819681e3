import { AsyncLocalStorage } from 'node:async_hooks';
// The module's own, not the global: fake timers in a test must not stop turns from ending.
import { setImmediate } from 'node:timers';
import type { Event } from './event';

/**
 * The operation context: which event new events on a bus hang under, and how deep the cascade
 * that reached it is.
 *
 * One AsyncLocalStorage for the process (each enabled instance adds a cost to every promise
 * created, so we never make one per bus). A frame names its bus (`owner`) and carries the
 * innermost frames of the other buses (`others`), so buses stay isolated: an event on bus A
 * emitted inside an operation of bus B still finds A's innermost frame. Frames never point to
 * the frame they were entered from: a cascade that runs for a million steps keeps one frame per
 * live context, not a chain of a million.
 */
export interface ContextFrame {
  readonly owner: object;
  /** The parent of events emitted in this frame (their `rootId` is its `rootId`). */
  readonly event: Event;
  /**
   * How many dispatches of `owner` (an event's handlers and subscribers running) nest here since
   * the cascade last yielded to the event loop: synchronous re-entry and chains of promise
   * continuations count, a timer or I/O in between starts again from 0. An operation's body
   * keeps the depth of the code that ran the operation, so the events it emits are as deep as
   * its start event: only a handler reacting to an event makes a cascade deeper.
   */
  readonly depth: number;
  /** The turn of the event loop the frame was entered in (see `depthAt`). */
  readonly turn: number;
  /** The innermost frame of each other owner, flat (their own `others` are empty). */
  readonly others: readonly ContextFrame[];
}

const storage = new AsyncLocalStorage<ContextFrame>();
const NONE: readonly ContextFrame[] = Object.freeze([]);

/**
 * Turns of the event loop: the counter moves once a `setImmediate` scheduled when a frame was
 * entered has run. Synchronous code and promise continuations cannot let it run (microtasks drain
 * first), so a runaway cascade of either stays in one turn and its depth keeps growing.
 */
let turn = 0;
let turnEnding = false;
function endTurn(): void {
  turn++;
  turnEnding = false;
}

/** The innermost frame of `owner` in the current (sync or async) execution, if any. */
export function currentFrame(owner: object): ContextFrame | undefined {
  const store = storage.getStore();
  if (store === undefined || store.owner === owner) return store;
  for (const frame of store.others) if (frame.owner === owner) return frame;
  return undefined;
}

/** The cascade depth in `outer` (the owner's innermost frame, or none) now: 0 in a later turn. */
export function depthAt(outer: ContextFrame | undefined): number {
  return outer !== undefined && outer.turn === turn ? outer.depth : 0;
}

/**
 * Run `fn` with `event` as the parent of everything `owner` emits inside it, including after
 * awaits of promises created inside it, at cascade depth `depth` (see `ContextFrame.depth`).
 */
export function runInFrame<R>(owner: object, event: Event, depth: number, fn: () => R): R {
  if (!turnEnding) {
    turnEnding = true;
    setImmediate(endTurn).unref(); // unref: never the reason the process stays up
  }
  const store = storage.getStore();
  let others = NONE;
  if (store !== undefined) {
    others = store.owner === owner ? store.others : [flat(store), ...store.others.filter((f) => f.owner !== owner)];
  }
  return storage.run({ owner, event, depth, turn, others }, fn);
}

function flat(frame: ContextFrame): ContextFrame {
  return frame.others.length === 0 ? frame : { ...frame, others: NONE };
}
