/**
 * Export and import of whole lineages as NDJSON (src/durable/history-transfer.ts, SPEC §12):
 * versions, entity versions and execution records come over exactly, between memory and SQLite
 * stores and between processes; importing twice changes nothing; a conflict or a bad line is a
 * typed error and changes nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Agent, buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  FunctionExecution,
  HistoryFormatError,
  ImportConflictError,
  StoreConflictError,
  StoreOptionError,
  StoreWriteError,
  entity,
  exportHistory,
  importHistory,
  sqliteStore,
  versionToJSON,
  type ImportSummary,
} from '../../src';
import { isEntityObject, metaOf } from '../../src/metadata/object-model';
import { encodeValue } from '../../src/serialize/codec';
import { buildValue, specArb, type Spec } from '../support/values';

const RUNS = Number(process.env.PROP_RUNS ?? 40);

/** Any data, entities anywhere inside it. */
@entity()
class TransferBag extends Entity {
  name = '';
  v: unknown[] = [];
}

class Opaque {
  constructor(readonly n: number) {}
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-transfer-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface World {
  readonly registry: EntityRegistry;
  readonly calls: CallableRegistry;
}

/** A registry (in memory, or over the SQLite file) with this file's functions registered. */
function world(file?: string): World {
  const registry = new EntityRegistry(file === undefined ? {} : { store: sqliteStore(file) });
  const calls = new CallableRegistry({ entities: registry });
  calls.register('move_agent', moveAgent);
  calls.register('transfer_echo', ({ big, map, opaque }: { big: bigint; map: Map<string, number>; opaque: Opaque }) => [
    big,
    map.size,
    opaque.n,
  ]);
  calls.register('transfer_boom', () => {
    throw new TypeError('nope');
  });
  // A creation: the record's result references a lineage of its own.
  calls.register('transfer_spawn', ({ gridmap }: { gridmap: GridMap }) => new Agent({ name: `from-${gridmap.width}` }));
  return { registry, calls };
}

function move(w: World, gridmap: GridMap, from = 0, to = 1): GridMap {
  return w.calls.execute<GridMap>('move_agent', {
    gridmap,
    sourceIndex: from,
    agentName: gridmap.nodes[from].agents[0].name,
    targetIndex: to,
  });
}

/** A bag holding every value kind: Map order, Set, Dates, bigint, -0, NaN, sparse arrays, odd keys, entities inside. */
function everyValue(): TransferBag {
  const sparse: unknown[] = [1];
  sparse[3] = 'after two holes';
  const odd = Object.create(null) as Record<string, unknown>;
  odd.$ref = 'not a reference';
  Object.defineProperty(odd, '__proto__', { value: [1, 2], enumerable: true, writable: true, configurable: true });
  return new TransferBag({
    name: 'every value',
    v: [
      new Map<unknown, unknown>([
        ['z', 1],
        ['a', new TransferBag({ name: 'in a map' })],
        [2, null],
      ]),
      new Set<unknown>([3, 'x', new TransferBag({ name: 'in a set' })]),
      new Date(Date.UTC(2024, 1, 29, 12)),
      new Date(NaN),
      2n ** 80n,
      -0,
      NaN,
      Infinity,
      undefined,
      null,
      '',
      sparse,
      { nested: [new Map([['k', new Set([1n, -0])]])], $class: 'not a class' },
      odd,
    ],
  });
}

/** A history with everything an export carries: moves, a branch, a detach, a creation, every value kind, records of every kind. */
function history(w: World): { grid: string; bag: string; detached: string; spawned: string } {
  const { registry } = w;
  const g = buildGridMap(3, 2);
  registry.promoteToRoot(g);
  let latest = registry.latest<GridMap>(g.lineageId)!;
  for (let i = 0; i < 3; i++) latest = move(w, latest, i, (i + 1) % 3);
  const older = registry.checkout<GridMap>(registry.lineage(g.lineageId)[1].ecsId);
  older.width = 42;
  registry.version(older); // a branch
  const copy = registry.checkout<GridMap>(latest.ecsId);
  const leaving = copy.nodes[2].agents[0];
  registry.detach(leaving); // a lineage of its own whose first entity forked from one in the grid
  const bag = everyValue();
  registry.promoteToRoot(bag);
  bag.name = 'changed';
  (bag.v[0] as Map<unknown, unknown>).set('new', 2n);
  registry.version(bag);
  w.calls.execute<unknown>('transfer_echo', { big: 2n ** 70n, map: new Map([['a', 1]]), opaque: new Opaque(3) });
  expect(() => w.calls.execute<unknown>('transfer_boom', {})).toThrow('nope');
  const spawned = w.calls.execute<Agent>('transfer_spawn', { gridmap: registry.latest<GridMap>(g.lineageId)! });
  return { grid: g.lineageId, bag: bag.lineageId, detached: leaving.lineageId, spawned: spawned.lineageId };
}

const text = (registry: EntityRegistry, options?: Parameters<typeof exportHistory>[1]): string =>
  [...exportHistory(registry, options)].join('');

/** A record as comparable data: entities in its result by ecsId, a value that is not data by a marker. */
function recordData(r: FunctionExecution): unknown {
  const json = r.toJSON() as { inputs: { values: Record<string, unknown> }; result: unknown };
  const ids = (x: unknown): unknown =>
    isEntityObject(x) ? { ecsId: metaOf(x).ecsId } : Array.isArray(x) ? x.map(ids) : x;
  // Values in their tagged JSON form (frozen Maps and Sets do not compare with toEqual).
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json.inputs.values))
    values[k] =
      v instanceof Opaque || (typeof v === 'string' && v.startsWith('(not stored:')) ? '<not data>' : encodeValue(v, k);
  return { ...json, inputs: { ...json.inputs, values }, result: ids(json.result) };
}

