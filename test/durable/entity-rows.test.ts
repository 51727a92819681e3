/**
 * Stored entities and root versions <-> rows (src/durable/entity-rows.ts, SPEC §12): rows give
 * back exactly what `versionToJSON` gives, children are referenced (`{ $ref }`), a row's size does
 * not grow with its history, and a missing row is a `StoreCorruptError` naming it.
 */
import fc from 'fast-check';
import { CallableRegistry, Entity, EntityRegistry, buildEntityTree, entity } from '../../src';
import { versionFromJSON, versionToJSON } from '../../src/serialize';
import { metaOf, type EntityObject } from '../../src/metadata/object-model';
import { deltaOf } from '../../src/store/root-version';
import {
  RowCache,
  entityRow,
  rootVersionRow,
  versionJSONFromRows,
  type RowSource,
} from '../../src/durable/entity-rows';
import { StoreCorruptError } from '../../src/durable/errors';
import type { EntityRow, RootVersionRow } from '../../src/durable/rows';
import { GridMap, buildGridMap, moveAgent } from '../../examples/gridmap/model';
import { PLeaf, PNode, PRoot } from '../support/models';
import { editsArb, treeSpecArb, versionedTree } from '../support/trees';
import { buildValue, specArb, type Spec } from '../support/values';
import { thrown } from '../support/thrown';

const RUNS = Number(process.env.PROP_RUNS ?? 300);

/** Any data, entities anywhere inside it. */
@entity()
class DBag extends Entity {
  name = '';
  v: unknown[] = [];
}

function build(s: Spec): unknown {
  return buildValue(s, (name, v) => new DBag({ name, v: v === null ? [] : [v] }), true);
}

// ---- rows of a registry -------------------------------------------------------------------------

interface Rows extends RowSource {
  readonly entities: Map<string, EntityRow>;
  readonly versions: Map<string, RootVersionRow>;
}

function rowSource(entities = new Map<string, EntityRow>(), versions = new Map<string, RootVersionRow>()): Rows {
  return { entities, versions, entity: (id) => entities.get(id), rootVersion: (id) => versions.get(id) };
}

/** The rows of versions `ids` of `reg`: every entity of each version's tree (a shared one once). */
function rowsOf(reg: EntityRegistry, ids: readonly string[], into = rowSource()): Rows {
  const previous = (id: string): object | undefined => reg.findStoredEntity(id);
  for (const id of ids) {
    into.versions.set(id, rootVersionRow(reg.getVersion(id)));
    for (const [ecsId, e] of reg.getStoredTree(id).nodes)
      if (!into.entities.has(ecsId)) into.entities.set(ecsId, entityRow(e, previous));
  }
  return into;
}

/** Rows of every version of `ids` rebuild exactly `versionToJSON`; returns the JSON texts. */
function expectRowsRebuild(reg: EntityRegistry, ids: readonly string[]): string[] {
  const rows = rowsOf(reg, ids);
  const cache = new RowCache();
  return ids.map((id) => {
    const expected = JSON.stringify(versionToJSON(reg, id));
    expect(JSON.stringify(versionJSONFromRows(id, rows, cache))).toBe(expected);
    expect(JSON.stringify(versionJSONFromRows(id, rows))).toBe(expected); // without a shared cache
    return expected;
  });
}

/** A version's JSON without `$version.createdAt` (`promoteToRoot` of a loaded version stores it now). */
function withoutVersionTime(text: string): unknown {
  const json = JSON.parse(text) as { $version: { createdAt?: string } };
  delete json.$version.createdAt;
  return json;
}

/**
 * Replays the versions (oldest first) from their JSON into a fresh registry, as a reopen does:
 * the same versions come out (but their time, see above). Then the last one alone into another
 * registry (its previous versions unknown there): rows still rebuild it, writing `oldIds` in full.
 */
