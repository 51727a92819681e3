/**
 * The other process of history-transfer.test.ts (`node -r tsx/cjs transfer-child.ts <dir> <lineageId>`):
 * imports <dir>/history.ndjson (an export) into a fresh registry, moves an agent there and writes
 * <dir>/back.ndjson (its export); loads <dir>/version.json (`versionToJSON` output) into another
 * fresh registry, versions it and executes on it. Prints what it did as one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CallableRegistry, EntityRegistry, exportHistory, importHistory, versionFromJSON } from '../../src';
import { moveAgent, type GridMap } from '../../examples/gridmap/model';

function app(): { entities: EntityRegistry; calls: CallableRegistry } {
  const entities = new EntityRegistry();
  const calls = new CallableRegistry({ entities });
  calls.register('move_agent', moveAgent);
  return { entities, calls };
}

const move = (calls: CallableRegistry, gridmap: GridMap): GridMap =>
  calls.execute<GridMap>('move_agent', {
    gridmap,
    sourceIndex: 0,
    agentName: gridmap.nodes[0].agents[0].name,
    targetIndex: 1,
  });

async function main(): Promise<void> {
  const [dir, lineageId] = process.argv.slice(2);
  const first = app();
  const summary = await importHistory(first.entities, fs.createReadStream(path.join(dir, 'history.ndjson')), {
    executions: first.calls,
  });
  const moved = move(first.calls, first.entities.latest<GridMap>(lineageId)!);
  fs.writeFileSync(
    path.join(dir, 'back.ndjson'),
    [...exportHistory(first.entities, { executions: first.calls })].join(''),
  );

  const second = app();
  const loaded = versionFromJSON<GridMap>(fs.readFileSync(path.join(dir, 'version.json'), 'utf8'));
  const promoted = second.entities.promoteToRoot(loaded);
  loaded.width = 99;
  const versioned = second.entities.version(loaded);
  const executed = move(second.calls, loaded);
  console.log(
    JSON.stringify({
      summary,
      moved: { ecsId: moved.ecsId, previousEcsId: moved.previousEcsId },
      promoted: { ecsId: promoted.ecsId, lineageId: promoted.lineageId, parentEcsId: promoted.parentEcsId },
      versioned: { created: versioned.created, rootEcsId: versioned.rootEcsId },
      executed: { previousEcsId: executed.previousEcsId, width: executed.width },
      lineage: second.entities.lineage(promoted.lineageId),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
