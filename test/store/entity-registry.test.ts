/**
 * EntityRegistry (SPEC §4): promote, version, queries, no-change, branches, typed errors that leave
 * the registry as it was, structural sharing, isolation.
 */
import { Agent, GridMap, GridNode, buildGridMap } from '../../examples/gridmap/model';
import {
  CallableRegistry,
  Entity,
  EntityDefinitionError,
  EntityNotFoundError,
  EntityRegistry,
  TreeStructureError,
  VersioningError,
  buildEntityTree,
  diffTrees,
  entity,
} from '../../src';
import { snapshot } from '../support/naive';

@entity()
class SpecialGrid extends GridMap {
  special = true;
}
@entity()
class Stamp extends Entity {
  when: Date = new Date(0);
  tags: Set<string> = new Set();
  byKey: Map<string, number> = new Map();
}

/** Everything the test can observe about a registry, for "left exactly as it was" checks. */
function dump(reg: EntityRegistry, roots: string[], lineages: string[], entities: string[]) {
  return {
    stats: reg.stats,
    lineages: lineages.map((l) => reg.lineage(l)),
    latest: lineages.map((l) => (reg.latest<Entity>(l) ? reg.latest<Entity>(l)!.ecsId : null)),
    versions: roots.map((r) => snapshot(reg.getStoredEntity<Entity>(r), { rootIds: true })),
    entities: entities.map((e) =>
      reg.findStoredEntity<Entity>(e) ? snapshot(reg.getStoredEntity<Entity>(e), { rootIds: true }) : null,
    ),
  };
}

