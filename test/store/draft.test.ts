/**
 * store/draft.ts: the copy-on-write overlay of one call. Writes land in overlays, container reads
 * give private copies made once, nothing stored changes, a closed draft refuses writes, and a second
 * version of a lineage is handed out as a working copy.
 */
import fc from 'fast-check';
import { EntityRegistry, ImmutableVersionError } from '../../src';
import { VALUES, metaOf } from '../../src/metadata/object-model';
import { UNSET } from '../../src/diff/draft-diff';
import { Draft } from '../../src/store/draft';
import { runtimeOfObject } from '../../src/entity/class-runtime';
import { PpBox, PpItem, PpRoot, buildRoot, eo, storeRoot } from '../support/pipeline';

let registry: EntityRegistry;

beforeEach(() => {
  registry = new EntityRegistry();
});

function fieldIndex(e: object, name: string): number {
  return runtimeOfObject(eo(e)).meta.fieldIndex.get(name)!;
}

describe('writes and reads inside run()', () => {
  test('a write lands in the overlay; the stored entity is unchanged, inside and after the call', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const draft = new Draft([version]);
    let seenInside: number | undefined;
    draft.run(() => {
      item.n = 41;
      seenInside = item.n;
    });
    expect(seenInside).toBe(41);
    expect(item.n).toBe(0);
    expect(eo(item)[VALUES][fieldIndex(item, 'n')]).toBe(0);
    expect(draft.writes).toBe(1);
    expect([...draft.overlays.keys()]).toEqual([item]);
    const overlay = draft.overlays.get(eo(item))!;
    expect(overlay[fieldIndex(item, 'n')]).toBe(41);
    expect(overlay[fieldIndex(item, 'name')]).toBe(UNSET);
  });

  test('reading a primitive or an entity field creates no overlay and returns the stored value', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const box = stored.boxes[0];
    const draft = new Draft([version]);
    const seen = draft.run(() => ({ name: box.name, first: box.items[0], best: box.best }));
    expect(seen.name).toBe('b0');
    expect(seen.best).toBeNull();
    // `items` is a container: reading it made a copy (an overlay on the box), its entities are the stored ones.
    expect(seen.first).toBe(stored.boxes[0].items[0]);
    expect([...draft.overlays.keys()]).toEqual([box]);
    expect(draft.writes).toBe(0);
    const readOnly = new Draft([version]);
    readOnly.run(() => void (box.name + stored.title));
    expect(readOnly.overlays.size).toBe(0);
  });

  test('a container read gives a private mutable copy, made once; the stored array stays frozen and unchanged', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const storedTags = eo(item)[VALUES][fieldIndex(item, 'tags')] as string[];
    const draft = new Draft([version]);
    const [a, b] = draft.run(() => {
      const a = item.tags;
      a.push('x');
      return [a, item.tags];
    });
    expect(a).toBe(b);
    expect(a).not.toBe(storedTags);
    expect(a).toEqual(['t', 'x']);
    expect(Object.isFrozen(storedTags)).toBe(true);
    expect(storedTags).toEqual(['t']);
    expect(item.tags).toEqual(['t']); // outside the call: the stored value
    expect(draft.writes).toBe(0); // mutating a copy is no field write
  });

  test('a flat stored array copied for the function knows its source until released; a record copy does not', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const box = stored.boxes[0];
    const storedTags = eo(item)[VALUES][fieldIndex(item, 'tags')];
    const draft = new Draft([version]);
    const { tags, info } = draft.run(() => ({ tags: item.tags, info: box.info }));
    expect(draft.flatSourceOf(tags)).toBe(storedTags);
    expect(draft.flatSourceOf(info)).toBeUndefined();
    expect(draft.flatSourceOf(['t'])).toBeUndefined();
    draft.releaseFlat(tags);
    expect(draft.flatSourceOf(tags)).toBeUndefined();
  });

  test('valuesOf: the stored values for an untouched entity, the merged values for an overlaid one', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const other = stored.boxes[0].items[1];
    const draft = new Draft([version]);
    draft.run(() => {
      item.name = 'renamed';
    });
    expect(draft.valuesOf(eo(other))).toBe(eo(other)[VALUES]);
    const merged = draft.valuesOf(eo(item));
    const storedValues = eo(item)[VALUES];
    expect(merged).toHaveLength(storedValues.length);
    merged.forEach((v, i) => {
      if (i === fieldIndex(item, 'name')) expect(v).toBe('renamed');
      else expect(v).toBe(storedValues[i]); // same objects, no copies
    });
    expect(merged).not.toContain(UNSET);
  });

  test('a write of an entity from the same tree is kept as that very object', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const box = stored.boxes[0];
    const item = stored.boxes[1].items[0];
    const draft = new Draft([version]);
    draft.run(() => {
      box.best = item;
    });
    expect(draft.valuesOf(eo(box))[fieldIndex(box, 'best')]).toBe(item);
    expect(box.best).toBeNull();
  });
});

