/**
 * A config built from loose arguments is registered before the call and withdrawn when the call
 * fails (SPEC §5): a failed execution leaves nothing but its record, in the store as in memory.
 * Found by the reopen check of the SQLite test mode (test/support/store-mode.ts): the store kept
 * the withdrawn version, so a reopened registry had a version the registry no longer had.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  entity,
  sqliteStore,
  versionToJSON,
  type Durability,
} from '../../src';
import { ConfigEntity } from '../../src/callable/config-entity';
import { SPLICE_MIN_LENGTH } from '../../src/durable/entity-rows';
import { PpOptions, PpRoot, buildRoot } from '../support/pipeline';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-withdrawn-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Reads the file with another connection. */
function read<T>(file: string, sql: string, ...params: string[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Whether the file holds the root version `ecsId`. */
function written(file: string, ecsId: string): boolean {
  return read(file, 'SELECT 1 FROM root_version WHERE ecs_id = ?', ecsId).length > 0;
}

/** The rows the file holds of the first version `ecsId`: its root version, its lineage head, the entity rows it stored. */
function rowsOf(file: string, ecsId: string): { versions: number; heads: number; entities: string[] } {
  const count = (sql: string) => read<{ n: number }>(file, sql, ecsId)[0].n;
  return {
    versions: count('SELECT count(*) AS n FROM root_version WHERE ecs_id = ?'),
    heads: count('SELECT count(*) AS n FROM lineage_head WHERE head_ecs_id = ?'),
    entities: read<{ ecs_id: string }>(file, 'SELECT ecs_id FROM entity_version WHERE root_ecs_id = ?', ecsId).map(
      (r) => r.ecs_id,
    ),
  };
}

/** Whether the config's row was in the file when the call failed. */
let configWritten: boolean | null;

function world(file: string, durability: Durability) {
  const registry = new EntityRegistry({ store: sqliteStore(file, { durability }) });
  const calls = new CallableRegistry({ entities: registry });
  calls.register(
    'fails',
    ({ options }: { r: PpRoot; options: PpOptions }) => {
      configWritten = written(file, options.ecsId);
      throw new Error(`failed with limit ${options.limit}`);
    },
    { params: { r: PpRoot, options: PpOptions } },
  );
  calls.register(
    'fails_later',
    async ({ options }: { r: PpRoot; options: PpOptions }) => {
      await registry.flush(); // the config's rows are written (by the writer thread) meanwhile
      configWritten = written(file, options.ecsId);
      throw new Error(`failed with limit ${options.limit}`);
    },
    { params: { r: PpRoot, options: PpOptions } },
  );
  return { registry, calls };
}

/** What a registry holds, by lineage: every version's id and parent. */
function history(registry: EntityRegistry, lineages: readonly string[]) {
  return { stats: registry.stats, lineages: lineages.map((id) => registry.lineage(id)) };
}

test.each<[string, Durability, 'fails' | 'fails_later', boolean]>([
  ['queued (relaxed)', 'relaxed', 'fails', false],
  ['written before the call failed (strict)', 'strict', 'fails', true],
  ['written during an async call (relaxed: by the writer thread)', 'relaxed', 'fails_later', true],
  ['written during an async call (durable)', 'durable', 'fails_later', true],
])('a config withdrawn after a failed call is not in the reopened store: %s', async (_, durability, fn, rowFirst) => {
  const file = path.join(dir, 'history.db');
  configWritten = null;
  const { registry, calls } = world(file, durability);
  const root = registry.promoteToRoot(buildRoot(1, 1)).root as unknown as PpRoot;
  const before = history(registry, [root.lineageId]);
  await expect(calls.aexecute<unknown>(fn, { r: root, limit: 3 })).rejects.toThrow('failed with limit 3');
  const [record] = calls.executions();
  const configId = record.inputs.entities.options;
  expect(configWritten).toBe(rowFirst); // the case this is
  expect(registry.hasVersion(configId)).toBe(false); // withdrawn in memory
  expect(history(registry, [root.lineageId])).toEqual(before);
  await registry.close();
  expect(rowsOf(file, configId)).toEqual({ versions: 0, heads: 0, entities: [] }); // gone from the file

  const again = world(file, durability);
  expect(again.registry.hasVersion(configId)).toBe(false);
  expect(again.registry.findStoredEntity(configId)).toBeUndefined();
  expect(history(again.registry, [root.lineageId])).toEqual(before);
  // only the failed record remains, as in memory
  expect(again.calls.executions().map((r) => [r.id, r.status])).toEqual([[record.id, 'failed']]);
  await again.registry.close();
});

@entity()
class WdOptions extends ConfigEntity {
  xs: number[] = [];
}

@entity()
class WdHolder extends Entity {
  options: WdOptions | null = null;
}

/**
 * The failed call put its config into another tree and committed it: that version forks the
 * config entity, and the fork's row, encoded while the config was still there, is written against
 * the config's row (its history by reference, its long array as a splice). The config's version
 * goes; its entity row stays, since the fork needs it (sqlite-writer.ts). A fork encoded after
 * the withdrawal is written whole, and the config's row goes with its version.
 */
test.each<[string, boolean]>([
  ['the fork written before the call failed', true],
  ['the fork still queued when the call failed', false],
])('a config forked into another tree by the failed call: %s', async (_, forkWritten) => {
  const file = path.join(dir, 'history.db');
  const registry = new EntityRegistry({ store: sqliteStore(file) });
  const calls = new CallableRegistry({ entities: registry });
  const holder = registry.promoteToRoot(new WdHolder());
  calls.register(
    'keeps_then_fails',
    async ({ options }: { options: WdOptions }) => {
      await registry.flush(); // the config's rows are in the file
      const copy = registry.checkout<WdHolder>(holder.ecsId);
      copy.options = options;
      registry.version(copy); // forks the config entity into the holder's tree
      if (forkWritten) await registry.flush();
      throw new Error('failed');
    },
    { params: { options: WdOptions } },
  );
  const xs = Array.from({ length: SPLICE_MIN_LENGTH + 6 }, (_, i) => i);
  await expect(calls.aexecute<unknown>('keeps_then_fails', { xs })).rejects.toThrow('failed');
  const configId = calls.executions()[0].inputs.entities.options;
  expect(registry.hasVersion(configId)).toBe(false);
  const latest = registry.latest<WdHolder>(holder.lineageId)!;
  const fork = latest.options!;
  expect(fork.previousEcsId).toBe(configId);
  expect(fork.xs).toEqual(xs);
  const json = versionToJSON(registry, latest.ecsId);
  await registry.close();

  const [row] = read<{ identity: string; data: string }>(
    file,
    'SELECT identity, data FROM entity_version WHERE ecs_id = ?',
    fork.ecsId,
  );
  // the case this is: written against the config's row, or whole
  expect(JSON.parse(row.identity).oldIds === undefined).toBe(forkWritten);
  expect(row.data.includes('"$splice":')).toBe(forkWritten);
  expect(rowsOf(file, configId)).toEqual({ versions: 0, heads: 0, entities: forkWritten ? [configId] : [] });

  const again = new EntityRegistry({ store: sqliteStore(file) });
  expect(again.hasVersion(configId)).toBe(false);
  expect(versionToJSON(again, latest.ecsId)).toEqual(json);
  await again.close();
});
