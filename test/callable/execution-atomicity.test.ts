/**
 * Every execution that reached the function leaves exactly one record, and on any error nothing
 * else (D5, D14); a write after an async function returned is refused (D15); entities at any
 * depth of a result are resolved (D17).
 */
import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  EventBus,
  ImmutableVersionError,
  ResultError,
  entity,
} from '../../src';
import { capture, expectUnchanged } from './dump-registry';

@entity()
class EaCounter extends Entity {
  n = 0;
}

@entity()
class EaDoc extends Entity {
  label = '';
}

let registry: EntityRegistry;
let functions: CallableRegistry;

beforeEach(() => {
  registry = new EntityRegistry();
  functions = new CallableRegistry({ entities: registry });
});

describe('a result that cannot be read (D14)', () => {
  test('a Proxy whose ownKeys trap throws: ResultError, one failed record, registry unchanged', () => {
    const doc = new EaDoc({ label: 'a' });
    registry.promoteToRoot(doc);
    functions.register('hostile_result', ({ doc }: { doc: EaDoc }) => {
      doc.label = 'b';
      return new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('no keys for you');
          },
        },
      );
    });
    const before = capture(registry);
    expect(() => functions.execute<unknown>('hostile_result', { doc })).toThrow(ResultError);
    expect(() => functions.execute<unknown>('hostile_result', { doc })).toThrow(
      /hostile_result: its result could not be read: Error: no keys for you/,
    );
    expectUnchanged(registry, before);
    expect(functions.executions().map((r) => [r.status, r.error?.name])).toEqual([
      ['failed', 'ResultError'],
      ['failed', 'ResultError'],
    ]);
  });

  test('a result whose `then` getter throws: one failed record', () => {
    functions.register('then_throws', () => ({
      get then(): never {
        throw new Error('then');
      },
    }));
    const before = capture(registry);
    expect(() => functions.execute<unknown>('then_throws', {})).toThrow('then');
    expectUnchanged(registry, before);
    expect(functions.executions()).toHaveLength(1);
    expect(functions.executions()[0].status).toBe('failed');
  });

  test('a thrown value whose properties cannot be read is still recorded', () => {
    const hostile = new Proxy(new Error('x'), {
      get() {
        throw new Error('unreadable');
      },
    });
    functions.register('throws_hostile', () => {
      throw hostile;
    });
    let caught: unknown;
    try {
      functions.execute<unknown>('throws_hostile', {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(hostile);
    expect(functions.executions()[0].status).toBe('failed');
    expect(functions.executions()[0].error!.message).toBe('(the error could not be read)');
  });
});

describe('a cascade of executions from event handlers (D5)', () => {
  test('every version in the lineage has a succeeded record, whatever the stack depth the cascade starts at', () => {
    const bus = new EventBus();
    bus.errors$.subscribe(() => undefined);
    const reg = new EntityRegistry({ bus });
    const fns = new CallableRegistry({ entities: reg, events: bus });
    fns.register('inc', ({ c }: { c: EaCounter }) => {
      c.n++;
      return c;
    });
    const pad = (k: number, f: () => void): void => (k === 0 ? f() : pad(k - 1, f));
    for (const depth of [0, 50, 200, 800]) {
      const c0 = new EaCounter();
      reg.promoteToRoot(c0);
      let steps = 0;
      const sub = bus.on('function.execute', (e) => {
        if (e.phase === 'completed' && ++steps < 300)
          fns.execute<unknown>('inc', { c: reg.latest<EaCounter>(c0.lineageId)! });
      });
      pad(depth, () => fns.execute<unknown>('inc', { c: reg.latest<EaCounter>(c0.lineageId)! }));
      sub.unsubscribe();
      const records = new Map(fns.executions().map((x) => [x.id, x]));
      const versions = reg.lineage(c0.lineageId).slice(1);
      expect(versions.length).toBeGreaterThan(0);
      for (const v of versions) {
        const root = reg.getVersion(v.ecsId).root as unknown as EaCounter;
        expect(records.get(root.derivedFromExecutionId!)?.status).toBe('succeeded');
      }
      expect(reg.latest<EaCounter>(c0.lineageId)!.n).toBe(versions.length);
    }
  });

  test('a handler that throws on entity.version does not fail the execution nor lose its record', () => {
    const bus = new EventBus();
    const failures: unknown[] = [];
    bus.errors$.subscribe((f) => failures.push(f));
    const reg = new EntityRegistry({ bus });
    const fns = new CallableRegistry({ entities: reg, events: bus });
    fns.register('inc', ({ c }: { c: EaCounter }) => {
      c.n++;
      return c;
    });
    bus.on('entity.version', () => {
      throw new RangeError('handler');
    });
    const c0 = new EaCounter();
    reg.promoteToRoot(c0);
    const v2 = fns.execute<EaCounter>('inc', { c: c0 });
    expect(v2.n).toBe(1);
    expect(fns.executions().map((r) => r.status)).toEqual(['succeeded']);
    expect(failures.length).toBeGreaterThan(0);
  });
});

describe('a write after an async function returned (D15)', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test.each([false, true])('is an ImmutableVersionError (another call in flight: %s)', async (othersInFlight) => {
    const d = new EaDoc({ label: 'v1' });
    registry.promoteToRoot(d);
    let late: unknown = 'did not run';
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    functions.register('leaky', async ({ doc }: { doc: EaDoc }) => {
      doc.label = 'v2';
      setTimeout(() => {
        try {
          doc.label = 'late';
          late = 'accepted';
        } catch (e) {
          late = e;
        }
        release();
      }, 5);
      return doc;
    });
    functions.register('slow', async ({ doc }: { doc: EaDoc }) => {
      await sleep(30);
      return doc;
    });
    const other = new EaDoc({ label: 'other' });
    registry.promoteToRoot(other);
    const slow = othersInFlight ? functions.aexecute<unknown>('slow', { doc: other }) : Promise.resolve();
    const result = await functions.aexecute<EaDoc>('leaky', { doc: d });
    await done;
    await slow;
    expect(late).toBeInstanceOf(ImmutableVersionError);
    expect(result.label).toBe('v2');
    expect(registry.latest<EaDoc>(d.lineageId)!.label).toBe('v2');
    expect(registry.lineage(d.lineageId)).toHaveLength(2);
  });
});