/** Everything a registry holds, as plain data: per lineage its versions (parents, exact JSON text) and latest; the records. */
function state(registry: EntityRegistry, calls?: CallableRegistry): unknown {
  const lineages: Record<string, unknown> = {};
  for (const v of registry.allVersions()) {
    if (v.lineageId in lineages) continue;
    const entries = registry.lineage(v.lineageId);
    lineages[v.lineageId] = {
      entries,
      latest: registry.latestVersion(v.lineageId)!.ecsId,
      json: entries.map((e) => JSON.stringify(versionToJSON(registry, e.ecsId))),
    };
  }
  const records = calls ? calls.executions() : (registry.storedRecords() as FunctionExecution[]);
  return { lineages, stats: registry.stats, records: records.map(recordData) };
}

function rowsIn(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return ['entity_version', 'root_version', 'execution', 'lineage_head'].map(
      (t) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number,
    );
  } finally {
    db.close();
  }
}

/** The lines of an export as objects, changed by `change`, back as text. */
function edited(exported: string, change: (lines: Record<string, unknown>[]) => void): string {
  const lines = exported
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  change(lines);
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** The rejection of `promise`, which must be an error of `type`. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error('expected the import to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

// ---- round trips --------------------------------------------------------------------------------

test('memory → memory: every version, entity version and record comes over exactly', async () => {
  const source = world();
  const ids = history(source);
  const exported = text(source.registry, { executions: source.calls });
  const lines = exported.trimEnd().split('\n');
  expect(JSON.parse(lines[0])).toEqual({ $format: 'abstractions-ts/history', version: 1 });
  expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ $kind: 'end', executions: 6 });
  expect(exported.endsWith('\n')).toBe(true);

  const target = world();
  const summary = await importHistory(target.registry, exported, { executions: target.calls });
  expect(summary).toEqual<ImportSummary>({
    versions: source.registry.stats.versions,
    entities: source.registry.stats.entities,
    executions: 6,
    alreadyPresent: 0,
  });
  expect(state(target.registry, target.calls)).toEqual(state(source.registry, source.calls));

  // records are the target's own: entities in results are its stored versions, lookups work
  const records = target.calls.executions();
  const moveRecord = records[2];
  expect(moveRecord.functionName).toBe('move_agent');
  const result = moveRecord.result as GridMap;
  expect(result).toBe(target.registry.getStoredEntity(result.ecsId));
  expect(target.calls.execution(moveRecord.id)).toBe(moveRecord);
  expect(target.calls.executionOf(result.ecsId)).toBe(moveRecord);
  expect(target.calls.executionOf(target.registry.latest<Agent>(ids.spawned)!)?.functionName).toBe('transfer_spawn');
  expect(records.find((r) => r.functionName === 'transfer_boom')!.error).toEqual({
    name: 'TypeError',
    message: 'nope',
  });
  const echo = records.find((r) => r.functionName === 'transfer_echo')!;
  expect(echo.inputs.values.big).toBe(2n ** 70n);
  expect(echo.inputs.values.opaque).toMatch(/^\(not stored: .*Opaque/);

  // and work goes on there
  const moved = move(target, target.registry.latest<GridMap>(ids.grid)!);
  expect(moved.previousEcsId).toBe(source.registry.latestVersion(ids.grid)!.ecsId);
});

test('every value kind is kept exactly (Map order, Set, Date, bigint, -0, NaN, sparse arrays, odd keys)', async () => {
  const source = world();
  const ids = history(source);
  const target = world();
  await importHistory(target.registry, text(source.registry));
  for (const { ecsId } of source.registry.lineage(ids.bag))
    expect(JSON.stringify(versionToJSON(target.registry, ecsId))).toBe(
      JSON.stringify(versionToJSON(source.registry, ecsId)),
    );
  const bag = target.registry.latest<TransferBag>(ids.bag)!;
  const v = bag.v;
  expect([...(v[0] as Map<unknown, unknown>).keys()]).toEqual(['z', 'a', 2, 'new']);
  expect((v[0] as Map<unknown, unknown>).get('a')).toBeInstanceOf(TransferBag);
  expect([...(v[1] as Set<unknown>)].slice(0, 2)).toEqual([3, 'x']);
  expect((v[2] as Date).toISOString()).toBe('2024-02-29T12:00:00.000Z');
  expect(Number.isNaN((v[3] as Date).getTime())).toBe(true);
  expect(v[4]).toBe(2n ** 80n);
  expect(Object.is(v[5], -0)).toBe(true);
  expect(Number.isNaN(v[6])).toBe(true);
  expect(8 in v && v[8] === undefined).toBe(true);
  // as the source stores it (a stored array reads its holes as undefined items)
  const sparse = v[11] as unknown[];
  const sourceSparse = source.registry.latest<TransferBag>(ids.bag)!.v[11] as unknown[];
  expect(sparse).toHaveLength(4);
  expect([0, 1, 2, 3].map((i) => [i in sparse, sparse[i]])).toEqual(
    [0, 1, 2, 3].map((i) => [i in sourceSparse, sourceSparse[i]]),
  );
  const odd = v[13] as Record<string, unknown>;
  expect(Object.getPrototypeOf(odd)).toBeNull();
  expect(Object.keys(odd)).toEqual(['$ref', '__proto__']);
});

test('random data of every kind round-trips through an export exactly', async () => {
  const build = (s: Spec): unknown =>
    buildValue(s, (name, v) => new TransferBag({ name, v: v === null ? [] : [v] }), true);
  await fc.assert(
    fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 3 }), specArb, async (specs, more) => {
      const source = new EntityRegistry();
      const root = new TransferBag({ name: 'root', v: specs.map(build) });
      source.promoteToRoot(root);
      root.v.push(build(more));
      source.version(root);
      const exported = text(source);
      const target = new EntityRegistry();
      await importHistory(target, exported);
      expect(state(target)).toEqual(state(source));
      expect((await importHistory(target, exported)).alreadyPresent).toBe(
        source.stats.entities + source.stats.versions,
      );
    }),
    { numRuns: RUNS },
  );
});

