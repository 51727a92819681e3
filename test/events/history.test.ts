import { DEFAULT_HISTORY_SIZE, Event, EventBus, runOperation } from '../../src/events';

const ev = (type: string, subjectId?: string) => new Event({ type, subjectId });

describe('history', () => {
  it('defaults to 10,000 events', () => {
    expect(DEFAULT_HISTORY_SIZE).toBe(10_000);
    expect(new EventBus().history.capacity).toBe(10_000);
  });

  it('records every emitted event, oldest first', () => {
    const bus = new EventBus();
    const a = ev('a');
    const b = ev('b');
    bus.emit(a);
    bus.emit(b);
    expect(bus.history.all()).toEqual([a, b]);
    expect(bus.history.size).toBe(2);
  });

  it('is bounded: the oldest events are dropped', () => {
    const bus = new EventBus({ historySize: 3 });
    const emitted = Array.from({ length: 8 }, (_, i) => ev(`t${i}`));
    emitted.forEach((e, i) => {
      bus.emit(e);
      expect(bus.history.size).toBe(Math.min(i + 1, 3));
    });
    expect(bus.history.all()).toEqual(emitted.slice(5));
    expect(bus.history.capacity).toBe(3);
  });

  it('keeps nothing with historySize 0 and rejects invalid sizes', () => {
    const bus = new EventBus({ historySize: 0 });
    bus.emit(ev('a'));
    expect(bus.history.all()).toEqual([]);
    expect(() => new EventBus({ historySize: -1 })).toThrow(RangeError);
    expect(() => new EventBus({ historySize: 1.5 })).toThrow(RangeError);
  });

  it('queries by type or glob, subject, parent and root', () => {
    const bus = new EventBus();
    const parent = ev('entity.version', 's1');
    let child: Event | undefined;
    bus.on('entity.version', () => {
      child = ev('function.execute.done', 's2');
      bus.emit(child);
    });
    bus.emit(parent);
    const other = ev('entity.register', 's1');
    bus.emit(other);

    const h = bus.history;
    expect(h.byType('entity.version')).toEqual([parent]);
    expect(h.byType('entity.*')).toEqual([parent, other]);
    expect(h.byType('function.**')).toEqual([child]);
    expect(h.byType('**')).toHaveLength(3);
    expect(h.byType('entity')).toEqual([]);
    expect(h.bySubject('s1')).toEqual([parent, other]);
    expect(h.byParent(parent.id)).toEqual([child]);
    expect(h.byRoot(parent.id)).toEqual([parent, child]);
    h.clear();
    expect(h.all()).toEqual([]);
    expect(h.size).toBe(0);
    bus.emit(other);
    expect(h.all()).toEqual([other]);
  });

  it('queries stay correct after the ring wraps', () => {
    const bus = new EventBus({ historySize: 4 });
    for (let i = 0; i < 10; i++) bus.emit(ev(i % 2 === 0 ? 'even' : 'odd', `s${i}`));
    expect(bus.history.byType('even').map((e) => e.subjectId)).toEqual(['s6', 's8']);
    expect(bus.history.all().map((e) => e.subjectId)).toEqual(['s6', 's7', 's8', 's9']);
  });

  it('framework operations are recorded only while the bus is observed, unless recordHistory', () => {
    const quiet = new EventBus();
    runOperation(
      quiet,
      () => ({ type: 'entity.version' }),
      () => 1,
    );
    expect(quiet.history.all()).toEqual([]);

    const recording = new EventBus({ recordHistory: true });
    runOperation(
      recording,
      () => ({ type: 'entity.version' }),
      () => 1,
    );
    expect(recording.history.all().map((e) => e.phase)).toEqual(['started', 'completed']);
  });
});
