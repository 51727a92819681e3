import {
  classMetaOf,
  entityClassRecord,
  markField,
  markTransient,
  registerEntityClass,
  type AnyClass,
  type FieldOptions,
} from '../metadata/class-registry';
import { EntityDefinitionError } from '../metadata/errors';
import { attachMeta, type EntityObject } from '../metadata/object-model';
import { setTemplateKeyReader } from '../metadata/runtime-provider';
import { classRuntimeOf } from './class-runtime';
import { constructTemplate } from './entity';
import { freshMeta } from './identity';
import { SYSTEM_NAMES } from './system-names';
import { describeValue } from '../metadata/describe-value';
import { excerpt } from '../util/excerpt';
import { errorText } from '../errors';
import type { ClassMeta } from '../metadata/types';

/** Options of `@entity()`. */
export interface EntityOptions {
  /**
   * The entity's type name in the JSON form (`$class`, SPEC §9), unique among entity classes
   * (default: the class name). Give one when two classes share a class name (`Invoice` of two
   * modules: `@entity({ name: 'billing.Invoice' })`), or to keep serialized data readable when the
   * class is renamed.
   */
  name?: string;
}

/**
 * `@entity()`: marks an entity class. Returns a subclass that finishes construction after the
 * class's own field initialisers ran: applies the init object, then builds the real object
 * (values array + identity) the rest of the library works with.
 */
export function entity(options: EntityOptions = {}): <C extends AnyClass>(target: C) => C {
  const typeName = options?.name;
  if (typeName !== undefined && (typeof typeName !== 'string' || typeName.length === 0)) {
    throw new EntityDefinitionError(
      `@entity({ name }): the name must be a non-empty string, got ${describeValue(typeName)}`,
    );
  }
  return <C extends AnyClass>(target: C): C => {
    const Base = target as unknown as new (...args: unknown[]) => object;
    const Decorated = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        if (new.target !== Decorated) {
          if (!entityClassRecord(new.target)) {
            throw new EntityDefinitionError(
              `${new.target.name} extends ${target.name} but is not decorated with @entity()`,
            );
          }
          return; // the outermost decorated class finishes construction
        }
        return finishConstruction(Decorated as unknown as AnyClass, this, args[0]);
      }
    };
    Object.defineProperty(Decorated, 'name', { value: target.name });
    registerEntityClass(Decorated as unknown as AnyClass, target, typeName);
    return Decorated as unknown as C;
  };
}

/** `@transient()`: the property is not a field (not versioned, copied, compared or serialised). */
export function transient(): (proto: object, name: string) => void {
  return (proto, name) => markTransient(proto, name);
}

/** `@field(options)`: declares a field explicitly, with options (type for runtime metadata, docs). */
export function field(options: FieldOptions = {}): (proto: object, name: string) => void {
  return (proto, name) => markField(proto, name, options);
}

function applyInit(meta: ClassMeta, init: object, values: unknown[]): void {
  let key = '';
  try {
    for (key of Object.keys(init)) {
      const index = meta.fieldIndex.get(key);
      if (index === undefined) {
        const why = SYSTEM_NAMES.has(key)
          ? 'it is a system field'
          : `fields: ${meta.fields.map((f) => f.name).join(', ') || '(none)'}`;
        throw new EntityDefinitionError(`new ${meta.name}(init): unknown field '${excerpt(key)}' (${why})`);
      }
      values[index] = (init as Record<string, unknown>)[key];
    }
  } catch (error) {
    if (error instanceof EntityDefinitionError) throw error;
    // A revoked Proxy, throwing traps or getters: the init object is bad input, not a crash.
    const where = key === '' ? 'the init object' : `field '${excerpt(key)}' of the init object`;
    throw new EntityDefinitionError(`new ${meta.name}(init): ${where} cannot be read: ${errorText(error)}`, {
      cause: error,
    });
  }
}

function finishConstruction(ctor: AnyClass, temp: object, init: unknown): object {
  const own = temp as Record<string, unknown>;
  const rt = classRuntimeOf(ctor, Object.keys(own));
  const { meta } = rt;
  const values = new Array<unknown>(meta.fields.length);
  for (const f of meta.fields) values[f.index] = own[f.name];
  if (init !== undefined && init !== null) {
    if (typeof init !== 'object')
      throw new EntityDefinitionError(`new ${meta.name}(init): init must be an object, got ${typeof init}`);
    applyInit(meta, init, values);
  }
  const obj = rt.makeWorking(values) as EntityObject & Record<string, unknown>;
  for (const key of Object.keys(own)) {
    if (meta.transient.has(key)) obj[key] = own[key];
    else if (!meta.fieldIndex.has(key)) {
      throw new EntityDefinitionError(
        `${meta.name} instance has property '${key}' that is not a declared field: declare it on the class or mark it @transient()`,
      );
    }
  }
  return attachMeta(obj, freshMeta());
}

setTemplateKeyReader((record) => {
  const instance = constructTemplate(() => new (record.original as unknown as new () => object)());
  return Object.keys(instance);
});

/** Metadata of an entity class (for tools and tests). */
export { classMetaOf };
