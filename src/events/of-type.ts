import { filter, type OperatorFunction } from 'rxjs';
import type { Event, EventClass } from './event';
import { classMatcher } from './selector';

/**
 * Keep the events an event class selects (as `on(EventClass, ...)` does): its instances, and
 * events carrying the type its instances carry.
 * ```ts
 * bus.events$.pipe(ofType(StudentProcessed)).subscribe((e) => ...);
 * ```
 */
export function ofType<E extends Event>(eventClass: EventClass<E>): OperatorFunction<Event, E> {
  const matches = classMatcher(eventClass);
  return filter((event: Event): event is E => matches(event));
}
