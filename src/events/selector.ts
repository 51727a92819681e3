import { Event, type EventClass } from './event';
import { compileGlob } from './glob';

/** What `on` accepts: an event class, a glob over types, or a predicate. */
export type EventSelector<E extends Event = Event> = EventClass<E> | string | ((event: Event) => boolean);

/** A compiled selector, called once per event and handler. */
export type EventMatcher = (event: Event) => boolean;

// Probed once per class: see typeOfClass.
const probedTypes = new WeakMap<object, string | null>();

/**
 * The `type` instances of `eventClass` carry. Subclasses set it as a field initialiser, which
 * only exists on an instance, so we construct one probe instance (with an empty init) and
 * read it. A constructor that throws on an empty init makes the class match by instanceof only.
 */
export function typeOfClass(eventClass: EventClass): string | null {
  let type = probedTypes.get(eventClass);
  if (type === undefined) {
    try {
      const probe = new (eventClass as unknown as new (init: object) => Event)({});
      type = typeof probe.type === 'string' && probe.type !== '' ? probe.type : null;
    } catch {
      type = null;
    }
    probedTypes.set(eventClass, type);
  }
  return type;
}

/**
 * An event matches a class when it is an instance of it, or when it carries the type the
 * class's instances carry: the framework emits plain `Event`s typed `entity.version`, and
 * `class EntityVersioned extends Event { override type = 'entity.version' }` selects them.
 * (Such a match is then a plain `Event`: members only the subclass defines are absent.)
 */
export function classMatcher(eventClass: EventClass): EventMatcher {
  const type = typeOfClass(eventClass);
  if (type === null) return (event) => event instanceof eventClass;
  return (event) => event.type === type || event instanceof eventClass;
}

export function isEventClass(selector: unknown): selector is EventClass {
  return (
    typeof selector === 'function' &&
    (selector === Event || (selector as { prototype?: unknown }).prototype instanceof Event)
  );
}

export function compileSelector(selector: EventSelector): EventMatcher {
  if (typeof selector === 'string') {
    const matches = compileGlob(selector);
    return (event) => matches(event.type);
  }
  if (isEventClass(selector)) return classMatcher(selector);
  return selector as (event: Event) => boolean;
}
