/**
 * 04 · A pipeline: grade sheets -> report cards -> a term summary, and its provenance chain.
 *
 * Shows: three registered functions chained (a mutation, then creations); the typed handles
 * register() returns (`handle.execute(args)` is typed by the implementation); and walking the
 * provenance back from the final result: every output names the execution that made it
 * (`CallableRegistry.executionOf`), and every execution names the entity versions it received
 * (`inputs.entities`), down to the versions entered by hand.
 *
 * Run: npx tsx examples/04-pipeline.ts
 */
import { CallableRegistry, Entity, EntityRegistry, entity } from '../src';

@entity()
export class GradeSheet extends Entity {
  student = '';
  scores: number[] = [];
}

@entity()
export class ReportCard extends Entity {
  student = '';
  average = 0;
  letter = '';
}

@entity()
export class TermSummary extends Entity {
  students = 0;
  mean = 0;
  honours: string[] = [];
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string) => id.slice(0, 8);
  const avg = (xs: readonly number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;

  // Stage 1, a mutation: the sheet gets a new version. Stage 2 and 3, creations: new lineages.
  const curve = CallableRegistry.register('curve_scores', ({ sheet }: { sheet: GradeSheet }) => {
    sheet.scores = sheet.scores.map((s) => Math.min(100, s + 5));
    return sheet;
  });
  const report = CallableRegistry.register('make_report', ({ sheet }: { sheet: GradeSheet }) => {
    const average = avg(sheet.scores);
    return new ReportCard({ student: sheet.student, average, letter: average >= 90 ? 'A' : average >= 80 ? 'B' : 'C' });
  });
  const summarize = CallableRegistry.register(
    'summarize_term',
    ({ reports }: { reports: ReportCard[] }) =>
      new TermSummary({
        students: reports.length,
        mean: avg(reports.map((r) => r.average)),
        honours: reports.filter((r) => r.letter === 'A').map((r) => r.student),
      }),
  );

  const sheets = [
    new GradeSheet({ student: 'Ada', scores: [88, 95, 90] }),
    new GradeSheet({ student: 'Ben', scores: [70, 81, 77] }),
    new GradeSheet({ student: 'Cy', scores: [90, 84, 86] }),
  ];
  for (const s of sheets) s.promoteToRoot();

  const curved = sheets.map((sheet) => curve.execute({ sheet }));
  const cards = curved.map((sheet) => report.execute({ sheet }));
  const summary = summarize.execute({ reports: cards });
  log(`curve_scores    ${curved.map((s) => `${s.student} [${s.scores.join(' ')}]`).join('  ')}`);
  log(`make_report     ${cards.map((c) => `${c.student} ${c.average} ${c.letter}`).join('  ')}`);
  log(`summarize_term  ${summary.students} students, mean ${summary.mean}, honours: ${summary.honours.join(', ')}`);

  // Provenance: from the summary back to the sheets as they were entered.
  log('provenance (← = made by, from the versions below it):');
  const describe = (e: object): string =>
    e instanceof TermSummary
      ? `mean ${e.mean}`
      : e instanceof ReportCard
        ? `${e.student} ${e.letter}`
        : e instanceof GradeSheet
          ? `${e.student} [${e.scores.join(' ')}]`
          : '';
  const chain: string[] = [];
  const explain = (ecsId: string, depth: number, arg: string): void => {
    const e = registry.getStoredEntity<Entity>(ecsId);
    const exec = CallableRegistry.executionOf(e);
    const origin = exec ? `← ${exec.functionName}` : '(entered by hand)';
    log(`${'  '.repeat(depth + 1)}${arg}${e.constructor.name} ${short(ecsId)} ${describe(e)}  ${origin}`);
    chain.push(`${depth}:${e.constructor.name}:${exec?.functionName ?? 'hand'}`);
    if (exec) for (const [param, id] of Object.entries(exec.inputs.entities)) explain(id, depth + 1, `${param}: `);
  };
  explain(summary.ecsId, 0, '');
  return { summary, cards, curved, chain };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
