import { firstValueFrom, take, toArray } from 'rxjs';
import { Event, EventBus, ofPattern, ofType } from '../../src/events';

class StudentProcessed extends Event {
  override type = 'student.processed';
  get label(): string {
    return `processed ${this.subjectId ?? '?'}`;
  }
}

describe('operators', () => {
  it('ofType selects instances and events of the class type, narrowing the stream', () => {
    const bus = new EventBus();
    const seen: StudentProcessed[] = [];
    const labels: string[] = [];
    const sub = bus.events$.pipe(ofType(StudentProcessed)).subscribe((e) => {
      seen.push(e);
      if (e instanceof StudentProcessed) labels.push(e.label);
    });
    const a = new StudentProcessed({ subjectId: 's1' });
    const b = new Event({ type: 'student.processed', subjectId: 's2' });
    bus.emit(a);
    bus.emit(new Event({ type: 'student.other' }));
    bus.emit(b);
    sub.unsubscribe();
    expect(seen).toEqual([a, b]);
    expect(labels).toEqual(['processed s1']);
  });

  it('ofPattern filters by glob', () => {
    const bus = new EventBus();
    const types: string[] = [];
    bus.events$.pipe(ofPattern('entity.*')).subscribe((e) => types.push(e.type));
    for (const t of ['entity.version', 'entity.a.b', 'function.execute', 'entity.register']) {
      bus.emit(new Event({ type: t }));
    }
    expect(types).toEqual(['entity.version', 'entity.register']);
  });

  it('compose with other RxJS operators, and unsubscribe through them', async () => {
    const bus = new EventBus();
    const collected = firstValueFrom(
      bus.events$.pipe(ofPattern('student.**'), ofType(StudentProcessed), take(2), toArray()),
    );
    expect(bus.isObserved).toBe(true);
    const a = new StudentProcessed();
    const b = new StudentProcessed();
    bus.emit(a);
    bus.emit(new Event({ type: 'x' }));
    bus.emit(b);
    await expect(collected).resolves.toEqual([a, b]);
    // take(2) completed and unsubscribed: nobody observes the bus any more
    expect(bus.isObserved).toBe(false);
  });
});
