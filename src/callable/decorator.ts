/**
 * The `@callable()` decorator: registers a static method as a callable function, under
 * `experimentalDecorators` and under standard decorators alike.
 */
import { CallableRegistry } from './callable-registry';
import { RegistrationError } from './errors';
import type { AnyFunction } from './execute';
import type { SignatureSpec } from './signatures';

/** Options of the `@callable()` decorator. */
export interface CallableOptions {
  /** The registered name (default: the method's name). */
  readonly name?: string;
  readonly signature?: SignatureSpec;
  /** Where to register (default: `CallableRegistry.default` at decoration time). */
  readonly registry?: CallableRegistry;
}

/**
 * What `@callable()` returns: a method decorator for static methods under `experimentalDecorators`
 * (the class, the name and the descriptor) and under standard decorators (the method and a context).
 */
export interface CallableDecorator {
  (target: abstract new (...args: never[]) => unknown, name: string | symbol, descriptor: PropertyDescriptor): void;
  (method: AnyFunction, context: ClassMethodDecoratorContext & { static: true }): void;
}

/**
 * Registers a static method as a callable function (`this` is the class):
 * ```ts
 * class Grades {
 *   @callable('update_gpa', { params: { student: Student, newGpa: Number }, returns: Student })
 *   static updateGpa({ student, newGpa }: { student: Student; newGpa: number }) { ... }
 * }
 * ```
 * Works with TypeScript's `experimentalDecorators` and with standard decorators.
 */
export function callable(nameOrOptions?: string | CallableOptions, signature?: SignatureSpec): CallableDecorator {
  const options: CallableOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions, signature } : { signature, ...nameOrOptions };
  return function callableDecorator(target: unknown, key: unknown, descriptor?: PropertyDescriptor): void {
    const registry = options.registry ?? CallableRegistry.default;
    // Standard decorators: (method, context).
    if (typeof key === 'object' && key !== null && 'kind' in key) {
      const context = key as {
        kind: string;
        name: string | symbol;
        static: boolean;
        addInitializer(init: (this: unknown) => void): void;
      };
      const name = options.name ?? String(context.name);
      if (context.kind !== 'method' || !context.static) {
        throw new RegistrationError(name, '@callable() decorates static methods');
      }
      const method = target as AnyFunction;
      context.addInitializer(function (this: unknown) {
        registry.register(name, method.bind(this), options.signature);
      });
      return;
    }
    // experimentalDecorators: (class, propertyKey, descriptor) for a static method.
    const name = options.name ?? String(key);
    if (typeof target !== 'function' || descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new RegistrationError(name, '@callable() decorates static methods');
    }
    registry.register(name, (descriptor.value as AnyFunction).bind(target), options.signature);
  };
}
