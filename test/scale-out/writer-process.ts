/**
 * A writer process of the scale-out tests (postgres-processes.test.ts), run with `node -r tsx/cjs`:
 * `writer-process.ts <url> <schema> <lineageId> <agent> <mode> <count> [natsUrl]` opens a registry over
 * the PostgreSQL store (its events relayed through NATS when a URL is given) and moves agent `<agent>` one node further `<count>` times, each time on the
 * lineage's latest version, with `aexecute` (`mode` 'append'), with `expect: 'latest'` retried
 * after each `StaleVersionError` ('cas'), or until it is killed, reporting each write ('forever').
 * It reports `{ done, stale, branches }` (branches: `lineage.branch` events it received), then,
 * on the parent's 'head' message, the lineage's head as it reads it.
 */
import { CallableRegistry, EntityRegistry, EventBus, StaleVersionError, natsEvents, postgresStore } from '../../src';
import { moveAgent, type GridMap } from '../../examples/gridmap/model';

const [url, schema, lineageId, agent, mode, countText, nats] = process.argv.slice(2);
const bus = new EventBus();
let registry: EntityRegistry;
let calls: CallableRegistry;
let branches = 0;
bus.on('lineage.branch', () => void branches++);

/** One move of `agent` on the latest version: one node further. */
async function moveOnce(expect: 'latest' | undefined): Promise<void> {
  const map = registry.latest<GridMap>(lineageId)!;
  const source = map.nodes.findIndex((n) => n.agents.some((a) => a.name === agent));
  const args = { gridmap: map, sourceIndex: source, agentName: agent, targetIndex: (source + 1) % map.nodes.length };
  await calls.aexecute('move_agent', args, expect === undefined ? undefined : { expect });
}

async function main(): Promise<void> {
  const store = postgresStore(url, { schema });
  registry =
    nats === undefined
      ? new EntityRegistry({ store, bus })
      : await EntityRegistry.connect({ store, bus, events: natsEvents({ servers: nats }) });
  calls = new CallableRegistry({ entities: registry, events: bus });
  calls.register('move_agent', moveAgent);
  let stale = 0;
  let done = 0;
  for (const count = Number(countText); mode === 'forever' || done < count;) {
    try {
      await moveOnce(mode === 'cas' ? 'latest' : undefined);
      done++;
      if (mode === 'forever' && done % 20 === 0) {
        await registry.flush();
        process.send!({ written: done });
      }
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      stale++;
    }
  }
  await registry.flush();
  // Branch events arrive after their batch is written: give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
  process.send!({ done, stale, branches });
  process.on('message', (message) => {
    if (message !== 'head') return;
    void registry.refresh(lineageId).then(async (head) => {
      process.send!({ head });
      await registry.close();
      process.disconnect();
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`writer ${agent}: ${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
