/**
 * diffTrees (SPEC §3). Every scenario states the expected sets by hand and also checks them against
 * the naive reference of test/support/naive.ts (which checks the reference too).
 */
import { Agent, GridNode } from '../../examples/gridmap/model';
import { Entity, EntityRegistry, buildEntityTree, diffTrees, entity, type TreeDiff } from '../../src';
import { naiveDiff, plainDiff } from '../support/naive';

/** The grid map's nodes and agents in every kind of slot: single, union, nested array, Map, plain object. */
@entity()
class Board extends Entity {
  nodes: GridNode[] = [];
  spare: Agent | null = null;
  left: Agent | GridNode | null = null;
  right: Agent | GridNode | null = null;
  grid: Agent[][] = [[], []];
  byKey: Map<string, Agent> = new Map();
  meta: { tag: string; when: Date } = { tag: '', when: new Date(0) };
}

function board(): Board {
  return new Board({
    nodes: [0, 1, 2].map(
      (i) => new GridNode({ position: [i, 0], agents: [0, 1, 2].map((k) => new Agent({ name: `a${i}${k}` })) }),
    ),
    grid: [
      [new Agent({ name: 'g00' }), new Agent({ name: 'g01' }), new Agent({ name: 'g02' })],
      [new Agent({ name: 'g10' })],
    ],
    byKey: new Map([['a', new Agent({ name: 'ka' })]]),
    left: new Agent({ name: 'L' }),
    right: new GridNode({ position: [9, 9] }),
  });
}

interface Scenario<T extends Entity = Board> {
  /** The untouched original (its ids are the ids of both trees). */
  orig: T;
  d: TreeDiff;
}

/** Versions `orig`, takes two checkouts, edits one and diffs. */
function diffAfterEdit<T extends Entity>(orig: T, edit: (t: T) => void): Scenario<T> {
  const reg = new EntityRegistry();
  reg.promoteToRoot(orig);
  const before = reg.checkout<T>(orig.ecsId);
  const after = reg.checkout<T>(orig.ecsId);
  edit(after);
  const d = diffTrees(buildEntityTree(before), buildEntityTree(after));
  expect(plainDiff(d)).toEqual(naiveDiff(before, after));
  // the stored version as the old tree gives the same diff
  expect(plainDiff(diffTrees(reg.getStoredTree(orig.ecsId), buildEntityTree(after)))).toEqual(plainDiff(d));
  return { orig, d };
}

/** Builds a board, versions it, takes two checkouts, edits one and diffs. */
function scenario(edit: (b: Board) => void): Scenario {
  return diffAfterEdit(board(), edit);
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const idsOf = (...es: Entity[]): string[] => es.map((e) => e.ecsId).sort();

test('no change: everything empty', () => {
  const { d } = scenario(() => {});
  expect(plainDiff(d)).toEqual({ added: [], removed: [], moved: [], changed: [], modified: [], changedFields: {} });
});

test('writes that change nothing are no change', () => {
  const { d } = scenario((b) => {
    b.nodes[0].agents[0].name = b.nodes[0].agents[0].name; // eslint-disable-line no-self-assign -- a write of the same value
    b.meta = { tag: '', when: new Date(0) };
    b.nodes = [...b.nodes];
  });
  expect(d.modified.size).toBe(0);
});

test('an addition: the parent changed, the new entity added, ancestors modified', () => {
  let added!: Agent;
  const { orig, d } = scenario((b) => {
    added = new Agent({ name: 'new' });
    b.nodes[1].agents.push(added);
  });
  expect(sorted(d.added)).toEqual([added.ecsId]);
  expect(sorted(d.changed)).toEqual(idsOf(orig.nodes[1]));
  expect(d.changedFields.get(orig.nodes[1].ecsId)).toEqual(['agents']);
  expect(d.moved.size).toBe(0);
  expect(d.removed.size).toBe(0);
  expect(sorted(d.modified)).toEqual(idsOf(added, orig.nodes[1], orig));
});

test('a new subtree: every entity in it is added', () => {
  let n!: GridNode;
  const { d } = scenario((b) => {
    n = new GridNode({ agents: [new Agent(), new Agent()] });
    b.nodes.push(n);
  });
  expect(sorted(d.added)).toEqual(idsOf(n, ...n.agents));
});

test('a removal: the subtree is removed, the parent changed; removed entities are not modified', () => {
  const { orig, d } = scenario((b) => {
    b.nodes.splice(0, 1);
  });
  expect(sorted(d.removed)).toEqual(idsOf(orig.nodes[0], ...orig.nodes[0].agents));
  expect(sorted(d.changed)).toEqual(idsOf(orig));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['nodes']);
  expect(d.moved.size).toBe(0); // nodes[1] and nodes[2] shifted: not moved
  expect(sorted(d.modified)).toEqual(idsOf(orig));
});