describe('promote and version', () => {
  test('promoteToRoot stores version 1 with every entity; ids unchanged', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    const ids = [g.ecsId, ...g.nodes.map((n) => n.ecsId)];
    const v = reg.promoteToRoot(g);
    expect(v.ecsId).toBe(g.ecsId);
    expect(v.parentEcsId).toBeNull();
    expect(v.lineageId).toBe(g.lineageId);
    expect(Object.isFrozen(v)).toBe(true);
    expect(reg.stats).toEqual({ versions: 1, entities: 13, lineages: 1 });
    expect([g.ecsId, ...g.nodes.map((n) => n.ecsId)]).toEqual(ids);
    for (const id of ids) expect(Object.isFrozen(reg.getStoredEntity(id))).toBe(true);
    // stored children carry the root ids of the version that stored them
    const sn = reg.getStoredEntity<GridNode>(g.nodes[1].ecsId);
    expect(sn.rootEcsId).toBe(g.ecsId);
    expect(sn.agents[0]).toBe(reg.getStoredEntity(g.nodes[1].agents[0].ecsId));
  });

  test('promoteToRoot of a stored version is a VersioningError', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    expect(() => reg.promoteToRoot(reg.getStoredEntity(g.ecsId))).toThrow(VersioningError);
  });

  test('version: forks the modified entities in place on the working objects', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const v1 = g.ecsId;
    const agent = g.nodes[1].agents[2];
    const [oldAgent, oldNode, oldOther] = [agent.ecsId, g.nodes[1].ecsId, g.nodes[0].ecsId];
    const liveIds = [g.liveId, agent.liveId];
    const lineages = [g.lineageId, agent.lineageId];
    agent.speed = 5;
    const r = reg.version(g);
    expect(r.created).toBe(true);
    expect(r.rootEcsId).toBe(g.ecsId);
    expect(new Map(r.idMap)).toEqual(
      new Map([
        [v1, g.ecsId],
        [oldNode, g.nodes[1].ecsId],
        [oldAgent, agent.ecsId],
      ]),
    );
    expect(agent.previousEcsId).toBe(oldAgent);
    expect(agent.oldIds).toEqual([oldAgent]);
    expect(agent.forkedAt).toBeInstanceOf(Date);
    expect(g.previousEcsId).toBe(v1);
    expect([g.liveId, agent.liveId]).toEqual(liveIds);
    expect([g.lineageId, agent.lineageId]).toEqual(lineages);
    expect(g.nodes[0].ecsId).toBe(oldOther); // unmodified keeps its id
    for (const n of g.nodes) expect(n.rootEcsId).toBe(g.ecsId);
    expect(agent.rootEcsId).toBe(g.ecsId);
    expect(r.diff.changedFields.get(oldAgent)).toEqual(['speed']);
    // the new stored version reads like the working tree
    expect(snapshot(reg.getStoredEntity<GridMap>(g.ecsId))).toEqual(snapshot(g));
    // a second version extends oldIds
    agent.speed = 6;
    reg.version(g);
    expect(agent.oldIds).toEqual([oldAgent, r.idMap.get(oldAgent)]);
    expect(reg.lineage(g.lineageId).map((e) => e.parentEcsId)).toEqual([null, v1, r.rootEcsId]);
  });

  test('never-stored entities keep their ids when versioned', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const a = new Agent({ name: 'new' });
    const id = a.ecsId;
    g.nodes[0].agents.push(a);
    const r = reg.version(g);
    expect(a.ecsId).toBe(id);
    expect(a.previousEcsId).toBeNull();
    expect(r.idMap.has(id)).toBe(false);
    expect(a.rootEcsId).toBe(g.ecsId);
    expect(reg.getStoredEntity<Agent>(id).name).toBe('new');
  });

  test('no change: created false, nothing written, nothing renamed', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const d = dump(reg, [g.ecsId], [g.lineageId], []);
    const ids = [g.ecsId, g.nodes[0].ecsId];
    g.nodes[0].agents[0].name = g.nodes[0].agents[0].name; // eslint-disable-line no-self-assign -- a write of the same value
    g.nodes[1].position = [1, 0];
    const r = reg.version(g);
    expect(r.created).toBe(false);
    expect(r.rootEcsId).toBe(g.ecsId);
    expect(r.idMap.size).toBe(0);
    expect([g.ecsId, g.nodes[0].ecsId]).toEqual(ids);
    expect(dump(reg, [g.ecsId], [g.lineageId], [])).toEqual(d);
  });

  test('no change with Dates, Sets and Maps', () => {
    const reg = new EntityRegistry();
    const s = new Stamp({ when: new Date(5), tags: new Set(['a', 'b']), byKey: new Map([['x', 1]]) });
    reg.promoteToRoot(s);
    const stats = reg.stats;
    const co = reg.checkout<Stamp>(s.ecsId);
    expect(reg.version(co).created).toBe(false);
    expect(reg.version(s).created).toBe(false);
    s.tags = new Set(['b', 'a']); // same members
    expect(reg.version(s).created).toBe(false);
    expect(reg.stats).toEqual(stats);
  });

  test('no change with an invalid Date (NaN time equals NaN time)', () => {
    const reg = new EntityRegistry();
    const s = new Stamp({ when: new Date(NaN) });
    reg.promoteToRoot(s);
    const stats = reg.stats;
    expect(reg.version(reg.checkout<Stamp>(s.ecsId)).created).toBe(false);
    expect(reg.version(s).created).toBe(false);
    expect(reg.stats).toEqual(stats);
  });

  test('version of a stored version is no change', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    expect(reg.version(reg.getStoredEntity(g.ecsId)).created).toBe(false);
  });

  test('version diffs against the version the tree came from, not the latest (a branch)', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const v1 = g.ecsId;
    const a = reg.checkout<GridMap>(v1);
    const b = reg.checkout<GridMap>(v1);
    a.width = 10;
    b.nodes[0].agents.pop();
    const ra = reg.version(a);
    const rb = reg.version(b);
    expect(ra.created && rb.created).toBe(true);
    expect(ra.diff.changedFields.get(v1)).toEqual(['width']);
    expect(rb.diff.changedFields.get(v1)).toBeUndefined(); // only the node changed; the root is an ancestor
    expect(rb.diff.changed.has(g.nodes[0].ecsId)).toBe(true);
    expect(reg.lineage(g.lineageId)).toEqual([
      { ecsId: v1, parentEcsId: null },
      { ecsId: a.ecsId, parentEcsId: v1 },
      { ecsId: b.ecsId, parentEcsId: v1 },
    ]);
    expect(reg.latest<GridMap>(g.lineageId)!.ecsId).toBe(b.ecsId);
    // both branches read as their editors left them; nothing lost
    expect(reg.getStoredEntity<GridMap>(a.ecsId).width).toBe(10);
    expect(reg.getStoredEntity<GridMap>(a.ecsId).nodes[0].agents).toHaveLength(3);
    expect(reg.getStoredEntity<GridMap>(b.ecsId).width).toBe(2);
    expect(reg.getStoredEntity<GridMap>(b.ecsId).nodes[0].agents).toHaveLength(2);
  });

  test('a moved subtree: every entity of the working tree names the new root', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const n = g.nodes.pop()!;
    g.nodes.unshift(n);
    reg.version(g);
    for (const e of [n, ...n.agents]) {
      expect(e.rootEcsId).toBe(g.ecsId);
      expect(e.rootLiveId).toBe(g.liveId);
    }
  });
});