test('memory → SQLite → reopen: the import is written to the file and comes back', async () => {
  const source = world();
  const ids = history(source);
  const expected = state(source.registry, source.calls);
  const file = path.join(dir, 'target.db');
  const target = world(file);
  await importHistory(target.registry, text(source.registry, { executions: source.calls }));
  expect(state(target.registry, target.calls)).toEqual(expected);
  // written before the import resolved, in one transaction
  const [entities, versions, executions, heads] = rowsIn(file);
  expect([entities, versions, executions]).toEqual([source.registry.stats.entities, source.registry.stats.versions, 6]);
  expect(heads).toBe(source.registry.stats.lineages);
  await target.registry.close();

  const reopened = world(file);
  expect(state(reopened.registry, reopened.calls)).toEqual(expected);
  const moved = move(reopened, reopened.registry.latest<GridMap>(ids.grid)!);
  expect(reopened.calls.executionOf(moved)?.functionName).toBe('move_agent');
  await reopened.registry.close();
});

test('SQLite → memory: a reopened store exports its history, records included', async () => {
  const file = path.join(dir, 'source.db');
  const first = world(file);
  history(first);
  const expected = state(first.registry, first.calls);
  await first.registry.close();

  const source = world(file);
  expect(state(source.registry, source.calls)).toEqual(expected);
  const target = world();
  // without `executions`: the records the store holds (here: all of them, from before the restart)
  const summary = await importHistory(target.registry, text(source.registry), { executions: target.calls });
  expect(summary.executions).toBe(6);
  expect(state(target.registry, target.calls)).toEqual(expected);
  await source.registry.close();
});

