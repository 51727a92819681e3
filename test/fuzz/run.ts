/**
 * The fuzzer's command line (`npm run fuzz -- [options]`):
 *
 *   --ops N        operations per metadata mode (default 20000)
 *   --seed S       the run's seed (default: random, printed)
 *   --episode E    replay one episode of the seed (printed with every failure)
 *   --mode M       runtime | generated | both (default both: this script runs itself once per mode)
 *   --all          also run the features KNOWN_FAILING (engine.ts) disables
 *   --enable T,U   also run these features of KNOWN_FAILING (to check a defect or its fix)
 *   --collect      keep going after a failure (next episode) and list every failure at the end
 *   --shrink       reduce the first failing call (fewer edits, a plain result) and print its edits
 *
 * Exit code 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

interface Args {
  ops: number;
  seed: number;
  episode?: number;
  mode: 'runtime' | 'generated' | 'both';
  all: boolean;
  enable: string[];
  collect: boolean;
  shrink: boolean;
}

function parse(argv: string[]): Args {
  const args: Args = {
    ops: 20000,
    seed: Math.floor(Math.random() * 0x7fffffff),
    mode: 'both',
    all: false,
    enable: [],
    collect: false,
    shrink: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--ops') args.ops = Number(value());
    else if (a === '--seed') args.seed = Number(value());
    else if (a === '--episode') args.episode = Number(value());
    else if (a === '--mode') args.mode = value() as Args['mode'];
    else if (a === '--all') args.all = true;
    else if (a === '--enable') args.enable = value().split(',');
    else if (a === '--collect') args.collect = true;
    else if (a === '--shrink') args.shrink = true;
    else throw new Error(`unknown option ${a} (see test/fuzz/run.ts)`);
  }
  if (!Number.isInteger(args.ops) || args.ops < 1) throw new Error('--ops must be a positive integer');
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer');
  if (!['runtime', 'generated', 'both'].includes(args.mode)) throw new Error('--mode is runtime, generated or both');
  return args;
}

async function runMode(args: Args): Promise<boolean> {
  // The generated tables must be installed before the entity classes are loaded (as jest's setupFiles do).
  if (args.mode === 'generated') await import('../../examples/generated/abstractions.generated');
  const { runFuzz, shrink, describeFailure, FuzzError, KNOWN_FAILING } = await import('./engine');
  const started = Date.now();
  const options = { seed: args.seed, ops: args.ops, episode: args.episode, all: args.all, enable: args.enable };
  const report = await runFuzz({
    ...options,
    collect: args.collect,
    log: (line) => console.error(`\n[${args.mode}] ${line}\n`),
  }).catch(async (error: unknown) => {
    if (!(error instanceof FuzzError)) throw error;
    if (args.shrink) {
      const small = await shrink(options, error.failure);
      console.error(
        `\n[${args.mode}] shrunk (the call's remaining edits are listed under "trace"):\n${describeFailure(small)}\n`,
      );
    }
    return null;
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (report === null) {
    console.log(`[${args.mode}] seed ${args.seed}: FAILED after ${seconds} s (details above)`);
    return false;
  }
  if (report.mode !== args.mode) throw new Error(`expected ${args.mode} metadata, the fuzz classes use ${report.mode}`);
  const kinds = Object.entries(report.opsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(
    `[${args.mode}] seed ${args.seed}: ${report.ops} operations in ${report.episodes} episodes, ${report.versionsChecked} stored versions checked, ` +
      `${report.edits} edits, ${report.redraws} redraws, ${seconds} s\n  operations: ${kinds}`,
  );
  if (!args.all)
    console.log(
      `  disabled (known defects): ${Object.keys(KNOWN_FAILING)
        .filter((t) => !args.enable.includes(t))
        .join(', ')}`,
    );
  const enabled = args.all ? Object.keys(KNOWN_FAILING) : args.enable;
  if (enabled.length > 0)
    console.log(
      `  operations with known-defect features: ${enabled.map((t) => `${t} ${report.tagCounts[t] ?? 0}`).join(', ')}`,
    );
  if (report.failures.length > 0) {
    // Which known defects the failures carry; a failure with none of their tags is something new.
    const known = new Map<string, number>();
    const unclassified = report.failures.filter((f) => {
      const hits = f.tags.filter((t) => t in KNOWN_FAILING);
      for (const t of hits) known.set(t, (known.get(t) ?? 0) + 1);
      return hits.length === 0;
    });
    console.log(`[${args.mode}] ${report.failures.length} failing episodes; known defects among their tags:`);
    for (const [t, n] of [...known].sort((a, b) => b[1] - a[1]))
      console.log(`  ${t} (${KNOWN_FAILING[t].split(':')[0]}): ${n}`);
    console.log(`  without a known defect's tag: ${unclassified.length}`);
    for (const f of unclassified)
      console.log(`    seed ${f.seed} episode ${f.episode} op ${f.op} (${f.kind}): ${f.problems[0]?.slice(0, 200)}`);
  }
  return report.failures.length === 0;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.mode !== 'both') {
    process.exitCode = (await runMode(args)) ? 0 : 1;
    return;
  }
  console.log(
    `fuzz: seed ${args.seed}, ${args.ops} operations per metadata mode (replay: npm run fuzz -- --seed ${args.seed} --ops ${args.ops})`,
  );
  let ok = true;
  for (const mode of ['runtime', 'generated'] as const) {
    const forwarded = process.argv.slice(2).filter((_, i, all) => all[i] !== '--mode' && all[i - 1] !== '--mode');
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, path.join(__dirname, 'run.ts'), ...forwarded, '--seed', String(args.seed), '--mode', mode],
      {
        stdio: 'inherit',
      },
    );
    ok = ok && child.status === 0;
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