describe('typed errors leave the registry exactly as it was', () => {
  function setup() {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    g.width = 5;
    reg.version(g);
    const entities = [g.nodes[0].ecsId, g.nodes[0].agents[0].ecsId];
    return {
      reg,
      g,
      before: () =>
        dump(
          reg,
          reg.lineage(g.lineageId).map((l) => l.ecsId),
          [g.lineageId],
          entities,
        ),
    };
  }

  test('versioning an orphan', () => {
    const { reg, before } = setup();
    const d = before();
    expect(() => reg.version(buildGridMap(3, 3))).toThrow(VersioningError);
    expect(() => reg.version(buildGridMap(3, 3))).toThrow(/orphan/);
    expect(before()).toEqual(d);
  });

  test('versioning a non-root', () => {
    const { reg, g, before } = setup();
    const d = before();
    g.nodes[0].agents[0].name = 'changed';
    expect(() => reg.version(g.nodes[0])).toThrow(VersioningError);
    expect(() => reg.version(g.nodes[0])).toThrow(/not a root/);
    expect(before()).toEqual(d);
  });

  test('versioning a tree whose version this registry does not hold', () => {
    const { reg, before } = setup();
    const other = new EntityRegistry();
    const foreign = buildGridMap(3, 3);
    other.promoteToRoot(foreign);
    foreign.width = 99;
    const d = before();
    expect(() => reg.version(foreign)).toThrow(EntityNotFoundError);
    expect(before()).toEqual(d);
    expect(foreign.width).toBe(99);
  });

  test('versioning a tree with a shared reference', () => {
    const { reg, g, before } = setup();
    const d = before();
    const ids = [g.ecsId, g.nodes[0].ecsId];
    g.nodes[1].agents.push(g.nodes[0].agents[0]);
    expect(() => reg.version(g)).toThrow(TreeStructureError);
    expect(before()).toEqual(d);
    expect([g.ecsId, g.nodes[0].ecsId]).toEqual(ids);
  });

  test('versioning a tree holding a value that cannot be stored leaves nothing behind', () => {
    const { reg, g, before } = setup();
    const d = before();
    const ids = [g.ecsId, g.nodes[0].ecsId];
    (g as unknown as { width: unknown }).width = new (class Weird {})();
    g.nodes[0].agents.pop();
    let threw = false;
    try {
      reg.version(g);
    } catch {
      threw = true;
    }
    // whether or not such a value is accepted, a throw must leave no trace
    if (threw) {
      expect(before()).toEqual(d);
      expect([g.ecsId, g.nodes[0].ecsId]).toEqual(ids);
    }
  });

  test('unknown ids in queries are EntityNotFoundError', () => {
    const { reg, before } = setup();
    const d = before();
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(() => reg.getStoredEntity(unknown)).toThrow(EntityNotFoundError);
    expect(() => reg.getStoredTree(unknown)).toThrow(EntityNotFoundError);
    expect(() => reg.getVersion(unknown)).toThrow(EntityNotFoundError);
    expect(() => reg.checkout(unknown)).toThrow(EntityNotFoundError);
    expect(() => reg.versionsContaining(unknown)).toThrow(EntityNotFoundError);
    expect(reg.lineage(unknown)).toEqual([]);
    expect(reg.latest(unknown)).toBeUndefined();
    expect(before()).toEqual(d);
  });

  test('non-entities are EntityDefinitionError', () => {
    const { reg, before } = setup();
    const d = before();
    expect(() => reg.version({})).toThrow(EntityDefinitionError);
    expect(() => reg.promoteToRoot({})).toThrow(EntityDefinitionError);
    expect(before()).toEqual(d);
  });
});

