/**
 * SPEC §4: stored versions are immutable. Every object the API hands out is attacked; afterwards
 * the stored version must read exactly as before, and the registry must behave as before.
 */
import { Entity, EntityRegistry, ImmutableVersionError, entity } from '../../src';
import { fromJSON, toJSON } from '../../src/serialize';
import { Transaction } from '../support/transaction';
import type { EntityObject } from '../../src/metadata/object-model';
import { indexTable, lineageTable, snapshot } from '../support/naive';

@entity()
class Item extends Entity {
  label = '';
  n = 0;
}

@entity()
class Vault extends Entity {
  title = '';
  when: Date = new Date(0);
  tags: string[] = [];
  nested: { deep: { values: number[] } } = { deep: { values: [] } };
  byKey: Map<string, Item> = new Map();
  data: Map<string, number[]> = new Map();
  members: Set<string> = new Set();
  items: Item[] = [];
  child: Item | null = null;
}

@entity()
class Bag extends Entity {
  xs: unknown[] = [];
  items: Item[] = [];
}

function makeVault(): Vault {
  return new Vault({
    title: 'v',
    when: new Date(1000),
    tags: ['a', 'b'],
    nested: { deep: { values: [1, 2, 3] } },
    byKey: new Map([['k', new Item({ label: 'in map' })]]),
    data: new Map([['xs', [1, 2]]]),
    members: new Set(['m1']),
    items: [new Item({ label: 'i0' }), new Item({ label: 'i1' })],
    child: new Item({ label: 'child', n: 1 }),
  });
}

function setup() {
  const reg = new EntityRegistry();
  const v = makeVault();
  reg.promoteToRoot(v);
  const id = v.ecsId;
  v.items[0].n = 5; // a second version, so history has something to protect
  reg.version(v);
  const snaps = reg.lineage(v.lineageId).map((l) => ({
    id: l.ecsId,
    snap: snapshot(reg.getStoredEntity<Vault>(l.ecsId), { rootIds: true }),
    plain: snapshot(reg.getStoredEntity<Vault>(l.ecsId)),
  }));
  const stats = reg.stats;
  const lineage = reg.lineage(v.lineageId);
  const check = () => {
    for (const s of snaps) expect(snapshot(reg.getStoredEntity<Vault>(s.id), { rootIds: true })).toEqual(s.snap);
    expect(reg.stats).toEqual(stats);
    expect(reg.lineage(v.lineageId)).toEqual(lineage);
    // and the registry still works from the stored state: a checkout with no edits is no change
    for (const s of snaps) {
      expect(snapshot(reg.checkout<Vault>(s.id))).toEqual(s.plain);
      expect(reg.version(reg.checkout<Vault>(s.id)).created).toBe(false);
    }
    expect(reg.stats).toEqual(stats);
  };
  return { reg, v, v1: id, stored: reg.getStoredEntity<Vault>(id), latest: reg.getStoredEntity<Vault>(v.ecsId), check };
}

/** Runs an attack; a throw is fine (and expected), a silent change is not. */
function attempt(fn: () => unknown): void {
  try {
    fn();
  } catch {
    /* refused */
  }
}

