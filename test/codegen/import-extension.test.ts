/**
 * How the generated file's relative imports end: detected from the project's compiler options
 * (importExtensionOf), or set with --import-extension; and the specifier of each kind of module
 * file in each style (moduleSpecifier).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ts } from 'ts-morph';
import { parseArgs } from '../../codegen/cli';
import { moduleSpecifier } from '../../codegen/emit-imports';
import { importExtensionOf } from '../../codegen/reader';
import { FIXTURES, rel, runCli, tempDir } from './helpers';

jest.setTimeout(120_000);

const { ModuleKind: M, ModuleResolutionKind: R } = ts;

test.each([
  ['no module options (CommonJS)', {}, 'none'],
  ['module commonjs', { module: M.CommonJS }, 'none'],
  ['moduleResolution node10', { module: M.CommonJS, moduleResolution: R.Node10 }, 'none'],
  ['module esnext, moduleResolution bundler', { module: M.ESNext, moduleResolution: R.Bundler }, 'none'],
  ['module preserve (bundler resolution)', { module: M.Preserve }, 'none'],
  [
    'bundler with allowImportingTsExtensions',
    { moduleResolution: R.Bundler, allowImportingTsExtensions: true },
    'none',
  ],
  ['module node16 (node16 resolution)', { module: M.Node16 }, 'js'],
  ['module node18', { module: M.Node18 }, 'js'],
  ['module nodenext', { module: M.NodeNext }, 'js'],
  ['moduleResolution nodenext', { module: M.NodeNext, moduleResolution: R.NodeNext }, 'js'],
  ['nodenext with allowImportingTsExtensions', { module: M.NodeNext, allowImportingTsExtensions: true }, 'ts'],
  ['rewriteRelativeImportExtensions', { module: M.NodeNext, rewriteRelativeImportExtensions: true }, 'ts'],
] as const)('%s', (_name, options, expected) => {
  expect(importExtensionOf(options)).toBe(expected);
});

test.each([
  ['/p/src/model.ts', './src/model', './src/model.js', './src/model.ts'],
  ['/p/src/view.tsx', './src/view', './src/view.js', './src/view.tsx'],
  ['/p/labels.mts', './labels.mjs', './labels.mjs', './labels.mts'],
  ['/p/legacy.cts', './legacy.cjs', './legacy.cjs', './legacy.cts'],
  ['/p/types.d.ts', './types', './types.js', './types.js'],
  ['/p/types.d.mts', './types.mjs', './types.mjs', './types.mjs'],
  ['/p/plain.js', './plain.js', './plain.js', './plain.js'],
  ['/p/plain.mjs', './plain.mjs', './plain.mjs', './plain.mjs'],
  // A module path printed without its file's extension is taken for a .ts file.
  ['/p/printed', './printed', './printed.js', './printed.ts'],
  ['/model.ts', '../model', '../model.js', '../model.ts'],
])('%s from /p: none %s, js %s, ts %s', (file, none, js, tsExtension) => {
  expect(moduleSpecifier('/p', file, 'none')).toBe(none);
  expect(moduleSpecifier('/p', file, 'js')).toBe(js);
  expect(moduleSpecifier('/p', file, 'ts')).toBe(tsExtension);
});

test('--import-extension takes js, ts or none; anything else is a usage error', () => {
  expect(parseArgs(['--import-extension', 'js'])).toMatchObject({ importExtension: 'js' });
  expect(parseArgs(['--import-extension=none'])).toMatchObject({ importExtension: 'none' });
  expect(parseArgs([])).toMatchObject({ importExtension: undefined, strict: false });
  expect(() => parseArgs(['--import-extension', 'mjs'])).toThrow(
    '--import-extension must be one of js, ts, none, not mjs',
  );
});

test('the CLI writes the extension asked for, and --check names the option in its hint', async () => {
  const out = path.join(tempDir('import-extension'), 'abstractions.generated.ts');
  const args = ['--project', rel(path.join(FIXTURES, 'minimal', 'tsconfig.json')), '--out', out];
  expect((await runCli([...args, '--import-extension', 'ts'])).code).toBe(0);
  const text = fs.readFileSync(out, 'utf8');
  expect(text).toMatch(/^import type \{ Part, Widget \} from '.*\/minimal\/widget\.ts';$/m);
  expect(text).toMatch(/^import \{ installGeneratedMetadata \} from '.*\/src\/metadata\/class-registry\.ts';$/m);
  const stale = await runCli([...args, '--import-extension', 'js', '--check']);
  expect(stale.code).toBe(1);
  expect(stale.stderr.join('\n')).toContain('--import-extension js` and commit it');
});

test('a --runtime path that names no module file (a typo, a directory) is refused, naming it, before anything is read', async () => {
  const out = path.join(tempDir('runtime-path'), 'abstractions.generated.ts');
  const args = ['--project', rel(path.join(FIXTURES, 'minimal', 'tsconfig.json')), '--out', out];
  for (const runtime of ['./src/metadata/class-registri', './src/metadata']) {
    const run = await runCli([...args, '--runtime', runtime]);
    expect(run.code).toBe(2);
    expect(run.stderr.join('\n')).toContain(`--runtime ${runtime}: no module file`);
    expect(fs.existsSync(out)).toBe(false);
  }
});
