/**
 * Long arrays by difference (src/durable/entity-rows.ts): a long array field is written as edits
 * of the previous version's array when the writer wrote that version; reading rebuilds exactly
 * the array `versionToJSON` gives, at most SPLICE_MAX_CHAIN rows back. Also the field encoder's
 * fast path: the same text as the general encoder for any value.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { CallableRegistry, Entity, EntityRegistry, entity, sqliteStore } from '../../src';
import { versionToJSON } from '../../src/serialize';
import { encodeValue } from '../../src/serialize/codec';
import {
  RowCache,
  SPLICE_MAX_CHAIN,
  SPLICE_MIN_LENGTH,
  entityRow,
  rootVersionRow,
  stringify,
  valueText,
  versionJSONFromRows,
  type SpliceChains,
} from '../../src/durable/entity-rows';
import { StoreCorruptError } from '../../src/durable/errors';
import type { EntityRow, RootVersionRow } from '../../src/durable/rows';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { buildValue, specArb } from '../support/values';
import { thrown } from '../support/thrown';

const RUNS = Number(process.env.PROP_RUNS ?? 40);

@entity({ name: 'longArrays.Item' })
class LItem extends Entity {
  n = 0;
}

@entity({ name: 'longArrays.List' })
class LList extends Entity {
  tag = '';
  items: unknown[] = [];
}

/** Rows of versions `ids` (in order) as a store writer writes them: new entities only, one chain map. */
function writeRows(reg: EntityRegistry, ids: readonly string[], chains: SpliceChains = new WeakMap()) {
  const entities = new Map<string, EntityRow>();
  const versions = new Map<string, RootVersionRow>();
  const lookup = (id: string): object | undefined => reg.findStoredEntity(id);
  for (const id of ids) {
    versions.set(id, rootVersionRow(reg.getVersion(id)));
    for (const [ecsId, e] of reg.getStoredTree(id).nodes)
      if (!entities.has(ecsId)) entities.set(ecsId, entityRow(e, lookup, chains));
  }
  return {
    entities,
    versions,
    entity: (id: string) => entities.get(id),
    rootVersion: (id: string) => versions.get(id),
  };
}

type ListEdit =
  | { kind: 'insert'; at: number; item: number | null }
  | { kind: 'remove'; at: number; count: number }
  | { kind: 'set'; at: number; item: number | null }
  | { kind: 'child'; at: number; n: number }
  | { kind: 'tag'; s: string }
  | { kind: 'reverse' };

/** `item`: a number, or null for a new child entity. */
const itemArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(null), fc.constant(NaN));
const editArb: fc.Arbitrary<ListEdit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(200), item: itemArb }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(200), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(200), item: itemArb }),
  fc.record({ kind: fc.constant('child' as const), at: fc.nat(200), n: fc.integer() }),
  fc.record({ kind: fc.constant('tag' as const), s: fc.string({ maxLength: 2 }) }),
  fc.constant({ kind: 'reverse' as const }),
);

function applyEdit(list: LList, e: ListEdit): void {
  const a = list.items;
  const make = (x: number | null): unknown => (x === null ? new LItem({ n: a.length }) : x);
  switch (e.kind) {
    case 'insert':
      a.splice(e.at % (a.length + 1), 0, make(e.item));
      return;
    case 'remove':
      if (a.length > 0) a.splice(e.at % a.length, e.count);
      return;
    case 'set':
      if (a.length > 0) a[e.at % a.length] = make(e.item);
      return;
    case 'child': {
      const children = a.filter((x): x is LItem => x instanceof LItem);
      if (children.length > 0) children[e.at % children.length].n = e.n;
      return;
    }
    case 'tag':
      list.tag = e.s;
      return;
    case 'reverse':
      a.reverse();
  }
}

test('random edits of a long array: rows rebuild every version exactly, mostly as splices, chains bounded', () => {
  let splices = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: SPLICE_MIN_LENGTH - 2, max: SPLICE_MIN_LENGTH + 40 }),
      fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
      (length, rounds) => {
        const reg = new EntityRegistry();
        const list = new LList({
          items: Array.from({ length }, (_, i) => (i % 3 === 0 ? new LItem({ n: i }) : i)),
        });
        const ids = [reg.promoteToRoot(list).ecsId];
        for (const edits of rounds) {
          const working = reg.checkout<LList>(ids[ids.length - 1]);
          for (const e of edits) applyEdit(working, e);
          const r = reg.version(working);
          if (r.created) ids.push(r.rootEcsId);
        }
        const rows = writeRows(reg, ids);
        const cache = new RowCache();
        for (const id of ids) {
          const expected = JSON.stringify(versionToJSON(reg, id));
          expect(JSON.stringify(versionJSONFromRows(id, rows, cache))).toBe(expected);
          expect(JSON.stringify(versionJSONFromRows(id, rows))).toBe(expected);
        }
        // the chain behind any row is shorter than SPLICE_MAX_CHAIN
        for (const row of rows.entities.values()) {
          let r: EntityRow | undefined = row;
          let depth = 0;
          while (r !== undefined && (JSON.parse(r.data) as { items?: unknown }).items !== undefined) {
            const items = (JSON.parse(r.data) as { items: unknown }).items;
            if (Array.isArray(items)) break;
            depth++;
            r = rows.entity(r.previousEcsId!);
          }
          expect(depth).toBeLessThan(SPLICE_MAX_CHAIN);
          if (depth > 0) splices++;
        }
      },
    ),
    { numRuns: RUNS },
  );
  expect(splices).toBeGreaterThan(0);
});

