/**
 * Events between processes (SPEC §13, issue 15): `npm run bench:scale-out` (also a step of
 * `npm run bench`). A writer process executes the move of SPEC §10 on a 10x10 GridMap over the
 * PostgreSQL store, paced at `--rate` moves per second, and after each one emits a `bench.tick`
 * event carrying the time (performance.timeOrigin + now, sub-millisecond, one clock on one machine);
 * a listener process, connected to the same store and NATS, takes the time in its handler. The
 * latency is therefore from the end of the execute in one process (its commit in memory; the rows
 * and the outbox row are written by the next batch, within about a millisecond) to the handler in
 * the other: the batch write, the relay (woken by NOTIFY), JetStream, and the delivery.
 *
 * Usage: node dist/bench/scale-out.js [--rate 170] [--events 3000] [--out file]
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { databaseUrl, dropSchemas } from '../test/support/postgres';

type Framework = typeof import('../src');
type Model = typeof import('../examples/gridmap/model');
type GridMap = import('../examples/gridmap/model').GridMap;

const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const fw = require('../src') as Framework;
const model = require('../examples/gridmap/model') as Model;
const now = (): number => performance.timeOrigin + performance.now();

const PG_URL = databaseUrl();
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function connect(schema: string) {
  const bus = new fw.EventBus();
  const registry = await fw.EntityRegistry.connect({
    store: fw.postgresStore(PG_URL, { schema }),
    bus,
    events: fw.natsEvents({ servers: NATS_URL }),
  });
  return { bus, registry };
}

/** The writer process: `--writer <schema> <lineageId> <rate> <events>`. */
async function writer(): Promise<void> {
  const [schema, lineageId, rateText, eventsText] = process.argv.slice(process.argv.indexOf('--writer') + 1);
  const { bus, registry } = await connect(schema);
  const calls = new fw.CallableRegistry({ entities: registry, events: bus });
  calls.register('move_agent', model.moveAgent);
  const interval = 1000 / Number(rateText);
  let map = registry.latest<GridMap>(lineageId)!;
  const start = now();
  for (let i = 0; i < Number(eventsText); i++) {
    // Paced: the i-th move starts at start + i * interval; the loop yields to the event loop
    // every time (as a server between requests), so the store's batch timer runs.
    const wait = start + i * interval - now();
    await new Promise((resolve) => (wait > 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
    const from = map.nodes.findIndex((n) => n.agents.some((a) => a.name === 'agent-0-0'));
    map = calls.execute('move_agent', {
      gridmap: map,
      sourceIndex: from,
      agentName: 'agent-0-0',
      targetIndex: (from + 1) % map.nodes.length,
    }) as GridMap;
    bus.emit(new fw.Event({ type: 'bench.tick', metadata: { i, at: now() } }));
  }
  await registry.close();
  process.send!('done');
}

async function listener(): Promise<void> {
  // 170 moves/s: about 1,000 events/s, as each move relays six (function.execute started and
  // completed, entity.version's, the tick): the rate of the goal (issue 15).
  const rate = Number(option('--rate', '170'));
  const events = Number(option('--events', '3000'));
  const out = option('--out', path.join(ROOT, 'bench', 'RESULTS.scale-out.md'));
  const schema = `abs_bench_events_${process.pid}`;
  const { bus, registry } = await connect(schema);
  const latencies: number[] = [];
  let received = 0;
  let relayed = 0;
  let first = 0;
  let last = 0;
  bus.on('**', (e) => {
    if (e.origin !== 'remote') return;
    if (relayed++ === 0) first = now();
    last = now();
  });
  bus.on('bench.tick', (e) => {
    if (e.origin !== 'remote') return;
    received++;
    latencies.push(now() - (e.metadata.at as number));
  });
  const root = registry.promoteToRoot(model.buildGridMap(10, 10)); // 10x10: 111 entities
  await registry.flush();
  const child = fork(__filename, ['--writer', schema, root.lineageId, String(rate), String(events)]);
  await new Promise((resolve) => child.once('message', resolve));
  const deadline = Date.now() + 30_000;
  while (received < events && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await registry.close();
  await dropSchemas([schema], { streams: true }); // and the store's JetStream stream

  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN).toFixed(2);
  const text = [
    '# Events between processes: benchmark results',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; load ${os.loadavg()[0].toFixed(1)}`,
    `- Command: \`npm run bench:scale-out\`: a writer process executes the SPEC §10 move (10x10) over PostgreSQL at ${rate} moves/s and emits a \`bench.tick\` after each; a listener process (same store, NATS JetStream) handles it. Latency: end of the execute in the writer to the handler in the listener.`,
    '',
    '| moves/s | ticks sent | ticks received (once each) | events received/s (all types) | p50 ms | p90 ms | p99 ms | max ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${rate} | ${events.toLocaleString('en-US')} | ${received.toLocaleString('en-US')} | ${Math.round((relayed * 1000) / Math.max(1, last - first)).toLocaleString('en-US')} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${sorted.length > 0 ? sorted[sorted.length - 1].toFixed(2) : '—'} |`,
    '',
  ].join('\n');
  process.stdout.write(text);
  fs.writeFileSync(out, text);
}

void (process.argv.includes('--writer') ? writer() : listener()).catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
