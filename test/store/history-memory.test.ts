/**
 * A version keeps only the ids of its past (`oldIds`), none of its predecessors' metadata: memory
 * grows with what changed, not with the length of the history (bench/memory-history.ts measures it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildGridMap, moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, EventBus } from '../../src';
import { StoredMeta, metaOf, type EntityObject } from '../../src/metadata/object-model';

const MOVES = 200;

/** A fresh world where `moves` agents moved around a 4x3 grid; returns every root version, oldest first. */
function moved(moves: number): { entities: EntityRegistry; roots: GridMap[] } {
  const entities = new EntityRegistry({ bus: new EventBus() });
  const calls = new CallableRegistry({ entities, events: entities.bus });
  calls.register('move_agent', moveAgent);
  const roots = [entities.promoteToRoot(buildGridMap(4, 3)).root as unknown as GridMap];
  for (let i = 0; i < moves; i++) {
    const g = roots[roots.length - 1];
    const source = g.nodes.findIndex((n) => n.agents.length > 0);
    const targetIndex = (source + 1 + (i % 3)) % g.nodes.length;
    roots.push(
      calls.execute<GridMap>('move_agent', {
        gridmap: g,
        sourceIndex: source,
        agentName: g.nodes[source].agents[0].name,
        targetIndex,
      }),
    );
  }
  return { entities, roots };
}

/** Every object reachable from `start` through own property values (metadata is plain data). */
function reachable(start: object): Set<object> {
  const seen = new Set<object>([start]);
  const todo: object[] = [start];
  while (todo.length > 0) {
    for (const v of Object.values(todo.pop()!)) {
      if (typeof v === 'object' && v !== null && !seen.has(v)) {
        seen.add(v);
        todo.push(v);
      }
    }
  }
  return seen;
}

test('the metadata of a stored entity references no other metadata, only the ids of its past', () => {
  const { entities, roots } = moved(MOVES);
  const latest = roots[MOVES];
  expect(latest.oldIds).toEqual(roots.slice(0, MOVES).map((r) => r.ecsId));
  for (const e of entities.getStoredTree(latest.ecsId).nodes.values()) {
    const meta = metaOf(e);
    const others = [...reachable(meta)].filter((o) => o !== meta && (o instanceof StoredMeta || 'lineageId' in o));
    expect(others).toEqual([]);
    // A link holds an id and the next link, or (over a durable store) a reader of it: no metadata.
    for (let link = meta.history; link !== null; link = link.next)
      for (const v of Object.values(link)) expect(v === null || typeof v !== 'object' || 'next' in v).toBe(true);
  }
});

test('once the registry is dropped, the latest version alone keeps no earlier version alive', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc'); // later contexts of this worker stay as they were
  // The world lives in a closure that returns only the latest version and weak references to the
  // first and a middle root version, and to their metadata. The registry is flushed before it is
  // dropped: a durable store (the SQLite test modes give it one) keeps its registry while it has
  // rows to write, for the exit hook, and not after.
  const { latest, earlier } = await (async () => {
    const { entities, roots } = moved(MOVES);
    await entities.flush();
    const old = [roots[0], roots[MOVES / 2]] as unknown as EntityObject[];
    return { latest: roots[MOVES], earlier: old.flatMap((r) => [new WeakRef(r), new WeakRef(metaOf(r))]) };
  })();
  // Weak targets stay alive until the job that made them ends, and an optimising compile still
  // running in the background holds the closures it compiles (and through them the registry): so
  // collect again until those jobs are done. Before the fix, no number of collections freed them.
  const freed = (): boolean[] => earlier.map((w) => w.deref() === undefined);
  for (let i = 0; i < 200 && freed().includes(false); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
  }
  expect(freed()).toEqual([true, true, true, true]);
  expect(latest.oldIds).toHaveLength(MOVES);
});
