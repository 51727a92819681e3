/**
 * An argument named `__proto__` (a name JSON.parse and computed keys can produce) is an argument
 * like any other: an own property of the object the function receives and of the record's inputs,
 * never the prototype of either.
 */
import { EntityRegistry } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
  calls = new CallableRegistry({ entities: reg });
});

test("an untyped function's '__proto__' argument is an own argument, not a prototype", () => {
  let received: Record<string, unknown> = {};
  // Registered on an instance without a signature: the untyped binding path.
  calls.register('proto_arg_keys', (args: Record<string, unknown>) => {
    received = args;
    return Object.keys(args).join(',');
  });
  const args = JSON.parse('{"__proto__": {"polluted": 1}, "n": 2}') as Record<string, unknown>;
  expect(calls.execute<unknown>('proto_arg_keys', args)).toBe('__proto__,n');
  expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(received, '__proto__')?.value).toEqual({ polluted: 1 });
  expect((received as { polluted?: unknown }).polluted).toBeUndefined();

  const values = calls.executions()[0].inputs.values;
  expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  expect(Object.keys(values)).toEqual(['__proto__', 'n']);
  expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toEqual({ polluted: 1 });
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
});

test("an entity or an address passed as '__proto__' is recorded under that name", () => {
  calls.register('proto_arg_entity', (args: Record<string, unknown>) => Object.keys(args).length);
  const s = makeStudent();
  const args = Object.defineProperty({ other: `@${s.ecsId}` }, '__proto__', { value: s, enumerable: true }) as Record<
    string,
    unknown
  >;
  expect(calls.execute<unknown>('proto_arg_entity', args)).toBe(2);
  const inputs = calls.executions()[0].inputs;
  expect(Object.getPrototypeOf(inputs.entities)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(inputs.entities, '__proto__')?.value).toBe(s.ecsId);
  expect(inputs.addresses).toEqual({ other: `@${s.ecsId}` });
});
