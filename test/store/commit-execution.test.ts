/**
 * store/commit-execution.ts: a call's commits are prepared (forked and frozen, nothing visible:
 * the registry is exactly as before), then published together, then announced (the events).
 */
import { EntityRegistry, EventBus, TreeStructureError, UnsupportedValueError, type Event } from '../../src';
import { runtimeOfObject } from '../../src/entity/class-runtime';
import { VALUES, metaOf, type EntityObject } from '../../src/metadata/object-model';
import { Draft } from '../../src/store/draft';
import { changesOfInputs } from '../../src/store/input-trees';
import { planOutputs } from '../../src/store/output-plan';
import {
  announceExecution,
  prepareExecution,
  publishExecution,
  type PreparedExecution,
} from '../../src/store/commit-execution';
import type { RootVersion } from '../../src/store/root-version';
import { capture, expectUnchanged } from '../callable/dump-registry';
import { PpBox, PpItem, PpRoot, buildRoot, eo, storeRoot } from '../support/pipeline';

const provenance = { functionName: 'pp_commit', executionId: 'exec-commit' };
let bus: EventBus;
let registry: EntityRegistry;
let events: Event[];

beforeEach(() => {
  bus = new EventBus();
  registry = new EntityRegistry({ bus });
  events = [];
  bus.on('entity.*', (e) => {
    if (e.phase === 'completed') events.push(e);
  });
});

/** Steps 3-8 of execute over `inputs`: nothing is published. */
function prepare(inputs: readonly RootVersion[], fn: () => object[], multiple = false): PreparedExecution {
  const draft = new Draft(inputs);
  const outputs = draft.run(fn).map(eo);
  const trees = changesOfInputs(draft, registry, provenance);
  const plan = planOutputs(trees, draft, registry, outputs, { handed: [], multiple });
  return prepareExecution(registry, draft, trees, plan, provenance);
}

const fieldIndex = (e: object, name: string): number => runtimeOfObject(eo(e)).meta.fieldIndex.get(name)!;

