import { CreatedEvent, DeletedEvent, Event, EventBus, ModifiedEvent, StateTransitionEvent } from '../../src/events';

class Student {
  name = '';
}

class StudentProcessed extends Event {
  override type = 'student.processed';
}

class StudentCreated extends CreatedEvent<Student> {
  override readonly type = 'student.created';
}

class StudentGraduated extends StateTransitionEvent<Student> {
  override type = 'student.graduated';
}

// ids are time-ordered UUIDs, version 7 (src/util/ids.ts)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Event', () => {
  it('has a lower-case uuid, the given fields and empty lineage before emit', () => {
    const before = Date.now();
    const e = new Event({ type: 'x.y', subjectType: 'Student', subjectId: 's1', metadata: { a: 1 } });
    expect(e.id).toMatch(UUID);
    expect(e.type).toBe('x.y');
    expect(e.phase).toBe('emitted');
    expect(e.subjectType).toBe('Student');
    expect(e.subjectId).toBe('s1');
    expect(e.parentId).toBeNull();
    expect(e.rootId).toBeNull();
    expect(e.startId).toBeNull();
    expect(e.durationMs).toBeNull();
    expect(e.error).toBeNull();
    expect(e.metadata).toEqual({ a: 1 });
    expect(e.timestamp).toBeGreaterThanOrEqual(before);
    expect(e.timestamp).toBeLessThanOrEqual(Date.now());
    expect(new Event({ type: 'x' }).id).not.toBe(e.id);
  });

  it('copies metadata, so the caller may reuse its object', () => {
    const metadata: Record<string, unknown> = { a: 1 };
    const e = new Event({ type: 'x', metadata });
    metadata['a'] = 2;
    expect(e.metadata).toEqual({ a: 1 });
  });

  it('takes its type from a subclass field initialiser', () => {
    const e = new StudentProcessed({ subjectId: 's1' });
    expect(e.type).toBe('student.processed');
    expect(e.subjectId).toBe('s1');
    expect(e).toBeInstanceOf(Event);
  });

  it('is frozen once emitted, metadata included, with lineage stamped', () => {
    const bus = new EventBus();
    const e = new Event({ type: 'x', metadata: { a: 1 } });
    expect(Object.isFrozen(e)).toBe(false);
    bus.emit(e);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.metadata)).toBe(true);
    expect(e.rootId).toBe(e.id);
    expect(e.parentId).toBeNull();
    expect(() => {
      (e as { type: string }).type = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (e.metadata as Record<string, unknown>)['a'] = 2;
    }).toThrow(TypeError);
  });

  it('re-emitting an emitted event delivers it unchanged', () => {
    const a = new EventBus();
    const b = new EventBus();
    const e = new Event({ type: 'x' });
    a.emit(e);
    const seen: Event[] = [];
    b.on('x', (ev) => {
      seen.push(ev);
    });
    b.emit(e);
    expect(seen).toEqual([e]);
    expect(e.rootId).toBe(e.id);
  });

  it('refuses to emit an event without a type', () => {
    const bus = new EventBus();
    expect(() => bus.emit(new Event())).toThrow(/without a type/);
  });

  describe('lifecycle classes', () => {
    it('carry ids and the subject class name, with overridable default types', () => {
      const c = new CreatedEvent<Student>({ subjectClass: Student, subjectId: 's1' });
      expect(c.type).toBe('lifecycle.created');
      expect(c.subjectType).toBe('Student');
      expect(c.subjectId).toBe('s1');
      expect(new CreatedEvent({ type: 'custom.created' }).type).toBe('custom.created');
      expect(new DeletedEvent<Student>({ subjectId: 's1' }).type).toBe('lifecycle.deleted');
      const m = new ModifiedEvent<Student>({ subjectId: 's1', changedFields: ['name', 'gpa'] });
      expect(m.type).toBe('lifecycle.modified');
      expect(m.changedFields).toEqual(['name', 'gpa']);
      expect(m.metadata['changedFields']).toEqual(['name', 'gpa']);
      expect(new ModifiedEvent().changedFields).toEqual([]);
    });

    it('subclasses set their type as a field initialiser', () => {
      const e = new StudentCreated({ subjectClass: Student, subjectId: 's1' });
      expect(e.type).toBe('student.created');
      expect(e).toBeInstanceOf(CreatedEvent);
      expect(e.subjectType).toBe('Student');
    });

    it('state transitions keep from/to in metadata', () => {
      const t = new StudentGraduated({ subjectId: 's1', from: 'enrolled', to: 'graduated', metadata: { year: 2024 } });
      expect(t.type).toBe('student.graduated');
      expect(t.from).toBe('enrolled');
      expect(t.to).toBe('graduated');
      expect(t.metadata).toEqual({ year: 2024, from: 'enrolled', to: 'graduated' });
      expect(new StateTransitionEvent({ from: 'a', to: 'b' }).type).toBe('lifecycle.transition');
    });
  });
});
