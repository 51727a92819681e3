/**
 * Retention, `registry.prune({ keep })` (SPEC §12), as a registry user sees it: on the memory store
 * (projects `runtime`, `generated`) and on SQLite (the `sqlite` modes, where each registry is also
 * reopened and compared after the test). The engine's own rules (rows rewritten, records removed,
 * bytes) are tested in test/durable/prune.test.ts.
 */
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import {
  CallableRegistry,
  EntityNotFoundError,
  EntityRegistry,
  StoreOptionError,
  versionToJSON,
  type PruneKeep,
} from '../../src';

function nextMillisecond(): void {
  const now = Date.now();
  while (Date.now() === now) {
    // wait: versions are dated to the millisecond
  }
}

/** A grid moved `moves` times, a branch off its second version, and a second grid moved once. */
function history(moves: number) {
  const registry = new EntityRegistry();
  const calls = new CallableRegistry({ entities: registry });
  calls.register('move_agent', moveAgent);
  const move = (g: GridMap, i: number): GridMap => {
    const source = g.nodes.findIndex((n) => n.agents.length > 0);
    return calls.execute<GridMap>('move_agent', {
      gridmap: g,
      sourceIndex: source,
      agentName: g.nodes[source].agents[0].name,
      targetIndex: (source + 1 + (i % 2)) % g.nodes.length,
    });
  };
  const main = [registry.promoteToRoot(buildGridMap(3, 2)).root as unknown as GridMap];
  for (let i = 0; i < moves; i++) {
    nextMillisecond(); // each version its own createdAt, for `keep.since`
    main.push(move(main[main.length - 1], i));
  }
  const branch = move(main[1], 1); // a branch off the second version: now the lineage's newest
  const other = [registry.promoteToRoot(buildGridMap(2, 1)).root as unknown as GridMap];
  other.push(move(other[0], 0));
  return { registry, move, main, branch, other };
}

/** Everything a reader sees of a registry's versions: per version its JSON, per lineage its entries. */
function view(registry: EntityRegistry, lineages: readonly string[]) {
  const versions = new Map<string, unknown>();
  const entries = new Map<string, unknown>();
  for (const lineageId of lineages) {
    entries.set(lineageId, registry.lineage(lineageId));
    for (const { ecsId } of registry.lineage(lineageId)) versions.set(ecsId, versionToJSON(registry, ecsId));
  }
  return { versions, entries };
}

test('prune keeps each lineage newest versions; kept ones read exactly as before, removed ones are gone', () => {
  const { registry, main, branch, other } = history(5);
  const lineages = [main[0].lineageId, other[0].lineageId];
  const before = view(registry, lineages);
  // an agent stored by the first version and never moved: in every version of the main lineage
  const still = main[0].nodes[2].agents[0];
  expect(registry.versionsContaining(still.ecsId)).toHaveLength(main.length + 1);

  const report = registry.prune({ keep: { newest: 2 } });

  // per lineage the newest two in commit order: main's last version and the branch; other's both
  const kept = [main[main.length - 1].ecsId, branch.ecsId, other[0].ecsId, other[1].ecsId];
  const removed = main.slice(0, main.length - 1).map((g) => g.ecsId);
  expect(report.versionsRemoved).toBe(removed.length);
  expect(report.entitiesRemoved).toBeGreaterThan(0);
  expect(report.bytesReclaimed).toBeGreaterThan(0);
  for (const id of removed) {
    expect(registry.hasVersion(id)).toBe(false);
    expect(() => registry.getVersion(id)).toThrow(EntityNotFoundError);
  }
  for (const id of kept) expect(versionToJSON(registry, id)).toEqual(before.versions.get(id));
  const entries = before.entries.get(main[0].lineageId) as { ecsId: string }[];
  expect(registry.lineage(main[0].lineageId)).toEqual(entries.filter((e) => kept.includes(e.ecsId)));
  expect(registry.lineage(other[0].lineageId)).toEqual(before.entries.get(other[0].lineageId));
  expect(registry.latest<GridMap>(main[0].lineageId)!.ecsId).toBe(branch.ecsId);
  // the kept versions whose parent is gone still answer from their own trees
  expect(registry.versionsContaining(still.ecsId).sort()).toEqual([main[main.length - 1].ecsId, branch.ecsId].sort());
  expect(registry.stats.versions).toBe(kept.length);

  // pruning again with the same rule changes nothing
  expect(registry.prune({ keep: { newest: 2 } })).toMatchObject({ versionsRemoved: 0, entitiesRemoved: 0 });
  for (const id of kept) expect(versionToJSON(registry, id)).toEqual(before.versions.get(id));
});

test('work goes on after a prune: the latest version executes, and its history names the pruned ids', () => {
  const { registry, move, main } = history(4);
  registry.prune({ keep: { newest: 1 } });
  const latest = registry.latest<GridMap>(main[0].lineageId)!;
  const next = move(latest, 0);
  expect(registry.lineage(main[0].lineageId).map((e) => e.ecsId)).toEqual([latest.ecsId, next.ecsId]);
  // history is ids: the versions before the cut are still named, though no longer stored
  expect(next.oldIds).toEqual([...main.slice(0, 2).map((g) => g.ecsId), latest.ecsId].slice(-next.oldIds.length));
  expect(next.oldIds).toContain(main[0].ecsId);
});

test('keep by time and by id: versions created since a time, or listed, stay besides the heads', () => {
  const { registry, main } = history(4);
  const cut = registry.getVersion(main[3].ecsId).createdAt;
  registry.prune({ keep: { since: cut, versions: [main[1].ecsId.toUpperCase()] } });
  const left = registry.lineage(main[0].lineageId).map((e) => e.ecsId);
  expect(left).toContain(main[1].ecsId);
  expect(left).not.toContain(main[0].ecsId);
  for (const g of main.slice(3)) expect(left).toContain(g.ecsId);
  // every version left is one kept by a rule (or the head, which the branch is)
  for (const id of left) expect(id === main[1].ecsId || registry.getVersion(id).createdAt >= cut).toBe(true);
});

test('a bad keep is a StoreOptionError naming the option, and nothing is removed', () => {
  const { registry, main } = history(3);
  const lineages = [main[0].lineageId];
  const before = view(registry, lineages);
  const bad: unknown[] = [
    undefined,
    {},
    { newest: -1 },
    { newest: 1.5 },
    { since: NaN },
    { versions: 'x' },
    { versions: ['00000000-0000-7000-8000-000000000000'] },
    { nwest: 1 },
  ];
  for (const keep of bad) {
    let error: unknown;
    try {
      registry.prune({ keep: keep as PruneKeep });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreOptionError);
    expect((error as StoreOptionError).option).toMatch(/^keep/);
  }
  expect(() => registry.prune(null as unknown as { keep: PruneKeep })).toThrow(StoreOptionError);
  expect(view(registry, lineages)).toEqual(before);
});
