/**
 * The watcher of the scale-out demo: prints what the workers (other processes) do, as their
 * events arrive on its bus (`origin: 'remote'`), for `seconds` seconds (default 30):
 *
 *   npx tsx examples/scale-out/watcher.ts 30
 */
import { connectWorld, gridLineage } from './world';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 30);
  const { bus, registry } = await connectWorld();
  const lineageId = gridLineage(registry);
  await registry.flush(); // the map exists for the workers
  console.log(`watching GridMap lineage ${lineageId} for ${seconds} s`);
  let moves = 0;
  bus.on('function.execute', (e) => {
    if (e.origin !== 'remote' || e.phase === 'started') return;
    if (e.phase === 'completed') moves++;
    const versions = (e.metadata.versionIds as string[] | undefined) ?? [];
    console.log(`${e.phase} ${e.metadata.functionName} (execution ${e.metadata.executionId}) ${versions.join(' ')}`);
  });
  bus.on('lineage.branch', (e) => console.log(`branch in ${e.metadata.lineageId}: ${e.metadata.ecsId}`));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  console.log(`${moves} remote moves seen; the map has ${registry.lineage(lineageId).length} versions`);
  await registry.close();
}

void main();