test('a splice row is small, and after SPLICE_MAX_CHAIN splices the array is written whole again', () => {
  const reg = new EntityRegistry();
  const list = new LList({ items: Array.from({ length: 200 }, () => new LItem()) });
  const ids = [reg.promoteToRoot(list).ecsId];
  for (let i = 0; i < SPLICE_MAX_CHAIN + 3; i++) {
    const working = reg.checkout<LList>(ids[ids.length - 1]);
    working.items.splice(i * 5, 1);
    working.items.push(new LItem({ n: i }));
    ids.push(reg.version(working).rootEcsId);
  }
  const rows = writeRows(reg, ids);
  const sizes = ids.map((id) => rows.entity(id)!.data.length);
  expect(sizes[0]).toBeGreaterThan(8_000); // 200 references
  expect(sizes[1]).toBeLessThan(200); // one removal, one append
  const whole = sizes.map((s, i) => (s > 8_000 ? i : -1)).filter((i) => i >= 0);
  expect(whole).toEqual([0, SPLICE_MAX_CHAIN]);
  const second = reg.getStoredEntity<LList>(ids[1]);
  expect(JSON.parse(rows.entity(ids[1])!.data).items).toEqual({
    $splice: [
      [0, 1, []],
      [200, 0, [{ $ref: (second.items[199] as LItem).ecsId }]],
    ],
  });
  const cache = new RowCache();
  for (const id of ids)
    expect(JSON.stringify(versionJSONFromRows(id, rows, cache))).toBe(JSON.stringify(versionToJSON(reg, id)));
});

test('the fast field encoder writes exactly what the general encoder writes, for any value', () => {
  fc.assert(
    fc.property(fc.array(specArb, { maxLength: 6 }), fc.boolean(), (specs, asRecord) => {
      const items = specs.map((s) => buildValue(s, (name) => new LItem({ n: name.length }), true));
      const value = asRecord ? Object.fromEntries(items.map((v, k) => [`k${k}`, v])) : items;
      expect(valueText(value, 'v')).toBe(stringify(encodeValue(value, 'v'), 'v'));
      for (const v of items) expect(valueText(v, 'v')).toBe(stringify(encodeValue(v, 'v'), 'v'));
    }),
    { numRuns: RUNS * 3 },
  );
});

test('a bad or dangling splice is a StoreCorruptError naming the row', () => {
  const reg = new EntityRegistry();
  const list = new LList({ items: Array.from({ length: 100 }, (_, i) => i) });
  const v1 = reg.promoteToRoot(list).ecsId;
  const working = reg.checkout<LList>(v1);
  working.items.push(100);
  const v2 = reg.version(working).rootEcsId;
  const rows = writeRows(reg, [v1, v2]);
  const row = rows.entity(v2)!;
  expect(JSON.parse(row.data).items).toEqual({ $splice: [[100, 0, [100]]] });
  const corrupt = (data: string, drop?: string) => ({
    entity: (id: string) => (id === v2 ? { ...row, data } : id === drop ? undefined : rows.entity(id)),
    rootVersion: rows.rootVersion,
  });
  const bad = thrown(() => versionJSONFromRows(v2, corrupt(row.data.replace('[[100,0,', '[[101,0,'))));
  expect(bad).toBeInstanceOf(StoreCorruptError);
  expect((bad as Error).message).toContain(`entity row ${v2}: a bad splice of 'items'`);
  const dangling = thrown(() => versionJSONFromRows(v2, corrupt(row.data, v1)));
  expect(dangling).toBeInstanceOf(StoreCorruptError);
  expect((dangling as Error).message).toContain(`missing entity row ${v1}`);
});

test('through the SQLite store: moves at 3 x 100 write splices, and a reopen has every version exactly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-long-'));
  try {
    const file = path.join(dir, 'h.db');
    const registry = new EntityRegistry({ store: sqliteStore(file) });
    const calls = new CallableRegistry({ entities: registry });
    calls.register('move_agent', moveAgent);
    let g = registry.promoteToRoot(buildGridMap(3, 100)).root as unknown as GridMap;
    const ids = [g.ecsId];
    for (let i = 0; i < 40; i++) {
      const from = i % 3;
      const agents = g.nodes[from].agents;
      g = calls.execute<GridMap>('move_agent', {
        gridmap: g,
        sourceIndex: from,
        agentName: agents[(i * 37) % agents.length].name,
        targetIndex: (from + 1 + (i % 2)) % 3,
      });
      ids.push(g.ecsId);
    }
    const before = ids.map((id) => JSON.stringify(versionToJSON(registry, id)));
    await registry.close();

    const db = new Database(file, { readonly: true });
    const { bytes } = db
      .prepare(
        `SELECT sum(length(data)) AS bytes FROM entity_version WHERE exec_id IS NOT NULL AND class_name = 'GridNode'`,
      )
      .get() as { bytes: number };
    db.close();
    // 80 node versions: whole they would be ~5 KB each; as splices (whole every 32nd) far less
    expect(bytes / 80).toBeLessThan(1500);

    const again = new EntityRegistry({ store: sqliteStore(file) });
    expect(ids.map((id) => JSON.stringify(versionToJSON(again, id)))).toEqual(before);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
