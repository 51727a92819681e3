import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project, type CompilerOptions } from 'ts-morph';
import { RUNTIME_HELPERS } from '../../codegen/emit-imports';
import { emit, hashMatches, HEADER } from '../../codegen/emitter';
import { generate } from '../../codegen/generate';
import { readProject } from '../../codegen/reader';
import * as packageRoot from '../../src';
import * as generatedSupport from '../../src/generated-support';
import { FIXTURES, GOLDEN, PROJECT, PROJECT_TSCONFIG, rel, ROOT, runCli, tempDir, UPDATE_GOLDEN } from './helpers';

jest.setTimeout(120_000);

const MINIMAL = path.join(FIXTURES, 'minimal', 'tsconfig.json');

/**
 * @tsconfig/strictest's checks (verbatimModuleSyntax aside: this project is CommonJS), under which
 * every kind of field the fixture declares must type-check (test/codegen/compiler-settings.test.ts
 * checks smaller projects in each module setting).
 */
const STRICTEST: CompilerOptions = {
  allowUnusedLabels: false,
  allowUnreachableCode: false,
  exactOptionalPropertyTypes: true,
  noFallthroughCasesInSwitch: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
};

describe('golden output of the fixture project', () => {
  let text: string;
  let elapsed: number;

  beforeAll(() => {
    const t0 = performance.now();
    const result = generate({ project: PROJECT_TSCONFIG, out: GOLDEN });
    elapsed = performance.now() - t0;
    expect(result.errors).toEqual([]);
    text = result.text;
    if (UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, text);
  });

  test('matches the committed golden file byte for byte', () => {
    const golden = fs.readFileSync(GOLDEN, 'utf8');
    if (text !== golden) {
      throw new Error(
        `${rel(GOLDEN)} is stale: regenerate it with UPDATE_GOLDEN=1 npx jest test/codegen/golden.test.ts and review the diff`,
      );
    }
    expect(elapsed).toBeLessThan(30_000);
  });

  test('starts with the header and records a content hash that matches the body', () => {
    expect(text.split('\n')[0]).toBe(HEADER);
    expect(hashMatches(text)).toBe(true);
    expect(hashMatches(text.replace("'list[]'", "'list[ ]'"))).toBe(false);
  });

  test('is deterministic: a second run in a fresh project and from another cwd gives the same text', () => {
    const again = generate({ project: rel(PROJECT_TSCONFIG), out: rel(GOLDEN), cwd: ROOT });
    expect(again.text).toBe(text);
    const fromElsewhere = generate({ project: PROJECT_TSCONFIG, out: GOLDEN, cwd: FIXTURES });
    expect(fromElsewhere.text).toBe(text);
  });

  test('contains no absolute paths, timestamps or machine-specific text', () => {
    expect(text).not.toContain(ROOT);
    expect(text).not.toMatch(/import\("/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  test('imports types with `import type` and values apart (verbatimModuleSyntax), classes type-only, only what it uses', () => {
    const declarations = [...text.matchAll(/^import( type)? \{([^}]*)\} from '([^']+)';$/gm)].map((m) => ({
      typeOnly: m[1] !== undefined,
      names: m[2]
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
      spec: m[3],
    }));
    expect(declarations.length).toBeGreaterThan(5);
    const runtimeTypes = [
      'ChildVisitor',
      'EntityObject',
      'GeneratedClassSpec',
      'LeafMapper',
      'PathSegment',
      'RowFieldWriter',
      'StoredSlots',
    ];
    for (const d of declarations) {
      for (const name of d.names) {
        expect(name).not.toMatch(/^type /);
        // Runtime values are imported as values; runtime types and the project's classes and types type-only.
        const fromRuntime = d.spec.includes('/src/');
        expect([name, d.typeOnly]).toEqual([name, !fromRuntime || runtimeTypes.includes(name)]);
        expect(text.split(new RegExp(`\\b${name}\\b`)).length).toBeGreaterThan(2); // used, not only imported
      }
    }
  });
});