describe('stored entities', () => {
  test('field assignment throws ImmutableVersionError naming the field', () => {
    const { stored, check } = setup();
    expect(() => {
      stored.title = 'x';
    }).toThrow(ImmutableVersionError);
    expect(() => {
      stored.title = 'x';
    }).toThrow(/Vault\.title/);
    expect(() => {
      stored.child = null;
    }).toThrow(ImmutableVersionError);
    expect(() => Object.assign(stored, { title: 'y' })).toThrow(ImmutableVersionError);
    expect(() => Reflect.set(stored, 'tags', [])).toThrow(ImmutableVersionError);
    check();
  });

  test('nested arrays and plain objects are frozen', () => {
    const { stored, check } = setup();
    expect(() => stored.tags.push('c')).toThrow(TypeError);
    expect(() => {
      stored.tags[0] = 'z';
    }).toThrow(TypeError);
    expect(() => stored.tags.sort()).toThrow(TypeError);
    expect(() => stored.items.reverse()).toThrow(TypeError);
    expect(() => stored.items.splice(0, 1)).toThrow(TypeError);
    expect(() => Array.prototype.push.call(stored.tags, 'q')).toThrow(TypeError);
    expect(() => {
      stored.nested.deep.values[0] = 9;
    }).toThrow(TypeError);
    expect(() => {
      (stored.nested as { deep: unknown }).deep = {};
    }).toThrow(TypeError);
    expect(() => stored.data.get('xs')!.push(3)).toThrow(TypeError);
    check();
  });

  test('Map, Set and Date mutators throw ImmutableVersionError', () => {
    const { stored, check } = setup();
    expect(() => stored.byKey.set('k2', new Item())).toThrow(ImmutableVersionError);
    expect(() => stored.byKey.delete('k')).toThrow(ImmutableVersionError);
    expect(() => stored.byKey.clear()).toThrow(ImmutableVersionError);
    expect(() => stored.data.set('xs', [])).toThrow(ImmutableVersionError);
    expect(() => stored.members.add('m2')).toThrow(ImmutableVersionError);
    expect(() => stored.members.delete('m1')).toThrow(ImmutableVersionError);
    expect(() => stored.members.clear()).toThrow(ImmutableVersionError);
    for (const setter of ['setTime', 'setFullYear', 'setUTCHours', 'setMonth', 'setDate', 'setMilliseconds'] as const) {
      expect(() => (stored.when[setter] as (v: number) => number)(0)).toThrow(ImmutableVersionError);
    }
    check();
  });

  test('Map built-in methods called directly (Map.prototype.set.call) cannot change stored data', () => {
    const { stored, check } = setup();
    attempt(() => Map.prototype.set.call(stored.byKey, 'k2', new Item()));
    attempt(() => Map.prototype.delete.call(stored.byKey, 'k'));
    attempt(() => Map.prototype.clear.call(stored.data));
    check();
  });

  test('Set built-in methods called directly (Set.prototype.add.call) cannot change stored data', () => {
    const { stored, check } = setup();
    attempt(() => Set.prototype.add.call(stored.members, 'm2'));
    attempt(() => Set.prototype.clear.call(stored.members));
    check();
  });

  test('Date built-in methods called directly (Date.prototype.setTime.call) cannot change stored data', () => {
    const { stored, check } = setup();
    attempt(() => Date.prototype.setTime.call(stored.when, 0));
    attempt(() => Date.prototype.setFullYear.call(stored.when, 1999));
    check();
  });

  test('defineProperty, delete, setPrototypeOf, new properties, the values symbol', () => {
    const { stored, check } = setup();
    expect(() => Object.defineProperty(stored, 'title', { value: 'x' })).toThrow(TypeError);
    expect(() => Object.defineProperty(stored.tags, 0, { value: 'x' })).toThrow(TypeError);
    expect(() => Object.defineProperty(stored.nested, 'deep', { value: {} })).toThrow(TypeError);
    expect(() => Object.defineProperty(stored.when, 'getTime', { value: () => 0 })).toThrow(TypeError);
    expect(() => Object.defineProperty(stored.byKey, 'get', { value: () => undefined })).toThrow(TypeError);
    expect(() => {
      delete (stored.tags as unknown as Record<number, unknown>)[0];
    }).toThrow(TypeError);
    expect(() => {
      delete (stored.nested as Partial<typeof stored.nested>).deep;
    }).toThrow(TypeError);
    attempt(() => {
      delete (stored as Partial<Vault>).title; // no own property: a no-op at most
    });
    expect(() => Object.setPrototypeOf(stored, {})).toThrow(TypeError);
    expect(() => {
      (stored as unknown as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
    for (const sym of Object.getOwnPropertySymbols(stored)) {
      const values = (stored as unknown as Record<symbol, unknown[]>)[sym];
      expect(() => {
        (stored as unknown as Record<symbol, unknown>)[sym] = [];
      }).toThrow(TypeError);
      if (Array.isArray(values)) {
        expect(() => {
          values[0] = 'hacked';
        }).toThrow(TypeError);
        expect(() => values.push(1)).toThrow(TypeError);
      }
    }
    check();
  });

  test('child entities reached through stored containers are stored and frozen', () => {
    const { stored, check } = setup();
    const inMap = stored.byKey.get('k')!;
    expect(() => {
      inMap.label = 'x';
    }).toThrow(ImmutableVersionError);
    expect(() => {
      stored.items[1].n = 3;
    }).toThrow(ImmutableVersionError);
    expect(() => {
      stored.child!.label = 'x';
    }).toThrow(ImmutableVersionError);
    expect(Object.isFrozen(inMap)).toBe(true);
    check();
  });

  test('system fields of stored entities: returned arrays, objects and Dates are not the stored ones', () => {
    const { latest, check } = setup();
    const item = latest.items[0];
    attempt(() => item.oldIds.push('00000000-0000-4000-8000-000000000000'));
    attempt(() => (item.siblingOutputEntities as string[]).push('x'));
    attempt(() => {
      (item.attributeSource as Record<string, string | null>).label = 'x';
    });
    attempt(() => item.createdAt.setTime(0));
    attempt(() => item.forkedAt!.setTime(0));
    attempt(() => {
      (item as unknown as Record<string, unknown>).ecsId = 'x';
    });
    expect(item.oldIds).toHaveLength(1);
    expect(item.attributeSource).toEqual({});
    expect(item.siblingOutputEntities).toEqual([]);
    check();
  });
});

describe('other objects the API hands out', () => {
  test('getStoredTree: editing the returned tree changes neither later reads nor versioning', () => {
    const { reg, v1, latest, check } = setup();
    for (const id of [v1, latest.ecsId]) {
      const t = reg.getStoredTree(id);
      const nodes = t.nodeCount;
      const edges = t.edges.map((e) => ({ ...e, path: [...e.path] }));
      attempt(() => (t.edges[0].path as unknown[]).push('x'));
      attempt(() => {
        (t.edges[0] as { field: string }).field = 'hacked';
      });
      attempt(() => t.edges.splice(0, t.edges.length));
      attempt(() => t.nodes.clear());
      attempt(() => t.edgeTo.clear());
      attempt(() => t.byLineage.clear());
      attempt(() => t.depth.clear());
      attempt(() => {
        t.maxDepth = 99;
      });
      const again = reg.getStoredTree(id);
      expect(again.nodeCount).toBe(nodes);
      expect(again.edges).toEqual(edges);
      expect(again.maxDepth).toBe(1);
      expect(again.parentOf(latest.items[1].ecsId) === reg.getStoredEntity(id)).toBe(true);
    }
    check();
  });

  test('lineage() arrays and their entries', () => {
    const { reg, v, check } = setup();
    const l = reg.lineage(v.lineageId);
    attempt(() => l.push({ ecsId: 'x', parentEcsId: null }));
    attempt(() => l.splice(0, 1));
    attempt(() => {
      (l[0] as { ecsId: string }).ecsId = 'hacked';
    });
    attempt(() => {
      (l[1] as { parentEcsId: string | null }).parentEcsId = null;
    });
    check();
  });

  test('the version record and its root', () => {
    const { reg, v1, check } = setup();
    const version = reg.getVersion(v1);
    attempt(() => {
      (version as { root: unknown }).root = null;
    });
    attempt(() => {
      (version as { parentEcsId: unknown }).parentEcsId = 'x';
    });
    // whatever the index object offers, nothing of it may change the version
    const anyIndex = version.index as unknown as Record<string, (...args: unknown[]) => unknown>;
    attempt(() => anyIndex.set(version.lineageId, {}));
    attempt(() => anyIndex.delete(version.lineageId));
    attempt(() => anyIndex.clear());

    attempt(() => {
      (version.root as unknown as Vault).title = 'x';
    });
    expect(reg.getVersion(v1).root).toBe(reg.getStoredEntity(v1));
    expect(reg.getVersion(v1).index.get(version.lineageId)).toBe(reg.getStoredEntity(v1));
    for (const id of reg.lineage(version.lineageId).map((l) => l.ecsId)) {
      expect(indexTable(reg.getVersion(id).index)).toEqual(lineageTable(reg.getStoredEntity<Vault>(id)));
    }
    check();
    // and a transaction on the latest version still sees its whole tree
    const latestRoot = reg.latest<Vault>(version.lineageId)!;
    const tx = new Transaction(reg, { functionName: 'f', executionId: 'after-attack' });
    tx.addInput(latestRoot as unknown as EntityObject);
    tx.run(() => {
      latestRoot.items[1].n = 42;
      return latestRoot;
    });
    const result = tx.commit([latestRoot as unknown as EntityObject]).outputs[0].entity as unknown as Vault;
    expect(result.items[1].n).toBe(42);
    expect(indexTable(reg.getVersion(result.ecsId).index)).toEqual(lineageTable(result));
  });

  test('the version record: whatever else it exposes (indexMap(), delta) cannot change the version or its index', () => {
    const { reg, v1, latest, check } = setup();
    for (const id of [v1, latest.ecsId]) {
      const version = reg.getVersion(id);
      const anyVersion = version as unknown as Record<string, unknown>;
      if (typeof anyVersion.indexMap === 'function') {
        attempt(() => (anyVersion.indexMap as () => Map<string, unknown>).call(version).clear());
      }
      if (Array.isArray(anyVersion.delta)) {
        const delta = anyVersion.delta as unknown[][];
        attempt(() => delta.push([version.lineageId, null]));
        attempt(() => {
          if (delta[0]) delta[0][1] = null;
        });
      }
    }
    for (const id of [v1, latest.ecsId]) {
      expect(indexTable(reg.getVersion(id).index)).toEqual(lineageTable(reg.getStoredEntity<Vault>(id)));
      expect(reg.versionsContaining(reg.getStoredEntity<Vault>(id).items[1].ecsId)).toContain(id);
    }
    check();
  });

  test('latest() and rootsOfType() hand out stored (frozen) roots', () => {
    const { reg, v, check } = setup();
    const l = reg.latest<Vault>(v.lineageId)!;
    expect(Object.isFrozen(l)).toBe(true);
    expect(() => {
      l.title = 'x';
    }).toThrow(ImmutableVersionError);
    for (const r of reg.rootsOfType(Vault)) expect(() => r.tags.push('x')).toThrow(TypeError);
    check();
  });

  test('checkout copies: editing every part of them leaves the stored version as it was', () => {
    const { reg, v1, check } = setup();
    const co = reg.checkout<Vault>(v1);
    co.title = 'x';
    co.when.setTime(0);
    co.tags.push('c');
    co.nested.deep.values.push(4);
    co.byKey.get('k')!.label = 'edited';
    co.byKey.set('k2', new Item());
    co.data.get('xs')!.push(3);
    co.members.add('m2');
    co.items[0].n = 77;
    co.items.reverse();
    co.child!.label = 'edited';
    attempt(() => {
      (co.attributeSource as Record<string, string | null>).title = null;
    });
    co.oldIds.push('x');
    check();
  });

  test('working objects whose version was stored: editing them never reaches the stored version', () => {
    const { v, check } = setup();
    v.title = 'edited';
    v.tags.push('x');
    v.when.setTime(5);
    v.byKey.get('k')!.label = 'edited';
    v.data.get('xs')!.push(9);
    v.nested.deep.values.length = 0;
    v.items[1].n = 123;
    check();
  });

  test('system fields of working objects are read-only: the returned objects are not the identity', () => {
    const reg = new EntityRegistry();
    const v = makeVault();
    reg.promoteToRoot(v);
    const item = v.items[0];
    const source = item.attributeSource as Record<string, string | null>;
    attempt(() => {
      source.label = '00000000-0000-4000-8000-000000000000';
    });
    const siblings = item.siblingOutputEntities as string[];
    attempt(() => siblings.push('00000000-0000-4000-8000-000000000000'));
    expect(item.attributeSource).toEqual({});
    expect(item.siblingOutputEntities).toEqual([]);
  });

  test('JSON round trips of stored versions are working copies', () => {
    const { stored, check } = setup();
    const copy = fromJSON<Vault>(toJSON(stored));
    copy.title = 'x';
    copy.tags.push('y');
    copy.byKey.get('k')!.label = 'z';
    copy.when.setTime(0);
    check();
  });

  test('a transaction: leaked drafts and working entities cannot change what was committed', () => {
    const { reg, latest, check } = setup();
    let leakedTags: string[] = [];
    let leakedMap: Map<string, Item> = new Map();
    let created!: Item;
    const tx = new Transaction(reg, { functionName: 'f', executionId: 'e1' });
    tx.addInput(latest as unknown as EntityObject);
    tx.run(() => {
      leakedTags = latest.tags;
      leakedMap = latest.byKey;
      leakedTags.push('in-run');
      created = new Item({ label: 'created' });
      latest.items.push(created);
      latest.child!.label = 'changed in run';
      return latest;
    });
    // outside run, the stored input is untouched
    expect(latest.tags).toEqual(['a', 'b']);
    expect(latest.child!.label).toBe('child');
    const { outputs } = tx.commit([latest as unknown as EntityObject]);
    const result = outputs[0].entity as unknown as Vault;
    const resultSnap = snapshot(result, { rootIds: true });
    attempt(() => leakedTags.push('after'));
    attempt(() => leakedMap.clear());
    attempt(() => {
      created.label = 'edited after commit';
    });
    expect(snapshot(result, { rootIds: true })).toEqual(resultSnap);
    expect(result.tags).toEqual(['a', 'b', 'in-run']);
    expect(result.items[2].label).toBe('created');
    expect(() => {
      result.items[2].label = 'x';
    }).toThrow(ImmutableVersionError);
    // the earlier versions are as they were (the stats changed by the commit: compare snapshots only)
    expect(snapshot(reg.getStoredEntity<Vault>(latest.ecsId), { rootIds: true })).toEqual(
      snapshot(latest, { rootIds: true }),
    );
    void check;
  });

  test('a transaction: values the function put into a copied flat array are frozen copies, not its own objects', () => {
    const reg = new EntityRegistry();
    const bag = new Bag({ xs: [1, 2], items: [new Item({ label: 'a' })] });
    reg.promoteToRoot(bag);
    const stored = reg.getStoredEntity<Bag>(bag.ecsId);
    const mine = { k: [1] };
    const when = new Date(5);
    const tx = new Transaction(reg, { functionName: 'f', executionId: 'e2' });
    tx.addInput(stored as unknown as EntityObject);
    tx.run(() => {
      stored.xs.push(mine, when);
      (stored.items as unknown[]).push({ note: 'object among entities' });
      return stored;
    });
    const result = tx.commit([stored as unknown as EntityObject]).outputs[0].entity as unknown as Bag;
    const snap = snapshot(result, { rootIds: true });
    attempt(() => mine.k.push(2));
    attempt(() => {
      (mine as Record<string, unknown>).extra = true;
    });
    attempt(() => when.setTime(0));
    attempt(() => {
      ((result.items as unknown[])[1] as Record<string, unknown>).note = 'changed';
    });
    expect(snapshot(result, { rootIds: true })).toEqual(snap);
    expect(Object.isFrozen(result.xs[2])).toBe(true);
    expect(Object.isFrozen((result.items as unknown[])[1])).toBe(true);
  });
});