test('a move between parents: moved, both parents changed, four entities modified', () => {
  const { orig, d } = scenario((b) => {
    const [a] = b.nodes[0].agents.splice(1, 1);
    b.nodes[2].agents.push(a);
  });
  const agent = orig.nodes[0].agents[1];
  expect(sorted(d.moved)).toEqual(idsOf(agent));
  expect(sorted(d.changed)).toEqual(idsOf(orig.nodes[0], orig.nodes[2]));
  expect(d.changedFields.get(orig.nodes[0].ecsId)).toEqual(['agents']);
  expect(d.changedFields.get(orig.nodes[2].ecsId)).toEqual(['agents']);
  expect(d.added.size + d.removed.size).toBe(0);
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.nodes[0], orig.nodes[2], agent));
  expect(d.modified.size).toBe(4);
});

test('a move of a subtree: only its top moved, its children stay where they are', () => {
  const { orig, d } = scenario((b) => {
    const n = b.nodes.pop()!;
    b.right = n; // replaces the node that was there
  });
  expect(sorted(d.moved)).toEqual(idsOf(orig.nodes[2]));
  expect(sorted(d.removed)).toEqual(idsOf(orig.right!));
  expect(sorted(d.changed)).toEqual(idsOf(orig));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['nodes', 'right']);
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.nodes[2]));
});

test('a reorder is a change of the parent, not a move', () => {
  const { orig, d } = scenario((b) => {
    b.nodes[0].agents.reverse();
  });
  expect(d.moved.size).toBe(0);
  expect(sorted(d.changed)).toEqual(idsOf(orig.nodes[0]));
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.nodes[0]));
});

test('an index shift (an insertion before) is not a move', () => {
  let x!: Agent;
  const { orig, d } = scenario((b) => {
    x = new Agent();
    b.nodes[0].agents.unshift(x);
  });
  expect(d.moved.size).toBe(0);
  expect(sorted(d.added)).toEqual([x.ecsId]);
  expect(sorted(d.changed)).toEqual(idsOf(orig.nodes[0]));
});

test('swapping two entity fields: both moved, the owner changed in both fields', () => {
  const { orig, d } = scenario((b) => {
    const l = b.left;
    b.left = b.right;
    b.right = l;
  });
  expect(sorted(d.moved)).toEqual(idsOf(orig.left!, orig.right!));
  expect(sorted(d.changed)).toEqual(idsOf(orig));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['left', 'right']);
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.left!, orig.right!));
});

test('a move to another field of the same parent is a move', () => {
  const { orig, d } = scenario((b) => {
    b.spare = b.left as Agent;
    b.left = null;
  });
  expect(sorted(d.moved)).toEqual(idsOf(orig.left!));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['spare', 'left']);
});

test('a move between inner containers: grid[0][2] -> grid[1][0]', () => {
  const { orig, d } = scenario((b) => {
    const [x] = b.grid[0].splice(2, 1);
    b.grid[1].unshift(x);
  });
  expect(sorted(d.moved)).toEqual(idsOf(orig.grid[0][2]));
  expect(sorted(d.changed)).toEqual(idsOf(orig));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['grid']);
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.grid[0][2]));
});

test('within one inner container an index shift is not a move: grid[0][0] removed shifts grid[0][1..2]', () => {
  const { orig, d } = scenario((b) => {
    b.grid[0].shift();
  });
  expect(d.moved.size).toBe(0);
  expect(sorted(d.removed)).toEqual(idsOf(orig.grid[0][0]));
});

