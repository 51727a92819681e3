import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { Event } from './event';
import { compileGlob } from './glob';

/** Keep the events whose type matches a glob (`entity.*`, `function.**`, ...; see `compileGlob`). */
export function ofPattern<E extends Event>(glob: string): MonoTypeOperatorFunction<E> {
  const matches = compileGlob(glob);
  return filter((event: E) => matches(event.type));
}
