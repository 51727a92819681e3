/**
 * A registry over a history store (SPEC §12): what it commits is written behind the in-memory
 * commit, and a new registry over the same store gets every version back, exactly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, StoreWriteError, sqliteStore, toJSON, versionToJSON } from '../../src';
import { EngineHistoryStore } from '../../src/durable/engine-store';
import type { StorageEngine, WriteBatch } from '../../src/durable/rows';
import { StoreCorruptError } from '../../src/durable/errors';
import type { EntityObject } from '../../src/metadata/object-model';
import { metaOf } from '../../src/metadata/object-model';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function world(file: string, durability?: 'relaxed' | 'durable' | 'strict') {
  const registry = new EntityRegistry({ store: sqliteStore(file, { durability }) });
  const calls = new CallableRegistry({ entities: registry });
  calls.register('move_agent', moveAgent);
  return { registry, calls };
}

/** Everything a registry holds of a lineage, as plain data: versions with parents, each version's JSON. */
function history(registry: EntityRegistry, lineageId: string): unknown {
  return registry.lineage(lineageId).map((v) => ({ ...v, json: versionToJSON(registry, v.ecsId) }));
}

test('a new registry over the store has every version back: ids, parents, values, provenance', async () => {
  const file = path.join(dir, 'history.db');
  const { registry, calls } = world(file);
  const g = buildGridMap(3, 3);
  registry.promoteToRoot(g);
  let latest = registry.latest<GridMap>(g.lineageId)!;
  for (let i = 0; i < 5; i++) {
    latest = calls.execute<GridMap>('move_agent', {
      gridmap: latest,
      sourceIndex: i % 3,
      agentName: latest.nodes[i % 3].agents[0].name,
      targetIndex: (i + 1) % 3,
    });
  }
  // a branch: a working copy of an older version, versioned
  const older = registry.checkout<GridMap>(registry.lineage(g.lineageId)[1].ecsId);
  older.width = 42;
  registry.version(older);
  const before = history(registry, g.lineageId);
  const agent = latest.nodes[0].agents[0];
  const containing = registry.versionsContaining(agent.ecsId);
  await registry.close();

  const again = world(file);
  expect(history(again.registry, g.lineageId)).toEqual(before);
  expect(again.registry.latest<GridMap>(g.lineageId)!.ecsId).toBe(registry.latest<GridMap>(g.lineageId)!.ecsId);
  expect(again.registry.versionsContaining(agent.ecsId)).toEqual(containing);
  const reread = again.registry.getStoredEntity<EntityObject>(agent.ecsId);
  expect(metaOf(reread).derivedFromExecutionId).toBe(metaOf(agent as unknown as EntityObject).derivedFromExecutionId);
  expect(toJSON(reread)).toEqual(toJSON(agent));
  await again.registry.close();
});

test('work continues on a reopened store, and is there after the next reopen', async () => {
  const file = path.join(dir, 'history.db');
  const first = world(file);
  const g = buildGridMap(2, 2);
  first.registry.promoteToRoot(g);
  await first.registry.close();

  const second = world(file);
  const latest = second.registry.latest<GridMap>(g.lineageId)!;
  const moved = second.calls.execute<GridMap>('move_agent', {
    gridmap: latest,
    sourceIndex: 0,
    agentName: latest.nodes[0].agents[0].name,
    targetIndex: 1,
  });
  expect(moved.previousEcsId).toBe(latest.ecsId);
  await second.registry.close();

  const third = world(file);
  expect(third.registry.lineage(g.lineageId).map((v) => v.ecsId)).toEqual([latest.ecsId, moved.ecsId]);
  expect(toJSON(third.registry.latest<GridMap>(g.lineageId)!)).toEqual(toJSON(moved));
  await third.registry.close();
});