function expectReplay(texts: readonly string[], ids: readonly string[]): void {
  const again = new EntityRegistry();
  texts.forEach((text) => again.promoteToRoot(versionFromJSON(text)));
  ids.forEach((id, i) =>
    expect(withoutVersionTime(JSON.stringify(versionToJSON(again, id)))).toEqual(withoutVersionTime(texts[i])),
  );
  const alone = new EntityRegistry();
  const last = ids[ids.length - 1];
  alone.promoteToRoot(versionFromJSON(texts[texts.length - 1]));
  expectRowsRebuild(alone, [last]);
  for (const row of rowsOf(alone, [last]).entities.values())
    if (row.previousEcsId !== null) expect(JSON.parse(row.identity)).toHaveProperty('oldIds');
}

// ---- random edits of DBag trees -----------------------------------------------------------------

type BagEdit =
  | { kind: 'put'; a: number; at: number; spec: Spec }
  | { kind: 'name'; a: number; s: string }
  | { kind: 'move'; a: number; b: number }
  | { kind: 'drop'; a: number };

const small = fc.nat({ max: 50 });
const bagEditArb: fc.Arbitrary<BagEdit> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), a: small, at: small, spec: specArb }),
  fc.record({ kind: fc.constant('name' as const), a: small, s: fc.string({ maxLength: 3 }) }),
  fc.record({ kind: fc.constant('move' as const), a: small, b: small }),
  fc.record({ kind: fc.constant('drop' as const), a: small }),
);

/** Replaces `x` inside `value` (data, not inside other entities) by null, or drops it from a Set. */
function detachFrom(value: unknown, x: DBag): boolean {
  if (typeof value !== 'object' || value === null || value instanceof Entity || value instanceof Date) return false;
  if (value instanceof Set) {
    if (value.delete(x)) return true;
    return [...value].some((m) => detachFrom(m, x));
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (v === x) return (value.set(k, null), true);
      if (detachFrom(v, x)) return true;
    }
    return false;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (o[k] === x) {
      Object.defineProperty(o, k, { value: null, enumerable: true, writable: true, configurable: true });
      return true;
    }
    if (detachFrom(o[k], x)) return true;
  }
  return false;
}

function applyBagEdit(root: DBag, edit: BagEdit): void {
  const tree = buildEntityTree(root);
  const all = [...tree.nodes.values()] as unknown as DBag[];
  const nonRoot = all.slice(1);
  switch (edit.kind) {
    case 'put': {
      const e = all[edit.a % all.length];
      e.v[edit.at % (e.v.length + 1)] = build(edit.spec);
      return;
    }
    case 'name':
      all[edit.a % all.length].name = edit.s;
      return;
    case 'move':
    case 'drop': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[edit.a % nonRoot.length];
      const parent = tree.parentOf(x.ecsId) as unknown as DBag;
      expect(detachFrom(parent.v, x)).toBe(true);
      if (edit.kind === 'drop') return;
      const inside = buildEntityTree(x).nodes;
      const targets = all.filter((t) => !inside.has(t.ecsId));
      targets[edit.b % targets.length].v.push(x);
    }
  }
}

// ---- properties ---------------------------------------------------------------------------------

