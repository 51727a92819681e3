import type { Event } from './event';
import { compileGlob } from './glob';

/** Default number of events a bus keeps. */
export const DEFAULT_HISTORY_SIZE = 10_000;

/**
 * The recent events of a bus, oldest first, bounded: when full, the oldest is dropped.
 *
 * History is a subscriber like any other: it records every event that is built and emitted.
 * Framework operations only build their events while the bus is observed (a handler, an
 * `events$` subscriber, or `recordHistory: true`), so with nobody listening nothing is built
 * and nothing is recorded. Use `new EventBus({ recordHistory: true })` to record everything.
 */
export interface EventHistory {
  /** Maximum number of events kept. */
  readonly capacity: number;
  /** Number of events kept now. */
  readonly size: number;
  /** Every kept event, oldest first (a fresh array). */
  all(): Event[];
  /** Events whose type equals `typeOrGlob`, or matches it when it contains `*`. */
  byType(typeOrGlob: string): Event[];
  bySubject(subjectId: string): Event[];
  byParent(parentId: string): Event[];
  /** Every event of one cascade (an outermost operation or one-shot event and all below it). */
  byRoot(rootId: string): Event[];
  clear(): void;
}

/** The ring buffer behind `EventBus.history`; only the bus records into it. */
export class RingHistory implements EventHistory {
  private readonly ring: (Event | undefined)[];
  /** Index of the oldest event. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`historySize must be a non-negative integer, got ${capacity}`);
    }
    this.ring = new Array<Event | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  record(event: Event): void {
    const capacity = this.capacity;
    if (capacity === 0) return;
    if (this.count < capacity) {
      this.ring[(this.head + this.count) % capacity] = event;
      this.count++;
    } else {
      this.ring[this.head] = event;
      this.head = (this.head + 1) % capacity;
    }
  }

  all(): Event[] {
    return this.filter(() => true);
  }

  byType(typeOrGlob: string): Event[] {
    const matches = compileGlob(typeOrGlob);
    return this.filter((event) => matches(event.type));
  }

  bySubject(subjectId: string): Event[] {
    return this.filter((event) => event.subjectId === subjectId);
  }

  byParent(parentId: string): Event[] {
    return this.filter((event) => event.parentId === parentId);
  }

  byRoot(rootId: string): Event[] {
    return this.filter((event) => event.rootId === rootId);
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  private filter(keep: (event: Event) => boolean): Event[] {
    const out: Event[] = [];
    for (let i = 0; i < this.count; i++) {
      const event = this.ring[(this.head + i) % this.capacity] as Event;
      if (keep(event)) out.push(event);
    }
    return out;
  }
}
