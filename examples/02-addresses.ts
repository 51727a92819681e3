/**
 * 02 · Addresses: `@<ecsId>.field.0.key` names an entity version or a value inside it.
 *
 * Shows: get() (a working copy or a deep copy, never a stored object); put() (writes through a
 * new version of the lineage's latest version; StaleVersionError for an outdated address);
 * createComposite() (an entity assembled from addresses and values, with attributeSource naming
 * the entity each value came from); FieldPathError listing the fields that exist.
 *
 * Run: npx tsx examples/02-addresses.ts
 */
import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  FieldPathError,
  StaleVersionError,
  createComposite,
  entity,
  get,
  parseAddress,
  put,
} from '../src';

@entity()
export class Author extends Entity {
  name = '';
  country = '';
}

@entity()
export class Book extends Entity {
  title = '';
  author: Author | null = null;
  tags: string[] = [];
}

@entity()
export class CatalogCard extends Entity {
  heading = '';
  writtenBy = '';
  shelf = '';
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string) => id.slice(0, 8);
  const row = (label: string, text: string) => log(`${label.padEnd(16)} ${text}`);

  const book = new Book({ title: 'Dune', author: new Author({ name: 'Frank Herbert', country: 'US' }), tags: ['sf'] });
  book.promoteToRoot();
  const v1 = book.ecsId;
  row(
    'address',
    `@${short(v1)}….author.name  →  parseAddress: ${JSON.stringify(parseAddress(`@${v1}.author.name`).path)}`,
  );

  // get: values are deep copies; entities come back as working copies (orphans you may edit).
  row('get value', `${get<string>(`@${v1}.author.name`)}, tags ${JSON.stringify(get<string[]>(`@${v1}.tags`))}`);
  const author = get<Author>(`@${v1}.author`);
  author.name = 'someone else'; // changes the copy only
  row(
    'get entity',
    `a working Author (orphan: ${author.isOrphan()}); editing it leaves @${short(v1)}….author.name = ${get(`@${v1}.author.name`)}`,
  );

  // put: a new version of the tree, returning the new stored version of the addressed entity.
  const newAuthor = put<Author>(`@${book.author!.ecsId}.country`, 'USA');
  const v2 = registry.latest<Book>(book.lineageId)!;
  row(
    'put',
    `author.country = ${newAuthor.country} → Book v2 ${short(v2.ecsId)} (previous ${short(v2.previousEcsId!)}); v1 still says ${get(`@${v1}.author.country`)}`,
  );
  try {
    put(`@${book.author!.ecsId}.country`, 'United States'); // that Author version is no longer the latest
  } catch (error) {
    if (!(error instanceof StaleVersionError)) throw error;
    row('stale put', `StaleVersionError: re-read from the latest version (${short(error.latestEcsId)})`);
  }

  // createComposite: fields from addresses (and plain values); attributeSource remembers where from.
  const card = createComposite(
    CatalogCard,
    { heading: `@${v2.ecsId}.title`, writtenBy: `@${v2.ecsId}.author.name`, shelf: 'B-12' },
    { promote: true },
  );
  const src = card.attributeSource;
  row('composite', `"${card.heading}" by ${card.writtenBy}, shelf ${card.shelf}`);
  row(
    'attributeSource',
    `heading ← Book ${short(src.heading!)}, writtenBy ← Author ${short(src.writtenBy!)}, shelf ← ${src.shelf}`,
  );

  try {
    get(`@${v2.ecsId}.autor.name`);
  } catch (error) {
    if (!(error instanceof FieldPathError)) throw error;
    row('typo', `FieldPathError at '${error.segment}'; fields there: ${error.available.join(', ')}`);
  }
  return { v1, v2, newAuthor, card };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
