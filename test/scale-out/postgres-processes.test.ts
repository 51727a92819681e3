/**
 * Several processes on one PostgreSQL store (SPEC §13), with real child processes
 * (writer-process.ts): commit order, heads that agree, branches announced, compare-and-set, and a
 * writer killed mid-batch. Each test uses a schema of its own, dropped afterwards. Needs the
 * PostgreSQL server ($DATABASE_URL; jest.config.js leaves this folder out, saying so, without one).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { databaseUrl, dropSchemas } from '../support/postgres';
import { CallableRegistry, EntityRegistry, EventBus, StaleVersionError, postgresStore } from '../../src';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';

const URL_ = databaseUrl();
let schemaCount = 0;
const schemas: string[] = [];

function newSchema(): string {
  const schema = `abs_procs_${process.pid}_${++schemaCount}`;
  schemas.push(schema);
  return schema;
}

afterAll(() => dropSchemas(schemas));

/** A store with one GridMap lineage (10 nodes, one agent each): its schema and lineage id. */
async function seeded(): Promise<{ schema: string; lineageId: string }> {
  const schema = newSchema();
  const registry = new EntityRegistry({ store: postgresStore(URL_, { schema }) });
  const root = registry.promoteToRoot(buildGridMap(10, 1));
  await registry.close();
  return { schema, lineageId: root.lineageId };
}

interface Report {
  done: number;
  stale: number;
  branches: number;
}

/** Starts a writer process; `reports` resolves with its first report. */
function writer(
  schema: string,
  lineageId: string,
  agent: string,
  mode: string,
  count: number,
): { child: ChildProcess; report: Promise<Report> } {
  const child = fork(path.join(__dirname, 'writer-process.ts'), [URL_, schema, lineageId, agent, mode, String(count)], {
    execArgv: ['-r', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<Report>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Report));
    child.once('exit', (code) => reject(new Error(`writer ${agent} exited with ${code} before reporting`)));
  });
  return { child, report };
}

/** The head each writer reads once all are done (they are asked together). */
async function headsOf(children: ChildProcess[]): Promise<string[]> {
  const heads = children.map(
    (child) => new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { head: string }).head))),
  );
  for (const child of children) child.send('head');
  return Promise.all(heads);
}

/** A registry of this process over the store, for the checks. */
function reader(schema: string): EntityRegistry {
  return new EntityRegistry({ store: postgresStore(URL_, { schema }) });
}

test('3 writers x 30 executes on one lineage: every version kept, one commit order, heads agree, branches announced', async () => {
  const { schema, lineageId } = await seeded();
  const writers = [0, 1, 2].map((k) => writer(schema, lineageId, `agent-${k}-0`, 'append', 30));
  const reports = await Promise.all(writers.map((w) => w.report));
  expect(reports.map((r) => r.done)).toEqual([30, 30, 30]);
  const heads = await headsOf(writers.map((w) => w.child));

  const registry = reader(schema);
  const lineage = registry.lineage(lineageId);
  expect(lineage).toHaveLength(1 + 90);
  expect(new Set(lineage.map((e) => e.ecsId)).size).toBe(91);
  // Commit order: every version comes after its parent; the head is the last one, in every process.
  const position = new Map(lineage.map((e, i) => [e.ecsId, i]));
  for (const [i, e] of lineage.entries()) if (i > 0) expect(position.get(e.parentEcsId!)).toBeLessThan(i);
  const last = lineage[lineage.length - 1].ecsId;
  expect(heads).toEqual([last, last, last]);
  expect(registry.latestVersion(lineageId)!.ecsId).toBe(last);
  // A branch: a version whose parent is not the version before it. Each was announced once, to its writer.
  const branches = lineage.filter((e, i) => i > 0 && e.parentEcsId !== lineage[i - 1].ecsId).length;
  expect(reports.reduce((n, r) => n + r.branches, 0)).toBe(branches);
  await registry.close();
}, 120_000);

test("2 conditional writers (expect: 'latest') x 20: one chain without branches; each lost race is a StaleVersionError and a failed record", async () => {
  const { schema, lineageId } = await seeded();
  const writers = [0, 1].map((k) => writer(schema, lineageId, `agent-${k}-0`, 'cas', 20));
  const reports = await Promise.all(writers.map((w) => w.report));
  await headsOf(writers.map((w) => w.child));

  const registry = reader(schema);
  const lineage = registry.lineage(lineageId);
  expect(lineage).toHaveLength(1 + 40);
  for (const [i, e] of lineage.entries()) if (i > 0) expect(e.parentEcsId).toBe(lineage[i - 1].ecsId);
  expect(reports.reduce((n, r) => n + r.branches, 0)).toBe(0);
  const calls = new CallableRegistry({ entities: registry });
  const records = calls.executions();
  const stale = reports.reduce((n, r) => n + r.stale, 0);
  expect(records.filter((r) => r.status === 'succeeded')).toHaveLength(40);
  const failed = records.filter((r) => r.status === 'failed');
  expect(failed).toHaveLength(stale);
  for (const r of failed) expect(r.error?.name).toBe('StaleVersionError');
  await registry.close();
}, 120_000);

