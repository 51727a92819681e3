/**
 * A function reads an entity array (it gets a private copy) and puts that copy into another
 * entity's field: the copy must be compared with the field it now sits in, not with the array it
 * was copied from.
 */
import { CallableRegistry, EntityRegistry, buildEntityTree } from '../../src';
import { GridMap, buildGridMap } from '../../examples/gridmap/model';

function world() {
  const entities = new EntityRegistry();
  const callables = new CallableRegistry({ entities });
  const root = entities.promoteToRoot(buildGridMap(3, 2)).root as unknown as GridMap;
  return { entities, callables, root };
}

const names = (g: GridMap) => g.nodes.map((n) => n.agents.map((a) => a.name));

function expectIndexMatchesTree(entities: EntityRegistry, g: GridMap) {
  const indexed = [...entities.getVersion(g.ecsId).index]
    .map(([lineage, e]) => [lineage, (e as unknown as GridMap).ecsId])
    .sort();
  const inTree = [...buildEntityTree(g).nodes.values()]
    .map((e) => [(e as unknown as GridMap).lineageId, (e as unknown as GridMap).ecsId])
    .sort();
  expect(indexed).toEqual(inTree);
}

test("a copied array moved to another entity replaces that entity's own array", () => {
  const { entities, callables, root } = world();
  callables.register('move_all', ({ g }: { g: GridMap }) => {
    g.nodes[1].agents = g.nodes[0].agents;
    g.nodes[0].agents = [];
    return g;
  });
  const after = callables.execute<GridMap>('move_all', { g: root });
  expect(names(after)).toEqual([[], ['agent-0-0', 'agent-0-1'], ['agent-2-0', 'agent-2-1']]);
  expect(names(root)).toEqual([
    ['agent-0-0', 'agent-0-1'],
    ['agent-1-0', 'agent-1-1'],
    ['agent-2-0', 'agent-2-1'],
  ]);
  expectIndexMatchesTree(entities, after);
  const lineages = new Set([...entities.getVersion(after.ecsId).index.keys()]);
  for (const a of root.nodes[1].agents) expect(lineages.has(a.lineageId)).toBe(false);
});

test('two copied arrays swapped between entities', () => {
  const { entities, callables, root } = world();
  callables.register('swap', ({ g }: { g: GridMap }) => {
    const first = g.nodes[0].agents;
    g.nodes[0].agents = g.nodes[2].agents;
    g.nodes[2].agents = first;
    return g;
  });
  const after = callables.execute<GridMap>('swap', { g: root });
  expect(names(after)).toEqual([
    ['agent-2-0', 'agent-2-1'],
    ['agent-1-0', 'agent-1-1'],
    ['agent-0-0', 'agent-0-1'],
  ]);
  expectIndexMatchesTree(entities, after);
  // Moved agents keep their lineage and sit at their new parents.
  expect(after.nodes[0].agents.map((a) => a.lineageId)).toEqual(root.nodes[2].agents.map((a) => a.lineageId));
  expect(
    after.nodes[0].agents.every((a) => a.ecsId !== root.nodes[2].agents[0].ecsId || a === root.nodes[2].agents[0]),
  ).toBe(true);
});