// ---- idempotence ---------------------------------------------------------------------------------

test('importing twice changes nothing; the second import reports everything already present', async () => {
  const source = world();
  history(source);
  const exported = text(source.registry, { executions: source.calls });
  const rows = source.registry.stats.entities + source.registry.stats.versions + 6;

  const file = path.join(dir, 'twice.db');
  const target = world(file);
  await importHistory(target.registry, exported, { executions: target.calls });
  const after = state(target.registry, target.calls);
  const fileRows = rowsIn(file);
  const again = await importHistory(target.registry, exported, { executions: target.calls });
  expect(again).toEqual({ versions: 0, entities: 0, executions: 0, alreadyPresent: rows });
  expect(state(target.registry, target.calls)).toEqual(after);
  expect(rowsIn(file)).toEqual(fileRows);

  // and back: the target's export (its records read back, its deltas its own) is all present in the source
  const back = text(target.registry, { executions: target.calls });
  expect(await importHistory(source.registry, back, { executions: source.calls })).toEqual({
    versions: 0,
    entities: 0,
    executions: 0,
    alreadyPresent: rows,
  });
  // a registry importing its own export
  const before = state(source.registry, source.calls);
  expect((await importHistory(source.registry, exported, { executions: source.calls })).alreadyPresent).toBe(rows);
  expect(state(source.registry, source.calls)).toEqual(before);
  await target.registry.close();
});

test('a registry that continued the lineage itself gets the diverging versions as a branch; latest is the imported one', async () => {
  const a = world();
  const g = buildGridMap(2, 2);
  a.registry.promoteToRoot(g);
  const v2 = move(a, a.registry.latest<GridMap>(g.lineageId)!);
  const file = path.join(dir, 'b.db');
  const b = world(file);
  await importHistory(b.registry, text(a.registry, { executions: a.calls }), { executions: b.calls });
  const v3b = move(b, b.registry.latest<GridMap>(g.lineageId)!, 1, 0); // b goes on
  const v3a = move(a, v2); // so does a, differently
  expect(v3a.ecsId).not.toBe(v3b.ecsId);

  const summary = await importHistory(b.registry, text(a.registry, { executions: a.calls }), { executions: b.calls });
  expect(summary).toMatchObject({ versions: 1, executions: 1 });
  const expected = [
    { ecsId: g.ecsId, parentEcsId: null },
    { ecsId: v2.ecsId, parentEcsId: g.ecsId },
    { ecsId: v3b.ecsId, parentEcsId: v2.ecsId },
    { ecsId: v3a.ecsId, parentEcsId: v2.ecsId },
  ];
  expect(b.registry.lineage(g.lineageId)).toEqual(expected);
  expect(b.registry.latest<GridMap>(g.lineageId)!.ecsId).toBe(v3a.ecsId);
  expect(JSON.stringify(versionToJSON(b.registry, v3a.ecsId))).toBe(
    JSON.stringify(versionToJSON(a.registry, v3a.ecsId)),
  );
  expect(b.calls.executionOf(v3a.ecsId)?.id).toBe(a.calls.executionOf(v3a)!.id);
  // executions(): the store's records in the order it was given them (this process's as they are kept)
  const records = b.calls.executions();
  expect(records.map((r) => r.outputIds[0])).toEqual([v2.ecsId, v3b.ecsId, v3a.ecsId]);
  expect(b.calls.executionOf(v3b.ecsId)).toBe(records[1]);
  await b.registry.close();
  // the file has them in the same order
  const reopened = world(file);
  expect(reopened.registry.lineage(g.lineageId)).toEqual(expected);
  expect(reopened.registry.latest<GridMap>(g.lineageId)!.ecsId).toBe(v3a.ecsId);
  await reopened.registry.close();
});

