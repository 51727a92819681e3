/**
 * diff/field-children.ts: which entity children left one field and which entered it (and where),
 * whether two equal values hold the same entity objects, the place map's `enter`, and the field
 * name of a place signature.
 */
import fc from 'fast-check';
import { EntityRegistry, TreeStructureError } from '../../src';
import type { EntityObject } from '../../src/metadata/object-model';
import {
  diffChildren,
  enter,
  fieldOfPlace,
  sameEntityKind,
  sameEntityObjects,
  type NewPlace,
} from '../../src/diff/field-children';
import { freezeFlatArray } from '../../src/metadata/values';
import { PpBox, PpItem, eo } from '../support/pipeline';

function items(n: number): EntityObject[] {
  return Array.from({ length: n }, (_, i) => eo(new PpItem({ name: `i${i}` })));
}

interface Outcome {
  outcome: string;
  left: Map<EntityObject, EntityObject>;
  entered: Map<EntityObject, NewPlace>;
}

function diff(before: unknown, after: unknown, beforeFlat = false, owner: EntityObject = eo(new PpBox())): Outcome {
  const left = new Map<EntityObject, EntityObject>();
  const entered = new Map<EntityObject, NewPlace>();
  const outcome = diffChildren('items', 1, before, after, beforeFlat, owner, left, entered);
  return { outcome, left, entered };
}

describe('fieldOfPlace', () => {
  test.each([
    ['agents[]', 'agents'],
    ['grid[0][]', 'grid'],
    ['byKey{a}', 'byKey'],
    ['info.sub', 'info'],
    ['bag<>', 'bag'],
    ['best', 'best'],
    ['', ''],
    ['[odd', '[odd'], // no field name before the bracket: the place as it is
  ])('%j -> %j', (place, field) => {
    expect(fieldOfPlace(place)).toBe(field);
  });
});

describe('enter', () => {
  const owner = eo(new PpBox({ name: 'o' }));
  const other = eo(new PpBox({ name: 'p' }));
  test('records the first place, is a no-op for the same place again, throws for a second place', () => {
    const [c] = items(1);
    const entered = new Map<EntityObject, NewPlace>();
    const np: NewPlace = { owner, fieldIndex: 1, place: 'items[]', path: ['items', 0] };
    expect(enter(entered, c, np)).toBe(true);
    expect(entered.get(c)).toBe(np);
    expect(enter(entered, c, { ...np, path: ['items', 0] })).toBe(false);
    expect(entered.get(c)).toBe(np);
    expect(() => enter(entered, c, { ...np, path: ['items', 1] })).toThrow(TreeStructureError);
    expect(() => enter(entered, c, { ...np, owner: other })).toThrow(
      /occurs twice in the tree \(a shared reference\): at PpBox\.items\[0\] and at PpBox\.items\[0\]/,
    );
    expect(() => enter(entered, c, { ...np, path: ['items', 3] })).toThrow(
      /at PpBox\.items\[0\] and at PpBox\.items\[3\]/,
    );
  });
});

