/**
 * 11 · Durable history: a registry over an SQLite store keeps its versions and execution records
 * across a restart.
 *
 * Shows: `new EntityRegistry({ store: sqliteStore(file) })`, work on it, `close()`; then a new
 * registry over the same file (what a restarted process does: `EntityRegistry.open(file)` in an
 * app) finds every version and record, goes on where the last one stopped, and reads the history
 * of one entity with the function and arguments behind each version. Last, the history moves
 * to another store as an NDJSON export (`exportHistory` / `importHistory`); importing it twice
 * changes nothing.
 *
 * Run: npx tsx examples/11-durable-history.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CallableRegistry, Entity, EntityRegistry, entity, exportHistory, importHistory, sqliteStore } from '../src';

// Rows name classes by type name: one distinct per class (another example has an Account too).
@entity({ name: 'example11.Account' })
export class Account extends Entity {
  owner = '';
  balance = 0;
}

/** One process's worth of app: a registry over the store, and the registered functions (code, not data). */
function app(file: string) {
  const entities = new EntityRegistry({ store: sqliteStore(file) });
  const functions = new CallableRegistry({ entities });
  functions.register('credit', ({ account, amount }: { account: Account; amount: number }) => {
    account.balance += amount;
    return account;
  });
  return { entities, functions };
}

export async function main(log: (line: string) => void = console.log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-example-'));
  const file = path.join(dir, 'accounts.db');
  try {
    // First run: open, work, close.
    const first = app(file);
    const alice = new Account({ owner: 'alice' });
    first.entities.promoteToRoot(alice);
    let latest = first.entities.latest<Account>(alice.lineageId)!;
    for (const amount of [100, 50]) latest = first.functions.execute<Account>('credit', { account: latest, amount });
    log(`first run   alice has ${latest.balance} after ${first.entities.lineage(alice.lineageId).length} versions`);
    await first.entities.close();

    // After a restart: the same file, new registries (the functions are registered again).
    const second = app(file);
    const before = second.entities.latest<Account>(alice.lineageId)!;
    const after = second.functions.execute<Account>('credit', { account: before, amount: 25 });
    log(`second run  found balance ${before.balance} (version ${short(before.ecsId)}), credited 25: ${after.balance}`);

    // The history of one entity: every version, and what produced it.
    log('history of alice:');
    for (const v of second.entities.lineage(alice.lineageId)) {
      const account = second.entities.getStoredEntity<Account>(v.ecsId);
      const exec = second.functions.executionOf(account);
      const how = exec ? `${exec.functionName}(${JSON.stringify(exec.inputs.values)})` : 'promoteToRoot';
      log(`  ${short(v.ecsId)} ← ${short(v.parentEcsId)}  balance ${String(account.balance).padStart(3)}  ${how}`);
    }
    log(`records     ${second.functions.executions().length} executions, 2 of them from the first run`);

    // Moving the history: an NDJSON export, imported into another store (or another process's).
    const exported = path.join(dir, 'accounts.ndjson');
    await pipeline(
      Readable.from(exportHistory(second.entities, { executions: second.functions })),
      fs.createWriteStream(exported),
    );
    const other = app(path.join(dir, 'other.db'));
    const imported = await importHistory(other.entities, fs.createReadStream(exported), {
      executions: other.functions,
    });
    const again = await importHistory(other.entities, fs.createReadStream(exported), { executions: other.functions });
    log(
      `imported    ${imported.versions} versions and ${imported.executions} records into another store; ` +
        `again: ${again.alreadyPresent} rows already there, ${again.versions} new`,
    );
    const versions = second.entities.lineage(alice.lineageId).length;
    await other.entities.close();
    await second.entities.close(); // from here on, only what the registry holds in memory is readable
    return { balance: after.balance, versions };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const short = (id: string | null): string => (id ?? '—').slice(0, 8);

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
