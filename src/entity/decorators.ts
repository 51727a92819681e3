import {
  classMetaOf,
  entityClassRecord,
  markField,
  markTransient,
  registerEntityClass,
  type AnyClass,
  type EntityClassRecord,
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

/**
 * Under standard decorators TypeScript hands decorators the class's metadata object
 * (`context.metadata`, which `@field()`/`@transient()` record into) only where `Symbol.metadata`
 * exists as the class is defined; Node 20 has none. This is the symbol esbuild and Babel fall back to.
 */
(Symbol as unknown as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

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

/** What `@entity()` returns: a class decorator under `experimentalDecorators` and under standard decorators. */
export type EntityDecorator = <C extends AnyClass>(target: C, context?: ClassDecoratorContext<C>) => C;

/**
 * What `@field()` and `@transient()` return: a property decorator under `experimentalDecorators`
 * (prototype and name), a field decorator under standard decorators (no value and a context), for
 * public instance fields.
 */
export interface FieldDecorator {
  (prototype: object, name: string): void;
  <This, Value>(
    value: undefined,
    context: ClassFieldDecoratorContext<This, Value> & { name: string; static: false; private: false },
  ): void;
}

/**
 * `@entity()`: marks an entity class. Returns a subclass that finishes construction after the
 * class's own field initialisers ran: applies the init object, then builds the real object
 * (values array + identity) the rest of the library works with.
 */
export function entity(options: EntityOptions = {}): EntityDecorator {
  const typeName = options?.name;
  if (typeName !== undefined && (typeof typeName !== 'string' || typeName.length === 0)) {
    throw new EntityDefinitionError(
      `@entity({ name }): the name must be a non-empty string, got ${describeValue(typeName)}`,
    );
  }
  return <C extends AnyClass>(target: C, context?: ClassDecoratorContext<C>): C => {
    // A member decorator's call: experimentalDecorators pass a prototype or a key, standard ones a context.
    if (typeof target !== 'function' || (context !== undefined && context.kind !== 'class'))
      throw new EntityDefinitionError(`@entity() decorates classes, not ${describeValue(target)}`);
    const Base = target as unknown as new (...args: unknown[]) => object;
    const Decorated = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        if (new.target !== Decorated) {
          if (!entityClassRecord(new.target) && !probing) {
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
    registerEntityClass(Decorated as unknown as AnyClass, target, typeName, context?.metadata);
    return Decorated as unknown as C;
  };
}

/** `@transient()`: the property is not a field (not versioned, copied, compared or serialised). */
export function transient(): FieldDecorator {
  return fieldDecorator('@transient()', markTransient);
}

/**
 * `@field(options)`: declares a field explicitly, with options (type for runtime metadata, docs).
 * A field declared without an initialiser (`note?: string`) needs it where class fields are not
 * defined (`useDefineForClassFields` off): there an instance has no such property to find.
 */
export function field(options: FieldOptions = {}): FieldDecorator {
  return fieldDecorator('@field()', (owner, name) => markField(owner, name, options));
}

/** The standard-decorator context a member decorator may be handed (whatever member it decorates). */
interface MemberContext {
  kind: string;
  name: string | symbol;
  static: boolean;
  private: boolean;
  metadata?: object;
}

/** The decorator of `@field()`/`@transient()`: marks the name on the owner `registerEntityClass` collects. */
function fieldDecorator(what: string, mark: (owner: object, name: string) => void): FieldDecorator {
  return ((target: unknown, key: string | MemberContext, descriptor?: PropertyDescriptor): void => {
    if (typeof key === 'object') {
      // Standard decorators: no prototype; the class's metadata object stands for it.
      if (key.kind !== 'field' || key.static || key.private || typeof key.name !== 'string')
        throw notAField(
          what,
          `${key.static ? 'static ' : ''}${key.private ? 'private ' : ''}${key.kind} ${String(key.name)}`,
        );
      if (key.metadata === undefined) {
        throw new EntityDefinitionError(
          `${what} on ${key.name}: this compiler's standard decorators give no decorator metadata (context.metadata); use TypeScript 5.2 or later, or experimentalDecorators`,
        );
      }
      mark(key.metadata, key.name);
    } else {
      // experimentalDecorators: (prototype, name); a static member gets the class, a method a descriptor.
      if (typeof target === 'function' || descriptor !== undefined)
        throw notAField(what, `${typeof target === 'function' ? 'static ' : ''}member ${key}`);
      mark(target as object, key);
    }
  }) as FieldDecorator;
}

function notAField(what: string, member: string): EntityDefinitionError {
  return new EntityDefinitionError(`${what} on ${member}: it decorates public instance fields`);
}

/** True while `assignsFields` constructs a probe (its constructor is no registered class). */
let probing = false;

/**
 * Whether the class's field initialisers assign (`this.title = ''`: TypeScript's
 * useDefineForClassFields off) instead of defining fields: a probe instance whose prototype traps
 * assignments tells. False when the class cannot be constructed without arguments.
 */
function assignsFields(record: EntityClassRecord): boolean {
  let assigned = false;
  const prototype = new Proxy(record.original.prototype as object, {
    set(target, key, value, receiver) {
      assigned = true;
      return Reflect.set(target, key, value, receiver);
    },
  });
  function Probe(): void {}
  Probe.prototype = prototype;
  probing = true;
  try {
    constructTemplate(() => Reflect.construct(record.original as unknown as new () => object, [], Probe) as object);
  } catch {
    // the class needs constructor arguments: unknown
  } finally {
    probing = false;
  }
  return assigned;
}

/**
 * The unknown-field error. Where field initialisers assign, a field declared without an
 * initialiser never becomes a property, so the runtime cannot know it: the message says so.
 */
function unknownField(meta: ClassMeta, key: string): EntityDefinitionError {
  const fields = meta.fields.map((f) => f.name).join(', ') || '(none)';
  let why = SYSTEM_NAMES.has(key) ? 'it is a system field' : `fields: ${fields}`;
  const record = entityClassRecord(meta.ctor);
  if (!SYSTEM_NAMES.has(key) && record && assignsFields(record)) {
    why +=
      `; ${meta.name} is compiled with useDefineForClassFields off, where a field declared without an initialiser ` +
      `is not a field: if '${excerpt(key)}' is one, turn the option on, give it an initialiser, or decorate it with @field()`;
  }
  return new EntityDefinitionError(`new ${meta.name}(init): unknown field '${excerpt(key)}' (${why})`);
}

function applyInit(meta: ClassMeta, init: object, values: unknown[]): void {
  let key = '';
  try {
    for (key of Object.keys(init)) {
      const index = meta.fieldIndex.get(key);
      if (index === undefined) throw unknownField(meta, key);
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
