/**
 * The published package as its users get it: `npm pack` (its `prepack` builds the CommonJS and the
 * ES module build), the tarball's contents, and the tarball installed into consumer projects of
 * each kind, each running one small app: CommonJS compiled by tsc, an ES module package compiled
 * by tsc with NodeNext, tsx, an esbuild ES module bundle, and the typings compiled by the oldest
 * TypeScript supported (5.0). All with `strict` and `skipLibCheck: false`.
 *
 * Packed once; the consumers share one installed node_modules (in the folder above theirs) and the
 * user's npm cache (`--prefer-offline`: only TypeScript 5.0 and its @types/node may come from the
 * registry, once). Install scripts are skipped (`--ignore-scripts`): building better-sqlite3 from
 * source takes minutes here, so the consumers get the repository's own build of the same version.
 * Slow (a build and several compiles): run in the `runtime` project only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(20 * 60_000);

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  sideEffects: string[];
};
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The environment without what an enclosing `npm test` set for this repository (its prefix, its package). */
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_/i.test(key) || /^npm_config_(cache|registry|userconfig|globalconfig)$/i.test(key),
  ),
);

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Ran {
  const r = spawnSync(command, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a step that must succeed; its output in the failure otherwise. */
function ok(command: string, args: readonly string[], cwd: string): string {
  const r = run(command, args, cwd);
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

function write(dir: string, files: Record<string, string | object>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    const text = typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** npm install in `dir`, from the cache where it can. */
function npmInstall(dir: string, packages: readonly string[]): void {
  ok('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...packages], dir);
}

/**
 * The app every consumer runs: an entity class, a registered function executed on it, the history
 * written to SQLite and read back by a second registry, and the optional peer dependencies (not
 * installed) refused with a typed error naming them. Prints one line of JSON.
 */
const APP = `import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  PeerDependencyError,
  entity,
  natsEvents,
  postgresStore,
  sqliteStore,
  usingGeneratedMetadata,
} from 'abstractions-ts';

@entity()
export class Counter extends Entity {
  label = '';
  count = 0;
}

export const increment = CallableRegistry.register(
  'increment',
  ({ counter, by }: { counter: Counter; by: number }): Counter => {
    counter.count += by;
    return counter;
  },
);

function refused(open: () => unknown): string {
  try {
    open();
    return 'opened';
  } catch (e) {
    return e instanceof PeerDependencyError ? e.packageName : String(e);
  }
}

export async function run(file: string): Promise<string> {
  const registry = EntityRegistry.open(file);
  const counter = new Counter({ label: 'clicks' });
  counter.promoteToRoot();
  const v2 = increment.execute({ counter, by: 2 });
  await registry.close();
  const reopened = new EntityRegistry({ store: sqliteStore(file) });
  const versions = reopened.lineage(counter.lineageId).length;
  await reopened.close();
  return JSON.stringify({
    count: v2.count,
    previous: v2.previousEcsId === counter.ecsId,
    versions,
    peers: [refused(() => postgresStore('postgres://127.0.0.1:1/none')), refused(() => natsEvents())],
    generated: usingGeneratedMetadata(),
    build: (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('abstractions-ts.build')],
  });
}
`;

/** The entry: runs the app on a database file in the given folder. */
const MAIN = (appModule: string) => `import { run } from '${appModule}';

run(process.argv[2] + '/history.db').then(
  (line) => console.log(line),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
`;

const COMPILER_OPTIONS = {
  target: 'ES2022',
  strict: true,
  skipLibCheck: false,
  experimentalDecorators: true,
  useDefineForClassFields: true,
  outDir: 'dist',
  rootDir: 'src',
};

/** What the app prints in every consumer; `build` is the build of the package that was loaded. */
function expectApp(stdout: string, build: 'commonjs' | 'esm', generated = false): void {
  const line = stdout.trim().split('\n').pop() ?? '';
  expect(JSON.parse(line)).toEqual({
    count: 2,
    previous: true,
    versions: 2,
    peers: ['pg', '@nats-io/transport-node'],
    generated,
    build,
  });
}

/** The packages of `node_modules/abstractions-ts/dist/*` that tsc read for a program (--listFiles). */
function builds(listed: string): string[] {
  return [...new Set([...listed.matchAll(/node_modules\/abstractions-ts\/dist\/(\w+)\//g)].map((m) => m[1]))].sort();
}

let work: string;
let tarball: string;
let packedFiles: string[];
/** The consumers' shared installation (their parent folder). */
let apps: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-consumers-'));
  const out = ok('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  const [packed] = JSON.parse(out.slice(out.indexOf('[\n'))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, packed.filename);
  packedFiles = packed.files.map((f) => f.path);

  apps = path.join(work, 'apps');
  write(apps, { 'package.json': { name: 'consumers', private: true } });
  npmInstall(apps, [tarball, `@types/node@${PKG.devDependencies['@types/node']}`]);
  // The repository's build of the same better-sqlite3 (install scripts were skipped).
  const installed = path.join(apps, 'node_modules', 'better-sqlite3');
  const ours = path.join(ROOT, 'node_modules', 'better-sqlite3');
  const version = (dir: string) =>
    (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  expect(version(installed)).toBe(version(ours));
  fs.cpSync(
    path.join(ours, 'build', 'Release', 'better_sqlite3.node'),
    path.join(installed, 'build', 'Release', 'better_sqlite3.node'),
  );
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the two builds, the CLI, README and LICENSE, and nothing else', () => {
  for (const file of packedFiles) {
    expect(file).toMatch(
      /^(LICENSE|README\.md|package\.json|codegen\/(bin\.js|README\.md)|dist\/(src|esm|codegen)\/.+)$/,
    );
  }
  expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'dist/esm/package.json', 'dist/codegen/cli.js']));
  // The CLI is run, not imported: no declarations.
  expect(packedFiles.filter((f) => f.startsWith('dist/codegen/') && f.endsWith('.d.ts'))).toEqual([]);
  // Every module in both builds, with declarations and a source map.
  const modules = (dir: string) =>
    packedFiles
      .filter((f) => f.startsWith(dir) && f.endsWith('.js'))
      .map((f) => f.slice(dir.length))
      .sort();
  expect(modules('dist/esm/')).toEqual(modules('dist/src/'));
  for (const file of packedFiles.filter((f) => /^dist\/(src|esm)\/.*\.js$/.test(f))) {
    expect(packedFiles).toEqual(expect.arrayContaining([file.replace(/\.js$/, '.d.ts'), `${file}.map`]));
  }
});

test('source maps carry their sources, so they resolve without src/', () => {
  const dist = path.join(apps, 'node_modules', 'abstractions-ts', 'dist');
  const maps = packedFiles.filter((f) => f.endsWith('.js.map'));
  expect(maps.length).toBeGreaterThan(100);
  for (const file of maps) {
    const map = JSON.parse(fs.readFileSync(path.join(dist, '..', file), 'utf8')) as {
      sources: string[];
      sourcesContent?: string[];
    };
    expect(map.sourcesContent?.length).toBe(map.sources.length);
    expect(map.sourcesContent?.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
  }
  // A stack trace through the library points at its TypeScript source.
  write(path.join(work, 'maps'), {
    'package.json': { private: true },
    'throw.js': "require('abstractions-ts').parseAddress('nope');\n",
  });
  fs.symlinkSync(path.join(apps, 'node_modules'), path.join(work, 'maps', 'node_modules'), 'dir');
  const r = run(process.execPath, ['--enable-source-maps', 'throw.js'], path.join(work, 'maps'));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/AddressSyntaxError/);
  expect(r.stderr).toMatch(/abstractions-ts\/src\/address\/parse\.ts:\d+:\d+/);
});

test('CommonJS, tsc (NodeNext, strict, skipLibCheck false): the require build and its typings', () => {
  const dir = path.join(apps, 'cjs');
  write(dir, {
    'package.json': { private: true, type: 'commonjs' },
    'tsconfig.json': { compilerOptions: { ...COMPILER_OPTIONS, module: 'nodenext', moduleResolution: 'nodenext' } },
    'src/app.ts': APP,
    'src/main.ts': MAIN('./app'),
  });
  expect(builds(ok('node', [TSC, '-p', '.', '--listFiles'], dir))).toEqual(['src']);
  expectApp(ok('node', ['dist/main.js', dir], dir), 'commonjs');
});

test('ES module package, tsc (NodeNext, strict, skipLibCheck false): the import build and its typings', () => {
  const dir = path.join(apps, 'esm');
  write(dir, {
    'package.json': { private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { ...COMPILER_OPTIONS, module: 'nodenext', moduleResolution: 'nodenext' } },
    'src/app.ts': APP,
    'src/main.ts': MAIN('./app.js'),
  });
  expect(builds(ok('node', [TSC, '-p', '.', '--listFiles'], dir))).toEqual(['esm']);
  expectApp(ok('node', ['dist/main.js', dir], dir), 'esm');
});

test('tsx runs the TypeScript app on the import build', () => {
  const dir = path.join(apps, 'tsx');
  write(dir, {
    'package.json': { private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { ...COMPILER_OPTIONS, module: 'nodenext', moduleResolution: 'nodenext' } },
    'src/app.ts': APP,
    'src/main.ts': MAIN('./app.js'),
  });
  expectApp(ok('node', [TSX, 'src/main.ts', dir], dir), 'esm');
});

test('an esbuild ES module bundle (platform node) runs, bundling the import build and leaving the native driver out', async () => {
  const esbuild = await import('esbuild');
  const dir = path.join(apps, 'bundle');
  write(dir, {
    'package.json': { private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { ...COMPILER_OPTIONS, module: 'esnext', moduleResolution: 'bundler' } },
    'src/app.ts': APP,
    'src/main.ts': MAIN('./app'),
  });
  const bundled = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['src/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: 'dist/main.js',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(bundled.metafile.inputs);
  expect(inputs.some((f) => f.includes('node_modules/abstractions-ts/dist/esm/'))).toBe(true);
  expect(inputs.filter((f) => /abstractions-ts\/dist\/(src|codegen)\/|better-sqlite3|\/pg\/|@nats-io/.test(f))).toEqual(
    [],
  );
  expectApp(ok('node', ['dist/main.js', dir], dir), 'esm');
});

test('sideEffects: a bundle keeps the one-build check with the state it guards, and drops what it does not use', async () => {
  const esbuild = await import('esbuild');
  const dir = path.join(apps, 'side-effects');
  write(dir, {
    'package.json': { private: true, type: 'module' },
    'tsconfig.json': { compilerOptions: { experimentalDecorators: true } },
    'entry.ts': `import { Entity, entity } from 'abstractions-ts';
@entity()
class Note extends Entity {
  text = 'kept';
}
console.log(new Note().text);
`,
  });
  const bundled = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['entry.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: 'out.js',
    metafile: true,
    logLevel: 'silent',
  });
  const esm = 'node_modules/abstractions-ts/dist/esm/';
  const kept = Object.entries(bundled.metafile.outputs[Object.keys(bundled.metafile.outputs)[0]].inputs)
    .filter(([file, { bytesInOutput }]) => file.includes(esm) && bytesInOutput > 0)
    .map(([file]) => file.slice(file.indexOf(esm) + esm.length));
  expect(kept).toEqual(expect.arrayContaining(['util/single-build.js', 'metadata/class-registry.js']));
  // Pure and unused here: the Mermaid output, the shared store and its events.
  expect(kept.filter((f) => /^viz\/|postgres|nats|event-relay/.test(f))).toEqual([]);
  expect(ok('node', ['out.js'], dir).trim()).toBe('kept');
});

test('one build per process: loading the other one too throws DualPackageError, whichever came first', () => {
  const dir = path.join(apps, 'dual');
  write(dir, {
    'package.json': { private: true },
    'import-then-require.mjs': `import 'abstractions-ts';
import { createRequire } from 'node:module';
try {
  createRequire(import.meta.url)('abstractions-ts');
  console.log('loaded both');
} catch (e) {
  console.log(e.name + ': ' + e.message);
}
`,
    'require-then-import.cjs': `require('abstractions-ts');
import('abstractions-ts').then(
  () => console.log('loaded both'),
  (e) => console.log(e.name + ': ' + e.message),
);
`,
  });
  expect(ok('node', ['import-then-require.mjs'], dir)).toMatch(
    /^DualPackageError: abstractions-ts: its CommonJS build \(require\) is being loaded after its ES module build \(import\)/,
  );
  expect(ok('node', ['require-then-import.cjs'], dir)).toMatch(
    /^DualPackageError: abstractions-ts: its ES module build \(import\) is being loaded after its CommonJS build \(require\)/,
  );
});

test('the codegen CLI: without ts-morph one line says how to install it; with it, the generated file works with the package', () => {
  const dir = path.join(apps, 'cjs');
  const cli = path.join(apps, 'node_modules', '.bin', 'abstractions-codegen');
  const missing = run(cli, ['--project', 'tsconfig.json', '--out', 'src/abstractions.generated.ts'], dir);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toBe(
    'abstractions-codegen: needs ts-morph, an optional peer dependency of abstractions-ts that is not installed: ' +
      `npm install --save-dev "ts-morph@${PKG.peerDependencies['ts-morph']}"\n`,
  );

  npmInstall(apps, [`ts-morph@${PKG.devDependencies['ts-morph']}`]);
  ok(cli, ['--project', 'tsconfig.json', '--out', 'src/abstractions.generated.ts', '--quiet'], dir);
  expect(fs.readFileSync(path.join(dir, 'src', 'abstractions.generated.ts'), 'utf8')).toMatch(
    /from 'abstractions-ts\/generated-support'/,
  );
  write(dir, { 'src/generated-main.ts': `import './abstractions.generated';\n${MAIN('./app')}` });
  ok('node', [TSC, '-p', '.'], dir);
  expectApp(ok('node', ['dist/generated-main.js', dir], dir), 'commonjs', true);
});

test('TypeScript 5.0 compiles the typings (strict, skipLibCheck false), through require and import', () => {
  const dir = path.join(work, 'ts50');
  write(dir, { 'package.json': { name: 'ts50', private: true } });
  // @types/node 20.17.28 is the last release that supports TypeScript 5.0.
  npmInstall(dir, [tarball, 'typescript@5.0.4', '@types/node@20.17.28']);
  const tsc = path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  expect(ok('node', [tsc, '--version'], dir).trim()).toBe('Version 5.0.4');
  const project = (sub: string, type: string, options: object, appModule: string) => {
    write(path.join(dir, sub), {
      'package.json': { private: true, type },
      'tsconfig.json': { compilerOptions: { ...COMPILER_OPTIONS, ...options, noEmit: true } },
      'src/app.ts': APP,
      'src/main.ts': MAIN(appModule),
    });
    return builds(ok('node', [tsc, '-p', '.', '--listFiles'], path.join(dir, sub)));
  };
  expect(project('cjs', 'commonjs', { module: 'commonjs', moduleResolution: 'node' }, './app')).toEqual(['src']);
  expect(project('esm', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }, './app.js')).toEqual(['esm']);
});