// ---- selected lineages ---------------------------------------------------------------------------

test('selected lineages only: their versions and the records that touch them', async () => {
  const source = world();
  const ids = history(source);
  const lineagesOf = (r: EntityRegistry): string[] => [...new Set(r.allVersions().map((v) => v.lineageId))].sort();

  const bagOnly = world();
  await importHistory(bagOnly.registry, text(source.registry, { lineages: [ids.bag], executions: source.calls }));
  expect(lineagesOf(bagOnly.registry)).toEqual([ids.bag]);
  expect(bagOnly.calls.executions()).toEqual([]); // no record names the bag
  expect(state(bagOnly.registry)).toMatchObject({
    lineages: { [ids.bag]: (state(source.registry) as { lineages: Record<string, unknown> }).lineages[ids.bag] },
  });

  // the grid: its moves and the creation that read it, which brings the created lineage along
  // (its record's result references it); the detached agent and the bag stay behind
  const grid = world();
  await importHistory(
    grid.registry,
    text(source.registry, { lineages: [ids.grid.toUpperCase()], executions: source.calls }),
  );
  expect(lineagesOf(grid.registry)).toEqual([ids.grid, ids.spawned].sort());
  expect(grid.calls.executions().map((r) => r.functionName)).toEqual([
    'move_agent',
    'move_agent',
    'move_agent',
    'transfer_spawn',
  ]);
  for (const lineage of [ids.grid, ids.spawned])
    for (const { ecsId } of source.registry.lineage(lineage))
      expect(JSON.stringify(versionToJSON(grid.registry, ecsId))).toBe(
        JSON.stringify(versionToJSON(source.registry, ecsId)),
      );

  // the detached agent alone: its first version forked from an entity of the grid, which is not exported
  const detached = world();
  await importHistory(detached.registry, text(source.registry, { lineages: [ids.detached] }));
  const [first] = source.registry.lineage(ids.detached);
  expect(JSON.stringify(versionToJSON(detached.registry, first.ecsId))).toBe(
    JSON.stringify(versionToJSON(source.registry, first.ecsId)),
  );

  expect(() => exportHistory(source.registry, { lineages: ['no-such-lineage'] })).toThrow(StoreOptionError);
  expect(() => exportHistory(source.registry, { executions: new CallableRegistry() })).toThrow(StoreOptionError);
});

// ---- conflicts and bad lines: typed errors, nothing changed -------------------------------------

test('the same id with different content is an ImportConflictError naming it, and nothing changes', async () => {
  const source = world();
  const ids = history(source);
  const file = path.join(dir, 'conflict.db');
  const target = world(file);
  await importHistory(target.registry, text(source.registry, { executions: source.calls }), {
    executions: target.calls,
  });
  // the source goes on: the next export has new versions and records besides the conflicting row
  move(source, source.registry.latest<GridMap>(ids.grid)!);
  const exported = text(source.registry, { executions: source.calls });
  const before = state(target.registry, target.calls);
  await target.registry.flush();
  const fileRows = rowsIn(file);

  const cases: [string, (lines: Record<string, unknown>[]) => Record<string, unknown>, string][] = [
    [
      'entity',
      (lines) => {
        const row = lines.find((l) => l.$kind === 'entity' && l.className === 'GridMap')!;
        row.data = (row.data as string).replace('"width":2', '"width":3');
        return row;
      },
      'data',
    ],
    [
      'entity',
      (lines) => {
        const row = lines.find((l) => l.$kind === 'entity' && l.className === 'Agent')!;
        row.identity = JSON.stringify({ ...JSON.parse(row.identity as string), oldIds: ['someone-else'] });
        return row;
      },
      'identity (oldIds)',
    ],
    [
      'root version',
      (lines) => {
        const row = lines.find((l) => l.$kind === 'version')!;
        row.createdAt = (row.createdAt as number) + 1;
        return row;
      },
      'createdAt',
    ],
    [
      'execution',
      (lines) => {
        const row = lines.find((l) => l.$kind === 'execution' && l.functionName === 'transfer_echo')!;
        row.record = (row.record as string).replace('"$bigint":"1180591620717411303424"', '"$bigint":"1"');
        return row;
      },
      'record',
    ],
  ];
  for (const [kind, change, field] of cases) {
    let changed: Record<string, unknown> = {};
    let lineNo = 0;
    const bad = edited(exported, (lines) => {
      changed = change(lines);
      lineNo = lines.indexOf(changed) + 1;
    });
    const error = await rejection(
      importHistory(target.registry, bad, { executions: target.calls }),
      ImportConflictError,
    );
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ kind, id: changed.ecsId ?? changed.id, field, line: lineNo, earlierLine: null });
    expect(error.message).toContain(String(changed.ecsId ?? changed.id));
    expect(error.message).toContain(`line ${lineNo}`);
    expect(state(target.registry, target.calls)).toEqual(before);
  }
  expect(rowsIn(file)).toEqual(fileRows);
  await target.registry.close();
  const reopened = world(file);
  expect(state(reopened.registry, reopened.calls)).toEqual(before);
  await reopened.registry.close();
});