describe('queries', () => {
  test('getStoredTree, getStoredEntity (children, any version), ids case-insensitive', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const v1 = g.ecsId;
    const a1 = g.nodes[0].agents[0].ecsId;
    g.nodes[0].agents[0].name = 'x';
    reg.version(g);
    const t1 = reg.getStoredTree(v1);
    const t2 = reg.getStoredTree(g.ecsId.toUpperCase());
    expect(t1.nodeCount).toBe(13);
    expect(t2.nodeCount).toBe(13);
    expect(reg.getStoredEntity<Agent>(a1).name).toBe('agent-0-0');
    expect(reg.getStoredEntity<Agent>(g.nodes[0].agents[0].ecsId).name).toBe('x');
    expect(reg.getStoredEntity(a1.toUpperCase())).toBe(reg.getStoredEntity(a1));
  });

  test('checkout: a mutable working copy with the same ecsIds and new liveIds', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const co = reg.checkout<GridMap>(g.ecsId);
    expect(co).toBeInstanceOf(GridMap);
    expect(Object.isFrozen(co)).toBe(false);
    expect(co.ecsId).toBe(g.ecsId);
    expect(co.liveId).not.toBe(g.liveId);
    expect(co.rootEcsId).toBe(g.ecsId);
    expect(co.rootLiveId).toBe(co.liveId);
    expect(co.nodes[0].rootLiveId).toBe(co.liveId);
    expect(co.nodes[0].liveId).not.toBe(g.nodes[0].liveId);
    expect(snapshot(co, { rootIds: true })).toEqual(snapshot(reg.getStoredEntity<GridMap>(g.ecsId), { rootIds: true }));
    co.nodes[0].agents.push(new Agent());
    co.width = 7;
    expect(reg.getStoredEntity<GridMap>(g.ecsId).width).toBe(2);
  });

  test('checkout of a child: an orphan working copy of its subtree', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    reg.promoteToRoot(g);
    const n = reg.checkout<GridNode>(g.nodes[1].ecsId);
    expect(n.ecsId).toBe(g.nodes[1].ecsId);
    expect(n.isOrphan()).toBe(true);
    expect(n.agents[0].isOrphan()).toBe(true);
    expect(n.agents).toHaveLength(3);
  });

  test('lineage, latest, rootsOfType (subclasses included), versionsContaining', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(3, 3);
    const s = new SpecialGrid({ width: 1 });
    const lone = new Agent();
    reg.promoteToRoot(g);
    reg.promoteToRoot(s);
    reg.promoteToRoot(lone);
    const v1 = g.ecsId;
    const shared = g.nodes[2].ecsId;
    g.nodes[0].agents[0].speed = 3;
    reg.version(g);
    expect(reg.lineage(g.lineageId)).toEqual([
      { ecsId: v1, parentEcsId: null },
      { ecsId: g.ecsId, parentEcsId: v1 },
    ]);
    expect(reg.latest<GridMap>(g.lineageId)).toBe(reg.getStoredEntity(g.ecsId));
    expect(
      reg
        .rootsOfType(GridMap)
        .map((x) => x.ecsId)
        .sort(),
    ).toEqual([g.ecsId, s.ecsId].sort());
    expect(reg.rootsOfType(SpecialGrid).map((x) => x.ecsId)).toEqual([s.ecsId]);
    expect(reg.rootsOfType(Agent).map((x) => x.ecsId)).toEqual([lone.ecsId]);
    expect(reg.versionsContaining(shared).sort()).toEqual([v1, g.ecsId].sort());
    expect(reg.versionsContaining(g.nodes[0].ecsId)).toEqual([g.ecsId]);
    expect(reg.hasVersion(v1)).toBe(true);
    expect(reg.hasVersion(shared)).toBe(false);
  });

  test('structural sharing: unchanged children are the same stored objects across versions', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(4, 3);
    reg.promoteToRoot(g);
    const v1 = reg.getStoredEntity<GridMap>(g.ecsId);
    const [a] = g.nodes[0].agents.splice(1, 1);
    g.nodes[3].agents.push(a);
    const r = reg.version(g);
    expect(r.idMap.size).toBe(4); // root, both nodes, the agent
    const v2 = reg.getStoredEntity<GridMap>(g.ecsId);
    expect(v2.nodes[1]).toBe(v1.nodes[1]);
    expect(v2.nodes[2]).toBe(v1.nodes[2]);
    expect(v2.nodes[0]).not.toBe(v1.nodes[0]);
    expect(v2.nodes[0].agents[0]).toBe(v1.nodes[0].agents[0]);
    expect(v2.nodes[3].agents[0]).toBe(v1.nodes[3].agents[0]);
    // unchanged field values of forked entities are shared too
    expect(v2.nodes[0].position).toBe(v1.nodes[0].position);
    expect(reg.stats.entities).toBe(1 + 4 + 12 + 4);
  });
});

