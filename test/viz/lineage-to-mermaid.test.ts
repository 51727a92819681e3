import { EntityRegistry } from '../../src';
import { Transaction } from '../support/transaction';
import { lineageToMermaid, LINEAGE_CLASS_DEFS } from '../../src/viz';
import { type GridMap, grid, parseMermaid } from './fixtures';

let reg: EntityRegistry;
beforeEach(() => {
  reg = EntityRegistry.reset();
});

/** A new version of `fromEcsId` with the root's width set (checkout + edit + version). */
function edit(fromEcsId: string, width: number): string {
  const co = reg.checkout<GridMap>(fromEcsId);
  co.width = width;
  return reg.version(co).rootEcsId;
}

describe('lineageToMermaid', () => {
  test('a linear history: graph LR, one node per root version, oldest first', () => {
    const g = grid(2, 1);
    g.promoteToRoot();
    const v1 = g.ecsId;
    const v2 = edit(v1, 5);
    const v3 = edit(v2, 6);
    const p = parseMermaid(lineageToMermaid(g.lineageId, reg));
    expect(p.header).toBe('graph LR');
    expect(p.unknown).toEqual([]);
    expect(p.nodes.map((n) => n.id)).toEqual(['v0', 'v1', 'v2']);
    expect(p.nodes.map((n) => n.lines)).toEqual([
      ['v1 GridMap', v1.slice(0, 8)],
      ['v2 GridMap', v2.slice(0, 8)],
      ['v3 GridMap', v3.slice(0, 8)],
    ]);
    expect(p.edges.map((e) => [e.from, e.to, e.label])).toEqual([
      ['v0', 'v1', ''],
      ['v1', 'v2', ''],
    ]);
    expect(p.classes.get('latest')).toEqual(['v2']);
    expect(p.classes.get('branchPoint')).toBeUndefined();
    expect([...p.classDefs]).toEqual(Object.entries(LINEAGE_CLASS_DEFS));
    expect(p.comments[0]).toBe(`%% lineage ${g.lineageId}: 3 versions, 0 branch points`);
  });

  test('a branch: two versions from one parent are both children of it', () => {
    const g = grid(1, 1);
    g.promoteToRoot();
    const v1 = g.ecsId;
    const v2 = edit(v1, 2);
    edit(v1, 3); // second child of v1
    edit(v2, 4);
    const p = parseMermaid(lineageToMermaid(g.lineageId, reg));
    expect(p.nodes).toHaveLength(4);
    expect(p.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['v0->v1', 'v0->v2', 'v1->v3']);
    expect(p.classes.get('branchPoint')).toEqual(['v0']);
    expect(p.classes.get('latest')).toEqual(['v3']);
    expect(p.comments[0]).toMatch(/4 versions, 1 branch points$/);
  });

  test('versions derived by a function name it on the node and on the link', () => {
    const g = grid(2, 2);
    g.promoteToRoot();
    const stored = reg.getStoredEntity<GridMap>(g.ecsId);
    const tx = new Transaction(reg, { functionName: 'move_<agent>', executionId: 'x1' });
    tx.addInput(stored as never);
    const out = tx.run(() => {
      stored.nodes[1].agents.push(stored.nodes[0].agents.splice(0, 1)[0]);
      return stored;
    });
    tx.commit([out as never]);
    const text = lineageToMermaid(g.lineageId, reg);
    const p = parseMermaid(text);
    expect(p.unknown).toEqual([]);
    expect(p.nodes[0].lines).toHaveLength(2);
    expect(p.nodes[1].lines[2]).toBe('via move_<agent>');
    expect(p.edges).toEqual([expect.objectContaining({ from: 'v0', to: 'v1', label: 'move_<agent>' })]);
    expect(text).toContain('-->|"move_#60;agent#62;"|');
  });

  test('default registry, options, unknown lineage', () => {
    const g = grid(1, 0);
    g.promoteToRoot();
    const text = lineageToMermaid(g.lineageId);
    expect(lineageToMermaid(g.lineageId.toUpperCase(), reg)).toBe(text);
    expect(text).toBe(lineageToMermaid(g.lineageId, reg)); // deterministic
    const p = parseMermaid(lineageToMermaid(g.lineageId, reg, { direction: 'TD', shortIdLength: 4 }));
    expect(p.header).toBe('graph TD');
    expect(p.nodes[0].lines[1]).toBe(g.ecsId.slice(0, 4));
    expect(p.classes.get('latest')).toEqual(['v0']);
    const none = parseMermaid(lineageToMermaid('no-such-lineage"\n', reg));
    expect(none.nodes).toEqual([]);
    expect(none.unknown).toEqual([]);
    expect(none.comments).toEqual(['%% lineage no-such-lineage#34;\\n: no stored versions']);
  });
});
