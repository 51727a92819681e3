import { Event, EventBus, HandlerError, events } from '../../src/events';

class StudentProcessed extends Event {
  override type = 'student.processed';
}

class SpecialProcessed extends StudentProcessed {
  readonly special = true;
}

function collectErrors(bus: EventBus): HandlerError[] {
  const errors: HandlerError[] = [];
  bus.errors$.subscribe((e) => errors.push(e));
  return errors;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('EventBus', () => {
  describe('subscription forms', () => {
    it('a class selects its instances (and subclasses) and events carrying its type', () => {
      const bus = new EventBus();
      const seen: Event[] = [];
      bus.on(StudentProcessed, (e) => {
        seen.push(e);
      });
      const a = new StudentProcessed();
      const b = new SpecialProcessed();
      const c = new Event({ type: 'student.processed' });
      bus.emit(a);
      bus.emit(b);
      bus.emit(c);
      bus.emit(new Event({ type: 'student.other' }));
      expect(seen).toEqual([a, b, c]);
    });

    it('a subclass that inherits its type also selects events of that type (by type, not instanceof)', () => {
      const bus = new EventBus();
      const seen: Event[] = [];
      bus.on(SpecialProcessed, (e) => {
        seen.push(e);
      });
      const special = new SpecialProcessed();
      const plain = new StudentProcessed();
      bus.emit(special);
      bus.emit(plain);
      bus.emit(new Event({ type: 'other' }));
      expect(seen).toEqual([special, plain]);
      expect((seen[1] as SpecialProcessed).special).toBeUndefined();
    });

    it('the Event class selects every event', () => {
      const bus = new EventBus();
      let count = 0;
      bus.on(Event, () => {
        count++;
      });
      bus.emit(new Event({ type: 'a' }));
      bus.emit(new StudentProcessed());
      expect(count).toBe(2);
    });

    it('a glob selects by type', () => {
      const bus = new EventBus();
      const seen: string[] = [];
      bus.on('entity.*', (e) => {
        seen.push(`one:${e.type}`);
      });
      bus.on('function.**', (e) => {
        seen.push(`deep:${e.type}`);
      });
      bus.on('entity.version', (e) => {
        seen.push(`exact:${e.type}`);
      });
      for (const type of ['entity.version', 'entity.a.b', 'function.execute', 'function.x.y', 'other']) {
        bus.emit(new Event({ type }));
      }
      expect(seen).toEqual([
        'one:entity.version',
        'exact:entity.version',
        'deep:function.execute',
        'deep:function.x.y',
      ]);
    });

    it('a predicate selects what it accepts, and a type guard narrows the handler', () => {
      const bus = new EventBus();
      const seen: string[] = [];
      bus.on(
        (e) => e.subjectId === 's1',
        (e) => {
          seen.push(e.type);
        },
      );
      bus.on(
        (e): e is SpecialProcessed => e instanceof SpecialProcessed,
        (e) => {
          seen.push(`special:${e.special}`);
        },
      );
      bus.emit(new Event({ type: 'a', subjectId: 's1' }));
      bus.emit(new Event({ type: 'b', subjectId: 's2' }));
      bus.emit(new SpecialProcessed());
      expect(seen).toEqual(['a', 'special:true']);
    });
  });

  describe('priority', () => {
    it('runs higher priorities first, ties in subscription order, default 0', () => {
      const bus = new EventBus();
      const order: string[] = [];
      const add = (name: string, priority?: number) =>
        bus.on(
          '**',
          () => {
            order.push(name);
          },
          priority === undefined ? {} : { priority },
        );
      add('default-1');
      add('low', -5);
      add('high-1', 10);
      add('default-2', 0);
      add('mid', 5);
      add('high-2', 10);
      add('default-3');
      bus.emit(new Event({ type: 'x' }));
      expect(order).toEqual(['high-1', 'high-2', 'mid', 'default-1', 'default-2', 'default-3', 'low']);
    });

    it('on handlers run before events$ subscribers', () => {
      const bus = new EventBus();
      const order: string[] = [];
      bus.events$.subscribe(() => order.push('stream'));
      bus.on(
        '**',
        () => {
          order.push('handler');
        },
        { priority: -100 },
      );
      bus.emit(new Event({ type: 'x' }));
      expect(order).toEqual(['handler', 'stream']);
    });
  });

  describe('unsubscribe', () => {
    it('stops delivery and updates isObserved', () => {
      const bus = new EventBus();
      expect(bus.isObserved).toBe(false);
      let count = 0;
      const sub = bus.on('x', () => {
        count++;
      });
      expect(bus.isObserved).toBe(true);
      bus.emit(new Event({ type: 'x' }));
      sub.unsubscribe();
      sub.unsubscribe(); // idempotent
      bus.emit(new Event({ type: 'x' }));
      expect(count).toBe(1);
      expect(bus.isObserved).toBe(false);
    });

    it('a handler removed during a dispatch does not run for that event', () => {
      const bus = new EventBus();
      const order: string[] = [];
      bus.on('x', () => {
        order.push('first');
        second.unsubscribe();
      });
      const second = bus.on('x', () => {
        order.push('second');
      });
      bus.emit(new Event({ type: 'x' }));
      bus.emit(new Event({ type: 'x' }));
      expect(order).toEqual(['first', 'first']);
    });

    it('a handler added during a dispatch starts with the next event', () => {
      const bus = new EventBus();
      let late = 0;
      let added = false;
      bus.on('x', () => {
        if (!added) {
          added = true;
          bus.on('x', () => {
            late++;
          });
        }
      });
      bus.emit(new Event({ type: 'x' }));
      expect(late).toBe(0);
      bus.emit(new Event({ type: 'x' }));
      expect(late).toBe(1);
    });

    it('events$ subscribers count as observers; errors$ subscribers do not', () => {
      const bus = new EventBus();
      const errSub = bus.errors$.subscribe();
      expect(bus.isObserved).toBe(false);
      const seen: Event[] = [];
      const s1 = bus.events$.subscribe((e) => seen.push(e));
      const s2 = bus.events$.subscribe();
      expect(bus.isObserved).toBe(true);
      const e = new Event({ type: 'x' });
      bus.emit(e);
      expect(seen).toEqual([e]);
      s1.unsubscribe();
      expect(bus.isObserved).toBe(true);
      s2.unsubscribe();
      expect(bus.isObserved).toBe(false);
      errSub.unsubscribe();
    });

    it('recordHistory makes the bus always observed', () => {
      expect(new EventBus({ recordHistory: true }).isObserved).toBe(true);
      expect(new EventBus({ recordHistory: false }).isObserved).toBe(false);
    });
  });

  describe('handler errors', () => {
    it('a throwing handler goes to errors$ and the others still run', () => {
      const bus = new EventBus();
      const errors = collectErrors(bus);
      const ran: string[] = [];
      const boom = new Error('boom');
      bus.on('x', () => {
        ran.push('a');
      });
      bus.on('x', function exploding() {
        throw boom;
      });
      bus.on('x', () => {
        ran.push('c');
      });
      const e = new Event({ type: 'x' });
      expect(() => bus.emit(e)).not.toThrow();
      expect(ran).toEqual(['a', 'c']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(HandlerError);
      expect(errors[0]!.error).toBe(boom);
      expect(errors[0]!.cause).toBe(boom);
      expect(errors[0]!.event).toBe(e);
      expect(errors[0]!.handler).toBe('exploding');
      expect(errors[0]!.message).toContain('boom');
    });

    it('a rejecting async handler goes to errors$ with its given name', async () => {
      const bus = new EventBus();
      const errors = collectErrors(bus);
      let after = 0;
      bus.on(
        'x',
        async () => {
          await tick();
          throw new Error('late');
        },
        { name: 'rejector' },
      );
      bus.on('x', () => {
        after++;
      });
      bus.emit(new Event({ type: 'x' }));
      expect(after).toBe(1);
      await bus.settled();
      expect(errors.map((e) => [e.handler, (e.error as Error).message])).toEqual([['rejector', 'late']]);
    });

    it('a throwing predicate is a handler error too', () => {
      const bus = new EventBus();
      const errors = collectErrors(bus);
      bus.on(
        () => {
          throw new Error('bad predicate');
        },
        () => undefined,
        { name: 'p' },
      );
      bus.emit(new Event({ type: 'x' }));
      expect(errors).toHaveLength(1);
    });

    it('without an errors$ subscriber the error becomes a process warning', () => {
      const bus = new EventBus();
      const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        bus.on('x', () => {
          throw new Error('unseen');
        });
        bus.emit(new Event({ type: 'x' }));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy.mock.calls[0]).toEqual([
          expect.stringMatching(/^handler '.*' failed on 'x' \(.*\): unseen$/),
          expect.objectContaining({ type: 'HandlerError' }),
        ]);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('settled()', () => {
    it('resolves at once with nothing in flight', async () => {
      await expect(new EventBus().settled()).resolves.toBeUndefined();
    });

    it('waits for async handlers of emits nobody awaited, including nested async emits', async () => {
      const bus = new EventBus();
      const done: string[] = [];
      bus.on('a', async () => {
        await tick();
        done.push('a');
        bus.emit(new Event({ type: 'b' }));
      });
      bus.on('b', async () => {
        await tick();
        await tick();
        done.push('b');
        bus.emit(new Event({ type: 'c' }));
      });
      bus.on('c', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push('c');
      });
      function fireAndForget(): void {
        bus.emit(new Event({ type: 'a' }));
      }
      fireAndForget();
      fireAndForget();
      expect(done).toEqual([]);
      await bus.settled();
      expect(done.sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
      expect(bus.history.byType('c')).toHaveLength(2);
    });

    it('counts thenables that are not native promises', async () => {
      const bus = new EventBus();
      let resolved = false;
      bus.on('x', () => ({
        then(onFulfilled: (v: unknown) => void) {
          setTimeout(() => {
            resolved = true;
            onFulfilled(undefined);
          }, 1);
        },
      }));
      bus.emit(new Event({ type: 'x' }));
      await bus.settled();
      expect(resolved).toBe(true);
    });
  });

  it('handlers may emit re-entrantly, depth first', () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.on('**', (e) => {
      order.push(e.type);
    });
    bus.on('a', () => bus.emit(new Event({ type: 'b' })));
    bus.on('b', () => bus.emit(new Event({ type: 'c' })));
    bus.emit(new Event({ type: 'a' }));
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('rejects a NaN priority', () => {
    expect(() => new EventBus().on('x', () => undefined, { priority: Number.NaN })).toThrow(TypeError);
  });

  it('exports a default bus; new buses are isolated', () => {
    expect(events).toBeInstanceOf(EventBus);
    const other = new EventBus();
    let count = 0;
    const sub = other.on('**', () => {
      count++;
    });
    events.emit(new Event({ type: 'isolated.check' }));
    expect(count).toBe(0);
    sub.unsubscribe();
    events.history.clear();
  });
});