test('rows are written behind the call: by flush() in relaxed mode, before the call returns in strict mode', async () => {
  const count = (file: string, table: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const relaxedFile = path.join(dir, 'relaxed.db');
  const relaxed = world(relaxedFile);
  relaxed.registry.promoteToRoot(buildGridMap(2, 2));
  expect(count(relaxedFile, 'root_version')).toBe(0); // queued
  await relaxed.registry.flush();
  expect(count(relaxedFile, 'root_version')).toBe(1);
  await relaxed.registry.close();

  const strictFile = path.join(dir, 'strict.db');
  const strict = world(strictFile, 'strict');
  const g = buildGridMap(2, 2);
  strict.registry.promoteToRoot(g);
  expect(count(strictFile, 'root_version')).toBe(1);
  const latest = strict.registry.latest<GridMap>(g.lineageId)!;
  strict.calls.execute('move_agent', {
    gridmap: latest,
    sourceIndex: 0,
    agentName: latest.nodes[0].agents[0].name,
    targetIndex: 1,
  });
  expect(count(strictFile, 'root_version')).toBe(2);
  expect(count(strictFile, 'execution')).toBe(1);
  await strict.registry.close();
});

test('a read by id that misses memory reads the rows without writing the queue; one over a lineage writes it first', async () => {
  const file = path.join(dir, 'reads.db');
  const registry = new EntityRegistry({ store: sqliteStore(file, { batchDelayMs: 60_000, batchSize: 1_000 }) });
  const rootVersions = (): number => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM root_version').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const g = buildGridMap(2, 2);
  registry.promoteToRoot(g);
  // new entities look for an earlier stored version by id: found in neither memory nor the rows
  registry.promoteToRoot(buildGridMap(1, 1));
  expect(registry.findStoredEntity('01a00000-0000-7000-8000-000000000000')).toBeUndefined();
  expect(registry.getStoredEntity(g.nodes[1].agents[0].ecsId)).toBeDefined(); // in memory
  expect(rootVersions()).toBe(0); // still queued: no read above waited for a write
  expect(registry.lineage(g.lineageId)).toHaveLength(1); // a read over rows writes the queue first
  expect(rootVersions()).toBe(2);
  await registry.close();
});

test('durable mode: aexecute resolves once its rows are written; relaxed mode does not wait for them', async () => {
  const count = (file: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM execution').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const run = async (durability: 'relaxed' | 'durable') => {
    const file = path.join(dir, `${durability}.db`);
    const { registry, calls } = world(file, durability);
    const g = buildGridMap(2, 2);
    registry.promoteToRoot(g);
    const latest = registry.latest<GridMap>(g.lineageId)!;
    await calls.aexecute('move_agent', {
      gridmap: latest,
      sourceIndex: 0,
      agentName: latest.nodes[0].agents[0].name,
      targetIndex: 1,
    });
    const written = count(file);
    await registry.close();
    return written;
  };
  expect(await run('durable')).toBe(1);
  expect(await run('relaxed')).toBe(0); // still in the batch window
});

/** An engine from its synchronous methods: `submit` writes at once, as an engine without a writer thread does. */
function inlineEngine(
  e: Omit<StorageEngine, 'submit' | 'settleSync' | 'settle' | 'writeFailure' | 'pendingBatches'>,
): StorageEngine {
  let failed: Error | null = null;
  const check = (): void => {
    if (failed !== null) throw failed;
  };
  return {
    ...e,
    submit(batch) {
      check();
      try {
        e.write(batch);
      } catch (error) {
        failed = error as Error;
        throw error;
      }
    },
    settleSync: check,
    settle: async () => check(),
    writeFailure: () => failed,
    pendingBatches: () => 0,
  };
}

test('a failed write puts the store in fail-stop: errors$, flush() rejects, later changes throw StoreWriteError', async () => {
  const rows: WriteBatch[] = [];
  let failing = false;
  const engine = inlineEngine({
    write: (batch) => {
      if (failing) throw new Error('disk full');
      rows.push(batch);
    },
    entity: () => undefined,
    entities: () => [],
    rootVersion: () => undefined,
    rootVersions: () => [],
    lineage: () => [],
    head: () => undefined,
    heads: () => [],
    executions: () => [],
    execution: () => undefined,
    counts: () => ({
      versions: rows.reduce((n, b) => n + b.versions.length, 0),
      entities: rows.reduce((n, b) => n + b.entities.length, 0),
      lineages: new Set(rows.flatMap((b) => b.versions.map((v) => v.lineageId))).size,
    }),
    prune: () => {
      throw new Error('not pruned here');
    },
    close: () => void closed++,
  });
  let closed = 0;
  const store = new EngineHistoryStore('test', 'memory:test', engine, { batchSize: 1 });
  const errors: StoreWriteError[] = [];
  store.errors$.subscribe((e) => errors.push(e));
  const registry = new EntityRegistry({ store });
  const g = buildGridMap(1, 1);
  const endOfTurn = () => new Promise((resolve) => setImmediate(resolve)); // a full batch is written then
  registry.promoteToRoot(g);
  await endOfTurn();
  expect(rows).toHaveLength(1);
  failing = true;
  const copy = registry.checkout<GridMap>(registry.latest<GridMap>(g.lineageId)!.ecsId);
  copy.width = 7;
  registry.version(copy); // in memory; its write fails
  await endOfTurn();
  expect(errors).toHaveLength(1);
  expect(errors[0].message).toMatch(/disk full/);
  await expect(registry.flush()).rejects.toBeInstanceOf(StoreWriteError);
  const stats = registry.stats;
  const again = registry.checkout<GridMap>(registry.latest<GridMap>(g.lineageId)!.ecsId);
  again.width = 8;
  expect(() => registry.version(again)).toThrow(StoreWriteError);
  expect(() => registry.promoteToRoot(buildGridMap(1, 1))).toThrow(StoreWriteError);
  expect(registry.stats).toEqual(stats);
  // closing still releases the engine, and still reports the failure
  await expect(registry.close()).rejects.toBeInstanceOf(StoreWriteError);
  expect(closed).toBe(1);
});

test('a version whose rows cannot be read back is a StoreCorruptError naming the missing row, when it is read', async () => {
  const file = path.join(dir, 'corrupt.db');
  const { registry } = world(file);
  const g = buildGridMap(1, 2);
  registry.promoteToRoot(g);
  await registry.close();
  const db = new Database(file);
  const agents = db.prepare("SELECT ecs_id FROM entity_version WHERE class_name = 'Agent'").pluck().all() as string[];
  db.prepare("DELETE FROM entity_version WHERE class_name = 'Agent'").run(); // children the root rows name
  db.close();
  // Opening reads no version (SPEC §12: a store opens in well under a second, whatever it holds).
  const reopened = world(file).registry;
  expect(reopened.lineage(g.lineageId)).toHaveLength(1);
  let error: unknown;
  try {
    reopened.latest(g.lineageId);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(StoreCorruptError);
  expect(agents).toContain((error as StoreCorruptError).ecsId);
  expect((error as StoreCorruptError).message).toContain(`missing entity row ${(error as StoreCorruptError).ecsId}`);
  await reopened.close();
});

test('EntityRegistry.open(path) opens the SQLite store as the default registry', async () => {
  const file = path.join(dir, 'default.db');
  const registry = EntityRegistry.open(file);
  try {
    expect(EntityRegistry.default).toBe(registry);
    const g = buildGridMap(1, 2);
    g.promoteToRoot(); // the entity method goes to the default registry
    await registry.close();
    const reopened = EntityRegistry.open(file);
    expect(reopened.lineage(g.lineageId)).toHaveLength(1);
    await reopened.close();
  } finally {
    EntityRegistry.reset();
  }
});

test('every execution record is written, whatever its values: tagged, entities as refs, non-data named', async () => {
  const file = path.join(dir, 'records.db');
  const { registry, calls } = world(file, 'strict');
  class Opaque {
    constructor(readonly n: number) {}
  }
  calls.register('echo', ({ big, map, opaque }: { big: bigint; map: Map<string, number>; opaque: Opaque }) => [
    big,
    map.size,
    opaque.n,
  ]);
  calls.register('boom', () => {
    throw new Error('nope');
  });
  const g = buildGridMap(1, 2);
  registry.promoteToRoot(g);
  const latest = registry.latest<GridMap>(g.lineageId)!;
  calls.execute<unknown>('echo', { big: 12345678901234567890n, map: new Map([['a', 1]]), opaque: new Opaque(3) });
  calls.execute('move_agent', {
    gridmap: latest,
    sourceIndex: 0,
    agentName: latest.nodes[0].agents[0].name,
    targetIndex: 0,
  });
  expect(() => calls.execute<unknown>('boom', {})).toThrow('nope');
  await registry.flush(); // not in fail-stop
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT function_name, status, record FROM execution ORDER BY seq').all() as {
      function_name: string;
      status: string;
      record: string;
    }[];
    expect(rows.map((r) => [r.function_name, r.status])).toEqual([
      ['echo', 'succeeded'],
      ['move_agent', 'succeeded'],
      ['boom', 'failed'],
    ]);
    const echo = JSON.parse(rows[0].record);
    expect(echo.inputs.values.big).toEqual({ $bigint: '12345678901234567890' });
    expect(echo.inputs.values.map).toEqual({ $map: [['a', 1]] });
    expect(echo.inputs.values.opaque.$unserialisable).toMatch(/Opaque/);
    expect(echo.result).toEqual([{ $bigint: '12345678901234567890' }, 1, 3]);
    const move = JSON.parse(rows[1].record);
    expect(move.result).toEqual({ $ref: move.outputIds[0] });
    expect(JSON.parse(rows[2].record).error).toEqual({ name: 'Error', message: 'nope' });
  } finally {
    db.close();
  }
  await registry.close();
});

