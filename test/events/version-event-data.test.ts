/**
 * The `entity.version` completed event carries the old -> new id map and the changed fields
 * (SPEC §7). They are built when first read; reads, spreads and JSON see plain frozen objects.
 */
import { CallableRegistry, EntityRegistry, EventBus, type Event } from '../../src';
import { GridMap, buildGridMap, moveAgent } from '../../examples/gridmap/model';

function world() {
  const bus = new EventBus();
  const entities = new EntityRegistry({ bus });
  const callables = new CallableRegistry({ entities, events: bus });
  callables.register('move_agent', moveAgent);
  const completed: Event[] = [];
  bus.on('entity.version', (e) => {
    if (e.phase === 'completed') completed.push(e);
  });
  return { bus, entities, callables, completed };
}

test('a function commit: id map of the four forked entities, changed fields by old id', () => {
  const { entities, callables, completed } = world();
  const v1 = entities.promoteToRoot(buildGridMap(3, 2)).root as unknown as GridMap;
  const v2 = callables.execute<GridMap>('move_agent', {
    gridmap: v1,
    sourceIndex: 0,
    agentName: 'agent-0-1',
    targetIndex: 2,
  });
  expect(completed).toHaveLength(1);
  const { idMap, changedFields } = completed[0].metadata as {
    idMap: Record<string, string>;
    changedFields: Record<string, string[]>;
  };
  expect(idMap).toEqual({
    [v1.ecsId]: v2.ecsId,
    [v1.nodes[0].ecsId]: v2.nodes[0].ecsId,
    [v1.nodes[2].ecsId]: v2.nodes[2].ecsId,
    [v1.nodes[0].agents[1].ecsId]: v2.nodes[2].agents[2].ecsId,
  });
  expect(changedFields).toEqual({ [v1.nodes[0].ecsId]: ['agents'], [v1.nodes[2].ecsId]: ['agents'] });
  expect(Object.isFrozen(completed[0].metadata)).toBe(true);
  expect(Object.isFrozen(idMap)).toBe(true);
  expect(completed[0].metadata.idMap).toBe(idMap); // built once
  expect(JSON.parse(JSON.stringify(completed[0].metadata)).idMap).toEqual(idMap);
  expect({ ...completed[0].metadata }.changedFields).toEqual(changedFields);
});

test('version(): the event keeps its own copy of the id map the caller receives', () => {
  const { entities, completed } = world();
  const root = buildGridMap(2, 2);
  entities.promoteToRoot(root);
  root.nodes[0].agents[0].speed = 42;
  const r = entities.version(root);
  expect(r.created).toBe(true);
  (r.idMap as Map<string, string>).clear(); // a caller that ignores ReadonlyMap
  const { idMap } = completed[0].metadata as { idMap: Record<string, string> };
  expect(Object.keys(idMap)).toHaveLength(3); // the agent, its node, the root
  expect(Object.values(idMap)).toContain(root.ecsId);
});

test('metadata copied from metadata keeps a value that nobody read pending', async () => {
  const { LazyMetadata, frozenMetadata } = await import('../../src/events/event');
  const build = jest.fn(() => ({ built: true }));
  const first = frozenMetadata({ a: 1, lazy: new LazyMetadata(build), toString: 'text' });
  const second = frozenMetadata(first, { b: 2 });
  expect(build).not.toHaveBeenCalled();
  expect(second).toEqual({ a: 1, lazy: { built: true }, toString: 'text', b: 2 });
  expect(build).toHaveBeenCalledTimes(1);
  expect(first.lazy).toEqual({ built: true });
});
