/**
 * A class whose fields changed since its versions were stored still loads them (SPEC §12): a
 * removed field is not on the loaded object but stays in the row, an added field takes the class
 * default. The old program runs in a child process (evolution-writer.ts), as it would in a
 * deployment before the change.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { Entity, EntityRegistry, entity, sqliteStore } from '../../src';

/** `evolution.Doc` today: `draft` removed, `tags` added. */
@entity({ name: 'evolution.Doc' })
class Doc extends Entity {
  title = '';
  pages = 0;
  tags: string[] = ['new'];
}

test('versions stored before a class changed load with its new fields: removed ones gone, added ones defaulted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-evolution-'));
  try {
    const file = path.join(dir, 'h.db');
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'evolution-writer.ts'), file], {
      encoding: 'utf8',
    });
    const { lineageId } = JSON.parse(out) as { lineageId: string };

    const registry = new EntityRegistry({ store: sqliteStore(file) });
    const versions = registry.lineage(lineageId);
    expect(versions).toHaveLength(2);
    const latest = registry.latest<Doc>(lineageId)!;
    expect(latest).toBeInstanceOf(Doc);
    expect([latest.title, latest.pages, latest.tags]).toEqual(['spec', 4, ['new']]);
    expect('draft' in latest).toBe(false);
    expect(registry.getStoredEntity<Doc>(versions[0].ecsId).pages).toBe(3);

    // work goes on under the new class; the old rows are not rewritten
    const working = registry.checkout<Doc>(latest.ecsId);
    working.tags = ['new', 'reviewed'];
    const v3 = registry.version(working).rootEcsId;
    await registry.close();
    const db = new Database(file, { readonly: true });
    const data = (id: string) =>
      JSON.parse((db.prepare('SELECT data FROM entity_version WHERE ecs_id = ?').get(id) as { data: string }).data);
    expect(data(versions[0].ecsId)).toEqual({ title: 'spec', pages: 3, draft: true });
    expect(data(v3)).toEqual({ title: 'spec', pages: 4, tags: ['new', 'reviewed'] });
    db.close();

    const again = new EntityRegistry({ store: sqliteStore(file) });
    expect(again.latest<Doc>(lineageId)!.tags).toEqual(['new', 'reviewed']);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that exits without close() has written what it committed (the exit hook waits for the writer)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-exit-'));
  try {
    const file = path.join(dir, 'h.db');
    const out = execFileSync(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(__dirname, 'evolution-writer.ts'), file, 'exit'],
      { encoding: 'utf8' },
    );
    const { lineageId } = JSON.parse(out) as { lineageId: string };
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT versions FROM lineage_head WHERE lineage_id = ?').pluck().get(lineageId)).toBe(2);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