test('a move between Map keys is a move', () => {
  const { orig, d } = scenario((b) => {
    const x = b.byKey.get('a')!;
    b.byKey.delete('a');
    b.byKey.set('b', x);
  });
  expect(sorted(d.moved)).toEqual(idsOf(orig.byKey.get('a')!));
  expect(d.changedFields.get(orig.ecsId)).toEqual(['byKey']);
});

test('a move from a Map into an array of another entity', () => {
  const { orig, d } = scenario((b) => {
    const x = b.byKey.get('a')!;
    b.byKey.clear();
    b.nodes[1].agents.push(x);
  });
  const x = orig.byKey.get('a')!;
  expect(sorted(d.moved)).toEqual(idsOf(x));
  expect(sorted(d.changed)).toEqual(idsOf(orig, orig.nodes[1]));
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.nodes[1], x));
});

test('data changes: changed with the names of the changed fields; ancestors modified', () => {
  const { orig, d } = scenario((b) => {
    b.nodes[2].agents[1].name = 'renamed';
    b.nodes[2].agents[1].speed = 7;
    b.nodes[1].position[0] = 42; // nested data
  });
  const agent = orig.nodes[2].agents[1];
  expect(sorted(d.changed)).toEqual(idsOf(agent, orig.nodes[1]));
  expect(d.changedFields.get(agent.ecsId)).toEqual(['name', 'speed']);
  expect(d.changedFields.get(orig.nodes[1].ecsId)).toEqual(['position']);
  expect(d.moved.size + d.added.size + d.removed.size).toBe(0);
  expect(sorted(d.modified)).toEqual(idsOf(orig, orig.nodes[1], orig.nodes[2], agent));
});

test('a nested Date and record change', () => {
  const { orig, d } = scenario((b) => {
    b.meta.when.setTime(5);
  });
  expect(d.changedFields.get(orig.ecsId)).toEqual(['meta']);
});

test('replacing a child by a new entity with the same data: added + removed, parent changed', () => {
  let fresh!: Agent;
  const { orig, d } = scenario((b) => {
    fresh = new Agent({ name: 'a00' });
    b.nodes[0].agents[0] = fresh;
  });
  expect(sorted(d.added)).toEqual([fresh.ecsId]);
  expect(sorted(d.removed)).toEqual(idsOf(orig.nodes[0].agents[0]));
  expect(sorted(d.changed)).toEqual(idsOf(orig.nodes[0]));
});

test('a forked child (same lineage, new ecsId) does not change its parent', () => {
  const reg = new EntityRegistry();
  const orig = board();
  reg.promoteToRoot(orig);
  const v1 = orig.ecsId;
  const agentV1 = orig.nodes[0].agents[0].ecsId;
  orig.nodes[0].agents[0].speed = 9;
  reg.version(orig);
  // old and new stored trees: the node forked as an ancestor, the agent as changed
  const d = diffTrees(reg.getStoredTree(v1), reg.getStoredTree(orig.ecsId));
  expect(d.removed.has(agentV1)).toBe(true);
  expect(d.added.has(orig.nodes[0].agents[0].ecsId)).toBe(true);
  // the other nodes are the same stored objects: unchanged
  expect(d.changed.has(orig.nodes[1].ecsId)).toBe(false);
  expect(d.modified.size).toBe(3);
});