test('a store that takes no more changes takes no import (StoreWriteError), and the registry is unchanged', async () => {
  const source = world();
  history(source);
  const file = path.join(dir, 'closed.db');
  const target = world(file);
  target.registry.promoteToRoot(buildGridMap(1, 1));
  const before = state(target.registry);
  await target.registry.close();
  await rejection(importHistory(target.registry, text(source.registry)), StoreWriteError);
  // A closed registry reads nothing more from its store: what it holds is checked in the file.
  const reopened = world(file);
  expect(state(reopened.registry)).toEqual(before);
  await reopened.registry.close();
});

test('a line that is not one of an export is a HistoryFormatError naming the line, and nothing changes', async () => {
  const source = world();
  const ids = history(source);
  const exported = text(source.registry, { executions: source.calls });
  const lines = exported.trimEnd().split('\n');
  const at = (kind: string, more: (l: Record<string, unknown>) => boolean = () => true): number =>
    lines.findIndex((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      return o.$kind === kind && more(o);
    }) + 1;
  const replaceLine = (n: number, by: string): string => lines.map((l, i) => (i === n - 1 ? by : l)).join('\n') + '\n';
  const change = (n: number, f: (o: Record<string, unknown>) => void): string => edited(exported, (ls) => f(ls[n - 1]));
  const firstEntity = at('entity');
  const firstVersion = at('version');
  const secondVersion = at('version', (o) => o.parentEcsId !== null);
  const spawnLine = at('execution', (o) => o.functionName === 'transfer_spawn');

  const cases: [string, string | string[], number, RegExp][] = [
    ['bad JSON', replaceLine(3, '{"$kind":"entity",'), 3, /not JSON/],
    ['not an object', replaceLine(3, '[1]'), 3, /expected a JSON object/],
    ['unknown kind', replaceLine(2, '{"$kind":"thing"}'), 2, /unknown \$kind "thing"/],
    ['wrong header', replaceLine(1, '{"$format":"something else","version":1}'), 1, /not a history export/],
    ['newer format', replaceLine(1, '{"$format":"abstractions-ts/history","version":2}'), 1, /format version 2/],
    ['a second header', replaceLine(4, lines[0]), 4, /second header/],
    ['empty', '', 1, /empty/],
    ['cut short', lines.slice(0, -1).join('\n') + '\n', lines.length, /cut short/],
    [
      'a line missing',
      lines.filter((_, i) => i !== firstEntity).join('\n'),
      lines.length - 1,
      /counts \d+ entity lines/,
    ],
    ['after the end', exported + lines[1] + '\n', lines.length + 1, /after the end line/],
    [
      'unknown field',
      change(firstEntity, (o) => (o.extra = 1)),
      firstEntity,
      /unknown field 'extra' \(entity lines have ecsId, lineageId/,
    ],
    ['wrong type', change(firstEntity, (o) => (o.ecsId = 5)), firstEntity, /'ecsId'.*expected string, got 5/],
    ['missing field', change(firstVersion, (o) => delete o.delta), firstVersion, /'delta'.*got nothing/],
    [
      'unknown class',
      change(firstEntity, (o) => (o.className = 'NoSuchTransferClass')),
      firstVersion,
      /NoSuchTransferClass/,
    ],
    [
      'unknown parent',
      change(secondVersion, (o) => (o.parentEcsId = '00000000-0000-4000-8000-000000000000')),
      secondVersion,
      /neither in the export nor in the registry/,
    ],
    [
      'unknown reference in a record',
      change(spawnLine, (o) => {
        const record = JSON.parse(o.record as string) as { result: { $ref: string } };
        record.result.$ref = '00000000-0000-4000-8000-000000000001';
        o.record = JSON.stringify(record);
      }),
      spawnLine,
      /00000000-0000-4000-8000-000000000001/,
    ],
    ['not text', [lines[0], 5 as unknown as string], 2, /expected lines of text/],
  ];
  const target = world();
  const g = buildGridMap(1, 1);
  target.registry.promoteToRoot(g);
  const before = state(target.registry, target.calls);
  for (const [name, input, lineNo, message] of cases) {
    const error = await rejection(
      importHistory(target.registry, input, { executions: target.calls }),
      HistoryFormatError,
    );
    expect({ name, line: error.line }).toEqual({ name, line: lineNo });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`line ${lineNo}`);
    expect(state(target.registry, target.calls)).toEqual(before);
  }
  expect(ids.grid).not.toBe(g.lineageId);
});

