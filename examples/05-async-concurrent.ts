/**
 * 05 · Async functions and concurrency: two calls from the same version both succeed.
 *
 * Shows: an async registered function run with aexecute(); two concurrent calls started from the
 * same stored version, each on its own copy-on-write view (neither sees the other's write); both
 * results stored, both with that version as parent: the lineage branches and nothing is lost.
 * Also: execute() on an async function is an AsyncFunctionError that names aexecute.
 *
 * Run: npx tsx examples/05-async-concurrent.ts
 */
import { AsyncFunctionError, CallableRegistry, Entity, EntityRegistry, entity } from '../src';

@entity()
export class Account extends Entity {
  owner = '';
  balance = 0;
  history: string[] = [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string | null) => (id ?? '—').slice(0, 8);

  // An async function: it reads, waits (a "remote check"), then writes.
  CallableRegistry.register(
    'deposit',
    async ({ account, amount, delayMs }: { account: Account; amount: number; delayMs: number }): Promise<Account> => {
      const before = account.balance;
      await sleep(delayMs);
      account.balance = before + amount;
      account.history.push(`+${amount}`);
      return account;
    },
    { params: { account: Account, amount: Number, delayMs: Number }, returns: Account },
  );

  const account = new Account({ owner: 'Ada', balance: 100 });
  account.promoteToRoot();
  const v1 = registry.getStoredEntity<Account>(account.ecsId);

  try {
    CallableRegistry.execute('deposit', { account: v1, amount: 1, delayMs: 0 });
  } catch (error) {
    if (!(error instanceof AsyncFunctionError)) throw error;
    log(`execute() on an async function → AsyncFunctionError: ${error.message}`);
  }

  // Two clients hold v1 and deposit at the same time; the slower one finishes last.
  const t0 = Date.now();
  const [a, b] = await Promise.all([
    CallableRegistry.aexecute<Account>('deposit', { account: v1, amount: 50, delayMs: 30 }),
    CallableRegistry.aexecute<Account>('deposit', { account: v1, amount: 20, delayMs: 10 }),
  ]);
  log(`two aexecute() from v1 ${short(v1.ecsId)} (balance ${v1.balance}) in ${Date.now() - t0} ms, overlapping:`);
  log(
    `  A  ${short(a.ecsId)}  balance ${a.balance}  history [${a.history.join(' ')}]  parent ${short(a.previousEcsId)}`,
  );
  log(
    `  B  ${short(b.ecsId)}  balance ${b.balance}  history [${b.history.join(' ')}]  parent ${short(b.previousEcsId)}`,
  );

  // Both are in the lineage as children of v1: a branch. v1 itself never changed.
  const lineage = registry.lineage(account.lineageId);
  const children = lineage.filter((e) => e.parentEcsId === v1.ecsId);
  log(
    `lineage: ${lineage.length} versions; v1 has ${children.length} children (a branch); v1 still has balance ${v1.balance}`,
  );
  const latest = registry.latest<Account>(account.lineageId)!;
  log(
    `latest() is the newest stored: ${latest === a ? 'A' : 'B'} ${short(latest.ecsId)} (it finished last); merging branches is up to you`,
  );
  return { v1, a, b, lineage, children };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
