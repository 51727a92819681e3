/**
 * Input that cannot be read — a revoked Proxy, a Proxy whose traps throw, a throwing getter — is
 * bad input like any other: a typed error (an AbstractionsError) naming what could not be read.
 */
import {
  AbstractionsError,
  CallableRegistry,
  Entity,
  EntityDefinitionError,
  RegistrationError,
  SerializationError,
  createComposite,
  entity,
  fromJSON,
  toJSON,
} from '../../src';
import { describeValue } from '../../src/metadata/describe-value';

@entity()
class UiDoc extends Entity {
  title = '';
}

const revoked = (): object => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};
const trapsThrow = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('get trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf trap');
      },
    },
  );
const getterThrows = (): object => ({
  get title(): never {
    throw new Error('getter');
  },
});
const hostile: [string, () => object][] = [
  ['a revoked Proxy', revoked],
  ['a Proxy whose traps throw', trapsThrow],
  ['an object with a throwing getter', getterThrows],
];

test.each(hostile)('new Entity(init) with %s as init', (_, make) => {
  expect(() => new UiDoc(make() as never)).toThrow(EntityDefinitionError);
  expect(() => new UiDoc(make() as never)).toThrow(/new UiDoc\(init\): .*cannot be read/);
});

test.each(hostile)('createComposite with %s as spec', (_, make) => {
  expect(() => createComposite(UiDoc, make() as never)).toThrow(/createComposite\(UiDoc\): .*cannot be read/);
});

test.each(hostile)('toJSON and fromJSON of %s', (_, make) => {
  expect(() => toJSON(make())).toThrow(SerializationError);
  expect(() => fromJSON(make())).toThrow(SerializationError);
});

test.each(hostile)('register with %s as name or signature', (_, make) => {
  const functions = new CallableRegistry();
  expect(() => functions.register(make() as never, () => 1)).toThrow(RegistrationError);
  expect(() => functions.register('f', () => 1, make() as never)).toThrow(AbstractionsError);
  expect(functions.names()).toEqual([]);
});

test.each(hostile)('describeValue of %s does not throw', (_, make) => {
  expect(typeof describeValue(make())).toBe('string');
});
