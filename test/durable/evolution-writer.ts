/**
 * The child process of evolution.test.ts: the program as it was before a class changed. Stores
 * two versions of a `evolution.Doc` with fields `title`, `pages`, `draft` into the store at
 * argv[2], then closes it (or, with argv[3] = 'exit', ends the process without closing it: the
 * store writes what is queued on exit). Run with `node -r tsx/cjs`.
 */
import { Entity, EntityRegistry, entity, sqliteStore } from '../../src';

@entity({ name: 'evolution.Doc' })
class Doc extends Entity {
  title = '';
  pages = 0;
  draft = true;
}

async function main(): Promise<void> {
  const registry = new EntityRegistry({ store: sqliteStore(process.argv[2]) });
  const v1 = registry.promoteToRoot(new Doc({ title: 'spec', pages: 3, draft: true }));
  const working = registry.checkout<Doc>(v1.ecsId);
  working.pages = 4;
  registry.version(working);
  if (process.argv[3] === 'exit') {
    process.stdout.write(JSON.stringify({ lineageId: v1.lineageId }));
    process.exit(0);
  }
  await registry.close();
  process.stdout.write(JSON.stringify({ lineageId: v1.lineageId }));
}

void main();
