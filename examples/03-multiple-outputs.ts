/**
 * 03 · Several outputs: a function that splits one entity into two.
 *
 * Shows: returning a tuple of entities; each output comes back in order as a stored version with
 * `outputIndex`, `siblingOutputEntities` (the other outputs' ids) and the same
 * `derivedFromExecutionId`; the FunctionExecution record names their semantics (`creation` here)
 * and its inputs; the input itself is unchanged (no new version of it).
 *
 * Run: npx tsx examples/03-multiple-outputs.ts
 */
import { CallableRegistry, Entity, EntityRegistry, entity } from '../src';

@entity()
export class Roster extends Entity {
  label = '';
  members: string[] = [];
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string | null) => (id ?? '—').slice(0, 8);

  // Plain TypeScript: build two new Rosters from one. The tuple signature checks the result.
  CallableRegistry.register(
    'split_roster',
    ({ roster }: { roster: Roster }): [Roster, Roster] => {
      const first = roster.members.filter((m) => m.toUpperCase() < 'N');
      const second = roster.members.filter((m) => m.toUpperCase() >= 'N');
      return [
        new Roster({ label: `${roster.label} A-M`, members: first }),
        new Roster({ label: `${roster.label} N-Z`, members: second }),
      ];
    },
    { params: { roster: Roster }, returns: [Roster, Roster] },
  );

  const all = new Roster({ label: 'Choir', members: ['Ada', 'Zoe', 'Bob', 'Nia', 'Max', 'Tom'] });
  all.promoteToRoot();
  log(`input   ${all.label} ${short(all.ecsId)}: ${all.members.join(', ')}`);

  const [low, high] = CallableRegistry.execute<[Roster, Roster]>('split_roster', { roster: all });
  for (const r of [low, high]) {
    log(
      `output  [${r.outputIndex}] ${r.label.padEnd(10)} ${short(r.ecsId)}: ${r.members.join(', ').padEnd(18)} siblings [${r.siblingOutputEntities.map(short).join(', ')}]`,
    );
  }

  // One execution produced both: the same execution id, one record with both output ids.
  const exec = CallableRegistry.executionOf(low)!;
  log(
    `record  ${exec.functionName} ${short(exec.id)}: status ${exec.status}, semantics [${exec.semantics.join(', ')}], outputs [${exec.outputIds.map(short).join(', ')}]`,
  );
  log(
    `        both derivedFromExecutionId ${short(low.derivedFromExecutionId)} = ${short(high.derivedFromExecutionId)}: ${low.derivedFromExecutionId === high.derivedFromExecutionId}; input was ${short(exec.inputs.entities.roster)}`,
  );

  // Each output is the root of a new lineage; the input got no new version.
  log(
    `versions per lineage: ${low.label} ${registry.lineage(low.lineageId).length}, ${high.label} ${registry.lineage(high.lineageId).length}, ${all.label} ${registry.lineage(all.lineageId).length} (the input got no new version)`,
  );
  return { low, high, exec };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
