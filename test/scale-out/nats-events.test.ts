/**
 * Events between processes sharing a PostgreSQL store, relayed through NATS JetStream (SPEC §13):
 * every event reaches the other registries' buses once, in commit order, with its ids and
 * `origin: 'remote'`; handlers react to them (a cascade across processes); a broker outage delays
 * events and loses none (the outbox). Needs PostgreSQL and NATS (jest.config.js).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CallableRegistry,
  EntityRegistry,
  EventBus,
  natsEvents,
  postgresStore,
  type Event,
  type RegistryEvents,
} from '../../src';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { databaseUrl, dropSchemas } from '../support/postgres';
import { freePort, natsUrl, ownNatsServer } from '../support/services';

const URL_ = databaseUrl();
const schemas: string[] = [];
let count = 0;

/** What a test opened, closed after it also when it fails (a relay left running would poll a dropped schema). */
const opened: EntityRegistry[] = [];
const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill();
  for (const registry of opened.splice(0)) await registry.close().catch(() => undefined); // closed already: fine
});
afterAll(() => dropSchemas(schemas, { streams: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` or the deadline, then a little longer, so that an extra event would show. */
async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
  await sleep(300);
}

/** A connected registry (with its own bus and functions) on the test's schema. */
async function peer(schema: string, events: RegistryEvents) {
  const bus = new EventBus();
  const registry = await EntityRegistry.connect({ store: postgresStore(URL_, { schema }), bus, events });
  opened.push(registry);
  const calls = new CallableRegistry({ entities: registry, events: bus });
  calls.register('move_agent', moveAgent);
  const seen: Event[] = [];
  bus.on('**', (e) => void seen.push(e));
  return { bus, registry, calls, seen };
}

function newSchema(): string {
  const schema = `abs_events_${process.pid}_${++count}`;
  schemas.push(schema);
  return schema;
}

const move = (map: GridMap, k: number) => ({
  gridmap: map,
  sourceIndex: k,
  agentName: `agent-${k}-0`,
  targetIndex: k + 1,
});

test("a registry's events reach the other registry's bus once, with their ids and origin 'remote'; a handler there cascades back", async () => {
  const schema = newSchema();
  const a = await peer(schema, natsEvents({ servers: natsUrl() }));
  const b = await peer(schema, natsEvents({ servers: natsUrl() }));
  const root = a.registry.promoteToRoot(buildGridMap(4, 1));
  // B reacts to A's executions (remote ones only) by moving another agent: a cascade across processes.
  b.bus.on('function.execute', (e) => {
    if (e.origin !== 'remote' || e.phase !== 'completed') return;
    return b.calls.aexecute('move_agent', move(b.registry.latest<GridMap>(root.lineageId)!, 2));
  });
  await a.calls.aexecute('move_agent', move(a.registry.latest<GridMap>(root.lineageId)!, 0));
  await a.registry.flush();

  const local = a.seen.filter((e) => e.origin === 'local');
  await until(() => b.seen.filter((e) => e.origin === 'remote').length >= local.length);
  const remote = b.seen.filter((e) => e.origin === 'remote');
  // Every event A emitted (entity.register, function.execute, entity.version ...), once, in order, as it was.
  expect(remote.map((e) => [e.id, e.type, e.phase, e.parentId, e.rootId, e.startId])).toEqual(
    local.map((e) => [e.id, e.type, e.phase, e.parentId, e.rootId, e.startId]),
  );
  const completed = local.find((e) => e.type === 'function.execute' && e.phase === 'completed')!;
  expect(remote.find((e) => e.id === completed.id)!.metadata).toEqual(JSON.parse(JSON.stringify(completed.metadata)));

  // B's cascade is parented to A's event, and comes back to A as remote.
  const cascade = b.seen.find((e) => e.origin === 'local' && e.type === 'function.execute' && e.phase === 'started')!;
  expect(cascade.parentId).toBe(completed.id);
  expect(cascade.rootId).toBe(completed.rootId);
  await until(() => a.seen.some((e) => e.id === cascade.id));
  expect(a.seen.filter((e) => e.id === cascade.id)).toHaveLength(1);
  expect(a.seen.find((e) => e.id === cascade.id)!.origin).toBe('remote');
  // A's own events never came back to it.
  expect(new Set(a.seen.map((e) => e.id)).size).toBe(a.seen.length);
  // The versions the events name are readable where the events arrive.
  await b.bus.settled();
  expect(a.registry.lineage(root.lineageId)).toHaveLength(3);
  await a.registry.close();
  await b.registry.close();
}, 60_000);

test('3 writer processes x 20 executes: a listening registry receives each function.execute completion once, in commit order', async () => {
  const schema = newSchema();
  const listener = await peer(schema, natsEvents({ servers: natsUrl() }));
  const root = listener.registry.promoteToRoot(buildGridMap(10, 1));
  await listener.registry.flush();
  const children = [0, 1, 2].map((k) =>
    fork(
      path.join(__dirname, 'writer-process.ts'),
      [URL_, schema, root.lineageId, `agent-${k}-0`, 'append', '20', natsUrl()],
      { execArgv: ['-r', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    ),
  );
  started.push(...children);
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const done = () => listener.seen.filter((e) => e.type === 'function.execute' && e.phase === 'completed').length >= 60;
  await until(done, 30_000);
  const completions = listener.seen.filter((e) => e.type === 'function.execute' && e.phase === 'completed');
  expect(completions).toHaveLength(60);
  expect(new Set(completions.map((e) => e.id)).size).toBe(60);
  expect(completions.every((e) => e.origin === 'remote')).toBe(true);
  // Commit order: the versions the completions announce come in the lineage's order.
  const order = listener.registry.lineage(root.lineageId).map((e) => e.ecsId);
  const announced = completions.map((e) => (e.metadata.versionIds as string[])[0]);
  expect(announced.map((id) => order.indexOf(id))).toEqual(
    [...announced.map((id) => order.indexOf(id))].sort((x, y) => x - y),
  );
  for (const c of children) c.send('head');
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
  await listener.registry.close();
}, 120_000);

test('the broker stopped and started again during a run: events wait in the outbox and none is lost', async () => {
  const schema = newSchema();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-nats-'));
  let server = await ownNatsServer(port, dir);
  const servers = `nats://127.0.0.1:${port}`;
  const a = await peer(schema, natsEvents({ servers }));
  const b = await peer(schema, natsEvents({ servers }));
  a.bus.errors$.subscribe(() => undefined); // the relay reports the outage there, once
  try {
    const root = a.registry.promoteToRoot(buildGridMap(4, 1));
    const sent: string[] = [];
    a.bus.on('function.execute', (e) => void (e.phase === 'completed' && sent.push(e.id)));
    for (let i = 0; i < 30; i++) {
      if (i === 10) await server.stop();
      if (i === 20) server = await ownNatsServer(port, dir);
      const map = a.registry.latest<GridMap>(root.lineageId)!;
      const from = map.nodes.findIndex((n) => n.agents.some((x) => x.name === 'agent-0-0'));
      await a.calls.aexecute('move_agent', {
        gridmap: map,
        sourceIndex: from,
        agentName: 'agent-0-0',
        targetIndex: (from + 1) % 4,
      });
    }
    await a.registry.flush();
    const got = () => b.seen.filter((e) => e.type === 'function.execute' && e.phase === 'completed').map((e) => e.id);
    await until(() => got().length >= 30, 40_000);
    expect(got()).toEqual(sent);
  } finally {
    await a.registry.close();
    await b.registry.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
