/**
 * SPEC §9 / §12: a tree or version serialized in one registry is loaded into another registry (or
 * another process: the default registry reset) with `promoteToRoot(fromJSON(json))`: stored as the
 * version it names with every id kept, then versioned and executed on there.
 */
import { Entity, EntityRegistry, entity } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { fromJSON, toJSON, versionFromJSON, versionToJSON } from '../../src/serialize';

@entity()
class Book extends Entity {
  title = '';
}

@entity()
class Shelf extends Entity {
  label = '';
  books: Book[] = [];
}

function registerRename(calls: CallableRegistry): void {
  calls.register(
    'xreg_rename_shelf',
    ({ shelf, label }: { shelf: Shelf; label: string }) => {
      shelf.label = label;
      return shelf;
    },
    { params: { shelf: Shelf, label: String }, returns: Shelf },
  );
}

function ids(s: Shelf): string[] {
  return [s.ecsId, ...s.books.map((b) => b.ecsId)];
}

/** A shelf with two versions in `reg` (the second made by a function: provenance to keep). */
function history(reg: EntityRegistry): { v1: Shelf; v2: Shelf } {
  const shelf = new Shelf({ label: 'A', books: [new Book({ title: 'one' }), new Book({ title: 'two' })] });
  reg.promoteToRoot(shelf);
  const v1 = reg.getStoredEntity<Shelf>(shelf.ecsId);
  const calls = new CallableRegistry({ entities: reg });
  registerRename(calls);
  const v2 = calls.execute<Shelf>('xreg_rename_shelf', { shelf: v1, label: 'B' });
  return { v1, v2 };
}

