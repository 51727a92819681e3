/** Arguments that cannot be read are ArgumentErrors naming the argument; nothing is left behind. */
import { ArgumentError, CallableRegistry, Entity, EntityNotFoundError, EntityRegistry, entity } from '../../src';
import { capture, expectUnchanged } from './dump-registry';

@entity()
class UaDoc extends Entity {
  title = '';
}

const revoked = (): object => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};
const hostile = (): object =>
  new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf trap');
      },
    },
  );
const throwingGetter = (): object => ({
  get boom(): never {
    throw new Error('getter');
  },
});
let deep: unknown = 1;
for (let i = 0; i < 200_000; i++) deep = [deep];

let registry: EntityRegistry;
let functions: CallableRegistry;
let doc: UaDoc;

beforeEach(() => {
  registry = new EntityRegistry();
  functions = new CallableRegistry({ entities: registry });
  doc = new UaDoc({ title: 'a' });
  registry.promoteToRoot(doc);
  functions.register('touch', ({ doc }: { doc: UaDoc; x?: unknown }) => {
    doc.title = 'b';
    return doc;
  });
});

test.each([
  ['a revoked Proxy', revoked, /argument 'x': cannot be read: TypeError/],
  ['a Proxy whose traps throw', hostile, /argument 'x': cannot be read: Error: .* trap/],
  ['an object with a throwing getter', throwingGetter, /argument 'x': cannot be read: Error: getter/],
  ['an array nested deeper than the stack', () => deep, /argument 'x': is nested too deeply to bind/],
])('%s as an argument', (_, make, message) => {
  const before = capture(registry);
  let error: unknown;
  try {
    functions.execute<unknown>('touch', { doc, x: make() });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ArgumentError);
  expect((error as ArgumentError).argument).toBe('x');
  expect((error as Error).message).toMatch(message);
  expectUnchanged(registry, before);
  expect(functions.executions()).toHaveLength(0); // the function was not reached
});

test('the argument object itself cannot be read', async () => {
  expect(() => functions.execute<unknown>('touch', revoked() as never)).toThrow(
    /argument '\(arguments\)': cannot be read/,
  );
  await expect(functions.aexecute<unknown>('touch', hostile() as never)).rejects.toThrow(ArgumentError);
});

test('registry lookups with something other than an id string find nothing', () => {
  for (const id of [42, null, undefined, {}, Symbol('id')] as unknown[]) {
    expect(() => registry.getStoredEntity(id as string)).toThrow(EntityNotFoundError);
    expect(() => registry.getVersion(id as string)).toThrow(EntityNotFoundError);
    expect(() => registry.checkout(id as string)).toThrow(EntityNotFoundError);
    expect(registry.hasVersion(id as string)).toBe(false);
    expect(registry.findStoredEntity(id as string)).toBeUndefined();
    expect(registry.lineage(id as string)).toEqual([]);
    expect(registry.latest(id as string)).toBeUndefined();
  }
  expect(() => registry.getStoredEntity(42 as never)).toThrow(
    'no stored entity with ecsId (number): an id is a string',
  );
});