describe('prepare publishes nothing; publish makes it visible; announce emits', () => {
  test('a mutation: prepared version invisible, registry unchanged until publishExecution', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(2, 2));
    events.length = 0;
    const before = capture(registry);
    const prepared = prepare([version], () => {
      root.boxes[1].items[0].n = 42;
      return [root];
    });
    expectUnchanged(registry, before);
    expect(events).toEqual([]);
    expect(prepared.versions).toHaveLength(1);
    const v2 = prepared.versions[0];
    expect(registry.hasVersion(v2.ecsId)).toBe(false);
    expect(registry.latestVersion(root.lineageId)).toBe(version);
    expect(prepared.treeResults).toHaveLength(1);
    expect(prepared.treeResults[0]!.version).toBe(v2);
    expect(prepared.rootResults).toBeUndefined();
    expect(prepared.outputs).toHaveLength(1);
    expect(prepared.outputs[0]).toEqual({ entity: v2.root, semantic: 'mutation' });
    const newRoot = v2.root as unknown as PpRoot;
    expect(newRoot.boxes[1].items[0].n).toBe(42);
    expect(newRoot.boxes[0]).toBe(root.boxes[0]); // structural sharing
    expect(metaOf(newRoot).previousEcsId).toBe(root.ecsId);
    expect(metaOf(newRoot).derivedFromFunction).toBe('pp_commit');
    expect(metaOf(newRoot).derivedFromExecutionId).toBe('exec-commit');
    expect(Object.isFrozen(newRoot)).toBe(true);

    publishExecution(registry, prepared);
    expect(events).toEqual([]); // publishing emits nothing
    expect(registry.hasVersion(v2.ecsId)).toBe(true);
    expect(registry.latestVersion(root.lineageId)).toBe(v2);
    expect(registry.getStoredEntity(newRoot.boxes[1].items[0].ecsId)).toBe(newRoot.boxes[1].items[0]);
    expect(registry.stats).toEqual({ versions: 2, entities: before.dump.stats.entities + 3, lineages: 1 });

    announceExecution(registry, prepared);
    expect(events.map((e) => e.type)).toEqual(['entity.version']);
    const md = events[0].metadata as {
      rootEcsId: string;
      changedFields: Record<string, string[]>;
      idMap: Record<string, string>;
    };
    expect(events[0].subjectId).toBe(root.ecsId);
    expect(md.rootEcsId).toBe(v2.ecsId);
    expect(md.changedFields).toEqual({ [root.boxes[1].items[0].ecsId]: ['n'] });
    expect(Object.keys(md.idMap).sort()).toEqual(
      [root.ecsId, root.boxes[1].ecsId, root.boxes[1].items[0].ecsId].sort(),
    );
  });

  test('a creation: a new lineage, announced as entity.register', () => {
    const { version } = storeRoot(registry, buildRoot(1, 1));
    events.length = 0;
    const before = capture(registry);
    const fresh = new PpBox({ name: 'new', items: [new PpItem({ name: 'a' })] });
    const prepared = prepare([version], () => [fresh]);
    expectUnchanged(registry, before);
    expect(prepared.treeResults).toEqual([null]);
    expect(prepared.rootResults!.size).toBe(1);
    const result = prepared.rootResults!.get(eo(fresh))!;
    expect(prepared.outputs).toEqual([{ entity: result.version.root, semantic: 'creation' }]);
    expect(result.version.parentEcsId).toBeNull();
    expect(result.stored.size).toBe(2);
    const storedBox = result.version.root as unknown as PpBox;
    expect(storedBox.ecsId).toBe(fresh.ecsId);
    expect(storedBox.items[0].name).toBe('a');
    expect(metaOf(storedBox.items[0]).parentLineageId).toBe(storedBox.lineageId);

    publishExecution(registry, prepared);
    expect(registry.stats).toEqual({ versions: 2, entities: before.dump.stats.entities + 2, lineages: 2 });
    expect(events).toEqual([]);
    announceExecution(registry, prepared);
    expect(events.map((e) => [e.type, e.subjectId])).toEqual([['entity.register', storedBox.ecsId]]);
    expect(events[0].metadata).toMatchObject({ rootEcsId: storedBox.ecsId, entityCount: 2 });
  });

  test('an unchanged input: no commit, the input itself, nothing to publish or announce', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(1, 1));
    events.length = 0;
    const before = capture(registry);
    const prepared = prepare([version], () => [root]);
    expect(prepared).toMatchObject({ treeResults: [null], rootResults: undefined, versions: [] });
    expect(prepared.outputs).toEqual([{ entity: root, semantic: 'unchanged' }]);
    publishExecution(registry, prepared);
    announceExecution(registry, prepared);
    expectUnchanged(registry, before);
    expect(events).toEqual([]);
  });

  test('an edited tree the function did not return is versioned too; the versions come in commit order', () => {
    const a = storeRoot(registry, buildRoot(1, 1));
    const b = storeRoot(registry, buildRoot(1, 1));
    events.length = 0;
    const fresh = new PpItem({ name: 'f' });
    const prepared = prepare([a.version, b.version], () => {
      a.stored.title = 'A';
      b.stored.title = 'B';
      return [fresh];
    });
    expect(prepared.versions.map((v) => v.lineageId)).toEqual([
      a.stored.lineageId,
      b.stored.lineageId,
      fresh.lineageId,
    ]);
    expect(prepared.outputs.map((o) => o.semantic)).toEqual(['creation']);
    publishExecution(registry, prepared);
    announceExecution(registry, prepared);
    expect(events.map((e) => e.type)).toEqual(['entity.version', 'entity.version', 'entity.register']);
    expect(registry.latest<PpRoot>(a.stored.lineageId)!.title).toBe('A');
    expect(registry.latest<PpRoot>(b.stored.lineageId)!.title).toBe('B');
  });

  test('a child returned on its own while it stays: forked in the tree, and a detached root forked from that', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(2, 1));
    const child = root.boxes[0];
    const prepared = prepare(
      [version],
      () => {
        child.name = 'x';
        return [root, child];
      },
      true,
    );
    const [inTree, detached] = prepared.outputs;
    expect(inTree.semantic).toBe('mutation');
    expect(detached.semantic).toBe('detachment');
    const newChild = (inTree.entity as unknown as PpRoot).boxes[0];
    const det = detached.entity as unknown as PpBox;
    expect(det).not.toBe(newChild);
    expect(det.previousEcsId).toBe(newChild.ecsId);
    expect(det.name).toBe('x');
    expect(metaOf(det).outputIndex).toBe(1);
    expect(metaOf(inTree.entity).siblingOutputEntities).toEqual([det.ecsId]);
    expect(prepared.versions.map((v) => v.root)).toEqual([inTree.entity, det]);
  });
});

