/**
 * Property (b): `registry.version(working)` after random edits
 *  - forks exactly the naive `modified` set (idMap keys; previousEcsId / oldIds of the working objects),
 *  - stores a tree that reads exactly as the working tree (data, structure, ids),
 *  - shares every unmodified entity with the version it came from (the same stored objects),
 *  - leaves every earlier stored version reading exactly as it did when it was stored,
 * over several rounds, sometimes branching from an older version.
 */
import fc from 'fast-check';
import { EntityRegistry, buildEntityTree, diffTrees } from '../../src';
import { idsOf, indexTable, lineageTable, naiveDiff, naiveIndex, plainDiff, snapshot } from '../support/naive';
import { PRoot } from '../support/models';
import { applyEdits, buildTree, editsArb, treeSpecArb } from '../support/trees';

const RUNS = Number(process.env.PROP_RUNS ?? 400);

const roundArb = fc.record({ branchFrom: fc.option(fc.nat({ max: 20 }), { freq: 4 }), edits: editsArb(5) });

test('version() forks exactly the naive modified set and never changes history', () => {
  fc.assert(
    fc.property(treeSpecArb(14), fc.array(roundArb, { minLength: 1, maxLength: 4 }), (spec, rounds) => {
      const reg = new EntityRegistry();
      let root = buildTree(spec);
      reg.promoteToRoot(root);
      const lineageId = root.lineageId;
      const history: Array<{ id: string; snap: unknown }> = [
        { id: root.ecsId, snap: snapshot(reg.getStoredEntity<PRoot>(root.ecsId), { rootIds: true }) },
      ];
      const expectedLineage = [{ ecsId: root.ecsId, parentEcsId: null as string | null }];

      for (const round of rounds) {
        if (round.branchFrom !== null) root = reg.checkout<PRoot>(history[round.branchFrom % history.length].id);
        const baseId = root.ecsId;
        expect(root.rootEcsId).toBe(baseId);
        const base = reg.getStoredEntity<PRoot>(baseId);
        const baseIds = idsOf(base);

        applyEdits(root, round.edits);
        const naive = naiveDiff(base, root);
        // (a) on the way: the diff version() will use is the naive one
        expect(plainDiff(diffTrees(reg.getStoredTree(baseId), buildEntityTree(root)))).toEqual(naive);

        const before = new Map(
          [...naiveIndex(root).values()].map((n) => [
            n.entity,
            { ecsId: n.id, oldIds: n.entity.oldIds, prev: n.entity.previousEcsId },
          ]),
        );
        const statsBefore = reg.stats;
        const result = reg.version(root);

        const expectedForks = naive.modified.filter((id) => baseIds.has(id)).sort();
        expect([...result.idMap.keys()].sort()).toEqual(expectedForks);
        expect(result.created).toBe(naive.modified.length > 0);

        for (const [e, was] of before) {
          const newId = result.idMap.get(was.ecsId);
          if (newId !== undefined) {
            expect(e.ecsId).toBe(newId);
            expect(e.previousEcsId).toBe(was.ecsId);
            expect(e.oldIds).toEqual([...was.oldIds, was.ecsId]);
            expect(e.forkedAt).not.toBeNull();
          } else {
            expect(e.ecsId).toBe(was.ecsId);
            expect(e.previousEcsId).toBe(was.prev);
            expect(e.oldIds).toEqual(was.oldIds);
          }
          expect(e.rootEcsId).toBe(root.ecsId);
          expect(e.rootLiveId).toBe(root.liveId);
        }

        if (!result.created) {
          expect(reg.stats).toEqual(statsBefore);
          expect(root.ecsId).toBe(baseId);
        } else {
          const stored = reg.getStoredEntity<PRoot>(root.ecsId);
          expect(Object.isFrozen(stored)).toBe(true);
          expect(snapshot(stored)).toEqual(snapshot(root));
          // structural sharing: every entity that did not fork is the very same stored object
          const oldTree = reg.getStoredTree(baseId);
          const newTree = reg.getStoredTree(root.ecsId);
          for (const [id, e] of newTree.nodes) {
            if (oldTree.nodes.has(id)) expect(e).toBe(oldTree.nodes.get(id));
          }
          expect(newTree.nodeCount).toBe(idsOf(root).size);
          expect(reg.stats.versions).toBe(statsBefore.versions + 1);
          expect(reg.stats.entities).toBe(statsBefore.entities + result.idMap.size + naive.added.length);
          expect(indexTable(reg.getVersion(root.ecsId).index)).toEqual(lineageTable(stored));
          expectedLineage.push({ ecsId: root.ecsId, parentEcsId: baseId });
          history.push({ id: root.ecsId, snap: snapshot(stored, { rootIds: true }) });
        }
        // every stored version reads exactly as it did
        for (const h of history) expect(snapshot(reg.getStoredEntity<PRoot>(h.id), { rootIds: true })).toEqual(h.snap);
        expect(reg.lineage(lineageId)).toEqual(expectedLineage);
        expect(reg.latest<PRoot>(lineageId)!.ecsId).toBe(expectedLineage[expectedLineage.length - 1].ecsId);
      }
    }),
    { numRuns: RUNS },
  );
});

test('a no-op round trip: checkout, no edits, version() creates nothing', () => {
  fc.assert(
    fc.property(treeSpecArb(14), (spec) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      const stats = reg.stats;
      const co = reg.checkout<PRoot>(root.ecsId);
      const r = reg.version(co);
      expect(r.created).toBe(false);
      expect(r.idMap.size).toBe(0);
      expect(reg.stats).toEqual(stats);
      expect(co.ecsId).toBe(root.ecsId);
    }),
    { numRuns: 600 },
  );
});
