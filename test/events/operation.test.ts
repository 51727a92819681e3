import { AsyncLocalStorage } from 'node:async_hooks';
import { Event, EventBus, runOperation, type HandlerError } from '../../src/events';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function observedBus(): EventBus {
  return new EventBus({ recordHistory: true });
}

function byPhase(bus: EventBus, type: string, phase: Event['phase']): Event[] {
  return bus.history.byType(type).filter((e) => e.phase === phase);
}

describe('runOperation', () => {
  describe('unobserved bus', () => {
    it('just runs the body: no describe, no complete, no event, no clock, no context', () => {
      const bus = new EventBus();
      const describe = jest.fn(() => ({ type: 'entity.version' }));
      const complete = jest.fn(() => ({}));
      // Every Event construction reads Date.now(); the observed path also enters AsyncLocalStorage.
      const now = jest.spyOn(Date, 'now');
      const perf = jest.spyOn(performance, 'now');
      const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
      try {
        expect(runOperation(bus, describe, () => 42, complete)).toBe(42);
        expect(describe).not.toHaveBeenCalled();
        expect(complete).not.toHaveBeenCalled();
        expect(now).not.toHaveBeenCalled();
        expect(perf).not.toHaveBeenCalled();
        expect(run).not.toHaveBeenCalled();
        expect(bus.history.all()).toEqual([]);

        // the same spies do see the observed path, so the silence above means something
        const sub = bus.on('entity.version', () => undefined);
        runOperation(bus, describe, () => 42, complete);
        sub.unsubscribe();
        expect(describe).toHaveBeenCalledTimes(1);
        expect(complete).toHaveBeenCalledTimes(1);
        expect(now).toHaveBeenCalled();
        expect(run).toHaveBeenCalled();
      } finally {
        now.mockRestore();
        perf.mockRestore();
        run.mockRestore();
      }
    });

    it('passes the same error and promise through', async () => {
      const bus = new EventBus();
      const boom = new Error('boom');
      expect(() =>
        runOperation(
          bus,
          () => ({ type: 'x' }),
          () => {
            throw boom;
          },
        ),
      ).toThrow(boom);
      const p = Promise.resolve(7);
      expect(
        runOperation(
          bus,
          () => ({ type: 'x' }),
          () => p,
        ),
      ).toBe(p);
    });

    it('becomes observed as soon as someone listens', () => {
      const bus = new EventBus();
      const describe = jest.fn(() => ({ type: 'x' }));
      const sub = bus.on('x', () => undefined);
      runOperation(bus, describe, () => 1);
      expect(describe).toHaveBeenCalledTimes(1);
      sub.unsubscribe();
      runOperation(bus, describe, () => 1);
      expect(describe).toHaveBeenCalledTimes(1);
    });
  });

  describe('observed bus, sync body', () => {
    it('emits started then completed, linked and timed, with merged metadata', () => {
      const bus = observedBus();
      const seenInside: (string | null)[] = [];
      const result = runOperation(
        bus,
        () => ({ type: 'entity.version', subjectType: 'Student', subjectId: 's1', metadata: { a: 1, b: 1 } }),
        () => {
          const inner = new Event({ type: 'inner' });
          bus.emit(inner);
          seenInside.push(inner.parentId);
          return { created: true };
        },
        (r) => ({ b: 2, created: r.created }),
      );
      expect(result).toEqual({ created: true });
      const [start, inner, end] = bus.history.all();
      expect(start!.phase).toBe('started');
      expect(start!.type).toBe('entity.version');
      expect(start!.subjectType).toBe('Student');
      expect(start!.subjectId).toBe('s1');
      expect(start!.parentId).toBeNull();
      expect(start!.rootId).toBe(start!.id);
      expect(start!.startId).toBeNull();
      expect(start!.durationMs).toBeNull();
      expect(start!.metadata).toEqual({ a: 1, b: 1 });

      expect(inner!.parentId).toBe(start!.id);
      expect(inner!.rootId).toBe(start!.id);
      expect(seenInside).toEqual([start!.id]);

      expect(end!.phase).toBe('completed');
      expect(end!.type).toBe('entity.version');
      expect(end!.subjectId).toBe('s1');
      expect(end!.startId).toBe(start!.id);
      expect(end!.parentId).toBeNull();
      expect(end!.rootId).toBe(start!.id);
      expect(end!.durationMs).toBeGreaterThanOrEqual(0);
      expect(end!.error).toBeNull();
      expect(end!.metadata).toEqual({ a: 1, b: 2, created: true });
      expect(Object.isFrozen(end)).toBe(true);
    });

    it('emits failed with the error and rethrows the same error object', () => {
      const bus = observedBus();
      class MyError extends Error {
        override name = 'MyError';
      }
      const boom = new MyError('boom');
      const complete = jest.fn(() => ({}));
      let caught: unknown;
      try {
        runOperation(
          bus,
          () => ({ type: 'function.execute', metadata: { fn: 'f' } }),
          () => {
            throw boom;
          },
          complete,
        );
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(boom);
      expect(complete).not.toHaveBeenCalled();
      const [start, end] = bus.history.all();
      expect(end!.phase).toBe('failed');
      expect(end!.startId).toBe(start!.id);
      expect(end!.rootId).toBe(start!.id);
      expect(end!.error).toEqual({ name: 'MyError', message: 'boom' });
      expect(end!.metadata).toEqual({ fn: 'f' });
      expect(end!.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('reports non-Error throws with a readable error', () => {
      const bus = observedBus();
      expect(() =>
        runOperation(
          bus,
          () => ({ type: 'x' }),
          () => {
            throw 'nope';
          },
        ),
      ).toThrow('nope');
      expect(byPhase(bus, 'x', 'failed')[0]!.error).toEqual({ name: 'string', message: 'nope' });
    });

    it('a throwing complete() goes to errors$; the operation still succeeds', () => {
      const bus = observedBus();
      const errors: HandlerError[] = [];
      bus.errors$.subscribe((e) => errors.push(e));
      const r = runOperation(
        bus,
        () => ({ type: 'x', metadata: { a: 1 } }),
        () => 5,
        () => {
          throw new Error('bad complete');
        },
      );
      expect(r).toBe(5);
      expect(errors.map((e) => e.handler)).toEqual(['runOperation.complete']);
      expect(byPhase(bus, 'x', 'completed')[0]!.metadata).toEqual({ a: 1 });
    });

    it('an error thrown by describe reaches the caller before the body runs', () => {
      const bus = observedBus();
      const body = jest.fn(() => 1);
      expect(() =>
        runOperation(
          bus,
          () => {
            throw new Error('bad describe');
          },
          body,
        ),
      ).toThrow('bad describe');
      expect(body).not.toHaveBeenCalled();
      expect(bus.history.all()).toEqual([]);
    });

    it('handlers of the start event run before the body, outside its duration', () => {
      const bus = new EventBus();
      const order: string[] = [];
      bus.on('op', (e) => {
        order.push(e.phase);
      });
      runOperation(
        bus,
        () => ({ type: 'op' }),
        () => order.push('body'),
      );
      expect(order).toEqual(['started', 'body', 'completed']);
    });
  });

  describe('observed bus, async body', () => {
    it('emits completed when the promise resolves, with the same value', async () => {
      const bus = observedBus();
      const value = { v: 1 };
      const p = runOperation(
        bus,
        () => ({ type: 'op' }),
        async () => {
          await sleep(15);
          bus.emit(new Event({ type: 'after.await' }));
          return value;
        },
        (r) => ({ got: r.v }),
      );
      expect(byPhase(bus, 'op', 'completed')).toHaveLength(0);
      await expect(p).resolves.toBe(value);
      const start = byPhase(bus, 'op', 'started')[0]!;
      const end = byPhase(bus, 'op', 'completed')[0]!;
      expect(end.startId).toBe(start.id);
      expect(end.metadata).toEqual({ got: 1 });
      expect(end.durationMs).toBeGreaterThanOrEqual(10);
      expect(bus.history.byType('after.await')[0]!.parentId).toBe(start.id);
    });

    it('emits failed when the promise rejects, and rejects with the same error', async () => {
      const bus = observedBus();
      const boom = new Error('late');
      const p = runOperation(
        bus,
        () => ({ type: 'op' }),
        async () => {
          await tick();
          throw boom;
        },
      );
      await expect(p).rejects.toBe(boom);
      const end = byPhase(bus, 'op', 'failed')[0]!;
      expect(end.error).toEqual({ name: 'Error', message: 'late' });
    });

    it('end events of nested async operations keep their start lineage', async () => {
      const bus = observedBus();
      await runOperation(
        bus,
        () => ({ type: 'outer' }),
        async () => {
          await tick();
          await runOperation(
            bus,
            () => ({ type: 'inner' }),
            async () => {
              await tick();
            },
          );
        },
      );
      const outerStart = byPhase(bus, 'outer', 'started')[0]!;
      const innerStart = byPhase(bus, 'inner', 'started')[0]!;
      const innerEnd = byPhase(bus, 'inner', 'completed')[0]!;
      expect(innerStart.parentId).toBe(outerStart.id);
      expect(innerEnd.parentId).toBe(outerStart.id);
      expect(innerEnd.rootId).toBe(outerStart.id);
    });
  });

  describe('nesting', () => {
    it('3+ levels of operations with a handler that emits', () => {
      const bus = observedBus();
      bus.on('level.c', (e) => {
        if (e.phase === 'started') bus.emit(new Event({ type: 'from.handler' }));
      });
      runOperation(
        bus,
        () => ({ type: 'level.a' }),
        () =>
          runOperation(
            bus,
            () => ({ type: 'level.b' }),
            () =>
              runOperation(
                bus,
                () => ({ type: 'level.c' }),
                () =>
                  runOperation(
                    bus,
                    () => ({ type: 'level.d' }),
                    () => bus.emit(new Event({ type: 'leaf' })),
                  ),
              ),
          ),
      );
      const a = byPhase(bus, 'level.a', 'started')[0]!;
      const b = byPhase(bus, 'level.b', 'started')[0]!;
      const c = byPhase(bus, 'level.c', 'started')[0]!;
      const d = byPhase(bus, 'level.d', 'started')[0]!;
      const leaf = bus.history.byType('leaf')[0]!;
      const fromHandler = bus.history.byType('from.handler')[0]!;

      expect(a.parentId).toBeNull();
      expect(b.parentId).toBe(a.id);
      expect(c.parentId).toBe(b.id);
      expect(d.parentId).toBe(c.id);
      expect(leaf.parentId).toBe(d.id);
      expect(fromHandler.parentId).toBe(c.id);
      for (const e of bus.history.all()) expect(e.rootId).toBe(a.id);

      for (const [type, start] of [
        ['level.a', a],
        ['level.b', b],
        ['level.c', c],
        ['level.d', d],
      ] as const) {
        const end = byPhase(bus, type, 'completed')[0]!;
        expect(end.startId).toBe(start.id);
        expect(end.parentId).toBe(start.parentId);
        expect(end.rootId).toBe(start.rootId);
      }
      // every started event is answered by exactly one end event
      expect(bus.history.all().filter((e) => e.phase === 'completed')).toHaveLength(4);
      expect(bus.history.byRoot(a.id)).toHaveLength(10);
    });

    it('events emitted by a handler are parented to the handled event (sync and async handlers)', async () => {
      const bus = observedBus();
      bus.on('ping', (e) => bus.emit(new Event({ type: 'pong.sync', metadata: { of: e.id } })));
      bus.on('ping', async (e) => {
        await tick();
        await tick();
        bus.emit(new Event({ type: 'pong.async', metadata: { of: e.id } }));
      });
      const ping = new Event({ type: 'ping' });
      bus.emit(ping);
      await bus.settled();
      const sync = bus.history.byType('pong.sync')[0]!;
      const late = bus.history.byType('pong.async')[0]!;
      expect(ping.parentId).toBeNull();
      expect(ping.rootId).toBe(ping.id);
      expect(sync.parentId).toBe(ping.id);
      expect(sync.rootId).toBe(ping.id);
      expect(late.parentId).toBe(ping.id);
      expect(late.rootId).toBe(ping.id);
    });

    it('a handler of an operation event that runs an operation nests it under that event', () => {
      const bus = observedBus();
      bus.on('outer', (e) => {
        if (e.phase === 'completed')
          runOperation(
            bus,
            () => ({ type: 'reaction' }),
            () => undefined,
          );
      });
      runOperation(
        bus,
        () => ({ type: 'outer' }),
        () => undefined,
      );
      const outerStart = byPhase(bus, 'outer', 'started')[0]!;
      const outerEnd = byPhase(bus, 'outer', 'completed')[0]!;
      const reaction = byPhase(bus, 'reaction', 'started')[0]!;
      expect(reaction.parentId).toBe(outerEnd.id);
      expect(reaction.rootId).toBe(outerStart.id);
    });

    it('concurrent async operations with interleaved awaits do not cross-talk', async () => {
      const bus = observedBus();
      async function job(name: string, delays: number[]): Promise<void> {
        await runOperation(
          bus,
          () => ({ type: 'job', subjectId: name }),
          async () => {
            for (const [i, ms] of delays.entries()) {
              await sleep(ms);
              bus.emit(new Event({ type: 'step', subjectId: name, metadata: { i } }));
              if (i === 1) {
                await runOperation(
                  bus,
                  () => ({ type: 'sub', subjectId: name }),
                  async () => {
                    await sleep(ms);
                    bus.emit(new Event({ type: 'substep', subjectId: name }));
                  },
                );
              }
            }
          },
        );
      }
      await Promise.all([job('A', [5, 1, 7, 2]), job('B', [1, 6, 1, 5]), job('C', [3, 3, 3, 3])]);

      // the steps really did interleave
      const stepOwners = bus.history.byType('step').map((e) => e.subjectId);
      expect(stepOwners.join('')).not.toMatch(/A{4}|B{4}|C{4}/);

      for (const name of ['A', 'B', 'C']) {
        const mine = bus.history.bySubject(name);
        const start = mine.find((e) => e.type === 'job' && e.phase === 'started')!;
        const subStart = mine.find((e) => e.type === 'sub' && e.phase === 'started')!;
        expect(start.parentId).toBeNull();
        expect(mine.filter((e) => e.type === 'step').map((e) => e.parentId)).toEqual([
          start.id,
          start.id,
          start.id,
          start.id,
        ]);
        expect(subStart.parentId).toBe(start.id);
        expect(mine.find((e) => e.type === 'substep')!.parentId).toBe(subStart.id);
        for (const e of mine) expect(e.rootId).toBe(start.id);
        expect(
          mine
            .filter((e) => e.phase === 'completed')
            .map((e) => e.startId)
            .sort(),
        ).toEqual([start.id, subStart.id].sort());
      }
    });

    it('buses keep separate contexts', () => {
      const a = observedBus();
      const b = observedBus();
      runOperation(
        a,
        () => ({ type: 'on.a' }),
        () => {
          runOperation(
            b,
            () => ({ type: 'on.b' }),
            () => {
              a.emit(new Event({ type: 'a.inside.b' }));
              b.emit(new Event({ type: 'b.inside.b' }));
            },
          );
        },
      );
      const aStart = byPhase(a, 'on.a', 'started')[0]!;
      const bStart = byPhase(b, 'on.b', 'started')[0]!;
      expect(bStart.parentId).toBeNull();
      expect(a.history.byType('a.inside.b')[0]!.parentId).toBe(aStart.id);
      expect(b.history.byType('b.inside.b')[0]!.parentId).toBe(bStart.id);
    });

    it('a one-shot event outside anything is its own root', () => {
      const bus = observedBus();
      const e = new Event({ type: 'alone' });
      bus.emit(e);
      expect(e.parentId).toBeNull();
      expect(e.rootId).toBe(e.id);
    });
  });
});