describe('Sets and records', () => {
  @entity()
  class Bin extends Entity {
    members: Set<Agent> = new Set();
    list: Agent[] = [];
    rec: Record<string, Agent> = {};
  }

  function binScenario(edit: (b: Bin) => void): Scenario<Bin> {
    const orig = new Bin({
      members: new Set([new Agent({ name: 's0' }), new Agent({ name: 's1' })]),
      list: [new Agent({ name: 'l0' })],
      rec: { k: new Agent({ name: 'r0' }) },
    });
    return diffAfterEdit(orig, edit);
  }

  test('re-inserting Set members in another order is no change', () => {
    const { d } = binScenario((b) => {
      const items = [...b.members].reverse();
      b.members.clear();
      items.forEach((i) => b.members.add(i));
    });
    expect(d.modified.size).toBe(0);
  });

  test('a move from an array into a Set is a move', () => {
    const { orig, d } = binScenario((b) => {
      b.members.add(b.list.pop()!);
    });
    expect(sorted(d.moved)).toEqual(idsOf(orig.list[0]));
    expect(d.changedFields.get(orig.ecsId)).toEqual(['members', 'list']);
  });

  test('a move between record keys is a move', () => {
    const { orig, d } = binScenario((b) => {
      b.rec = { other: b.rec.k };
    });
    expect(sorted(d.moved)).toEqual(idsOf(orig.rec.k));
  });

  test('removing a Set member removes it', () => {
    const { orig, d } = binScenario((b) => {
      b.members.delete([...b.members][0]);
    });
    expect(sorted(d.removed)).toEqual(idsOf([...orig.members][0]));
    expect(d.moved.size).toBe(0);
  });
});

describe('entities inside Set members, at any nesting (SPEC §2: sets are unordered)', () => {
  @entity()
  class Nest extends Entity {
    lists: Set<Agent[]> = new Set();
    sets: Set<Set<Agent>> = new Set();
    bySet: Map<string, Set<Agent>> = new Map();
    maps: Set<Map<string, Agent>> = new Set();
    recs: Set<{ a: Agent }> = new Set();
    grids: Set<Agent[][]> = new Set();
  }

  const ag = (name: string): Agent => new Agent({ name });
  function nest(): Nest {
    return new Nest({
      lists: new Set([[ag('l0')], [ag('l1'), ag('l2')]]),
      sets: new Set([new Set([ag('s0'), ag('s1')]), new Set([ag('s2')])]),
      bySet: new Map([['k', new Set([ag('m0'), ag('m1')])]]),
      maps: new Set([new Map([['x', ag('x0')]]), new Map([['y', ag('y0')]])]),
      recs: new Set([{ a: ag('r0') }, { a: ag('r1') }]),
      grids: new Set([[[ag('g0')], [ag('g1')]], [[ag('g2')]]]),
    });
  }

  /** Every Set, at every depth, re-created with its members in reverse order. */
  function reversed<T>(v: T): T {
    if (v instanceof Set) return new Set([...v].reverse().map(reversed)) as T;
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, reversed(x)])) as T;
    if (Array.isArray(v)) return v.map(reversed) as T;
    if (typeof v === 'object' && v !== null && !(v instanceof Entity))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reversed(x)])) as T;
    return v;
  }

  test('reordering every Set is no change: nothing moved, changed or modified', () => {
    const { d } = diffAfterEdit(nest(), (n) => {
      n.lists = reversed(n.lists);
      n.sets = reversed(n.sets);
      n.bySet = reversed(n.bySet);
      n.maps = reversed(n.maps);
      n.recs = reversed(n.recs);
      n.grids = reversed(n.grids);
    });
    expect(plainDiff(d)).toEqual({ added: [], removed: [], moved: [], changed: [], modified: [], changedFields: {} });
  });

  test('an entity passed from one member of a Set to another is not moved (a member has no position); the owner changed', () => {
    const { orig, d } = diffAfterEdit(nest(), (n) => {
      const [first, second] = [...n.lists];
      n.lists = new Set([[], [...second, ...first]]);
    });
    expect(d.moved.size).toBe(0);
    expect(sorted(d.changed)).toEqual(idsOf(orig));
    expect(d.changedFields.get(orig.ecsId)).toEqual(['lists']);
  });

  test('an entity leaving a Set for another field, or another inner container of its member, is a move', () => {
    let g1!: Agent;
    let s0!: Agent;
    const { d } = diffAfterEdit(nest(), (n) => {
      const [grid] = [...n.grids];
      g1 = grid[1].pop()!;
      grid[0].push(g1); // grids<>[1][] -> grids<>[0][]
      const [inner] = [...n.sets];
      s0 = [...inner][0];
      inner.delete(s0);
      n.recs.add({ a: s0 }); // sets<><> -> recs<>.a
    });
    expect(sorted(d.moved)).toEqual(idsOf(g1, s0));
  });
});