describe('sameEntityObjects', () => {
  const [a, b, c] = items(3);
  test('entities: the same object only', () => {
    expect(sameEntityObjects(a, a, 'f')).toBe(true);
    expect(sameEntityObjects(a, b, 'f')).toBe(false);
    expect(sameEntityObjects(a, [a], 'f')).toBe(false);
    expect(sameEntityObjects(null, a, 'f')).toBe(false);
  });
  test('primitives and entity-free data: nothing to compare', () => {
    expect(sameEntityObjects(1, 2, 'f')).toBe(true);
    expect(sameEntityObjects(null, null, 'f')).toBe(true);
    expect(sameEntityObjects({ x: 1 }, { x: 2 }, 'f')).toBe(true);
  });
  test('containers: the same set of entity objects, wherever they sit', () => {
    expect(sameEntityObjects([a, b], [b, a], 'f')).toBe(true);
    expect(
      sameEntityObjects(
        [a, b],
        new Map([
          ['k', a],
          ['j', b],
        ]),
        'f',
      ),
    ).toBe(true);
    expect(sameEntityObjects({ x: [a] }, { y: new Set([a]) }, 'f')).toBe(true);
    expect(sameEntityObjects([a, b], [a, c], 'f')).toBe(false);
    expect(sameEntityObjects([a, b], [a], 'f')).toBe(false);
    expect(sameEntityObjects([a], [a, a], 'f')).toBe(false); // one more occurrence
  });
  test('another object of the same lineage (a working copy) is another object', () => {
    const registry = new EntityRegistry();
    const item = new PpItem({ name: 'x' });
    registry.promoteToRoot(item);
    const stored = registry.getStoredEntity<PpItem>(item.ecsId);
    const copy = registry.checkout<PpItem>(item.ecsId);
    expect(sameEntityObjects([eo(stored)], [eo(copy)], 'f')).toBe(false);
    expect(sameEntityKind(eo(stored), eo(copy))).toBe('two copies of the same version');
    expect(sameEntityKind(eo(stored), eo(stored))).toBe('a shared reference');
  });
});

describe('diffChildren: arrays', () => {
  test('a flat array equal by identity and value is unchanged', () => {
    const [a, b] = items(2);
    const before = freezeFlatArray([a, 1, 'x', b]);
    expect(diff(before, [a, 1, 'x', b], true).outcome).toBe('unchanged');
    expect(diff(before, [a, 2, 'x', b], true).outcome).toBe('changed');
  });

  test('a reorder within one array moves nothing (the place has no index)', () => {
    const [a, b, c] = items(3);
    const r = diff(freezeFlatArray([a, b, c]), [c, a, b], true);
    expect(r.outcome).toBe('changed');
    expect(r.left.size).toBe(0);
    expect(r.entered.size).toBe(0);
  });

  test('removed children leave (owner recorded), added ones enter with their new index, shared ends are skipped', () => {
    const [a, b, c, d] = items(4);
    const owner = eo(new PpBox({ name: 'owner' }));
    const r = diff(freezeFlatArray([a, b, c]), [a, d, c], true, owner);
    expect([...r.left.entries()]).toEqual([[b, owner]]);
    expect([...r.entered.keys()]).toEqual([d]);
    expect(r.entered.get(d)).toEqual({ owner, fieldIndex: 1, place: 'items[]', path: ['items', 1] });
  });

  test('an item holding a container makes the outcome changed-not-flat; its entities get nested places', () => {
    const [a, b] = items(2);
    const r = diff(freezeFlatArray([a]), [a, [b]], true);
    expect(r.outcome).toBe('changed-not-flat');
    expect(r.entered.get(b)).toMatchObject({ place: 'items[1][]', path: ['items', 1, 0] });
  });

  test('a move between nested arrays is a leave and an enter; within one nested array it is not', () => {
    const [a, b] = items(2);
    const moved = diff([[a], [b]], [[], [b, a]]);
    expect([...moved.left.keys()]).toEqual([a]);
    expect(moved.entered.get(a)).toMatchObject({ place: 'items[1][]', path: ['items', 1, 1] });
    const within = diff([[a, b]], [[b, a]]);
    expect(within.left.size).toBe(0);
    expect(within.entered.size).toBe(0);
  });

  test('the same entity twice in the changed window is a TreeStructureError', () => {
    const [a, b] = items(2);
    expect(() => diff(freezeFlatArray([a]), [b, b], true)).toThrow(TreeStructureError);
    expect(() => diff([a], [b, a, b])).toThrow(/occurs twice in the tree/);
  });

  test('a second occurrence of a child in the shared prefix is reported as entered (the draft diff refuses it)', () => {
    const [a, b] = items(2);
    const r = diff(freezeFlatArray([a, b]), [a, b, b], true);
    expect(r.left.size).toBe(0);
    expect(r.entered.get(b)).toMatchObject({ path: ['items', 2] });
  });
});

