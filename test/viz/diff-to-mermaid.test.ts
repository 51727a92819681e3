import { EntityRegistry, EntityNotFoundError, buildEntityTree } from '../../src';
import { diffToMermaid, diffByLineage, DIFF_CLASS_DEFS } from '../../src/viz';
import { Agent, type GridMap, fourChanges, grid, nodeWith, parseMermaid, type ParsedMermaid } from './fixtures';

let reg: EntityRegistry;
beforeEach(() => {
  reg = EntityRegistry.reset();
});

const has = (text: string) => (lines: string[]) => lines.includes(text);
const classOf = (p: ParsedMermaid, id: string): string[] =>
  [...p.classes]
    .filter(([, ids]) => ids.includes(id))
    .map(([c]) => c)
    .sort();

describe('diffToMermaid (move, addition, removal, data change)', () => {
  test('the union of both trees, matched by lineage: one node per entity', () => {
    const { v1, v2 } = fourChanges(reg);
    const p = parseMermaid(diffToMermaid(v1, v2, reg));
    expect(p.header).toBe('graph TD');
    expect(p.unknown).toEqual([]);
    // v1: 1 + 3 + 6 = 10 entities; v2: 10 - 1 removed + 1 added = 10; union = 11
    expect(reg.getStoredTree(v2).nodeCount).toBe(10);
    expect(p.nodes).toHaveLength(11);
    expect(p.nodes.map((n) => n.id)).toEqual(Array.from({ length: 11 }, (_, i) => `n${i}`));
    // the moved agent forked (new ecsId) but is one node: `old → new`
    const moved = nodeWith(p, has('name: a-0-1'));
    expect(moved.lines[0]).toMatch(/^Agent [0-9a-f]{8} → [0-9a-f]{8}$/);
    // each agent name appears exactly once
    for (const name of ['a-0-0', 'a-0-1', 'a-1-1', 'a-2-0', 'a-2-1', 'fresh'])
      expect(p.nodes.filter((n) => n.lines.includes(`name: ${name}`))).toHaveLength(1);
  });

  test('classDefs for every kind and the class of each node', () => {
    const { v1, v2 } = fourChanges(reg);
    const p = parseMermaid(diffToMermaid(v1, v2, reg));
    expect([...p.classDefs.keys()]).toEqual(['changed', 'added', 'moved', 'removed']);
    expect(p.classDefs.get('removed')).toBe(DIFF_CLASS_DEFS.removed);
    expect(p.classDefs.get('removed')).toContain('stroke-dasharray');

    const root = nodeWith(p, (l) => l[0].startsWith('GridMap'));
    const node0 = nodeWith(p, has('label: node-0'));
    const node1 = nodeWith(p, has('label: node-1'));
    const node2 = nodeWith(p, has('label: node-2'));
    const renamed = nodeWith(p, (l) => l.includes('name: a-1-0 → renamed'));
    const fresh = nodeWith(p, has('name: fresh'));
    const moved = nodeWith(p, has('name: a-0-1'));
    const removed = nodeWith(p, has('name: a-2-0'));
    expect(classOf(p, root.id)).toEqual(['changed']);
    expect(classOf(p, node0.id)).toEqual(['changed']); // lost a child
    expect(classOf(p, node1.id)).toEqual(['changed']); // gained a child
    expect(classOf(p, node2.id)).toEqual(['changed']); // gained one, lost one
    expect(classOf(p, renamed.id)).toEqual(['changed']);
    expect(classOf(p, fresh.id)).toEqual(['added']);
    expect(classOf(p, moved.id)).toEqual(['moved']);
    expect(classOf(p, removed.id)).toEqual(['removed']);
    for (const name of ['a-0-0', 'a-1-1', 'a-2-1'])
      expect(classOf(p, nodeWith(p, has(`name: ${name}`)).id)).toEqual([]);
    expect(p.classes.get('changed')).toHaveLength(5);
    expect(p.classes.get('added')).toEqual([fresh.id]);
    expect(p.classes.get('moved')).toEqual([moved.id]);
    expect(p.classes.get('removed')).toEqual([removed.id]);
  });

  test('changed nodes list their changed fields; data changes show old → new', () => {
    const { v1, v2 } = fourChanges(reg);
    const p = parseMermaid(diffToMermaid(v1, v2, reg));
    const root = nodeWith(p, (l) => l[0].startsWith('GridMap'));
    expect(root.lines).toContain('width: 3 → 4');
    expect(root.lines).toContain('changed: width');
    expect(nodeWith(p, has('label: node-1')).lines).toContain('changed: agents');
    const renamed = nodeWith(p, (l) => l.includes('name: a-1-0 → renamed'));
    expect(renamed.lines).toContain('changed: name');
    expect(renamed.lines).toContain('speed: 1');
    expect(nodeWith(p, has('name: fresh')).lines).toContain('added');
    expect(nodeWith(p, has('name: a-2-0')).lines).toContain('removed');
    // unchanged entities have no change lines
    const untouched = nodeWith(p, has('name: a-0-0'));
    expect(untouched.lines.some((l) => /changed|added|removed|moved/.test(l))).toBe(false);
  });

  test('edges: new tree solid, removed dashed from the old parent, moved dotted from the old parent', () => {
    const { v1, v2 } = fourChanges(reg);
    const text = diffToMermaid(v1, v2, reg);
    const p = parseMermaid(text);
    const id = (pred: (l: string[]) => boolean) => nodeWith(p, pred).id;
    const node0 = id(has('label: node-0'));
    const node1 = id(has('label: node-1'));
    const node2 = id(has('label: node-2'));
    const moved = id(has('name: a-0-1'));
    const removed = id(has('name: a-2-0'));
    const fresh = id(has('name: fresh'));

    const solid = p.edges.filter((e) => e.arrow === '-->');
    expect(solid).toHaveLength(9); // the new tree's links
    expect(solid.find((e) => e.to === moved)).toMatchObject({ from: node2, label: 'agents[1]' });
    expect(solid.find((e) => e.to === fresh)).toMatchObject({ from: node1, label: 'agents[2]' });
    expect(solid.some((e) => e.to === removed)).toBe(false);

    const dashed = p.edges.filter((e) => e.arrow === '-.->');
    expect(dashed).toEqual([expect.objectContaining({ from: node2, to: removed, label: 'agents[0]' })]);
    const origins = p.edges.filter((e) => e.arrow === '-.-');
    expect(origins).toEqual([expect.objectContaining({ from: node0, to: moved, label: 'was agents[1]' })]);
    expect(
      nodeWith(p, has('name: a-0-1')).lines.some(
        (l) => l.startsWith('moved from: LabeledNode ') && l.endsWith(' agents[1]'),
      ),
    ).toBe(true);

    // linkStyle indices point at those links
    const indexOf = (e: object) => p.edges.indexOf(e as never);
    expect(p.linkStyles).toEqual([
      { indices: [indexOf(origins[0])], style: 'stroke:#1565c0' },
      { indices: [indexOf(dashed[0])], style: 'stroke:#c62828' },
    ]);
  });

  test('legend and summary comments', () => {
    const { v1, v2 } = fourChanges(reg);
    const p = parseMermaid(diffToMermaid(v1, v2, reg));
    expect(p.comments[0]).toBe(
      `%% diff ${v1} -> ${v2} (matched by lineage): 5 changed, 1 added, 1 moved, 1 removed, 3 unchanged`,
    );
    expect(p.comments[1]).toMatch(/^%% Legend: changed = .*added = .*moved = .*removed = .*unchanged = default/);
  });

  test('overloads: version ids (given or default registry) and trees give the same text', () => {
    const { v1, v2 } = fourChanges(reg);
    const byIds = diffToMermaid(v1, v2, reg);
    expect(diffToMermaid(v1, v2)).toBe(byIds);
    expect(diffToMermaid(v1.toUpperCase(), v2)).toBe(byIds);
    expect(diffToMermaid(reg.getStoredTree(v1), reg.getStoredTree(v2))).toBe(byIds);
    expect(diffToMermaid(v1, v2, reg)).toBe(byIds); // deterministic
    expect(diffToMermaid(v1, v2, { direction: 'LR' }).startsWith('graph LR\n')).toBe(true);
    expect(() => diffToMermaid(v1, reg.getStoredTree(v2) as never)).toThrow(TypeError);
    expect(() => diffToMermaid(reg.getStoredTree(v1), reg.getStoredTree(v2), reg as never)).toThrow(TypeError);
    expect(() => diffToMermaid(v1, '00000000-0000-0000-0000-000000000000', reg)).toThrow(EntityNotFoundError);
  });

  test('an isolated registry', () => {
    const other = new EntityRegistry();
    const g = grid(1, 1);
    const v1 = other.promoteToRoot(g).ecsId;
    const co = other.checkout<GridMap>(v1);
    co.height = 9;
    const v2 = other.version(co).rootEcsId;
    const p = parseMermaid(diffToMermaid(v1, v2, other));
    expect(p.classes.get('changed')).toEqual(['n0']);
    expect(() => diffToMermaid(v1, v2)).toThrow(EntityNotFoundError);
  });

  test('no change: every node default, no class lines', () => {
    const g = grid(2, 2);
    g.promoteToRoot();
    const p = parseMermaid(diffToMermaid(g.ecsId, g.ecsId, reg));
    expect(p.nodes).toHaveLength(7);
    expect(p.classes.size).toBe(0);
    expect(p.classDefs.size).toBe(4);
    expect(p.edges.every((e) => e.arrow === '-->')).toBe(true);
    expect(p.nodes.every((n) => !n.lines[0].includes('→'))).toBe(true);
  });

  test('a removed subtree: every entity in it removed, dashed links inside it', () => {
    const g = grid(2, 2);
    g.promoteToRoot();
    const co = reg.checkout<GridMap>(g.ecsId);
    co.nodes.splice(0, 1);
    const v2 = reg.version(co).rootEcsId;
    const p = parseMermaid(diffToMermaid(g.ecsId, v2, reg));
    const node0 = nodeWith(p, has('label: node-0'));
    const agents = ['a-0-0', 'a-0-1'].map((n) => nodeWith(p, has(`name: ${n}`)));
    expect(p.classes.get('removed')).toEqual([node0.id, ...agents.map((a) => a.id)]);
    expect(p.classes.get('changed')).toEqual(['n0']);
    const dashed = p.edges.filter((e) => e.arrow === '-.->');
    expect(dashed.map((e) => [e.from, e.label, e.to])).toEqual([
      ['n0', 'nodes[0]', node0.id],
      [node0.id, 'agents[0]', agents[0].id],
      [node0.id, 'agents[1]', agents[1].id],
    ]);
    // removed nodes come after the new tree's nodes
    expect(p.nodes.slice(-3).map((n) => n.id)).toEqual([node0.id, ...agents.map((a) => a.id)]);
  });

  test('an index shift is not a move; a move between nodes is', () => {
    const g = grid(2, 3);
    g.promoteToRoot();
    const co = reg.checkout<GridMap>(g.ecsId);
    co.nodes[0].agents.reverse();
    const p = parseMermaid(diffToMermaid(g.ecsId, reg.version(co).rootEcsId, reg));
    expect(p.classes.get('moved')).toBeUndefined();
    expect(p.classes.get('changed')).toEqual([nodeWith(p, has('label: node-0')).id]);
  });

  test('a working tree against its stored version (same ecsIds before versioning)', () => {
    const g = grid(2, 1);
    g.promoteToRoot();
    const co = reg.checkout<GridMap>(g.ecsId);
    co.nodes[1].agents.push(co.nodes[0].agents.pop()!);
    co.nodes[0].agents.push(new Agent({ name: 'n"ew' }));
    const p = parseMermaid(diffToMermaid(reg.getStoredTree(g.ecsId), buildEntityTree(co)));
    expect(p.unknown).toEqual([]);
    expect(p.classes.get('moved')).toEqual([nodeWith(p, has('name: a-0-0')).id]);
    expect(p.classes.get('added')).toEqual([nodeWith(p, has('name: n"ew')).id]);
    expect(p.nodes.every((n) => !n.lines[0].includes('→'))).toBe(true);
  });

  test('moved and changed at once gets both classes; showMoveOrigins: false hides the origin link', () => {
    const g = grid(2, 1);
    g.promoteToRoot();
    const co = reg.checkout<GridMap>(g.ecsId);
    const a = co.nodes[0].agents.pop()!;
    a.speed = 7;
    co.nodes[1].agents.push(a);
    const v2 = reg.version(co).rootEcsId;
    const p = parseMermaid(diffToMermaid(g.ecsId, v2, reg, { showMoveOrigins: false }));
    const moved = nodeWith(p, has('name: a-0-0'));
    expect(classOf(p, moved.id)).toEqual(['changed', 'moved']);
    expect(moved.lines).toContain('speed: 1 → 7');
    expect(p.edges.some((e) => e.arrow === '-.-')).toBe(false);
    expect(p.linkStyles).toEqual([]);
  });

  test('changed fields beyond maxFields are still shown', () => {
    const g = grid(1, 1);
    g.promoteToRoot();
    const co = reg.checkout<GridMap>(g.ecsId);
    co.height = 2;
    const p = parseMermaid(diffToMermaid(g.ecsId, reg.version(co).rootEcsId, reg, { maxFields: 0 }));
    expect(p.nodes[0].lines.slice(1)).toEqual(['height: 1 → 2', 'changed: height']);
  });

  test('diffByLineage keys the diff by lineage', () => {
    const { v1, v2, ids } = fourChanges(reg);
    const { diff } = diffByLineage(reg.getStoredTree(v1), reg.getStoredTree(v2));
    expect([...diff.added]).toEqual([ids.added]);
    expect([...diff.removed]).toEqual([ids.removed]);
    expect([...diff.moved]).toEqual([ids.moved]);
    expect(new Set(diff.changed)).toEqual(new Set([ids.root, ids.node0, ids.node1, ids.node2, ids.renamed]));
    expect(diff.changedFields.get(ids.renamed)).toEqual(['name']);
  });
});
