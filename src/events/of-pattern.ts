import { filter, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import type { Event } from './event';
import type { FrameworkEvent, FrameworkEventType } from './framework-events';
import { compileGlob } from './glob';

/**
 * Keep the events whose type matches a glob (`entity.*`, `function.**`, ...; see `compileGlob`).
 * The exact type name of a framework event (`'function.execute'`) gives its typed events.
 */
export function ofPattern<T extends FrameworkEventType>(type: T): OperatorFunction<Event, FrameworkEvent<T>>;
export function ofPattern<E extends Event>(glob: string): MonoTypeOperatorFunction<E>;
export function ofPattern(glob: string): MonoTypeOperatorFunction<Event> {
  const matches = compileGlob(glob);
  return filter((event: Event) => matches(event.type));
}
