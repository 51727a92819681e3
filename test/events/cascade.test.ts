import { Event, EventBus, ofType, runOperation } from '../../src/events';

class StudentProcessed extends Event {
  override type = 'student.processed';
}

class BatchReady extends Event {
  override type = 'batch.ready';
}

describe('reactive cascade', () => {
  it('7 student.processed -> a batch.ready every 3 -> an async summary per batch', async () => {
    const bus = new EventBus();
    const buffer: StudentProcessed[] = [];
    const summaries: string[][] = [];
    const streamed: StudentProcessed[] = [];
    bus.events$.pipe(ofType(StudentProcessed)).subscribe((e) => streamed.push(e));

    bus.on(StudentProcessed, (e) => {
      buffer.push(e);
      if (buffer.length === 3) {
        const batch = buffer.splice(0, 3);
        bus.emit(new BatchReady({ metadata: { students: batch.map((s) => s.subjectId) } }));
      }
    });
    bus.on(BatchReady, async (e) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const students = e.metadata['students'] as string[];
      summaries.push(students);
      bus.emit(new Event({ type: 'batch.summary', metadata: { count: students.length } }));
    });

    runOperation(
      bus,
      () => ({ type: 'course.grade' }),
      () => {
        for (let i = 1; i <= 7; i++) bus.emit(new StudentProcessed({ subjectType: 'Student', subjectId: `s${i}` }));
      },
    );
    await bus.settled();

    const h = bus.history;
    const op = h.byType('course.grade');
    const start = op.find((e) => e.phase === 'started')!;
    const processed = h.byType('student.processed');
    const batches = h.byType('batch.ready');
    const batchSummaries = h.byType('batch.summary');

    expect(processed).toHaveLength(7);
    expect(streamed).toEqual(processed);
    expect(batches).toHaveLength(2);
    expect(batchSummaries).toHaveLength(2);
    expect(buffer.map((e) => e.subjectId)).toEqual(['s7']);
    expect(summaries).toEqual([
      ['s1', 's2', 's3'],
      ['s4', 's5', 's6'],
    ]);
    expect(op.map((e) => e.phase)).toEqual(['started', 'completed']);

    for (const p of processed) expect(p.parentId).toBe(start.id);
    expect(batches[0]!.parentId).toBe(processed[2]!.id);
    expect(batches[1]!.parentId).toBe(processed[5]!.id);
    expect(batchSummaries.map((s) => s.parentId)).toEqual(batches.map((b) => b.id));
    for (const e of h.all()) expect(e.rootId).toBe(start.id);
    expect(h.all()).toHaveLength(2 + 7 + 2 + 2);
    // the batch is emitted synchronously inside the third handler call, before the fourth student
    expect(
      h
        .all()
        .map((e) => e.type)
        .slice(0, 6),
    ).toEqual([
      'course.grade',
      'student.processed',
      'student.processed',
      'student.processed',
      'batch.ready',
      'student.processed',
    ]);
  });
});