describe('diffChildren: other values', () => {
  test('a Map: entering under a new key, leaving a removed key, a move between keys is both', () => {
    const [a, b, c] = items(3);
    const r = diff(
      new Map([
        ['x', a],
        ['y', b],
      ]),
      new Map([
        ['x', a],
        ['z', b],
        ['w', c],
      ]),
    );
    expect(r.outcome).toBe('changed');
    expect(r.left.has(a)).toBe(false);
    expect(r.left.has(b)).toBe(true);
    expect([...r.entered.keys()].sort((p, q) => (p === b ? -1 : q === b ? 1 : 0))).toEqual([b, c]);
    expect(r.entered.get(b)).toMatchObject({ place: 'items{z}', path: ['items', 'z'] });
  });

  test('a single entity replaced by another: one leaves, one enters at the field itself', () => {
    const [a, b] = items(2);
    const r = diff(a, b);
    expect([...r.left.keys()]).toEqual([a]);
    expect(r.entered.get(b)).toMatchObject({ place: 'items', path: ['items'] });
    const cleared = diff(a, null);
    expect([...cleared.left.keys()]).toEqual([a]);
    expect(cleared.entered.size).toBe(0);
  });

  test('a Set: member order is no place', () => {
    const [a, b] = items(2);
    const r = diff(new Set([a, b]), new Set([b, a]));
    expect(r.left.size).toBe(0);
    expect(r.entered.size).toBe(0);
  });

  test('an array replacing a non-array: not flat when it holds containers', () => {
    const [a] = items(1);
    expect(diff(null, [a, { k: 1 }]).outcome).toBe('changed-not-flat');
    expect(diff(null, [a, 1]).outcome).toBe('changed');
  });
});

describe('property: diffChildren on arrays of entities agrees with a naive set comparison', () => {
  const POOL = 8;
  // before: distinct entities from a pool (with primitives between them); after: another such array
  const arrayOf = fc
    .uniqueArray(fc.nat(POOL - 1), { maxLength: POOL })
    .chain((ids) =>
      fc.tuple(fc.constant(ids), fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length })),
    );
  test.each([true, false])('beforeFlat = %s', (beforeFlat) => {
    fc.assert(
      fc.property(arrayOf, arrayOf, fc.integer({ min: 0, max: 3 }), ([bIds, bNums], [aIds, aNums], extra) => {
        const pool = items(POOL);
        const build = (ids: number[], nums: boolean[]): unknown[] =>
          ids.flatMap((id, k) => (nums[k] ? [pool[id], k] : [pool[id]]));
        const beforeList = build(bIds, bNums);
        const afterList = [...build(aIds, aNums), ...Array.from({ length: extra }, () => 0)];
        const before = beforeFlat ? freezeFlatArray(beforeList.slice()) : beforeList;
        const owner = eo(new PpBox());
        const r = diff(before, afterList, beforeFlat, owner);

        const beforeSet = new Set(bIds.map((i) => pool[i]));
        const afterSet = new Set(aIds.map((i) => pool[i]));
        const naiveLeft = [...beforeSet].filter((e) => !afterSet.has(e));
        const naiveEntered = [...afterSet].filter((e) => !beforeSet.has(e));
        const names = (es: Iterable<EntityObject>): string[] =>
          [...es].map((e) => (e as unknown as PpItem).name).sort();
        expect(names(r.left.keys())).toEqual(names(naiveLeft));
        for (const v of r.left.values()) expect(v).toBe(owner);
        expect(names(r.entered.keys())).toEqual(names(naiveEntered));
        for (const [e, np] of r.entered) {
          expect(np.owner).toBe(owner);
          expect(np.place).toBe('items[]');
          expect(afterList[np.path[1] as number]).toBe(e);
        }
        const identical = beforeList.length === afterList.length && beforeList.every((v, i) => v === afterList[i]);
        if (beforeFlat) expect(r.outcome).toBe(identical ? 'unchanged' : 'changed');
        else expect(r.outcome).toBe('changed'); // equality is decided by the caller there
      }),
      { numRuns: 300 },
    );
  });
});
