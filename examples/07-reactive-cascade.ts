/**
 * 07 · A reactive cascade: events -> handlers that emit -> handlers that execute functions.
 *
 * Shows: 7 `student.processed` events; a handler that buffers them and emits `batch.ready` for
 * every 3; an async handler that runs a registered function on each batch (addresses as
 * arguments) and stores a report; a `cohort.closed` handler that summarises the reports.
 * Events emitted or operations run inside a handler carry that event as parent, also after an
 * await (AsyncLocalStorage), so the whole cascade can be traced.
 *
 * Run: npx tsx examples/07-reactive-cascade.ts
 */
import { CallableRegistry, Entity, EntityRegistry, Event, entity, events } from '../src';

@entity()
export class Learner extends Entity {
  name = '';
  score = 0;
  processed = false;
}

@entity()
export class BatchReport extends Entity {
  names: string[] = [];
  mean = 0;
}

@entity()
export class CohortSummary extends Entity {
  batches = 0;
  learners = 0;
  mean = 0;
  waiting: string[] = [];
}

export class StudentProcessed extends Event {
  override type = 'student.processed';
}
export class BatchReady extends Event {
  override type = 'batch.ready';
}

export async function main(log: (line: string) => void = console.log) {
  EntityRegistry.reset();
  CallableRegistry.reset();
  const row = (what: string, text: string) => log(`${what.padEnd(10)} ${text}`);
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;

  CallableRegistry.register('process_learner', ({ learner }: { learner: Learner }) => {
    learner.processed = true;
    return learner;
  });
  CallableRegistry.register('report_batch', async ({ learners }: { learners: Learner[] }) => {
    await new Promise((resolve) => setTimeout(resolve, 2)); // e.g. a remote grading service
    return new BatchReport({ names: learners.map((l) => l.name), mean: mean(learners.map((l) => l.score)) });
  });
  CallableRegistry.register(
    'summarize_cohort',
    ({ reports, waiting }: { reports: BatchReport[]; waiting: string[] }) =>
      new CohortSummary({
        batches: reports.length,
        learners: reports.reduce((n, r) => n + r.names.length, 0),
        mean: mean(reports.map((r) => r.mean)),
        waiting,
      }),
  );

  const buffer: Event[] = [];
  const reports: BatchReport[] = [];
  const batchEventIds = new Set<string>();
  const subscriptions = [
    // Handler 1 emits: every third student.processed, a batch.ready with the three ids.
    events.on(StudentProcessed, (e) => {
      buffer.push(e);
      if (buffer.length < 3) return;
      const batch = buffer.splice(0, 3);
      row(
        'batch',
        `ready: ${batch.map((b) => b.metadata.name).join(', ')}  (emitted while handling ${e.metadata.name}'s event)`,
      );
      const ready = new BatchReady({ metadata: { ids: batch.map((b) => b.subjectId) } });
      batchEventIds.add(ready.id);
      events.emit(ready);
    }),
    // Handler 2 executes (async): a report per batch, the learners passed as addresses.
    events.on(BatchReady, async (e) => {
      const ids = e.metadata.ids as string[];
      const report = await CallableRegistry.aexecute<BatchReport>('report_batch', {
        learners: ids.map((id) => `@${id}`),
      });
      reports.push(report);
      row('report', `${report.names.join(', ')}: mean ${report.mean}  ← report_batch`);
    }),
    // Handler 3: when the cohort closes, summarise what was reported; who is left waits.
    events.on('cohort.closed', () => {
      const waiting = buffer.map((b) => String(b.metadata.name));
      const s = CallableRegistry.execute<CohortSummary>('summarize_cohort', { reports, waiting });
      row('summary', `${s.batches} batches, ${s.learners} learners, mean ${s.mean}; waiting: ${s.waiting.join(', ')}`);
    }),
  ];

  try {
    const names = ['Ada', 'Ben', 'Cy', 'Dee', 'Eve', 'Fox', 'Gus'];
    row('process', `${names.join(', ')}: each execute('process_learner'), then emit student.processed`);
    for (const [i, name] of names.entries()) {
      const learner = new Learner({ name, score: 70 + ((i * 7) % 25) });
      learner.promoteToRoot();
      const done = CallableRegistry.execute<Learner>('process_learner', { learner });
      events.emit(new StudentProcessed({ subjectType: 'Learner', subjectId: done.ecsId, metadata: { name } }));
    }
    await events.settled(); // the batch reports are async
    events.emit(new Event({ type: 'cohort.closed' }));

    // Tracing: report_batch ran inside the batch.ready handler, after an await; its events say so.
    const runs = events.history
      .byType('function.execute')
      .filter((e) => e.subjectId === 'report_batch' && e.phase === 'started' && batchEventIds.has(e.parentId ?? ''));
    row('trace', `${runs.length} report_batch executions have a batch.ready event as parentId (set across the await)`);
    return { reports, runs };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