describe('copied input trees (a second version of a lineage)', () => {
  function twoVersions(): { v1: PpRoot; ver1: RootVersion; ver2: RootVersion } {
    const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(1, 1));
    const co = registry.checkout<PpRoot>(v1.ecsId);
    co.title = 'second';
    registry.version(co);
    return { v1, ver1, ver2: registry.latestVersion(v1.lineageId)! };
  }

  test('the copy returned unchanged: the stored version it was copied from, no commit', () => {
    const { ver1, ver2 } = twoVersions();
    const draft = new Draft([ver1, ver2]);
    const copyRoot = draft.copied[0].root;
    const outputs = draft.run(() => [copyRoot]);
    const trees = changesOfInputs(draft, registry, provenance);
    const prepared = prepareExecution(
      registry,
      draft,
      trees,
      planOutputs(trees, draft, registry, outputs, { handed: [], multiple: false }),
      provenance,
    );
    expect(prepared.treeResults).toEqual([null, null]);
    expect(prepared.outputs).toEqual([{ entity: ver2.root, semantic: 'unchanged' }]);
  });

  test('the copy edited and returned: a mutation of the second version, stored from its own base', () => {
    const { ver1, ver2 } = twoVersions();
    const draft = new Draft([ver1, ver2]);
    const copyRoot = draft.copied[0].root as unknown as PpRoot;
    const outputs = draft.run(() => {
      copyRoot.boxes[0].items[0].n = 5;
      return [eo(copyRoot)];
    });
    const trees = changesOfInputs(draft, registry, provenance);
    const before = capture(registry);
    const prepared = prepareExecution(
      registry,
      draft,
      trees,
      planOutputs(trees, draft, registry, outputs, { handed: [], multiple: false }),
      provenance,
    );
    expectUnchanged(registry, before);
    expect(prepared.treeResults[0]).toBeNull();
    expect(prepared.treeResults[1]!.base).toBe(ver2);
    const out = prepared.outputs[0];
    expect(out.semantic).toBe('mutation');
    expect(metaOf(out.entity).stored).toBe(true);
    expect(metaOf(out.entity).previousEcsId).toBe(ver2.ecsId);
    expect((out.entity as unknown as PpRoot).title).toBe('second');
    expect((out.entity as unknown as PpRoot).boxes[0].items[0].n).toBe(5);
    publishExecution(registry, prepared);
    expect(registry.lineage(ver1.lineageId).map((e) => e.parentEcsId)).toEqual([null, ver1.ecsId, ver2.ecsId]);
  });
});

describe('a failed prepare leaves the registry as it was', () => {
  test('unsupported data in the second tree after the first was prepared: nothing of either is visible', () => {
    const a = storeRoot(registry, buildRoot(1, 1));
    const b = storeRoot(registry, buildRoot(1, 1));
    events.length = 0;
    const before = capture(registry);
    expect(() =>
      prepare([a.version, b.version], () => {
        a.stored.title = 'fine';
        (b.stored.boxes[0].info as unknown as { k: unknown }).k = () => 1;
        return [a.stored];
      }),
    ).toThrow(UnsupportedValueError);
    expectUnchanged(registry, before);
    expect(events).toEqual([]);
  });

  test('a new root holding a stored entity and a working copy of it: TreeStructureError, nothing stored', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(1, 1));
    const item = root.boxes[0].items[0];
    const copy = registry.checkout<PpRoot>(root.ecsId).boxes[0].items[0];
    const before = capture(registry);
    expect(() => prepare([version], () => [new PpBox({ items: [item, copy] })])).toThrow(
      /occurs twice in the returned tree \(two copies of the same version\)/,
    );
    expect(() => prepare([version], () => [new PpBox({ items: [item, copy] })])).toThrow(TreeStructureError);
    expectUnchanged(registry, before);
  });
});

describe('owned flat arrays', () => {
  test('a flat array the draft copied becomes the stored array itself (same length), frozen', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(1, 1));
    const item = root.boxes[0].items[0];
    let tags!: string[];
    const prepared = prepare([version], () => {
      tags = item.tags;
      tags[0] = 'changed';
      return [root];
    });
    const newItem = (prepared.outputs[0].entity as unknown as PpRoot).boxes[0].items[0];
    const storedTags = eo(newItem)[VALUES][fieldIndex(newItem, 'tags')];
    expect(storedTags).toBe(tags);
    expect(Object.isFrozen(tags)).toBe(true);
    expect(newItem.tags).toEqual(['changed']);
  });

  test('a grown copy is stored as an exact-size copy; children modified in it are swapped for their new versions', () => {
    const { stored: root, version } = storeRoot(registry, buildRoot(1, 3));
    const box = root.boxes[0];
    let items!: PpItem[];
    const fresh = new PpItem({ name: 'new' });
    const prepared = prepare([version], () => {
      items = box.items;
      items[1].n = 7;
      items.push(fresh);
      return [root];
    });
    const newBox = (prepared.outputs[0].entity as unknown as PpRoot).boxes[0];
    const storedItems = eo(newBox)[VALUES][fieldIndex(newBox, 'items')] as EntityObject[];
    expect(storedItems).not.toBe(items);
    expect(Object.isFrozen(storedItems)).toBe(true);
    expect(storedItems).toHaveLength(4);
    expect(storedItems[0]).toBe(box.items[0]); // unchanged children are shared
    expect(storedItems[2]).toBe(box.items[2]);
    expect(metaOf(storedItems[1]).previousEcsId).toBe(box.items[1].ecsId);
    expect((storedItems[1] as unknown as PpItem).n).toBe(7);
    expect(metaOf(storedItems[3]).stored).toBe(true);
    expect(metaOf(storedItems[3]).ecsId).toBe(fresh.ecsId);
    expect(items[1]).toBe(box.items[1]); // the function's array was not changed after the call
  });
});
