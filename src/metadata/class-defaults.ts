/**
 * Class-field defaults of entity classes, read from one default-constructed instance per class
 * (for JSON Schema defaults and for inferring the type of untyped config fields).
 */
import type { AnyClass } from './class-registry';
import { VALUES, type EntityObject } from './object-model';

const templates = new Map<AnyClass, readonly unknown[] | null>();

/** Field values of a default-constructed instance (for defaults and inferred types), or null. */
export function templateValues(ctor: AnyClass): readonly unknown[] | null {
  if (templates.has(ctor)) return templates.get(ctor)!;
  let values: readonly unknown[] | null;
  try {
    const instance = new (ctor as unknown as new () => EntityObject)();
    values = instance[VALUES];
  } catch {
    values = null;
  }
  templates.set(ctor, values);
  return values;
}
