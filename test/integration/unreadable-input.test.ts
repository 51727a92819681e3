/**
 * Input that cannot be read — a revoked Proxy, a Proxy whose traps throw, a throwing getter — is
 * bad input like any other: a typed error (an AbstractionsError) naming what could not be read.
 */
import {
  AbstractionsError,
  CallableRegistry,
  Entity,
  EntityDefinitionError,
  EntityRegistry,
  UnsupportedValueError,
  put,
  RegistrationError,
  SerializationError,
  createComposite,
  entity,
  fromJSON,
  toJSON,
} from '../../src';
import { describeValue } from '../../src/metadata/describe-value';
import { capture, expectUnchanged } from '../callable/dump-registry';

@entity()
class UiDoc extends Entity {
  title = '';
  data: Record<string, unknown> = {};
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

describe.each(hostile)('%s as field data', (_, make) => {
  const expectRefused = (run: () => unknown): void => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedValueError);
    expect((error as UnsupportedValueError).className).toBe('UiDoc');
    expect((error as UnsupportedValueError).fieldPath).toBe('data');
    expect((error as Error).message).toMatch(/UiDoc\.data holds an object that cannot be read/);
  };

  test('promoteToRoot and put refuse it; the registry is unchanged', () => {
    const registry = new EntityRegistry();
    const doc = new UiDoc();
    doc.data = make() as Record<string, unknown>;
    expectRefused(() => registry.promoteToRoot(doc));
    const stored = new UiDoc({ title: 'a' });
    registry.promoteToRoot(stored);
    const before = capture(registry);
    expectRefused(() => put(`@${stored.ecsId}.data`, make(), registry));
    expectUnchanged(registry, before);
  });

  test('a function storing it fails with one failed record', () => {
    const registry = new EntityRegistry();
    const functions = new CallableRegistry({ entities: registry });
    const doc = new UiDoc({ title: 'a' });
    registry.promoteToRoot(doc);
    functions.register('store_hostile', ({ d }: { d: UiDoc }) => {
      d.data = make() as Record<string, unknown>;
      return d;
    });
    const before = capture(registry);
    expectRefused(() => functions.execute<unknown>('store_hostile', { d: doc }));
    expectUnchanged(registry, before);
    expect(functions.executions().map((r) => r.status)).toEqual(['failed']);
  });
});
