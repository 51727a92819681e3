/**
 * Runaway cascades (a handler that emits or executes on every event, synchronously or after
 * awaiting only promises) stop at the bus's maxCascadeDepth with a CascadeDepthError on errors$,
 * never with a RangeError or a starved event loop; cascades that wait for the event loop between
 * steps are not bounded (their frames do not chain, so memory per step stays constant: measured
 * in a probe, not here).
 */
import {
  AbstractionsError,
  CallableRegistry,
  CascadeDepthError,
  DEFAULT_MAX_CASCADE_DEPTH,
  EntityRegistry,
  Event,
  EventBus,
  EventBusError,
  HandlerError,
  runOperation,
} from '../../src';
import { GridMap, buildGridMap, moveAgent } from '../../examples/gridmap/model';

function collectErrors(bus: EventBus): HandlerError[] {
  const errors: HandlerError[] = [];
  bus.errors$.subscribe((e) => errors.push(e));
  return errors;
}

/** Calls `f` from `frames` extra stack frames down. */
function deep<R>(frames: number, f: () => R): R {
  return frames === 0 ? f() : deep(frames - 1, f);
}

describe('cascade depth bound', () => {
  it('a handler that re-emits synchronously stops at maxCascadeDepth; the outer emit returns', () => {
    const bus = new EventBus({ maxCascadeDepth: 5 });
    const errors = collectErrors(bus);
    let runs = 0;
    bus.on('loop', function again() {
      runs++;
      bus.emit(new Event({ type: 'loop' }));
    });
    const first = new Event({ type: 'loop' });
    expect(() => bus.emit(first)).not.toThrow();
    expect(runs).toBe(5);
    expect(errors).toHaveLength(1);
    const failure = errors[0]!;
    expect(failure.handler).toBe('again');
    expect(failure.error).toBeInstanceOf(CascadeDepthError);
    expect(failure.error).toBeInstanceOf(AbstractionsError);
    const error = failure.error as CascadeDepthError;
    expect(error.name).toBe('CascadeDepthError');
    expect(error.maxCascadeDepth).toBe(5);
    expect(error.parent).toBe(failure.event);
    expect(error.event.rootId).toBeNull(); // refused: not stamped ...
    expect(bus.history.all()).not.toContain(error.event); // ... nor recorded
    expect(error.message).toContain("event 'loop' refused");
    expect(error.message).toContain('maxCascadeDepth 5');
    // five emitted: each under the previous one, all in one cascade
    const emitted = bus.history.byType('loop');
    expect(emitted).toHaveLength(5);
    expect(emitted.map((e) => e.parentId)).toEqual([null, ...emitted.slice(0, 4).map((e) => e.id)]);
    for (const e of emitted) expect(e.rootId).toBe(first.id);
  });

  it('the default bound is 100 and stops well before the stack is exhausted', () => {
    expect(DEFAULT_MAX_CASCADE_DEPTH).toBe(100);
    const bus = new EventBus();
    expect(bus.maxCascadeDepth).toBe(100);
    const errors = collectErrors(bus);
    let runs = 0;
    bus.on('loop', () => {
      runs++;
      bus.emit(new Event({ type: 'loop' }));
    });
    bus.emit(new Event({ type: 'loop' }));
    expect(runs).toBe(100);
    expect(errors.map((e) => e.error)).toEqual([expect.any(CascadeDepthError)]);
  });

  it('an events$ subscriber that re-emits is bounded too', () => {
    const bus = new EventBus({ maxCascadeDepth: 3 });
    const errors = collectErrors(bus);
    let runs = 0;
    bus.events$.subscribe(() => {
      runs++;
      bus.emit(new Event({ type: 'echo' }));
    });
    bus.emit(new Event({ type: 'echo' }));
    expect(runs).toBe(3);
    expect(errors.map((e) => [e.handler, e.error])).toEqual([['events$', expect.any(CascadeDepthError)]]);
  });

  it('an async handler that awaits only promises (a microtask cascade) stops at the bound, before any timer runs', async () => {
    const bus = new EventBus({ maxCascadeDepth: 50 });
    const errors = collectErrors(bus);
    let runs = 0;
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 0);
    bus.on('spin', async () => {
      runs++;
      // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask, then another below
      await null;
      await Promise.resolve();
      bus.emit(new Event({ type: 'spin' }));
    });
    bus.emit(new Event({ type: 'spin' }));
    await bus.settled();
    expect(timerRan).toBe(false); // it never yielded to the event loop
    expect(runs).toBe(50);
    expect(errors.map((e) => e.error)).toEqual([expect.any(CascadeDepthError)]);
  });

  it('a cascade that waits for the event loop between steps is not bounded', async () => {
    const bus = new EventBus({ maxCascadeDepth: 3 });
    const errors = collectErrors(bus);
    let runs = 0;
    bus.on('step', async (e) => {
      runs++;
      const n = e.metadata['n'] as number;
      if (n === 20) return;
      await new Promise((resolve) => setImmediate(resolve));
      bus.emit(new Event({ type: 'step', metadata: { n: n + 1 } }));
    });
    const first = new Event({ type: 'step', metadata: { n: 0 } });
    bus.emit(first);
    await bus.settled();
    expect(errors).toEqual([]);
    expect(runs).toBe(21);
    const steps = bus.history.byType('step');
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.parentId).toBe(steps[i - 1]!.id); // lineage kept
    for (const e of steps) expect(e.rootId).toBe(first.id);
  });

  it('depth counts handler levels: operations nested in an operation body keep its depth', () => {
    const bus = new EventBus({ maxCascadeDepth: 1 });
    const errors = collectErrors(bus);
    const nest = (k: number): number =>
      k === 0
        ? 0
        : runOperation(
            bus,
            () => ({ type: `level.${k}` }),
            () => nest(k - 1) + 1,
          );
    expect(nest(50)).toBe(50); // no handler reacts: no cascade, whatever the nesting
    bus.on('level.*', () => undefined);
    expect(nest(50)).toBe(50);
    expect(errors).toEqual([]);
    // a handler that runs an operation is one level deeper: refused at maxCascadeDepth 1
    bus.on('level.1', (e) => {
      if (e.phase === 'completed')
        runOperation(
          bus,
          () => ({ type: 'reaction' }),
          () => 'ran',
        );
    });
    expect(nest(2)).toBe(2);
    expect(errors.map((e) => (e.error as CascadeDepthError).event.type)).toEqual(['reaction']);
    expect(bus.history.byType('reaction')).toEqual([]); // refused before it started
  });

  it('buses count their own depth: a ping-pong between two buses stops at the smaller bound', () => {
    const a = new EventBus({ maxCascadeDepth: 4 });
    const b = new EventBus({ maxCascadeDepth: 10 });
    const errorsA = collectErrors(a);
    const errorsB = collectErrors(b);
    let pings = 0;
    a.on('ping', () => {
      pings++;
      b.emit(new Event({ type: 'pong' }));
    });
    b.on('pong', () => a.emit(new Event({ type: 'ping' })));
    a.emit(new Event({ type: 'ping' }));
    expect(pings).toBe(4);
    expect(errorsA).toEqual([]);
    expect(errorsB.map((e) => (e.error as CascadeDepthError).event.type)).toEqual(['ping']);
  });

  it('rejects an invalid maxCascadeDepth with a typed error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, -Infinity]) {
      expect(() => new EventBus({ maxCascadeDepth: bad })).toThrow(EventBusError);
    }
    expect(() => new EventBus({ maxCascadeDepth: 0 })).toThrow(
      'maxCascadeDepth must be a positive integer or Infinity, got 0',
    );
    expect(new EventBus({ maxCascadeDepth: Infinity }).maxCascadeDepth).toBe(Infinity);
  });
});