test('random trees with every value kind: rows of each stored version rebuild versionToJSON exactly', () => {
  fc.assert(
    fc.property(
      fc.array(specArb, { minLength: 1, maxLength: 3 }),
      fc.array(fc.array(bagEditArb, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      (specs, rounds) => {
        const reg = new EntityRegistry();
        const root = new DBag({ name: 'root', v: specs.map(build) });
        root.v[root.v.length + 1] = 'after a hole';
        reg.promoteToRoot(root);
        for (const edits of rounds) {
          for (const edit of edits) applyBagEdit(root, edit);
          reg.version(root);
        }
        const ids = reg.lineage(root.lineageId).map((v) => v.ecsId);
        expectReplay(expectRowsRebuild(reg, ids), ids);
      },
    ),
    { numRuns: RUNS },
  );
});

test('random trees with moves, removals and reorders (entities in fields, arrays, Maps, nested arrays)', () => {
  fc.assert(
    fc.property(treeSpecArb(12), fc.array(editsArb(4), { minLength: 1, maxLength: 4 }), (spec, rounds) => {
      const { reg, root } = versionedTree(spec, rounds);
      const ids = reg.lineage(root.lineageId).map((v) => v.ecsId);
      expectReplay(expectRowsRebuild(reg, ids), ids);
    }),
    { numRuns: RUNS },
  );
});

// ---- size and sharing ---------------------------------------------------------------------------

test('a row does not grow with its history: an entity forked 1,000 times', () => {
  const reg = new EntityRegistry();
  const root = new PRoot({ title: 't', left: new PLeaf({ label: 'x' }) });
  reg.promoteToRoot(root);
  for (let i = 0; i < 1000; i++) {
    root.title = `t${i}`;
    (root.left as PLeaf).n = i + 1;
    reg.version(root);
  }
  const ids = reg.lineage(root.lineageId).map((v) => v.ecsId);
  expect(ids).toHaveLength(1001);
  const rows = rowsOf(reg, ids);
  const sizes = (pick: (v: PRoot) => EntityObject): Set<number> =>
    new Set(
      ids
        .slice(1)
        .map((id) => rows.entities.get(metaOf(pick(reg.getStoredEntity<PRoot>(id)) as object).ecsId)!.identity.length),
    );
  expect(sizes((v) => v as unknown as EntityObject).size).toBe(1); // the root: one size for versions 2..1001
  expect(sizes((v) => v.left as unknown as EntityObject).size).toBe(1); // its child too
  const last = ids[ids.length - 1];
  const lastRow = rows.entities.get(last)!;
  expect(lastRow.identity.length).toBeLessThan(200);
  expect(JSON.parse(lastRow.identity)).not.toHaveProperty('oldIds');
  const json = versionJSONFromRows(last, rows);
  expect(json.root.$id.oldIds).toEqual(ids.slice(0, -1));
  expect(JSON.stringify(json)).toBe(JSON.stringify(versionToJSON(reg, last)));
});

test('a move at 10x10 writes the 4 changed entities, whose data reference unchanged children', () => {
  const entities = new EntityRegistry();
  const callables = new CallableRegistry({ entities });
  callables.register('move_agent', moveAgent);
  const v1 = entities.promoteToRoot(buildGridMap(10, 10));
  expect(entities.getStoredTree(v1.ecsId).nodeCount).toBe(111);
  const moved = callables.execute<GridMap>('move_agent', {
    gridmap: v1.root as unknown as GridMap,
    sourceIndex: 2,
    agentName: 'agent-2-3',
    targetIndex: 7,
  });
  const v2 = entities.getVersion(moved.ecsId);
  const previous = (id: string): object | undefined => entities.findStoredEntity(id);

  const delta = deltaOf(v2)!;
  const changed = delta.filter((x, i) => i % 2 === 1) as EntityObject[];
  expect(changed).toHaveLength(4);
  const newRows = changed.map((e) => entityRow(e, previous));
  expect(new Set(newRows.map((r) => r.className))).toEqual(new Set(['GridMap', 'GridNode', 'Agent']));
  // the same 4 are exactly the entities this version stored first
  const firstStored = [...entities.getStoredTree(v2.ecsId).nodes.values()].filter(
    (e) => metaOf(e).rootEcsId === v2.ecsId,
  );
  expect(new Set(firstStored.map((e) => metaOf(e).ecsId))).toEqual(new Set(newRows.map((r) => r.ecsId)));

  const versionRow = rootVersionRow(v2);
  expect(versionRow.rootClass).toBe('GridMap');
  expect(versionRow.parentEcsId).toBe(v1.ecsId);
  expect(JSON.parse(versionRow.delta!)).toEqual(delta.map((x, i) => (i % 2 === 0 ? x : metaOf(x as object).ecsId)));
  expect(rootVersionRow(v1).delta).toBeNull();

  const gridRow = newRows.find((r) => r.className === 'GridMap')!;
  const gridData = JSON.parse(gridRow.data) as { nodes: unknown[]; width: number };
  expect(gridData.nodes).toEqual(moved.nodes.map((n) => ({ $ref: n.ecsId })));
  expect(gridData.width).toBe(4);
  for (const row of newRows) expect(row.data).not.toContain('$class');
  const target = newRows.find((r) => r.ecsId === moved.nodes[7].ecsId)!;
  expect(JSON.parse(target.data)).toEqual({
    position: [3, 1],
    agents: moved.nodes[7].agents.map((a) => ({ $ref: a.ecsId })),
  });

  // v1's rows plus these 4 and the version row rebuild v2
  const rows = rowsOf(entities, [v1.ecsId]);
  for (const row of newRows) rows.entities.set(row.ecsId, row);
  rows.versions.set(v2.ecsId, versionRow);
  expect(rows.entities.size).toBe(115);
  expect(JSON.stringify(versionJSONFromRows(v2.ecsId, rows))).toBe(JSON.stringify(versionToJSON(entities, v2.ecsId)));
});

// ---- details --------------------------------------------------------------------------------------

test('oldIds are left out only when they follow from a stored previous version', () => {
  const reg = new EntityRegistry();
  const root = new PRoot({ title: 'a' });
  const v1 = reg.promoteToRoot(root);
  root.title = 'b';
  const v2 = reg.getVersion(reg.version(root).rootEcsId);
  // an imported version whose history is not its previous version's plus one (ids kept on import)
  const other = new PRoot().ecsId;
  const json = versionToJSON(reg, v2.ecsId);
  json.$version.ecsId = json.root.$id.ecsId = json.root.$id.rootEcsId = new PRoot().ecsId;
  json.root.$id.oldIds = [other, v1.ecsId];
  const v3 = reg.promoteToRoot(versionFromJSON(JSON.stringify(json)));
  expect(v3.parentEcsId).toBe(v1.ecsId);
  const previous = (id: string): object | undefined => reg.findStoredEntity(id);
  const identity = (ecsId: string): { oldIds?: string[] } =>
    JSON.parse(entityRow(reg.getStoredEntity(ecsId), previous).identity);
  expect(identity(v1.ecsId).oldIds).toEqual([]); // a first version
  expect(identity(v2.ecsId)).not.toHaveProperty('oldIds'); // the usual fork
  expect(identity(v3.ecsId).oldIds).toEqual([other, v1.ecsId]); // previous held, history not derived from it
  // a lookup that does not know the previous version: written in full
  expect(JSON.parse(entityRow(reg.getStoredEntity(v2.ecsId), () => undefined).identity).oldIds).toEqual([v1.ecsId]);
  expectRowsRebuild(reg, [v1.ecsId, v2.ecsId, v3.ecsId]);
});

test('data that looks like a reference stays data', () => {
  const reg = new EntityRegistry();
  const child = new DBag({ name: 'child' });
  const tricky: Record<string, unknown> = { $ref: child.ecsId, $object: { $ref: 'x' } };
  Object.defineProperty(tricky, '__proto__', { value: child, enumerable: true, writable: true, configurable: true });
  const root = new DBag({ name: 'root', v: [tricky, new Map([['$ref', { $ref: 'y' }]]), { fields: { $ref: 'z' } }] });
  reg.promoteToRoot(root);
  const [text] = expectRowsRebuild(reg, [root.ecsId]);
  const data = JSON.parse(rowsOf(reg, [root.ecsId]).entities.get(root.ecsId)!.data) as { v: unknown[] };
  expect(JSON.stringify(data.v)).toBe(
    JSON.stringify([
      JSON.parse(
        `{"$object":{"$ref":"${child.ecsId}","$object":{"$object":{"$ref":"x"}},"__proto__":{"$ref":"${child.ecsId}"}}}`,
      ),
      { $map: [['$ref', { $object: { $ref: 'y' } }]] },
      { fields: { $object: { $ref: 'z' } } },
    ]),
  );
  const inline = (JSON.parse(text) as { root: { fields: { v: [{ $object: Record<string, { $class: string }> }] } } })
    .root.fields.v[0].$object;
  expect(Object.getOwnPropertyDescriptor(inline, '__proto__')!.value.$class).toBe('DBag');
});

test('a deep chain of entities (10,000 levels) is rebuilt without recursion', () => {
  const reg = new EntityRegistry();
  const root = new PRoot({ title: 'deep' });
  let at: PNode = root;
  for (let i = 0; i < 10_000; i++) {
    const next: PNode = new PNode({ name: `n${i}` });
    at.left = next;
    at = next;
  }
  reg.promoteToRoot(root);
  const rows = rowsOf(reg, [root.ecsId]);
  expect(rows.entities.size).toBe(10_001);
  let e = versionJSONFromRows(root.ecsId, rows).root;
  let depth = 0;
  while (e.fields.left !== null) {
    e = e.fields.left as unknown as typeof e;
    depth++;
  }
  expect(depth).toBe(10_000);
  expect(e.$id.ecsId).toBe(at.ecsId);
  expect(e.fields.name).toBe('n9999');
});

test('a missing or unreadable row is a StoreCorruptError naming its ecsId', () => {
  const reg = new EntityRegistry();
  const root = new PRoot({ title: 't', items: [new PLeaf({ label: 'a' }), new PLeaf({ label: 'b' })] });
  reg.promoteToRoot(root);
  root.title = 'u';
  (root.items[1] as PLeaf).n = 7;
  reg.version(root);
  const [v1, v2] = reg.lineage(root.lineageId).map((v) => v.ecsId);
  const full = rowsOf(reg, [v1, v2]);
  const without = (ecsId: string): Rows => {
    const entities = new Map(full.entities);
    entities.delete(ecsId);
    return rowSource(entities, full.versions);
  };
  const stored = reg.getStoredEntity<PRoot>(v2);
  const child = stored.items[0].ecsId;
  const expectCorrupt = (run: () => unknown, ecsId: string): void => {
    const error = thrown(run);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as StoreCorruptError).ecsId).toBe(ecsId);
    expect((error as Error).message).toContain(ecsId);
  };
  // a child row
  expectCorrupt(() => versionJSONFromRows(v2, without(child)), child);
  // the root's row, the root version's row
  expectCorrupt(() => versionJSONFromRows(v2, without(v2)), v2);
  expectCorrupt(() => versionJSONFromRows(v2, rowSource(full.entities, new Map())), v2);
  // the previous version of a row that leaves out its oldIds
  const changedChild = stored.items[1];
  const previousOfChild = metaOf(changedChild).previousEcsId!;
  expect(JSON.parse(full.entities.get(changedChild.ecsId)!.identity)).not.toHaveProperty('oldIds');
  expectCorrupt(() => versionJSONFromRows(v2, without(previousOfChild)), previousOfChild);
  // a row that is not JSON
  const bad = new Map(full.entities).set(child, { ...full.entities.get(child)!, data: '{"label":' });
  expectCorrupt(() => versionJSONFromRows(v2, rowSource(bad, full.versions)), child);
  // a row referenced twice (or a cycle)
  const rootRow = full.entities.get(v2)!;
  const twice = new Map(full.entities).set(v2, {
    ...rootRow,
    data: rootRow.data.replace(`{"$ref":"${stored.items[1].ecsId}"}`, `{"$ref":"${child}"}`),
  });
  expectCorrupt(() => versionJSONFromRows(v2, rowSource(twice, full.versions)), child);
  expect(new StoreCorruptError('x', v1)).toBeInstanceOf(Error);
});
