/**
 * `npm run examples`: runs every numbered example in order, in this one process (each example
 * starts from fresh registries and removes its event subscriptions, so they do not interfere).
 *
 *   npm run examples            # all of them
 *   npm run examples -- 03 07   # only those whose file name starts with 03 or 07
 *
 * The demo (`npm start`) is separate: examples/demo.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

type Main = (log: (line: string) => void) => Promise<unknown>;

/** The numbered example files, in order. */
export function exampleFiles(): string[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => /^\d\d-.*\.ts$/.test(f))
    .sort();
}

export async function main(
  log: (line: string) => void = console.log,
  only: readonly string[] = [],
): Promise<{ ran: string[] }> {
  const files = exampleFiles().filter((f) => only.length === 0 || only.some((prefix) => f.startsWith(prefix)));
  const ran: string[] = [];
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as { main?: Main };
    if (typeof mod.main !== 'function') throw new Error(`${file} does not export main()`);
    log(`\n── ${file} ${'─'.repeat(Math.max(3, 72 - file.length))}`);
    const t0 = performance.now();
    await mod.main((line) => log(`  ${line}`));
    log(`   ${Math.round(performance.now() - t0)} ms`);
    ran.push(file);
  }
  log(`\n${ran.length} examples ran.`);
  return { ran };
}

if (require.main === module) {
  main(console.log, process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