describe('a handler that executes a function on every completed function.execute (D5 scenario)', () => {
  function world() {
    const bus = new EventBus();
    const entities = new EntityRegistry({ bus });
    const callables = new CallableRegistry({ entities, events: bus });
    callables.register('move_agent', moveAgent);
    const errors = collectErrors(bus);
    const map = entities.promoteToRoot(buildGridMap(2, 1)).root as unknown as GridMap;
    let reactions = 0;
    // every completed execution moves the agent to the other node, on the latest version
    bus.on('function.execute', (e) => {
      if (e.phase !== 'completed') return;
      reactions++;
      const latest = entities.latest<GridMap>(map.lineageId)!;
      const from = latest.nodes[0]!.agents.some((a) => a.name === 'agent-0-0') ? 0 : 1;
      callables.execute('move_agent', {
        gridmap: latest,
        sourceIndex: from,
        agentName: 'agent-0-0',
        targetIndex: 1 - from,
      });
    });
    const run = () =>
      callables.execute<GridMap>('move_agent', {
        gridmap: map,
        sourceIndex: 0,
        agentName: 'agent-0-0',
        targetIndex: 1,
      });
    return { entities, callables, errors, map, run, reactions: () => reactions };
  }

  for (const frames of [0, 1_000, 3_000]) {
    it(`stops cleanly at the bound, from ${frames} frames down the stack: every version published has its record`, () => {
      const { entities, callables, errors, map, run, reactions } = world();
      const result = deep(frames, run);
      expect(result.nodes[1]!.agents.map((a) => a.name)).toEqual(['agent-1-0', 'agent-0-0']); // the outer execution returned
      expect(reactions()).toBe(DEFAULT_MAX_CASCADE_DEPTH);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error).toBeInstanceOf(CascadeDepthError);
      expect((errors[0]!.error as CascadeDepthError).event.type).toBe('function.execute');
      // the refused execution never started: 100 executions, all succeeded, one version each
      const records = callables.executions();
      expect(records).toHaveLength(DEFAULT_MAX_CASCADE_DEPTH);
      expect(records.every((r) => r.status === 'succeeded')).toBe(true);
      const lineage = entities.lineage(map.lineageId);
      expect(lineage).toHaveLength(DEFAULT_MAX_CASCADE_DEPTH + 1);
      const byId = new Map(records.map((r) => [r.id, r]));
      for (const v of lineage.slice(1)) {
        const root = entities.getVersion(v.ecsId).root as unknown as GridMap;
        expect(byId.get(root.derivedFromExecutionId!)?.status).toBe('succeeded');
      }
    });
  }
});
