/**
 * The scale-out demo (examples/scale-out/, README "Scaling out") runs as the README says: a
 * watcher and two workers, three processes on the local services, in a schema of their own.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import * as path from 'node:path';
import { dropSchemas } from '../support/postgres';

const EXAMPLE = path.join(__dirname, '../../examples/scale-out');
const schema = `abs_demo_test_${process.pid}`;
const env = { ...process.env, DEMO_SCHEMA: schema };

function run(file: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(EXAMPLE, file), ...args],
      { env },
      (error: ExecFileException | null, stdout, stderr) =>
        error ? reject(new Error(`${file}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

afterAll(() => dropSchemas([schema], { streams: true }));

test('two workers move agents on one GridMap while a watcher prints their moves', async () => {
  const watching = run('watcher.ts', '12');
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the watcher creates the map and subscribes
  const workers = await Promise.all([run('worker.ts', 'agent-0-0', '15'), run('worker.ts', 'agent-1-0', '15')]);
  for (const [k, out] of workers.entries()) expect(out).toMatch(new RegExp(`^agent-${k}-0: 15 moves, \\d+ races lost`));
  const watched = await watching;
  expect(watched).toMatch(/30 remote moves seen; the map has 31 versions/);
  expect(watched.split('\n').filter((l) => l.startsWith('completed move_agent'))).toHaveLength(30);
}, 60_000);
