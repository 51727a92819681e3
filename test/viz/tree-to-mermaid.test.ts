import { EntityRegistry, buildEntityTree } from '../../src';
import { toMermaid } from '../../src/viz';
import { Agent, GridMap, Hub, LabeledNode, grid, parseMermaid } from './fixtures';

beforeEach(() => {
  EntityRegistry.reset();
});

describe('toMermaid', () => {
  test('one node per entity, one edge per link, graph TD', () => {
    const g = grid(3, 2);
    const tree = buildEntityTree(g);
    const p = parseMermaid(toMermaid(tree));
    expect(p.header).toBe('graph TD');
    expect(p.unknown).toEqual([]);
    expect(p.nodes).toHaveLength(tree.nodeCount);
    expect(p.nodes).toHaveLength(10);
    expect(p.edges).toHaveLength(tree.edgeCount);
    expect(p.nodes.map((n) => n.id)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  test('labels: class, short id, primitive data fields', () => {
    const g = grid(1, 1);
    const p = parseMermaid(toMermaid(buildEntityTree(g)));
    const [root, node, agent] = p.nodes;
    expect(root.lines).toEqual([`GridMap ${g.ecsId.slice(0, 8)}`, 'width: 1', 'height: 1']);
    // position is a tuple (not primitive), agents holds entities: neither is shown
    expect(node.lines).toEqual([`LabeledNode ${g.nodes[0].ecsId.slice(0, 8)}`, 'label: node-0']);
    expect(agent.lines).toEqual([`Agent ${g.nodes[0].agents[0].ecsId.slice(0, 8)}`, 'name: a-0-0', 'speed: 1']);
  });

  test('node ids follow depth-first pre-order; edges carry field and index', () => {
    const g = grid(2, 2);
    const p = parseMermaid(toMermaid(buildEntityTree(g)));
    const names = p.nodes.map((n) => n.lines[1]);
    expect(names).toEqual([
      'width: 2',
      'label: node-0',
      'name: a-0-0',
      'name: a-0-1',
      'label: node-1',
      'name: a-1-0',
      'name: a-1-1',
    ]);
    expect(p.edges.map((e) => `${e.from}-${e.label}->${e.to}`)).toEqual([
      'n0-nodes[0]->n1',
      'n1-agents[0]->n2',
      'n1-agents[1]->n3',
      'n0-nodes[1]->n4',
      'n4-agents[0]->n5',
      'n4-agents[1]->n6',
    ]);
    expect(p.edges.every((e) => e.arrow === '-->')).toBe(true);
  });

  test('Map, Set, record, nested array and single-entity positions', () => {
    const member = new Agent({ name: 'm' });
    const hub = new Hub({
      title: 'hub',
      byName: new Map<string | number, Agent>([
        ['k', new Agent({ name: 'k' })],
        [7, new Agent({ name: 'seven' })],
      ]),
      members: new Set([member]),
      byKey: { 'a b': new Agent({ name: 'rec' }) },
      grid: [[], [new Agent({ name: 'cell' })]],
      lead: new Agent({ name: 'lead' }),
    });
    const text = toMermaid(hub);
    const p = parseMermaid(text);
    expect(p.unknown).toEqual([]);
    expect(p.edges.map((e) => e.label)).toEqual([
      'byName["k"]',
      'byName[7]',
      `members{${member.ecsId.slice(0, 8)}}`,
      'byKey["a b"]',
      'grid[1][0]',
      'lead',
    ]);
    expect(text).toContain('-->|"byName[#34;k#34;]"|');
  });

  test('labels are escaped: quotes, brackets, angle brackets, newlines', () => {
    const nasty = 'Al"ice [x] <b>bold</b>\nsecond | line {y} `z` #1 & co';
    const g = new GridMap({ nodes: [new LabeledNode({ label: nasty })] });
    const text = toMermaid(g, { maxValueLength: 200 });
    const p = parseMermaid(text);
    expect(p.unknown).toEqual([]);
    expect(text.split('\n')).toHaveLength(1 + 2 + 1 + 1); // header, 2 nodes, 1 edge, trailing ''
    const node = p.nodes[1];
    for (const part of node.raw.split('<br/>')) expect(part).not.toMatch(/["<>[\]{}|`\n]/);
    expect(node.lines[1]).toBe('label: Al"ice [x] <b>bold</b>\\nsecond | line {y} `z` #1 & co');
  });

  test('options: maxFields, maxValueLength, shortIdLength, direction', () => {
    const g = new GridMap({ width: 5, height: 6, nodes: [new LabeledNode({ label: 'x'.repeat(50) })] });
    const p = parseMermaid(toMermaid(g, { maxFields: 1, maxValueLength: 10, shortIdLength: 4, direction: 'LR' }));
    expect(p.header).toBe('graph LR');
    expect(p.nodes[0].lines).toEqual([`GridMap ${g.ecsId.slice(0, 4)}`, 'width: 5']);
    expect(p.nodes[1].lines[1]).toBe(`label: ${'x'.repeat(9)}…`);
    const none = parseMermaid(toMermaid(g, { maxFields: 0 }));
    expect(none.nodes.every((n) => n.lines.length === 1)).toBe(true);
    // default: at most 3 fields
    const many = parseMermaid(toMermaid(new Agent({ name: 'a' })));
    expect(many.nodes).toHaveLength(1);
    expect(many.edges).toHaveLength(0);
  });

  test('deterministic: same tree, same text; stored version and its checkout render alike', () => {
    const reg = EntityRegistry.default;
    const g = grid(3, 3);
    g.promoteToRoot();
    const a = toMermaid(buildEntityTree(g));
    expect(toMermaid(buildEntityTree(g))).toBe(a);
    expect(toMermaid(reg.getStoredTree(g.ecsId))).toBe(a);
    expect(toMermaid(buildEntityTree(reg.checkout(g.ecsId)))).toBe(a);
    // structure alone decides node ids: another grid differs only in its ids
    const other = toMermaid(buildEntityTree(grid(3, 3)));
    const strip = (s: string) => s.replace(/(GridMap|LabeledNode|Agent) [0-9a-f]{8}/g, '$1');
    expect(strip(other)).toBe(strip(a));
  });

  test('rejects what is not a tree or an entity', () => {
    expect(() => toMermaid({} as object)).toThrow(TypeError);
  });
});