test('lines come as text, as an iterable of lines (readline, the export itself) or as a stream of bytes', async () => {
  const source = world();
  history(source);
  const exported = text(source.registry, { executions: source.calls });
  const expected = state(source.registry, source.calls);
  const file = path.join(dir, 'history.ndjson');
  fs.writeFileSync(file, exported.replace(/\n/g, '\r\n'));
  const inputs: (() => Parameters<typeof importHistory>[1])[] = [
    () => exportHistory(source.registry, { executions: source.calls }),
    () => exported.trimEnd().split('\n'),
    () => fs.createReadStream(file),
    () =>
      (async function* () {
        yield* exported.split('\n');
      })(),
  ];
  for (const input of inputs) {
    const target = world();
    await importHistory(target.registry, input(), { executions: target.calls });
    expect(state(target.registry, target.calls)).toEqual(expected);
  }
});

// ---- another process -----------------------------------------------------------------------------

test('another process imports an export and loads versionToJSON output, works on both; its export comes back', async () => {
  const source = world();
  const g = buildGridMap(3, 2);
  source.registry.promoteToRoot(g);
  const v2 = move(source, source.registry.latest<GridMap>(g.lineageId)!);
  fs.writeFileSync(path.join(dir, 'history.ndjson'), text(source.registry, { executions: source.calls }));
  fs.writeFileSync(path.join(dir, 'version.json'), JSON.stringify(versionToJSON(source.registry, v2.ecsId)));

  const child = spawnSync(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(__dirname, 'transfer-child.ts'), dir, g.lineageId],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const out = JSON.parse(child.stdout) as {
    summary: ImportSummary;
    moved: { ecsId: string; previousEcsId: string };
    promoted: { ecsId: string; lineageId: string; parentEcsId: string | null };
    versioned: { created: boolean; rootEcsId: string };
    executed: { previousEcsId: string; width: number };
    lineage: { ecsId: string; parentEcsId: string | null }[];
  };
  expect(out.summary).toEqual({
    versions: 2,
    entities: source.registry.stats.entities,
    executions: 1,
    alreadyPresent: 0,
  });
  expect(out.moved.previousEcsId).toBe(v2.ecsId);
  // versionToJSON output: the version it names (ids kept, a first version there), then versioned and executed on
  expect(out.promoted).toEqual({ ecsId: v2.ecsId, lineageId: g.lineageId, parentEcsId: null });
  expect(out.versioned.created).toBe(true);
  expect(out.executed).toEqual({ previousEcsId: out.versioned.rootEcsId, width: 99 });
  expect(out.lineage.map((v) => v.parentEcsId)).toEqual([null, v2.ecsId, out.versioned.rootEcsId]);

  // the other process's export: what came from here is present, its move and record are new
  const summary = await importHistory(source.registry, fs.createReadStream(path.join(dir, 'back.ndjson')), {
    executions: source.calls,
  });
  expect(summary).toMatchObject({ versions: 1, executions: 1 });
  expect(source.registry.latest<GridMap>(g.lineageId)!.ecsId).toBe(out.moved.ecsId);
  expect(source.calls.executionOf(out.moved.ecsId)?.result).toBe(source.registry.latest(g.lineageId));
}, 60_000);
