/**
 * `lineage()` / `latest()` of a child entity's lineage (issue 16, item 6): such a lineage has no
 * root versions, so it gives the entity's own history, the same over memory and over a durable
 * store (read from its rows by a new registry, and after a prune).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Agent, GridMap, GridNode, buildGridMap } from '../../examples/gridmap/model';
import { EntityRegistry, lineageToMermaid, sqliteStore } from '../../src';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-child-lineage-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `checkout(fromId)`, edited by `edit`, versioned: the new version's root. */
function edit(registry: EntityRegistry, fromId: string, change: (g: GridMap) => void): GridMap {
  const copy = registry.checkout<GridMap>(fromId);
  change(copy);
  return registry.getStoredEntity<GridMap>(registry.version(copy).rootEcsId);
}

/**
 * One agent's history: renamed (a2), untouched by a version that only changes the grid (v3), moved
 * to another node (a3), changed on a branch from v1 (a4), copied into another tree (a5, forked from
 * a2), then removed from the grid (no new version of it).
 */
function history(registry: EntityRegistry) {
  const v1 = registry.promoteToRoot(buildGridMap(2, 2)).root as unknown as GridMap;
  const lineageId = v1.nodes[0].agents[0].lineageId;
  const a1 = v1.nodes[0].agents[0].ecsId;
  const untouched = registry.lineage(lineageId);
  const v2 = edit(registry, v1.ecsId, (g) => (g.nodes[0].agents[0].name = 'renamed'));
  const a2 = v2.nodes[0].agents[0].ecsId;
  const v3 = edit(registry, v2.ecsId, (g) => (g.width = 5));
  expect(v3.nodes[0].agents[0].ecsId).toBe(a2);
  const v4 = edit(registry, v3.ecsId, (g) => g.nodes[1].agents.push(g.nodes[0].agents.shift()!));
  const a3 = v4.nodes[1].agents[2].ecsId;
  const v5 = edit(registry, v1.ecsId, (g) => (g.nodes[0].agents[0].speed = 9));
  const a4 = v5.nodes[0].agents[0].ecsId;
  const other = new GridMap({ nodes: [new GridNode({ agents: [registry.checkout<Agent>(a2)] })] });
  const a5 = (registry.promoteToRoot(other).root as unknown as GridMap).nodes[0].agents[0].ecsId;
  edit(registry, v4.ecsId, (g) => g.nodes[1].agents.pop());
  return { lineageId, untouched, ids: { a1, a2, a3, a4, a5 } };
}

const stores = [
  ['memory', () => new EntityRegistry()],
  ['SQLite', () => new EntityRegistry({ store: sqliteStore(path.join(dir, 'history.db')) })],
] as const;

describe.each(stores)('over %s', (_, open) => {
  test("a child entity's lineage lists its stored versions in the order they were stored, each with the version it was forked from", async () => {
    const registry = open();
    const { lineageId, untouched, ids } = history(registry);
    const { a1, a2, a3, a4, a5 } = ids;
    // stored with its first tree and never changed: that one version
    expect(untouched).toEqual([{ ecsId: a1, parentEcsId: null }]);
    const expected = [
      { ecsId: a1, parentEcsId: null },
      { ecsId: a2, parentEcsId: a1 },
      { ecsId: a3, parentEcsId: a2 },
      { ecsId: a4, parentEcsId: a1 }, // a branch
      { ecsId: a5, parentEcsId: a2 }, // the copy in another tree
    ];
    const entries = registry.lineage(lineageId);
    expect(entries).toEqual(expected);
    expect(entries.every((e) => Object.isFrozen(e))).toBe(true);
    expect(registry.lineage(lineageId.toUpperCase())).toEqual(expected);
    // latest: the newest of them (the grid's newest version no longer holds the agent at all)
    expect(registry.latest<Agent>(lineageId)).toBe(registry.getStoredEntity(a5));
    expect(registry.latestVersion(lineageId)).toBeUndefined();
    expect(lineageToMermaid(lineageId, registry)).toContain(
      '%% lineage ' + lineageId + ': 5 versions, 2 branch points',
    );
    // unknown lineages stay empty
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(registry.lineage(unknown)).toEqual([]);
    expect(registry.latest(unknown)).toBeUndefined();
    await registry.close();
    if (_ === 'memory') return;
    // a new registry over the same store reads the same history from the rows
    const again = open();
    expect(again.lineage(lineageId)).toEqual(expected);
    expect(again.latest<Agent>(lineageId)!.ecsId).toBe(a5);
    await again.close();
  });

  test('after a prune, the versions of it the kept versions hold', async () => {
    const registry = open();
    const { lineageId, ids } = history(registry);
    // Kept: each lineage's head. The grid's no longer holds the agent; the other tree's holds a5.
    registry.prune({ keep: { newest: 0 } });
    expect(registry.lineage(lineageId)).toEqual([{ ecsId: ids.a5, parentEcsId: ids.a2 }]);
    expect(registry.latest<Agent>(lineageId)!.ecsId).toBe(ids.a5);
    await registry.close();
  });
});
