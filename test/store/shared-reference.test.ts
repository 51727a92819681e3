/**
 * A function's commit refuses an entity in two places however the tree around it moved (N7), and
 * sees a child replaced by another object of its lineage (N5: fieldEquals compares by lineage).
 */
import { CallableRegistry, Entity, EntityRegistry, TreeStructureError, entity } from '../../src';
import { capture, expectUnchanged } from '../callable/dump-registry';

@entity()
class SrNode extends Entity {
  name = '';
  kids: SrNode[] = [];
  one: SrNode | null = null;
  byKey: Record<string, SrNode> = {};
}

let registry: EntityRegistry;
let functions: CallableRegistry;

beforeEach(() => {
  registry = new EntityRegistry();
  functions = new CallableRegistry({ entities: registry });
});

const node = (name: string, ...kids: SrNode[]): SrNode => new SrNode({ name, kids });

test('an entity shared into a second place while an ancestor moved and its old parent left is a TreeStructureError', () => {
  const root = node('R', node('P', node('A', node('X'))), node('Q'));
  registry.promoteToRoot(root);
  functions.register('move_remove_share', ({ r }: { r: SrNode }) => {
    const [p, q] = r.kids;
    const a = p.kids.splice(0, 1)[0];
    q.kids.push(a); // A moves from P to Q
    r.kids.splice(0, 1); // P leaves the tree
    q.kids.push(a.kids[0]); // X is now under A and under Q
    return r;
  });
  const before = capture(registry);
  expect(() => functions.execute<unknown>('move_remove_share', { r: root })).toThrow(TreeStructureError);
  expectUnchanged(registry, before);
});

test('a child moved out of an entity that is itself replaced by that child: one place, stored', () => {
  const root = node('R');
  root.one = node('L', node('M', node('D')));
  registry.promoteToRoot(root);
  functions.register('lift_grandchild', ({ r }: { r: SrNode }) => {
    r.one = r.one!.kids[0]; // M replaces L, which leaves the tree; D stays where it was, in M
    return r;
  });
  const out = functions.execute<SrNode>('lift_grandchild', { r: root });
  expect(out.one!.name).toBe('M');
  expect(out.one!.kids[0].name).toBe('D');
  expect(registry.getStoredTree(out.ecsId).nodeCount).toBe(3);
});

test('the same moves without the share are stored, X once', () => {
  const root = node('R', node('P', node('A', node('X'))), node('Q'));
  registry.promoteToRoot(root);
  functions.register('move_remove', ({ r }: { r: SrNode }) => {
    const [p, q] = r.kids;
    q.kids.push(p.kids.splice(0, 1)[0]);
    r.kids.splice(0, 1);
    return r;
  });
  const out = functions.execute<SrNode>('move_remove', { r: root });
  expect(out.kids.map((k) => k.name)).toEqual(['Q']);
  expect(out.kids[0].kids[0].kids[0].name).toBe('X');
  expect(registry.getStoredTree(out.ecsId).nodeCount).toBe(4);
});

test('a child replaced by a working copy of itself (same lineage, another object) is a change: the copy is stored', () => {
  const root = node('R');
  root.one = node('C');
  registry.promoteToRoot(root);
  const copyOfChild = registry.checkout<SrNode>(root.one!.ecsId);
  copyOfChild.name = 'C2';
  functions.register('replace_by_copy', ({ r }: { r: SrNode }) => {
    r.one = copyOfChild;
    return r;
  });
  const out = functions.execute<SrNode>('replace_by_copy', { r: registry.latest<SrNode>(root.lineageId)! });
  expect(out.one!.name).toBe('C2');
  expect(out.one!.lineageId).toBe(root.one!.lineageId);
  expect(out.one!.previousEcsId).toBe(root.one!.ecsId);
});

test('two versions of one lineage: a child swapped between them, then a subtree moved, is two entities of one lineage', () => {
  const root = new SrNode({ name: 'R', one: node('B', node('C')) });
  registry.promoteToRoot(root);
  functions.register('bump', ({ r }: { r: SrNode }) => {
    r.name = 'R2';
    return r;
  });
  const v2 = functions.execute<SrNode>('bump', { r: root });
  const v1 = registry.getStoredEntity<SrNode>(root.ecsId);
  functions.register('swap_and_move', ({ a, b }: { a: SrNode; b: SrNode }) => {
    const cb = b.one!.kids[0];
    b.one!.kids[0] = a.one!.kids[0];
    a.one!.kids[0] = cb;
    const moved = b.one!;
    b.one = null;
    a.one!.kids[0].one = moved;
    return 1;
  });
  const before = capture(registry);
  expect(() => functions.execute<unknown>('swap_and_move', { a: v1, b: v2 })).toThrow(TreeStructureError);
  expectUnchanged(registry, before);
});

test('a shared reference under a huge record key is reported with an excerpt of the path', () => {
  const root = node('R', node('X'));
  registry.promoteToRoot(root);
  const key = 'k'.repeat(1_000_000);
  functions.register('share_under_huge_key', ({ r }: { r: SrNode }) => {
    r.byKey = { [key]: r.kids[0] };
    return r;
  });
  let error: unknown;
  try {
    functions.execute<unknown>('share_under_huge_key', { r: root });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TreeStructureError);
  expect((error as Error).message.length).toBeLessThan(600);
  expect((error as TreeStructureError).secondPath.length).toBeGreaterThan(1_000_000); // the full path stays on the error
});
