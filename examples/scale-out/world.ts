/**
 * The scale-out demo's shared setup (README "Scaling out"): a registry over the PostgreSQL store
 * (`$DATABASE_URL`, default the local server as the OS user; schema `abs_demo` or `$DEMO_SCHEMA`)
 * with its events relayed through NATS (`$NATS_URL`, default the local server), and the demo's GridMap.
 */
import { CallableRegistry, EntityRegistry, EventBus, natsEvents, postgresStore } from '../../src';
import { GridMap, buildGridMap, moveAgent } from '../gridmap/model';

export async function connectWorld() {
  const bus = new EventBus();
  const registry = await EntityRegistry.connect({
    store: postgresStore(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test', {
      schema: process.env.DEMO_SCHEMA ?? 'abs_demo',
    }),
    bus,
    events: natsEvents({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' }),
  });
  const calls = new CallableRegistry({ entities: registry, events: bus });
  calls.register('move_agent', moveAgent);
  return { bus, registry, calls };
}

/** The demo's GridMap lineage: the one the store holds, else a new 10x10 one. */
export function gridLineage(registry: EntityRegistry): string {
  const existing = registry.rootsOfType(GridMap)[0];
  return existing?.lineageId ?? registry.promoteToRoot(buildGridMap(10, 10)).lineageId;
}