test('a conditional execute on a version another process moved past fails with StaleVersionError naming the head; only its record is added', async () => {
  const { schema, lineageId } = await seeded();
  const bus = new EventBus();
  const mine = new EntityRegistry({ store: postgresStore(URL_, { schema }), bus });
  const theirs = reader(schema);
  const myCalls = new CallableRegistry({ entities: mine, events: bus });
  const theirCalls = new CallableRegistry({ entities: theirs });
  for (const c of [myCalls, theirCalls]) c.register('move_agent', moveAgent);
  const branches: unknown[] = [];
  bus.on('lineage.branch', (e) => void branches.push(e.metadata));

  const seen = mine.latest<GridMap>(lineageId)!;
  const move = (map: GridMap, k: number) => ({
    gridmap: map,
    sourceIndex: k,
    agentName: `agent-${k}-0`,
    targetIndex: k + 1,
  });
  await theirCalls.aexecute('move_agent', move(theirs.latest<GridMap>(lineageId)!, 0));
  const head = theirs.latestVersion(lineageId)!.ecsId;
  await theirs.flush();

  const before = myCalls.executions().length;
  const error = await myCalls.aexecute('move_agent', move(seen, 1), { expect: 'latest' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StaleVersionError);
  expect((error as StaleVersionError).latestEcsId).toBe(head);
  expect((error as StaleVersionError).lineageId).toBe(lineageId);
  expect(mine.lineage(lineageId)).toHaveLength(2);
  const after = myCalls.executions();
  expect(after).toHaveLength(before + 1);
  expect(after[after.length - 1].status).toBe('failed');

  // The same call without `expect` is kept as a branch, and announced.
  await myCalls.aexecute('move_agent', move(seen, 1));
  await mine.flush();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(mine.lineage(lineageId)).toHaveLength(3);
  expect(branches).toEqual([
    {
      lineageId,
      ecsId: mine.latestVersion(lineageId)!.ecsId,
      parentEcsId: seen.ecsId,
      replacedHead: head,
    },
  ]);
  // On the latest version, a conditional call succeeds.
  await myCalls.aexecute('move_agent', move(mine.latest<GridMap>(lineageId)!, 2), { expect: 'latest' });
  expect(theirs.lineage(lineageId)).toHaveLength(4);
  await mine.close();
  await theirs.close();
}, 60_000);

test('aput is conditional: a stale address fails with StaleVersionError once another process moved the head', async () => {
  const { aput } = await import('../../src');
  const { schema, lineageId } = await seeded();
  const mine = reader(schema);
  const theirs = reader(schema);
  const map = mine.latest<GridMap>(lineageId)!;
  const node = map.nodes[3];
  await aput(`@${theirs.latest<GridMap>(lineageId)!.nodes[3].ecsId}.position.0`, 7, theirs);
  await expect(aput(`@${node.ecsId}.position.0`, 9, mine)).rejects.toBeInstanceOf(StaleVersionError);
  expect(mine.lineage(lineageId)).toHaveLength(2);
  const fresh = mine.latest<GridMap>(lineageId)!.nodes[3];
  expect(fresh.position[0]).toBe(7);
  await aput(`@${fresh.ecsId}.position.0`, 9, mine);
  expect(theirs.latest<GridMap>(lineageId)!.nodes[3].position[0]).toBe(9);
  await mine.close();
  await theirs.close();
}, 60_000);

test('a writer killed with SIGKILL mid-run leaves no torn batch: every stored version reads whole', async () => {
  const { schema, lineageId } = await seeded();
  const { child } = writer(schema, lineageId, 'agent-4-0', 'forever', 0);
  await new Promise<void>((resolve) => {
    child.on('message', (m) => {
      if ((m as { written?: number }).written! >= 100) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  const registry = reader(schema);
  const lineage = registry.lineage(lineageId);
  expect(lineage.length).toBeGreaterThanOrEqual(101);
  for (const e of lineage) {
    const map = registry.checkout<GridMap>(e.ecsId);
    expect(map.nodes).toHaveLength(10);
    expect(map.nodes.reduce((n, node) => n + node.agents.length, 0)).toBe(10);
  }
  const calls = new CallableRegistry({ entities: registry });
  // Each version's record is written with it: one succeeded record per move, no more, no less.
  expect(calls.executions().filter((r) => r.status === 'succeeded')).toHaveLength(lineage.length - 1);
  await registry.close();
}, 120_000);
