/** The version store on its own: commits in (prepare, then publish) and the lookups by id. */
import { memoryStore } from '../../src/store/history-store';
import { Entity, entity } from '../../src';
import { VALUES, metaOf, type EntityObject } from '../../src/metadata/object-model';
import { buildEntityTree } from '../../src/tree/build-tree';
import { treeRequest, type CommitResult } from '../../src/store/commit';
import { EntityNotFoundError } from '../../src/store/errors';
import type { RootVersion } from '../../src/store/root-version';
import { VersionStore } from '../../src/store/version-store';
import { workingCopyOf } from '../../src/store/working-copy';

@entity()
class VsLeaf extends Entity {
  name = '';
}

@entity()
class VsRoot extends Entity {
  title = '';
  items: VsLeaf[] = [];
}

const ownValues = (e: EntityObject): readonly unknown[] => e[VALUES];
const idOf = (e: object): string => metaOf(e as EntityObject).ecsId;

/** A first version of `root`'s tree, prepared (and published unless told not to). */
function first(store: VersionStore, root: object, publish = true): CommitResult {
  const tree = buildEntityTree(root);
  const r = store.prepareCommit(treeRequest(null, tree, new Set(tree.nodes.values()), null, [], ownValues));
  if (publish) store.publish(r);
  return r;
}

/** A child version of `base`: `edit` changes a working copy and returns the entities it modified. */
function next(
  store: VersionStore,
  base: RootVersion,
  edit: (copy: VsRoot) => object[],
  removed: string[] = [],
): CommitResult {
  const copy = workingCopyOf(base.root, true) as unknown as VsRoot;
  const modified = new Set(edit(copy) as EntityObject[]);
  const r = store.prepareCommit(treeRequest(base, buildEntityTree(copy), modified, null, removed, ownValues));
  store.publish(r);
  return r;
}

const retitle = (c: VsRoot): object[] => {
  c.title = 'retitled';
  return [c];
};
const dropItems = (c: VsRoot): object[] => {
  c.items = [];
  return [c];
};

const tree = () => new VsRoot({ title: 't1', items: [new VsLeaf({ name: 'a' })] });

test('a prepared commit is invisible until published', () => {
  const store = new VersionStore(memoryStore());
  const r = first(store, tree(), false);
  expect(store.hasVersion(r.version.ecsId)).toBe(false);
  expect(store.findStoredEntity(idOf(r.version.root))).toBeUndefined();
  expect(store.stats).toEqual({ versions: 0, entities: 0, lineages: 0 });
  store.publish(r);
  expect(store.getVersion(r.version.ecsId)).toBe(r.version);
  expect(store.stats).toEqual({ versions: 1, entities: 2, lineages: 1 });
});

test('lookups by id ignore case; anything but a held id finds nothing, get* throw EntityNotFoundError', () => {
  const store = new VersionStore(memoryStore());
  const { version } = first(store, tree());
  const leaf = (version.root as unknown as VsRoot).items[0];
  const upper = version.ecsId.toUpperCase();
  expect(store.getVersion(upper)).toBe(version);
  expect(store.findVersion(upper)).toBe(version);
  expect(store.hasVersion(upper)).toBe(true);
  expect(store.getStoredEntity(idOf(leaf).toUpperCase())).toBe(leaf);
  expect(store.findStoredEntity(idOf(leaf))).toBe(leaf);
  expect(store.latestVersion(version.lineageId.toUpperCase())).toBe(version);
  expect(store.hasVersion(idOf(leaf))).toBe(false); // a child is no root version
  expect(store.findVersion('nope')).toBeUndefined();
  expect(store.findStoredEntity(42 as unknown as string)).toBeUndefined();
  expect(() => store.getVersion('nope')).toThrow(EntityNotFoundError);
  expect(() => store.getStoredEntity(null as unknown as string)).toThrow(EntityNotFoundError);
});

test("holds: its own stored roots and children, not working copies, other stores' versions or non-entities", () => {
  const store = new VersionStore(memoryStore());
  const { version } = first(store, tree());
  const other = first(new VersionStore(memoryStore()), tree()).version;
  expect(store.holds(version.root)).toBe(true);
  expect(store.holds((version.root as unknown as VsRoot).items[0])).toBe(true);
  expect(store.holds(workingCopyOf(version.root, true))).toBe(false);
  expect(store.holds(other.root)).toBe(false);
  expect(store.holds({})).toBe(false);
});

test('lineage, latestVersion, rootsOfType and versionsContaining follow the versions of a lineage', () => {
  const store = new VersionStore(memoryStore());
  const v1 = first(store, tree()).version;
  const leaf = (v1.root as unknown as VsRoot).items[0];
  const v2 = next(store, v1, retitle).version;
  const v3 = next(store, v2, dropItems, [metaOf(leaf as unknown as EntityObject).lineageId]).version;
  expect(store.lineage(v1.lineageId)).toEqual([
    { ecsId: v1.ecsId, parentEcsId: null },
    { ecsId: v2.ecsId, parentEcsId: v1.ecsId },
    { ecsId: v3.ecsId, parentEcsId: v2.ecsId },
  ]);
  expect(store.latestVersion(v1.lineageId)).toBe(v3);
  expect(store.rootsOfType(VsRoot)).toEqual([v3.root]);
  expect(store.rootsOfType(VsLeaf)).toEqual([]);
  // v2 shares the leaf v1 stored; v3 removed it
  expect((v2.root as unknown as VsRoot).items[0]).toBe(leaf);
  expect(store.versionsContaining(idOf(leaf))).toEqual([v1.ecsId, v2.ecsId]);
  expect(store.versionsContaining(v1.ecsId)).toEqual([v1.ecsId]);
  expect(v3.index.has(metaOf(leaf as unknown as EntityObject).lineageId)).toBe(false);
  expect(store.stats).toEqual({ versions: 3, entities: 4, lineages: 1 });
});

test('withdrawFirstVersion: only a first version nothing was built on, and then as if never stored', () => {
  const store = new VersionStore(memoryStore());
  const kept = first(store, tree()).version;
  next(store, kept, retitle);
  const before = store.stats;
  expect(store.withdrawFirstVersion(kept.ecsId)).toBe(false); // it has a child
  expect(store.withdrawFirstVersion('nope')).toBe(false);
  expect(store.stats).toEqual(before);

  const { version } = first(store, tree());
  const leaf = (version.root as unknown as VsRoot).items[0];
  expect(store.withdrawFirstVersion(version.ecsId)).toBe(true);
  expect(store.hasVersion(version.ecsId)).toBe(false);
  expect(store.findStoredEntity(idOf(leaf))).toBeUndefined();
  expect(store.lineage(version.lineageId)).toEqual([]);
  expect(store.latestVersion(version.lineageId)).toBeUndefined();
  expect(store.stats).toEqual(before);
});
