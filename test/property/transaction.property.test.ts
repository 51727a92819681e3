/**
 * Property (c): the Transaction path. Each round applies the same random edit sequence
 *  - inside `tx.run` to the STORED version (copy-on-write draft), then commits, and
 *  - to a checkout of that version, then `version()` (and to a second checkout kept as the naive result).
 * The transaction's new version reads exactly like the naive result, forks exactly the same set of
 * entities as version() did, shares what did not fork, and every stored version (the input
 * included) reads exactly as before. Rounds chain: the next round starts from the transaction's result.
 */
import fc from 'fast-check';
import { EntityRegistry } from '../../src';
import { Transaction } from '../support/transaction';
import type { EntityObject } from '../../src/metadata/object-model';
import { idsOf, indexTable, lineageTable, naiveDiff, snapshot } from '../support/naive';
import { PRoot } from '../support/models';
import { applyEdits, buildTree, editsArb, treeSpecArb, type Edit } from '../support/trees';

const RUNS = Number(process.env.PROP_RUNS ?? 1000);

let executions = 0;

/** One round; returns the stored root to continue from. */
function round(
  reg: EntityRegistry,
  stored: PRoot,
  edits: Edit[],
  history: Array<{ id: string; snap: unknown }>,
): PRoot {
  const baseIds = idsOf(stored);
  const lineageBefore = reg.lineage(stored.lineageId);

  // naive result and the version() path, both from checkouts of the same stored version
  const naiveResult = reg.checkout<PRoot>(stored.ecsId);
  applyEdits(naiveResult, edits);
  const naive = naiveDiff(stored, naiveResult);
  const viaVersion = reg.checkout<PRoot>(stored.ecsId);
  applyEdits(viaVersion, edits);
  const r = reg.version(viaVersion);
  expect([...r.idMap.keys()].sort()).toEqual(naive.modified.filter((id) => baseIds.has(id)).sort());
  const statsBefore = reg.stats;

  // the transaction path
  const executionId = `exec-${executions++}`;
  const tx = new Transaction(reg, { functionName: 'edit', executionId });
  tx.addInput(stored as unknown as EntityObject);
  const out = tx.run(() => {
    applyEdits(stored, edits);
    // inside the run, the draft reads like the naive result (nothing forked yet)
    expect(snapshot(stored, { relativeTo: baseIds })).toEqual(snapshot(naiveResult, { relativeTo: baseIds }));
    return stored;
  });
  expect(out).toBe(stored);
  const { outputs, versions } = tx.commit([out as unknown as EntityObject]);
  const result = outputs[0].entity as unknown as PRoot;

  if (!r.created) {
    expect(naive.modified).toEqual([]);
    expect(outputs[0].semantic).toBe('unchanged');
    expect(result).toBe(stored);
    expect(versions).toHaveLength(0);
    expect(reg.stats).toEqual(statsBefore);
  } else {
    expect(outputs[0].semantic).toBe('mutation');
    expect(versions).toHaveLength(1);
    expect(Object.isFrozen(result)).toBe(true);
    expect(result.previousEcsId).toBe(stored.ecsId);
    // reads exactly like the naive result (ids relative to the base version) ...
    expect(snapshot(result, { relativeTo: baseIds })).toEqual(
      snapshot(naiveResult, { relativeTo: baseIds, forking: new Set(naive.modified) }),
    );
    // ... and like version()'s result, fork for fork
    expect(snapshot(result, { relativeTo: baseIds })).toEqual(snapshot(viaVersion, { relativeTo: baseIds }));
    const newTree = reg.getStoredTree(result.ecsId);
    const forked = [...newTree.nodes.values()]
      .map((e) => e as unknown as PRoot)
      .filter((e) => !baseIds.has(e.ecsId) && e.previousEcsId !== null && baseIds.has(e.previousEcsId))
      .map((e) => e.previousEcsId!)
      .sort();
    expect(forked).toEqual([...r.idMap.keys()].sort());
    // structural sharing; provenance on every new stored entity; everything frozen
    const oldTree = reg.getStoredTree(stored.ecsId);
    for (const [id, e] of newTree.nodes) {
      if (oldTree.nodes.has(id)) expect(e).toBe(oldTree.nodes.get(id));
      else {
        expect((e as unknown as PRoot).derivedFromFunction).toBe('edit');
        expect((e as unknown as PRoot).derivedFromExecutionId).toBe(executionId);
      }
      expect(Object.isFrozen(e)).toBe(true);
    }
    expect(reg.stats.versions).toBe(statsBefore.versions + 1);
    expect(reg.stats.entities).toBe(statsBefore.entities + r.idMap.size + naive.added.length);
    expect(reg.lineage(stored.lineageId)).toEqual([
      ...lineageBefore,
      { ecsId: viaVersion.ecsId, parentEcsId: stored.ecsId },
      { ecsId: result.ecsId, parentEcsId: stored.ecsId },
    ]);
    // the version's index (lineage -> stored entity) lists exactly the entities of its tree
    expect(indexTable(reg.getVersion(result.ecsId).index)).toEqual(lineageTable(result));
    history.push({ id: result.ecsId, snap: snapshot(result, { rootIds: true }) });
  }
  for (const h of history) expect(snapshot(reg.getStoredEntity<PRoot>(h.id), { rootIds: true })).toEqual(h.snap);
  return result;
}

test('tx.run + commit on the stored version equals version() on a checkout with the same edits', () => {
  fc.assert(
    fc.property(treeSpecArb(14), fc.array(editsArb(6), { minLength: 1, maxLength: 3 }), (spec, rounds) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      let stored = reg.getStoredEntity<PRoot>(root.ecsId);
      const history = [{ id: stored.ecsId, snap: snapshot(stored, { rootIds: true }) }];
      for (const edits of rounds) stored = round(reg, stored, edits, history);
    }),
    { numRuns: RUNS },
  );
});

test('runAsync: the same edits spread over awaits give the same version as version() on a checkout', async () => {
  await fc.assert(
    fc.asyncProperty(treeSpecArb(12), editsArb(5), async (spec, edits) => {
      const reg = new EntityRegistry();
      const root = buildTree(spec);
      reg.promoteToRoot(root);
      const stored = reg.getStoredEntity<PRoot>(root.ecsId);
      const baseIds = idsOf(stored);
      const storedSnap = snapshot(stored, { rootIds: true });
      const co = reg.checkout<PRoot>(stored.ecsId);
      applyEdits(co, edits);
      const r = reg.version(co);
      const tx = new Transaction(reg, { functionName: 'edit-async', executionId: `exec-${executions++}` });
      tx.addInput(stored as unknown as EntityObject);
      const out = await tx.runAsync(async () => {
        for (const e of edits) {
          await Promise.resolve();
          applyEdits(stored, [e]);
        }
        return stored;
      });
      // outside the run the stored input reads as before
      expect(snapshot(stored, { rootIds: true })).toEqual(storedSnap);
      const result = tx.commit([out as unknown as EntityObject]).outputs[0].entity as unknown as PRoot;
      if (r.created) expect(snapshot(result, { relativeTo: baseIds })).toEqual(snapshot(co, { relativeTo: baseIds }));
      else expect(result).toBe(stored);
      expect(snapshot(reg.getStoredEntity<PRoot>(stored.ecsId), { rootIds: true })).toEqual(storedSnap);
    }),
    { numRuns: Math.max(1, Math.round(RUNS / 5)) },
  );
});
