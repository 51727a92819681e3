/**
 * store/output-plan.ts: where each returned entity is stored (its input tree's commit, a root of
 * its own, or nowhere) and the identity it gets there (new ecsId, output index, siblings,
 * attribute sources), decided once before anything is persisted.
 */
import { EntityRegistry } from '../../src';
import type { EntityObject } from '../../src/metadata/object-model';
import { Draft } from '../../src/store/draft';
import { changesOfInputs, type InputTree } from '../../src/store/input-trees';
import { identityOf, planOutputs, type OutputOptions, type OutputPlan } from '../../src/store/output-plan';
import type { RootVersion } from '../../src/store/root-version';
import { PpBox, PpItem, PpRoot, buildRoot, eo, storeRoot } from '../support/pipeline';

const provenance = { functionName: 'pp_plan', executionId: 'exec-plan' };
let registry: EntityRegistry;
let root: PpRoot;
let version: RootVersion;

beforeEach(() => {
  registry = new EntityRegistry();
  ({ stored: root, version } = storeRoot(registry, buildRoot(2, 2)));
});

/** Runs `fn` in a draft over `inputs`, then plans its returned entities. */
function planOf(
  inputs: readonly RootVersion[],
  fn: (draft: Draft) => object[],
  options: Partial<OutputOptions> = {},
): { plan: OutputPlan; trees: InputTree[]; draft: Draft; outputs: EntityObject[] } {
  const draft = new Draft(inputs);
  const outputs = draft.run(() => fn(draft)).map(eo);
  const trees = changesOfInputs(draft, registry, provenance);
  const plan = planOutputs(trees, draft, registry, outputs, { handed: [], multiple: false, ...options });
  return { plan, trees, draft, outputs };
}

describe('targets', () => {
  test("the input tree's root, edited: stored in that tree's commit, as an input (a mutation)", () => {
    const { plan } = planOf([version], () => {
      root.title = 'edited';
      return [root];
    });
    expect(plan.targets).toEqual([{ kind: 'tree', tree: 0, isInput: true }]);
    expect(plan.perCommit).toBeUndefined();
    expect(plan.shared).toBeUndefined();
    expect(identityOf(plan, 0)).toBeUndefined();
  });

  test('the root of the second input tree: its tree index', () => {
    const other = storeRoot(registry, buildRoot(1, 1));
    const { plan } = planOf([version, other.version], () => [other.stored]);
    expect(plan.targets).toEqual([{ kind: 'tree', tree: 1, isInput: true }]);
  });

  test('a stored child that stays in its tree: a detachment, unless it was handed to the function', () => {
    const child = root.boxes[1];
    expect(planOf([version], () => [child]).plan.targets).toEqual([{ kind: 'root', semantic: 'detachment' }]);
    expect(planOf([version], () => [child], { handed: [eo(child)] }).plan.targets).toEqual([
      { kind: 'tree', tree: 0, isInput: true },
    ]);
  });

  test('a new entity put into an input tree is stored in its commit (a creation inside the tree)', () => {
    const { plan } = planOf([version], () => {
      const fresh = new PpItem({ name: 'new' });
      root.boxes[0].items.push(fresh);
      return [fresh];
    });
    expect(plan.targets).toEqual([{ kind: 'tree', tree: 0, isInput: false }]);
  });

  test('a new entity in no tree: a creation as a root of its own', () => {
    const { plan } = planOf([version], () => [new PpBox({ name: 'loose' })]);
    expect(plan.targets).toEqual([{ kind: 'root', semantic: 'creation' }]);
  });

  test('a stored child removed from its tree and returned: a detachment', () => {
    const { plan, trees } = planOf([version], () => {
      const [removed] = root.boxes.splice(1, 1);
      return [removed];
    });
    expect(trees[0].kind === 'draft' && trees[0].removedLineages).toContain(root.boxes[1].lineageId);
    expect(plan.targets).toEqual([{ kind: 'root', semantic: 'detachment' }]);
  });

  test('a stored root outside the inputs, untouched: unchanged; a stored child outside the inputs: a detachment', () => {
    const outside = storeRoot(registry, buildRoot(1, 1)).stored;
    expect(planOf([version], () => [outside]).plan.targets).toEqual([{ kind: 'root', semantic: 'unchanged' }]);
    expect(planOf([version], () => [outside.boxes[0]]).plan.targets).toEqual([
      { kind: 'root', semantic: 'detachment' },
    ]);
  });

  // A read of a container field makes an overlay too; a real change to an outside root is refused
  // by changesOfInputs. So an overlay alone is no change (it used to store an identical copy of the
  // whole tree as a second parentless version of that lineage).
  test('a stored root outside the inputs that the function only read is still unchanged', () => {
    const outside = storeRoot(registry, buildRoot(1, 1)).stored;
    const { plan, draft } = planOf([version], () => {
      void outside.boxes.length; // a read: the draft copies the array for the function
      return [outside];
    });
    expect(draft.overlays.has(eo(outside))).toBe(true);
    expect(plan.targets).toEqual([{ kind: 'root', semantic: 'unchanged' }]);
  });

  test('a copied input (second version of a lineage): its root is a mutation target; a copy taken out of it is a detachment', () => {
    const co = registry.checkout<PpRoot>(root.ecsId);
    co.title = 'second';
    registry.version(co);
    const ver2 = registry.latestVersion(root.lineageId)!;
    const copyRoot = (d: Draft): PpRoot => d.copied[0].root as unknown as PpRoot;
    expect(planOf([version, ver2], (d) => [copyRoot(d)]).plan.targets).toEqual([
      { kind: 'tree', tree: 1, isInput: true },
    ]);
    // a copy still in its tree, returned on its own: not created by the function
    expect(planOf([version, ver2], (d) => [copyRoot(d).boxes[0]]).plan.targets).toEqual([
      { kind: 'root', semantic: 'detachment' },
    ]);
    expect(
      planOf([version, ver2], (d) => {
        const [taken] = copyRoot(d).boxes.splice(0, 1);
        return [taken];
      }).plan.targets,
    ).toEqual([{ kind: 'root', semantic: 'detachment' }]);
  });
});