describe('isolation', () => {
  test('EntityRegistry.reset() gives a fresh default registry used by the entity methods', () => {
    const first = EntityRegistry.reset();
    const g = buildGridMap(3, 3).promoteToRoot();
    expect(first.stats.versions).toBe(1);
    const second = EntityRegistry.reset();
    expect(second).not.toBe(first);
    expect(EntityRegistry.default).toBe(second);
    expect(second.stats).toEqual({ versions: 0, entities: 0, lineages: 0 });
    expect(first.hasVersion(g.ecsId)).toBe(true);
    expect(second.hasVersion(g.ecsId)).toBe(false);
  });

  test('two registries do not see each other', () => {
    const a = new EntityRegistry();
    const b = new EntityRegistry();
    const g = buildGridMap(3, 3);
    a.promoteToRoot(g);
    expect(b.findStoredEntity(g.ecsId)).toBeUndefined();
    expect(b.stats.versions).toBe(0);
  });
});

describe('data edge cases', () => {
  @entity()
  class Blob extends Entity {
    record: Record<string, unknown> = {};
  }

  test("a record with an own '__proto__' key (from JSON.parse) is stored as data, not as a prototype", () => {
    const reg = new EntityRegistry();
    const b = new Blob({ record: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown> });
    reg.promoteToRoot(b);
    const stored = reg.getStoredEntity<Blob>(b.ecsId);
    expect(Object.getPrototypeOf(stored.record)).toBe(Object.prototype);
    expect(Object.keys(stored.record).sort()).toEqual(['__proto__', 'a']);
    expect((stored.record as { polluted?: boolean }).polluted).toBeUndefined();
    const co = reg.checkout<Blob>(b.ecsId);
    expect(Object.getPrototypeOf(co.record)).toBe(Object.prototype);
    expect(Object.keys(co.record).sort()).toEqual(['__proto__', 'a']);
    expect(reg.version(co).created).toBe(false);
    expect(reg.version(b).created).toBe(false);
  });
});