test('execution records come back too: executions(), execution(id), executionOf(entity), as they were', async () => {
  const file = path.join(dir, 'records-back.db');
  const { registry, calls } = world(file);
  calls.register('tag', ({ big, when }: { big: bigint; when: Date }) => ({ big, when }));
  calls.register('boom', () => {
    throw new TypeError('nope');
  });
  const g = buildGridMap(2, 2);
  registry.promoteToRoot(g);
  const latest = registry.latest<GridMap>(g.lineageId)!;
  const moved = calls.execute<GridMap>('move_agent', {
    gridmap: latest,
    sourceIndex: 0,
    agentName: latest.nodes[0].agents[0].name,
    targetIndex: 1,
  });
  calls.execute<unknown>('tag', { big: 7n, when: new Date(0) });
  expect(() => calls.execute<unknown>('boom', {})).toThrow('nope');
  const before = calls.executions().map((r) => r.toJSON());
  await registry.close();

  const again = world(file);
  const records = again.calls.executions();
  expect(records.map((r) => r.toJSON())).toEqual(
    before.map((r) => ({
      ...r,
      result: r.functionName === 'move_agent' ? again.registry.latest(g.lineageId) : r.result,
    })),
  );
  expect(records[0].result).toBe(again.registry.latest(g.lineageId)); // the registry's own stored version
  expect(again.calls.execution(records[1].id)).toBe(records[1]);
  expect(again.calls.executionOf(moved.ecsId)?.id).toBe(records[0].id);
  expect(records[2].error).toEqual({ name: 'TypeError', message: 'nope' });
  await again.registry.close();
});

test('a record with a part nested deeper than JSON.stringify goes is written, that part named', async () => {
  const file = path.join(dir, 'deep.db');
  const { registry, calls } = world(file, 'strict');
  calls.register('deep', () => {
    let v: unknown[] = [];
    for (let i = 0; i < 20_000; i++) v = [v];
    return v;
  });
  calls.execute<unknown>('deep', { n: 1 });
  await registry.flush(); // not in fail-stop
  await registry.close();
  const again = world(file);
  const [record] = again.calls.executions();
  expect(record.functionName).toBe('deep');
  expect(record.inputs.values).toEqual({ n: 1 });
  expect(record.result).toMatch(/^\(not stored: .*too deeply nested/);
  await again.registry.close();
});