describe('identity', () => {
  test('one output, not as an array: no per-commit identity', () => {
    const { plan } = planOf([version], () => [new PpBox()]);
    expect(plan.perCommit).toBeUndefined();
    expect(identityOf(plan, plan.outputs[0])).toBeUndefined();
  });

  test('one output given as an array: it still gets its output index and (no) siblings', () => {
    const { plan, outputs } = planOf(
      [version],
      () => {
        root.title = 'x';
        return [root];
      },
      { multiple: true },
    );
    const ids = identityOf(plan, 0)!;
    expect(ids.get(outputs[0])).toMatchObject({ outputIndex: 0, siblingOutputEntities: [] });
    expect(ids.get(outputs[0])!.ecsId).toEqual(expect.any(String));
    expect(ids.get(outputs[0])!.ecsId).not.toBe(root.ecsId); // it forks: a new id
  });

  test('several outputs: per commit, each its index and the final ids of the others', () => {
    let fresh!: PpBox;
    const outside = storeRoot(registry, buildRoot(1, 1)).stored;
    const { plan, outputs } = planOf(
      [version],
      () => {
        root.title = 'x';
        fresh = new PpBox({ name: 'new' });
        return [root, fresh, outside];
      },
      { multiple: true },
    );
    expect(plan.targets).toEqual([
      { kind: 'tree', tree: 0, isInput: true },
      { kind: 'root', semantic: 'creation' },
      { kind: 'root', semantic: 'unchanged' },
    ]);
    const rootId = identityOf(plan, 0)!.get(outputs[0])!;
    const freshId = identityOf(plan, outputs[1])!.get(outputs[1])!;
    const outsideId = identityOf(plan, outputs[2])!.get(outputs[2])!;
    expect(rootId.ecsId).not.toBe(root.ecsId); // a stored entity that forks gets a new id
    expect(freshId.ecsId).toBe(fresh.ecsId); // a new entity keeps its own
    expect(outsideId.ecsId).toBeUndefined(); // unchanged: no new id
    expect(rootId.outputIndex).toBe(0);
    expect(freshId.outputIndex).toBe(1);
    expect(outsideId.outputIndex).toBe(2);
    expect(rootId.siblingOutputEntities).toEqual([fresh.ecsId, outside.ecsId]);
    expect(freshId.siblingOutputEntities).toEqual([rootId.ecsId, outside.ecsId]);
    expect(outsideId.siblingOutputEntities).toEqual([rootId.ecsId, fresh.ecsId]);
    // commit keys: the tree's index, and each output stored as a root
    expect([...plan.perCommit!.keys()]).toEqual([0, outputs[1], outputs[2]]);
  });

  test('the same entity returned twice keeps one new id; both are siblings of a third', () => {
    const { plan, outputs } = planOf(
      [version],
      () => {
        root.title = 'x';
        return [root, root, new PpBox()];
      },
      { multiple: true },
    );
    const inTree = identityOf(plan, 0)!.get(outputs[0])!;
    const third = identityOf(plan, outputs[2])!.get(outputs[2])!;
    expect(third.siblingOutputEntities).toEqual([inTree.ecsId, inTree.ecsId]);
    expect(inTree.siblingOutputEntities).toContain(inTree.ecsId);
  });

  test('a child returned on its own next to its edited root: forked in the tree and stored as a root, one id for it', () => {
    const child = root.boxes[0];
    const { plan, outputs } = planOf(
      [version],
      () => {
        child.name = 'x';
        return [root, child];
      },
      { multiple: true },
    );
    expect(plan.targets).toEqual([
      { kind: 'tree', tree: 0, isInput: true },
      { kind: 'root', semantic: 'detachment' },
    ]);
    const asRoot = identityOf(plan, outputs[1])!.get(outputs[1])!;
    expect(asRoot.outputIndex).toBe(1);
    expect(identityOf(plan, 0)!.get(outputs[0])!.siblingOutputEntities).toEqual([asRoot.ecsId]);
    expect(identityOf(plan, 0)!.has(outputs[1])).toBe(false); // the tree's commit does not store it as an output
  });

  test('attribute sources are shared by every commit', () => {
    const fresh = new PpBox({ name: 'n' });
    const attributeSource = new Map([[eo(fresh), { name: 'holder-1' }]]);
    const single = planOf([version], () => [fresh], { attributeSource }).plan;
    expect(single.shared!.get(eo(fresh))).toEqual({ attributeSource: { name: 'holder-1' } });
    expect(identityOf(single, 0)).toBe(single.shared);
    expect(identityOf(single, eo(fresh))).toBe(single.shared);

    const several = planOf(
      [version],
      () => {
        root.title = 't';
        return [root, fresh];
      },
      { attributeSource, multiple: true },
    ).plan;
    expect(identityOf(several, eo(fresh))!.get(eo(fresh))).toMatchObject({
      attributeSource: { name: 'holder-1' },
      outputIndex: 1,
    });
    expect(identityOf(several, 0)!.get(eo(fresh))).toEqual({ attributeSource: { name: 'holder-1' } });
  });
});