describe('stored versions read exactly as the working tree that was versioned', () => {
  @entity()
  class Slot extends Entity {
    n = 0;
  }
  @entity()
  class Shelf extends Entity {
    items: Slot[] = [];
    byKey: Map<string, Slot> = new Map();
    words: Set<string> = new Set();
  }

  test('Map and Set iteration order of a forked entity is the working order', () => {
    const reg = new EntityRegistry();
    const s = new Shelf({
      byKey: new Map([
        ['a', new Slot()],
        ['b', new Slot()],
      ]),
      words: new Set(['x', 'y']),
      items: [new Slot()],
    });
    reg.promoteToRoot(s);
    const a = s.byKey.get('a')!;
    s.byKey.delete('a');
    s.byKey.set('a', a); // now b, a
    s.words.delete('x');
    s.words.add('x'); // now y, x
    s.items.push(new Slot()); // a real change, so the shelf forks
    expect(reg.version(s).created).toBe(true);
    const stored = reg.getStoredEntity<Shelf>(s.ecsId);
    expect([...stored.byKey.keys()]).toEqual([...s.byKey.keys()]);
    expect([...stored.words]).toEqual([...s.words]);
  });

  test('a stored entity put into a working tree: after version(), a version() without edits creates nothing', () => {
    const reg = new EntityRegistry();
    const a = new Shelf({ items: [new Slot()] });
    const b = new Shelf({ items: [new Slot({ n: 5 })] });
    reg.promoteToRoot(a);
    reg.promoteToRoot(b);
    const x = reg.getStoredEntity<Slot>(b.items[0].ecsId);
    a.items.push(x); // an entity stored elsewhere: forks into a
    const r1 = reg.version(a);
    expect(r1.idMap.has(x.ecsId)).toBe(true);
    const stats = reg.stats;
    const r2 = reg.version(a);
    expect(r2.created).toBe(false);
    expect(reg.stats).toEqual(stats);
    // and the working tree names what was stored
    expect(a.items[1].ecsId).toBe(r1.idMap.get(x.ecsId));
  });

  test('an entity moved in from another working tree forks; the other tree keeps its history', () => {
    const reg = new EntityRegistry();
    const a = new Shelf();
    const b = new Shelf({ items: [new Slot({ n: 7 })] });
    reg.promoteToRoot(a);
    reg.promoteToRoot(b);
    const bv1 = b.ecsId;
    const moved = b.items.pop()!;
    const oldId = moved.ecsId;
    a.items.push(moved);
    const r = reg.version(a);
    expect(r.idMap.get(oldId)).toBe(moved.ecsId);
    expect(moved.previousEcsId).toBe(oldId);
    expect(moved.rootEcsId).toBe(a.ecsId);
    reg.version(b);
    expect(reg.getStoredEntity<Shelf>(bv1).items.map((i) => i.ecsId)).toEqual([oldId]);
    expect(reg.getStoredEntity<Shelf>(b.ecsId).items).toEqual([]);
    expect(reg.version(a).created).toBe(false);
  });
});

describe('detach is all or nothing', () => {
  test('a detached entity with a malformed subtree: TreeStructureError, and the parent is not versioned', () => {
    const reg = new EntityRegistry();
    const g = buildGridMap(2, 2);
    reg.promoteToRoot(g);
    const node = g.nodes[0];
    g.nodes = [g.nodes[1]]; // the caller took it out of the grid ...
    node.agents.push(node.agents[0]); // ... and put one agent in it twice
    const stats = reg.stats;
    const lineage = reg.lineage(g.lineageId);
    expect(() => reg.detach(node)).toThrow(TreeStructureError);
    expect(reg.stats).toEqual(stats);
    expect(reg.lineage(g.lineageId)).toEqual(lineage);
    expect(node.rootEcsId).toBe(g.ecsId);
  });
});