describe('closing', () => {
  test('after run() returns, a write is refused and a read gives the stored value', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const draft = new Draft([version]);
    draft.run(() => {
      item.n = 5;
    });
    expect(() => draft.write(eo(item), fieldIndex(item, 'n'), 6)).toThrow(ImmutableVersionError);
    expect(() => draft.write(eo(item), fieldIndex(item, 'n'), 6)).toThrow(/PpItem\.n on stored version .*has returned/);
    expect(draft.read(eo(item), fieldIndex(item, 'n'), 0)).toBe(0);
    expect(draft.overlays.get(eo(item))![fieldIndex(item, 'n')]).toBe(5);
  });

  test('a function that throws closes the draft too', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const draft = new Draft([version]);
    expect(() =>
      draft.run(() => {
        item.n = 1;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(() => draft.write(eo(item), fieldIndex(item, 'n'), 2)).toThrow(ImmutableVersionError);
  });

  test('close() refuses later writes on a draft that never ran', () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const draft = new Draft([version]);
    draft.write(eo(item), fieldIndex(item, 'n'), 3);
    expect(draft.writes).toBe(1);
    draft.close();
    expect(() => draft.write(eo(item), fieldIndex(item, 'n'), 4)).toThrow(ImmutableVersionError);
    expect(draft.writes).toBe(1);
  });

  test('runAsync: writes after an await land in the draft; a write left running after it resolved is refused', async () => {
    const { stored, version } = storeRoot(registry, buildRoot());
    const item = stored.boxes[0].items[0];
    const draft = new Draft([version]);
    let late: Promise<unknown> | undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await draft.runAsync(async () => {
      await Promise.resolve();
      item.n = 7;
      late = gate.then(() => {
        item.n = 8;
      });
    });
    expect(draft.overlays.get(eo(item))![fieldIndex(item, 'n')]).toBe(7);
    release();
    await expect(late).rejects.toThrow(ImmutableVersionError);
    expect(draft.overlays.get(eo(item))![fieldIndex(item, 'n')]).toBe(7);
    expect(item.n).toBe(0);
  });
});