describe('runtime import location', () => {
  let model: ReturnType<typeof readProject>['model'];
  beforeAll(() => {
    model = readProject({ tsconfig: PROJECT_TSCONFIG, skipFiles: [GOLDEN] }).model;
  });

  test('default: relative paths to the package sources the project imports', () => {
    expect(model.runtime).toEqual({ kind: 'source', dir: path.join(ROOT, 'src') });
    const text = emit(model, { outFile: path.join(PROJECT, 'x.generated.ts') });
    expect(text).toContain("} from '../../../../src/metadata/class-registry';");
    expect(text).toContain("from '../../../../src/metadata/values';");
    expect(text).toContain("from '../../../../src/metadata/object-model';");
    expect(text).toContain("declare module '../../../../src/callable/signatures' {");
    expect(text).toContain(
      "import { installGeneratedSignatures } from '../../../../src/callable/generated-signatures';",
    );
  });

  test('default-mode and package-mode output type-check under @tsconfig/strictest checks (package mode through a paths mapping)', () => {
    const check = (runtime: string | undefined, compilerOptions: CompilerOptions): string[] => {
      const project = new Project({
        tsConfigFilePath: PROJECT_TSCONFIG,
        compilerOptions: { ...STRICTEST, ...compilerOptions },
      });
      const golden = project.getSourceFile(GOLDEN);
      if (golden) project.removeSourceFile(golden);
      const file = path.join(PROJECT, '__typecheck__.generated.ts');
      const text = emit(model, {
        outFile: file,
        runtime: runtime === undefined ? undefined : { kind: 'module', specifier: runtime },
      });
      const sf = project.createSourceFile(file, text, { overwrite: true });
      return sf.getPreEmitDiagnostics().map((d) => `${d.getLineNumber()}: ${String(d.getMessageText())}`);
    };
    expect(check(undefined, {})).toEqual([]);
    const packagePaths = {
      'abstractions-ts': [path.join(ROOT, 'src', 'index.ts')],
      'abstractions-ts/generated-support': [path.join(ROOT, 'src', 'generated-support.ts')],
    };
    expect(check('abstractions-ts', { baseUrl: ROOT, paths: packagePaths })).toEqual([]);
  });

  test('package users: runtime names from abstractions-ts/generated-support, FunctionSignatures augmented on the root', () => {
    const text = emit(model, {
      outFile: path.join(PROJECT, 'x.generated.ts'),
      runtime: { kind: 'module', specifier: 'abstractions-ts' },
    });
    const specifiers = [...text.matchAll(/from '([^']+)';$/gm)].map((m) => m[1]);
    // Two declarations: the types (`import type`), then the values.
    expect(specifiers.filter((s) => !s.startsWith('./'))).toEqual([
      'abstractions-ts/generated-support',
      'abstractions-ts/generated-support',
    ]);
    expect(text).toMatch(/^import type \{\n  ChildVisitor,$/m);
    expect(text).toMatch(/^  installGeneratedSignatures,$/m);
    expect(text).toContain("declare module 'abstractions-ts' {");
    expect(text).not.toContain("from 'abstractions-ts';");
  });

  test('src/generated-support.ts exports every runtime value a generated file imports; the package root none of them', () => {
    const support = generatedSupport as Record<string, unknown>;
    const root = packageRoot as Record<string, unknown>;
    const values = RUNTIME_HELPERS.filter((n) => /^[a-z]|^VALUES$/.test(n));
    expect(values.length).toBeGreaterThan(10);
    for (const name of values) {
      expect([name, typeof support[name]]).not.toEqual([name, 'undefined']);
      expect([name, name in root]).toEqual([name, false]);
    }
  });

  test('a project without registered functions does not reference the signatures module', () => {
    const { model: minimal } = readProject({ tsconfig: MINIMAL });
    const text = emit(minimal, { outFile: path.join(FIXTURES, 'minimal', 'out.generated.ts') });
    expect(minimal.functions).toEqual([]);
    expect(text).not.toContain('signatures');
    expect(text).not.toContain('FunctionSignatures');
    expect(text).toContain('installGeneratedMetadata(generatedClassSpecs);');
  });
});

describe('CLI', () => {
  test('writes, then --check passes when fresh and fails (exit 1) naming the file when stale or missing', async () => {
    const dir = tempDir('check');
    const out = path.join(dir, 'abstractions.generated.ts');
    const args = ['--project', rel(MINIMAL), '--out', out];

    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stderr.join('\n')).toMatch(
      /wrote .*abstractions\.generated\.ts \(2 entity classes, 0 registered functions, [\d.]+ (ms|s)/,
    );
    const written = fs.readFileSync(out, 'utf8');

    const fresh = await runCli([...args, '--check']);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr.join('\n')).toContain('is up to date');
    expect(fs.readFileSync(out, 'utf8')).toBe(written);

    fs.writeFileSync(out, written.replace("'parts[]'", "'parts[?]'"));
    const stale = await runCli([...args, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr.join('\n')).toMatch(
      new RegExp(
        `${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is stale .*regenerate it with \`abstractions-codegen --project`,
      ),
    );
    expect(fs.readFileSync(out, 'utf8')).toContain("'parts[?]'"); // --check writes nothing

    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(written);
    const unchanged = await runCli(args);
    expect(unchanged.stderr.join('\n')).toContain('unchanged');

    fs.unlinkSync(out);
    const missing = await runCli([...args, '--check']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.join('\n')).toContain('is missing');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('usage errors exit 2; --help prints the usage', async () => {
    const bad = await runCli(['--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.join('\n')).toContain('unknown option --frobnicate');
    const noValue = await runCli(['--out']);
    expect(noValue.code).toBe(2);
    const both = await runCli(['--check', '--watch']);
    expect(both.code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.join('\n')).toContain('Usage: abstractions-codegen');
    const noProject = await runCli(['--project', 'does/not/exist.json']);
    expect(noProject.code).toBe(2);
  });

  test('bin.js runs the CLI (through tsx when not compiled): --check of the golden file exits 0', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'codegen', 'bin.js'), '--project', rel(PROJECT_TSCONFIG), '--out', rel(GOLDEN), '--check'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toContain('is up to date');
    expect(r.status).toBe(0);
  });
});
