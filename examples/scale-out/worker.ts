/**
 * A worker of the scale-out demo: moves one agent around the shared GridMap, each move a
 * compare-and-set on the latest version (`expect: 'latest'`), retried when another process moved
 * the map first. Run several at once (README "Scaling out"):
 *
 *   npx tsx examples/scale-out/worker.ts agent-0-0 100
 */
import { StaleVersionError } from '../../src';
import type { GridMap } from '../gridmap/model';
import { connectWorld, gridLineage } from './world';

async function main(): Promise<void> {
  const [agent = 'agent-0-0', countText = '100'] = process.argv.slice(2);
  const { registry, calls } = await connectWorld();
  const lineageId = gridLineage(registry);
  let moved = 0;
  let lost = 0;
  while (moved < Number(countText)) {
    const map = registry.latest<GridMap>(lineageId)!; // read from the store: the head every process agrees on
    const from = map.nodes.findIndex((n) => n.agents.some((a) => a.name === agent));
    try {
      await calls.aexecute(
        'move_agent',
        { gridmap: map, sourceIndex: from, agentName: agent, targetIndex: (from + 1) % map.nodes.length },
        { expect: 'latest' },
      );
      moved++;
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      lost++; // another worker moved the map first: read the latest and try again
    }
  }
  console.log(
    `${agent}: ${moved} moves, ${lost} races lost and retried; lineage now ${registry.lineage(lineageId).length} versions`,
  );
  await registry.close();
}

void main();