describe('inputs: drafted in place, or handed out as working copies', () => {
  test('versions of different lineages are all drafted, in order; nothing is copied; handedOut is the identity', () => {
    const a = storeRoot(registry, buildRoot(1, 1));
    const b = storeRoot(registry, buildRoot(1, 1));
    const draft = new Draft([b.version, a.version]);
    expect(draft.drafted).toEqual([b.version, a.version]);
    expect(draft.copied).toEqual([]);
    const item = a.stored.boxes[0].items[0];
    expect(draft.handedOut(eo(item), a.version)).toBe(item);
  });

  test('a second version of a lineage is handed out as a working copy of its whole tree', () => {
    const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(2, 2));
    const co = registry.checkout<PpRoot>(v1.ecsId);
    co.title = 'second';
    registry.version(co);
    const ver2 = registry.latestVersion(ver1.lineageId)!;
    const v2 = ver2.root as unknown as PpRoot;
    expect(v2.boxes[0]).toBe(v1.boxes[0]); // the versions share unchanged objects

    const draft = new Draft([ver1, ver2]);
    expect(draft.drafted).toEqual([ver1]);
    expect(draft.copied).toHaveLength(1);
    const c = draft.copied[0];
    expect(c.input).toBe(ver2);
    const root = c.root as unknown as PpRoot;
    expect(metaOf(root).stored).toBe(false);
    expect(root.ecsId).toBe(v2.ecsId);
    expect(root.title).toBe('second');
    // every entity of the second version has a copy, and `copied` is exactly those copies
    expect(c.copies.size).toBe(ver2.index.size);
    for (const e of ver2.index.values()) {
      const copy = c.copies.get(e)!;
      expect(copy).not.toBe(e);
      expect(metaOf(copy).ecsId).toBe(metaOf(e).ecsId);
      expect(c.copied.has(copy)).toBe(true);
    }
    expect(c.copied.size).toBe(c.copies.size);

    // The shared box: itself for the drafted first version, its copy for the second.
    const shared = eo(v1.boxes[0]);
    expect(draft.handedOut(shared, ver1)).toBe(shared);
    expect(draft.handedOut(shared, ver2)).toBe(c.copies.get(shared));
    expect(draft.handedOut(eo(v2), ver2)).toBe(c.root);
  });

  test('an edit of the copy does not reach the drafted version, and the reverse', () => {
    const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(1, 1));
    const co = registry.checkout<PpRoot>(v1.ecsId);
    co.title = 'second';
    registry.version(co);
    const ver2 = registry.latestVersion(ver1.lineageId)!;
    const draft = new Draft([ver1, ver2]);
    const copyBox = draft.handedOut(eo(v1.boxes[0]), ver2) as unknown as PpBox;
    const seen = draft.run(() => {
      v1.boxes[0].name = 'drafted';
      copyBox.items[0].name = 'copied';
      return { drafted: v1.boxes[0].items[0].name, copied: copyBox.name };
    });
    expect(seen).toEqual({ drafted: 'b0-0', copied: 'b0' });
    // reading `v1.boxes` overlaid the root (a container copy), writing the name overlaid the box;
    // the copy is a working object: it has no overlay
    const keys = [...draft.overlays.keys()];
    expect(keys).toHaveLength(2);
    expect(keys).toContain(eo(v1));
    expect(keys).toContain(eo(v1.boxes[0]));
    expect(v1.boxes[0].name).toBe('b0');
  });
});

describe('property: the draft behaves as a private copy of each field', () => {
  test('random writes and reads match a naive per-field model; stored values never change', () => {
    const { stored, version } = storeRoot(registry, buildRoot(2, 3));
    const items: PpItem[] = stored.boxes.flatMap((b) => b.items);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('n' as const), item: fc.nat(items.length - 1), value: fc.integer() }),
      fc.record({
        kind: fc.constant('name' as const),
        item: fc.nat(items.length - 1),
        value: fc.string({ maxLength: 3 }),
      }),
      fc.record({
        kind: fc.constant('push' as const),
        item: fc.nat(items.length - 1),
        value: fc.string({ maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('read' as const), item: fc.nat(items.length - 1), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const model = items.map((it) => ({ n: it.n, name: it.name, tags: [...it.tags], touched: false }));
        const draft = new Draft([version]);
        draft.run(() => {
          for (const o of ops) {
            const it = items[o.item];
            const m = model[o.item];
            if (o.kind === 'n') {
              it.n = o.value;
              m.n = o.value;
              m.touched = true;
            } else if (o.kind === 'name') {
              it.name = o.value;
              m.name = o.value;
              m.touched = true;
            } else if (o.kind === 'push') {
              it.tags.push(o.value);
              m.tags.push(o.value);
              m.touched = true;
            } else {
              m.touched = true; // reading `tags` copies it (an overlay), even with no write
              expect({ n: it.n, name: it.name, tags: [...it.tags] }).toEqual({ n: m.n, name: m.name, tags: m.tags });
            }
          }
        });
        items.forEach((it, k) => {
          const m = model[k];
          expect(draft.overlays.has(eo(it))).toBe(m.touched);
          const values = draft.valuesOf(eo(it));
          expect([values[fieldIndex(it, 'name')], values[fieldIndex(it, 'n')], values[fieldIndex(it, 'tags')]]).toEqual(
            [m.name, m.n, m.tags],
          );
          // the stored version is untouched
          expect([it.name, it.n, [...it.tags]]).toEqual([`b${Math.floor(k / 3)}-${k % 3}`, k % 3, ['t']]);
        });
        expect(draft.writes).toBe(ops.filter((o) => o.kind === 'n' || o.kind === 'name').length);
      }),
      { numRuns: 100 },
    );
  });
});