describe('loading into a registry that does not hold the version', () => {
  test('promoteToRoot(fromJSON(json)) stores it as that version, every id and all provenance kept', () => {
    const a = new EntityRegistry();
    const { v1, v2 } = history(a);
    const json = JSON.stringify(toJSON(v2));

    const b = new EntityRegistry();
    const loaded = fromJSON<Shelf>(json);
    const version = b.promoteToRoot(loaded);
    expect(version.ecsId).toBe(v2.ecsId);
    expect(version.lineageId).toBe(v2.lineageId);
    expect(version.parentEcsId).toBeNull(); // v1 is not in b: a first version of its lineage here
    expect(ids(b.getStoredEntity<Shelf>(v2.ecsId))).toEqual(ids(v2));
    const stored = b.getStoredEntity<Shelf>(v2.ecsId);
    expect(stored.previousEcsId).toBe(v1.ecsId);
    expect(stored.oldIds).toEqual([v1.ecsId]);
    expect(stored.derivedFromFunction).toBe('xreg_rename_shelf');
    expect(stored.derivedFromExecutionId).toBe(v2.derivedFromExecutionId);
    expect(stored.books[1].title).toBe('two');
    expect(b.lineage(v2.lineageId)).toEqual([{ ecsId: v2.ecsId, parentEcsId: null }]);
    // The loaded objects are now a working copy of that version in b.
    expect(loaded.rootEcsId).toBe(v2.ecsId);
    expect(ids(loaded)).toEqual(ids(v2));
    // a is untouched.
    expect(a.lineage(v2.lineageId).map((l) => l.ecsId)).toEqual([v1.ecsId, v2.ecsId]);
    expect(a.stats.versions).toBe(2);
  });

  test('the loaded tree is versioned and executed on in the new registry', () => {
    const a = new EntityRegistry();
    const { v2 } = history(a);
    const b = new EntityRegistry();
    const loaded = fromJSON<Shelf>(toJSON(v2));
    b.promoteToRoot(loaded);

    loaded.books[0].title = 'ONE';
    const r = b.version(loaded);
    expect(r.created).toBe(true);
    expect([...r.idMap.keys()].sort()).toEqual([v2.ecsId, v2.books[0].ecsId].sort()); // only what changed forks
    expect(b.lineage(v2.lineageId)).toEqual([
      { ecsId: v2.ecsId, parentEcsId: null },
      { ecsId: r.rootEcsId, parentEcsId: v2.ecsId },
    ]);
    expect(b.getStoredEntity<Shelf>(r.rootEcsId).books[1]).toBe(b.getStoredEntity(v2.books[1].ecsId)); // shared

    const calls = new CallableRegistry({ entities: b });
    registerRename(calls);
    const out = calls.execute<Shelf>('xreg_rename_shelf', { shelf: b.getStoredEntity<Shelf>(r.rootEcsId), label: 'C' });
    expect(out.label).toBe('C');
    expect(out.previousEcsId).toBe(r.rootEcsId);
    expect(b.latest<Shelf>(v2.lineageId)).toBe(out);
    expect(calls.execute<Shelf>('xreg_rename_shelf', { shelf: `@${out.ecsId}`, label: 'D' }).label).toBe('D');
  });

  test('versionToJSON / versionFromJSON across registries', () => {
    const a = new EntityRegistry();
    const { v2 } = history(a);
    const b = new EntityRegistry();
    const copy = versionFromJSON<Shelf>(JSON.stringify(versionToJSON(a, v2.ecsId)));
    expect(b.promoteToRoot(copy).ecsId).toBe(v2.ecsId);
    copy.label = 'edited';
    expect(b.version(copy).created).toBe(true);
  });

  test('a registry that holds the version returns it; loading the same JSON twice stores it once', () => {
    const a = new EntityRegistry();
    const { v2 } = history(a);
    const json = JSON.stringify(toJSON(v2));
    expect(a.promoteToRoot(fromJSON(json))).toBe(a.getVersion(v2.ecsId));
    const b = new EntityRegistry();
    const first = b.promoteToRoot(fromJSON(json));
    expect(b.promoteToRoot(fromJSON(json))).toBe(first);
    expect(b.stats).toEqual({ versions: 1, entities: 3, lineages: 1 });
  });

  test('versions loaded oldest first link up as in the source: parent, shared entities, lineage', () => {
    const a = new EntityRegistry();
    const { v1, v2 } = history(a);
    const b = new EntityRegistry();
    b.promoteToRoot(fromJSON(toJSON(v1)));
    const second = b.promoteToRoot(fromJSON(toJSON(v2)));
    expect(second.ecsId).toBe(v2.ecsId);
    expect(second.parentEcsId).toBe(v1.ecsId);
    expect(b.lineage(v1.lineageId)).toEqual(a.lineage(v1.lineageId));
    // The books did not change in v2: one stored object each, in both versions.
    expect(b.getStoredEntity<Shelf>(v2.ecsId).books[0]).toBe(b.getStoredEntity<Shelf>(v1.ecsId).books[0]);
    expect(b.versionsContaining(v1.books[0].ecsId)).toEqual([v1.ecsId, v2.ecsId]);
    expect(b.stats).toEqual({ versions: 2, entities: 4, lineages: 1 });
  });

  test('an entity this registry holds with other content forks: one ecsId never names two objects', () => {
    const a = new EntityRegistry();
    const { v1, v2 } = history(a);
    const b = new EntityRegistry();
    b.promoteToRoot(fromJSON(toJSON(v1)));
    const json = toJSON(v2) as unknown as { fields: { books: { fields: { title: string } }[] } };
    json.fields.books[0].fields.title = 'rewritten'; // same ecsId as v1's book, other content
    const loaded = fromJSON<Shelf>(json);
    b.promoteToRoot(loaded);
    const book = b.getStoredEntity<Shelf>(v2.ecsId).books[0];
    expect(book.title).toBe('rewritten');
    expect(book.ecsId).not.toBe(v1.books[0].ecsId);
    expect(book.previousEcsId).toBe(v1.books[0].ecsId);
    expect(b.getStoredEntity<Book>(v1.books[0].ecsId).title).toBe('one');
    expect(loaded.books[0].ecsId).toBe(book.ecsId);
  });

  test('a subtree (a child written alone) becomes a root of its own, keeping its ids', () => {
    const a = new EntityRegistry();
    const { v2 } = history(a);
    const b = new EntityRegistry();
    const book = fromJSON<Book>(toJSON(v2.books[1]));
    const version = b.promoteToRoot(book);
    expect(version.ecsId).toBe(v2.books[1].ecsId);
    expect(book.isRoot()).toBe(true);
    book.title = 'retitled';
    expect(b.version(book).created).toBe(true);
  });
});

describe('another process: the default registry reset', () => {
  afterEach(() => {
    EntityRegistry.reset();
  });

  test('JSON written before the reset is promoted, versioned and executed on after it', () => {
    const { v1, v2 } = history(EntityRegistry.reset());
    const json = JSON.stringify(versionToJSON(EntityRegistry.default, v2.ecsId));

    const fresh = EntityRegistry.reset(); // what a new process starts with
    const loaded = versionFromJSON<Shelf>(json);
    loaded.promoteToRoot(); // the entity method: the default registry
    expect(fresh.getVersion(v2.ecsId).root).toBe(fresh.getStoredEntity(v2.ecsId));
    expect(fresh.getStoredEntity<Shelf>(v2.ecsId).previousEcsId).toBe(v1.ecsId);

    const calls = new CallableRegistry({ entities: fresh });
    registerRename(calls);
    const out = calls.execute<Shelf>('xreg_rename_shelf', { shelf: loaded, label: 'after restart' });
    expect(out.label).toBe('after restart');
    expect(fresh.lineage(v2.lineageId).map((l) => l.parentEcsId)).toEqual([null, v2.ecsId]);
  });
});
