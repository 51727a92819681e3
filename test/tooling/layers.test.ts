/**
 * The layer rule (.dependency-cruiser.cjs, run by `npm run lint`): it passes on src/ and fires on
 * each kind of forbidden import, shown on a small throwaway src/ tree.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs the layer check in `cwd` (its src/): the exit status and each violation as `from -> to: rule`. */
function cruise(cwd: string): { status: number | null; violations: string[] } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG], { cwd, encoding: 'utf8' });
  if (!/dependencies cruised/.test(run.stdout)) throw new Error(`depcruise did not run: ${run.stdout}${run.stderr}`);
  const violations = [...run.stdout.matchAll(/^ *error (\S+): (\S+) → (\S+)$/gm)]
    // node_modules is a symlink in the throwaway tree: show packages by their path inside it.
    .map(([, rule, from, to]) => `${from} -> ${to.replace(/^.*?node_modules\//, 'node_modules/')}: ${rule}`);
  return { status: run.status, violations };
}

test('src/ keeps the layer order', () => {
  const { status, violations } = cruise(ROOT);
  expect(violations).toEqual([]);
  expect(status).toBe(0);
});

test('an upward import, a leaf that imports more, or an import of the generator is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-layers-'));
  try {
    const files: Record<string, string> = {
      'src/errors.ts': 'export class AbstractionsError extends Error {}\n',
      'src/index.ts': "export * from './viz/top';\n",
      'src/util/ok.ts': 'export const OK = 1;\n',
      'src/util/up.ts': "import { V } from '../viz/top';\nexport const U = V;\n",
      'src/util/typed.ts': "import type { T } from '../metadata/types';\nexport const t: T = 1;\n",
      // The allowed exception is for types only.
      'src/util/paths.ts': "import { X } from '../metadata/types';\nexport const P = X;\n",
      'src/metadata/types.ts': 'export const X = 1;\nexport type T = number;\n',
      // An allowed exception (a type import).
      'src/entity/entity.ts': "export type G = import('../tree/entity-tree').EntityTree;\n",
      'src/tree/entity-tree.ts': "import { OK } from '../util/ok';\nexport class EntityTree {\n  ok = OK;\n}\n",
      'src/events/bus.ts': "import { S } from '../store/s';\nexport const B = S;\n",
      'src/store/s.ts': "import { AbstractionsError } from '../errors';\nexport const S = AbstractionsError;\n",
      'src/diff/gen.ts': "import { G } from '../../codegen/gen';\nexport const D = G;\n",
      'codegen/gen.ts': 'export const G = 1;\n',
      'src/callable/morph.ts': "import { Project } from 'ts-morph';\nexport const M = Project;\n",
      'src/serialize/dev.ts': "import { produce } from 'immer';\nexport const D = produce;\n",
      // An optional peer's types may be imported, its values not (they are loaded when used).
      'src/durable/peer.ts': "import { Client } from 'pg';\nexport const C = Client;\n",
      'src/durable/peer-types.ts': "import type { Client } from 'pg';\nexport type C = Client;\n",
      'package.json': JSON.stringify({
        name: 'layers',
        dependencies: { 'ts-morph': '*' },
        devDependencies: { immer: '*', pg: '*' },
        peerDependencies: { pg: '*' },
        peerDependenciesMeta: { pg: { optional: true } },
      }),
      'src/address/all.ts': "import * as all from '../index';\nexport const A = all;\n",
      'src/viz/top.ts': "import { OK } from '../util/ok';\nexport const V = OK;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const { status, violations } = cruise(dir);
    expect(violations.sort()).toEqual([
      'src/address/all.ts -> src/index.ts: no-entry-point-inside',
      'src/callable/morph.ts -> node_modules/ts-morph/dist/ts-morph.js: src-not-codegen',
      'src/diff/gen.ts -> codegen/gen.ts: src-not-codegen',
      'src/durable/peer.ts -> node_modules/pg/lib/index.js: src-peers-type-only',
      'src/events/bus.ts -> src/store/s.ts: events-imports-only-util',
      'src/serialize/dev.ts -> node_modules/immer/dist/cjs/index.js: src-not-dev-dependencies',
      'src/util/paths.ts -> src/metadata/types.ts: layer-order-util',
      'src/util/typed.ts -> src/metadata/types.ts: layer-order-util',
      'src/util/up.ts -> src/viz/top.ts: layer-order-util',
    ]);
    expect(status).not.toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