describe('entities deep inside a result (D17)', () => {
  test.each([10, 65, 500, 20000])('at depth %i are resolved to their stored results', (depth) => {
    const d = new EaDoc({ label: 'a' });
    registry.promoteToRoot(d);
    functions.register('deep_result', ({ doc }: { doc: EaDoc }) => {
      doc.label = 'b';
      let wrapped: unknown = { doc };
      for (let i = 0; i < depth; i++) wrapped = i % 2 === 0 ? [wrapped] : { inner: wrapped };
      return wrapped;
    });
    let out = functions.execute<unknown>('deep_result', { doc: d });
    for (let i = depth - 1; i >= 0; i--) out = i % 2 === 0 ? (out as unknown[])[0] : (out as { inner: unknown }).inner;
    const doc = (out as { doc: EaDoc }).doc;
    expect(doc).toBe(registry.latest(d.lineageId));
    expect(doc.label).toBe('b');
  });

  test('a cyclic result keeps its shape, with entities resolved', () => {
    const d = new EaDoc({ label: 'a' });
    registry.promoteToRoot(d);
    functions.register('cyclic_result', ({ doc }: { doc: EaDoc }) => {
      doc.label = 'c';
      const box: { doc: EaDoc; self?: unknown } = { doc };
      box.self = box;
      return box;
    });
    const out = functions.execute<{ doc: EaDoc; self: unknown }>('cyclic_result', { doc: d });
    expect(out.self).toBe(out);
    expect(out.doc).toBe(registry.latest(d.lineageId));
  });
});