describe('reordering a Set is no change in execute, diffTrees and version(), at any nesting', () => {
  @entity()
  class Tray extends Entity {
    label = '';
    members: Set<Agent> = new Set();
    lists: Set<Agent[]> = new Set();
    sets: Set<Set<Agent>> = new Set();
    bySet: Map<string, Set<Agent>> = new Map();
  }

  /** Every Set of the tray re-created with its members (and their inner Sets) in reverse order. */
  function reverseSets(t: Tray): void {
    t.members = new Set([...t.members].reverse());
    t.lists = new Set([...t.lists].reverse());
    t.sets = new Set([...t.sets].reverse().map((s) => new Set([...s].reverse())));
    t.bySet = new Map([...t.bySet].map(([k, s]) => [k, new Set([...s].reverse())]));
  }
  const agentsOf = (t: Tray): Agent[] => [
    ...t.members,
    ...[...t.lists].flat(),
    ...[...t.sets].flatMap((s) => [...s]),
    ...[...t.bySet.values()].flatMap((s) => [...s]),
  ];
  const ag = (name: string): Agent => new Agent({ name });

  let reg: EntityRegistry;
  let calls: CallableRegistry;
  let v1: Tray;
  beforeEach(() => {
    reg = new EntityRegistry();
    calls = new CallableRegistry({ entities: reg });
    calls.register('reverse_tray_sets', ({ t }: { t: Tray }) => {
      reverseSets(t);
      return t;
    });
    calls.register('reverse_tray_sets_and_label', ({ t }: { t: Tray }) => {
      reverseSets(t);
      t.label = 'changed';
      return t;
    });
    const t = new Tray({
      members: new Set([ag('m0'), ag('m1')]),
      lists: new Set([[ag('l0')], [ag('l1'), ag('l2')]]),
      sets: new Set([new Set([ag('s0'), ag('s1')]), new Set([ag('s2')])]),
      bySet: new Map([['k', new Set([ag('k0'), ag('k1')])]]),
    });
    reg.promoteToRoot(t);
    v1 = reg.getStoredEntity<Tray>(t.ecsId);
  });

  test('alone: execute returns the same version, diffTrees is empty, version() creates nothing', () => {
    const stats = reg.stats;
    expect(calls.execute<Tray>('reverse_tray_sets', { t: v1 })).toBe(v1);
    const co = reg.checkout<Tray>(v1.ecsId);
    reverseSets(co);
    expect(diffTrees(reg.getStoredTree(v1.ecsId), buildEntityTree(co)).modified.size).toBe(0);
    expect(reg.version(co).created).toBe(false);
    expect(reg.stats).toEqual(stats);
  });

  test('with another change: only the owner forks, in execute and version() alike, and the new version is consistent', () => {
    const before = agentsOf(v1);
    const viaExecute = calls.execute<Tray>('reverse_tray_sets_and_label', { t: v1 });
    const co = reg.checkout<Tray>(v1.ecsId);
    reverseSets(co);
    co.label = 'changed';
    const r = reg.version(co);
    expect([...r.idMap.keys()]).toEqual([v1.ecsId]);
    const viaVersion = reg.getStoredEntity<Tray>(co.ecsId);
    for (const v of [viaExecute, viaVersion]) {
      expect(v.ecsId).not.toBe(v1.ecsId);
      // the very stored agents of v1, in the working order
      expect(new Set(agentsOf(v))).toEqual(new Set(before));
      expect([...v.members]).toEqual([...v1.members].reverse());
      // the stored places of the shared agents are true of the new version: an untouched
      // checkout of it differs in nothing and versions to nothing
      const again = reg.checkout<Tray>(v.ecsId);
      expect(diffTrees(reg.getStoredTree(v.ecsId), buildEntityTree(again)).modified.size).toBe(0);
      expect(reg.version(again).created).toBe(false);
    }
  });
});
