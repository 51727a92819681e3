/**
 * events$ subscribers are isolated like on() handlers: what a subscriber throws goes to errors$,
 * never to RxJS's asynchronous rethrow (an uncaught exception that ends the process).
 */
import { config, delay, filter, map, merge, of, startWith, Subject, take } from 'rxjs';
import { Event, EventBus, HandlerError, ofType } from '../../src/events';

class Ping extends Event {
  override type = 'ping';
}

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What RxJS would have rethrown asynchronously (the crash), collected instead for the test. */
let unhandled: unknown[];
const original = config.onUnhandledError;
beforeEach(() => {
  unhandled = [];
  config.onUnhandledError = (error) => unhandled.push(error);
});
afterEach(async () => {
  await tick(); // RxJS reports from a timer: let any report land before checking
  expect(unhandled).toEqual([]);
  config.onUnhandledError = original;
});

function collectErrors(bus: EventBus): HandlerError[] {
  const errors: HandlerError[] = [];
  bus.errors$.subscribe((e) => errors.push(e));
  return errors;
}

describe('events$ subscriber errors', () => {
  it('a throwing subscriber goes to errors$; other subscribers, handlers and the emit carry on; it stays subscribed', () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    const boom = new Error('subscriber boom');
    const seen: string[] = [];
    let calls = 0;
    bus.events$.subscribe(() => {
      calls++;
      throw boom;
    });
    bus.events$.subscribe((e) => seen.push(`after:${e.type}`));
    bus.on('ping', (e) => {
      seen.push(`handler:${e.type}`);
    });
    const first = new Ping();
    expect(() => bus.emit(first)).not.toThrow();
    bus.emit(new Ping());
    expect(seen).toEqual(['handler:ping', 'after:ping', 'handler:ping', 'after:ping']);
    expect(calls).toBe(2); // RxJS semantics: a throwing next is not unsubscribed
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(HandlerError);
    expect(errors[0]!.error).toBe(boom);
    expect(errors[0]!.event).toBe(first);
    expect(errors[0]!.handler).toBe('events$');
    expect(errors[0]!.message).toContain('subscriber boom');
  });

  it('through pipe (ofType, filter, map): the event being delivered is named', () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    bus.events$
      .pipe(
        ofType(Ping),
        filter(() => true),
        map((e) => e.id),
      )
      .pipe(map((id) => id.length))
      .subscribe((n) => {
        throw new Error(`piped ${n}`);
      });
    const ping = new Ping();
    bus.emit(new Event({ type: 'other' }));
    bus.emit(ping);
    expect(errors.map((e) => [e.event, (e.error as Error).message])).toEqual([[ping, 'piped 36']]);
  });

  it('an observer object keeps its this; error and complete callbacks that throw are reported', () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    const observer = {
      count: 0,
      next(this: { count: number }) {
        this.count++;
      },
      error() {
        throw new Error('error callback');
      },
    };
    bus.events$.subscribe(observer);
    bus.events$
      .pipe(
        map(() => {
          throw new Error('operator');
        }),
      )
      .subscribe(observer);
    bus.events$.pipe(take(1)).subscribe({
      complete() {
        throw new Error('complete callback');
      },
    });
    bus.emit(new Ping());
    expect(observer.count).toBe(1);
    expect(errors.map((e) => (e.error as Error).message)).toEqual(['error callback', 'complete callback']);
  });

  it('an error notification reaching a subscriber without an error callback goes to errors$ and ends that subscription', () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    let reached = 0;
    bus.events$
      .pipe(
        map((e) => {
          reached++;
          if (e.type === 'bad') throw new Error('bad event');
          return e;
        }),
      )
      .subscribe(() => undefined);
    const bad = new Event({ type: 'bad' });
    bus.emit(bad);
    bus.emit(new Event({ type: 'bad' }));
    expect(reached).toBe(1); // errored: the Observable contract ends the subscription
    expect(errors.map((e) => [e.event, (e.error as Error).message])).toEqual([[bad, 'bad event']]);
    expect(bus.isObserved).toBe(false);
  });

  it('a subscriber behind an asynchronous operator: reported with the event whose delivery led to it', async () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    bus.events$.pipe(delay(1)).subscribe(() => {
      throw new Error('late');
    });
    const ping = new Ping();
    bus.emit(ping);
    await tick(5);
    expect(errors.map((e) => [e.event, (e.error as Error).message])).toEqual([[ping, 'late']]);
  });

  it('a failure outside any delivery (a value emitted while subscribing) is reported without an event', () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    bus.events$.pipe(startWith(null)).subscribe(() => {
      throw new Error('at subscribe');
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.event).toBeNull();
    expect(errors[0]!.message).toBe("handler 'events$' failed: at subscribe");
  });

  it('a subscriber that throws on errors$ becomes a process warning', () => {
    const bus = new EventBus();
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      bus.errors$.subscribe(() => {
        throw new Error('error sink down');
      });
      bus.on('ping', () => {
        throw new Error('handler');
      });
      bus.emit(new Ping());
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]).toEqual([
        "handler 'errors$' failed: error sink down",
        expect.objectContaining({ type: 'HandlerError' }),
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('piping keeps RxJS behaviour: unsubscribe, observed count, and subscribers that are operators', () => {
    const bus = new EventBus();
    const got: string[] = [];
    const sub = bus.events$
      .pipe(
        ofType(Ping),
        map((e) => e.type),
      )
      .subscribe((t) => got.push(t));
    expect(bus.isObserved).toBe(true);
    bus.emit(new Ping());
    sub.unsubscribe();
    expect(bus.isObserved).toBe(false);
    bus.emit(new Ping());
    expect(got).toEqual(['ping']);
    expect(bus.events$.pipe()).toBe(bus.events$);
    // a Subject (an Observer and a Subscription) subscribes as itself
    const relay = new Subject<Event>();
    const relayed: Event[] = [];
    relay.subscribe((e) => relayed.push(e));
    bus.events$.subscribe(relay);
    const p = new Ping();
    bus.emit(p);
    expect(relayed).toEqual([p]);
  });

  it('Observables built outside pipe follow RxJS rules (documented limit)', async () => {
    const bus = new EventBus();
    const errors = collectErrors(bus);
    merge(bus.events$, of()).subscribe(() => {
      throw new Error('outside pipe');
    });
    bus.emit(new Ping());
    expect(errors).toEqual([]);
    await tick();
    expect(unhandled.map((e) => (e as Error).message)).toEqual(['outside pipe']);
    unhandled = [];
  });
});
