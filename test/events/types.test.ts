// Compile-time checks (run by `tsc --noEmit`): selectors narrow the handler's event type.
import { map } from 'rxjs';
import { Event, EventBus, ofType, StateTransitionEvent, type Selected } from '../../src/events';

class StudentProcessed extends Event {
  override type = 'student.processed';
  readonly batch = 0;
}

class Graduated extends StateTransitionEvent<{ name: string }> {
  override type = 'student.graduated';
}

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

describe('types', () => {
  it('selectors narrow handlers', () => {
    const bus = new EventBus();
    bus.on(StudentProcessed, (e) => {
      const batch: number = e.batch;
      return batch;
    });
    bus.on(Graduated, (e) => `${e.from}->${e.to}`);
    bus.on('entity.*', (e) => {
      // @ts-expect-error a glob gives plain events
      void e.batch;
      return e.type;
    });
    bus.on(
      (e) => e.subjectId === 'x',
      (e) => e.id,
    );
    bus.on(
      (e): e is StudentProcessed => e instanceof StudentProcessed,
      (e) => e.batch,
    );
    // @ts-expect-error not a selector
    bus.on(42, () => undefined);

    assertType<Equals<Selected<typeof StudentProcessed>, StudentProcessed>>();
    assertType<Equals<Selected<string>, Event>>();
    assertType<Equals<Selected<(e: Event) => boolean>, Event>>();

    const batches = bus.events$.pipe(
      ofType(StudentProcessed),
      map((e) => e.batch),
    );
    expect(batches).toBeDefined();
  });
});
