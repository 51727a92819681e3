import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test("the README's tour runs and prints what its comments promise", () => {
  const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'examples/tour.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines = out.split('\n');
  expect(lines.slice(0, 4)).toEqual(['function.execute started', 'function.execute completed', 'ada', 'true']);
  expect(out).toMatch(/parentEcsId: null[\s\S]*parentEcsId: '[0-9a-f-]{36}'/);
  expect(out).toMatch(/\[ Agent [0-9a-f]{8} \{ name: 'ada', speed: 1 \} \]/);
});
