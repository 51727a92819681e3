/**
 * The guide cannot rot: every ```ts snippet of docs/guide/*.md is type-checked under the tsconfig
 * the guide itself gives (getting-started.md, strict, no `emitDecoratorMetadata`) and run, each
 * with a fresh copy of the library; a line that states its output (`console.log(x); // → text`)
 * must print exactly that (whitespace runs compared as one space). Every ```json snippet is valid JSON,
 * and the package.json one runs the generator with options it accepts.
 *
 * A snippet imports the library as users do, from 'abstractions-ts' (mapped to src/ here). The one
 * fence marker, ```ts file=<name>.ts, makes a snippet a module the page's later snippets import
 * as './<name>'.
 * Runs in the `runtime` jest project only (jest.config.js): it loads the library itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import * as ts from 'typescript';
import { parseArgs } from '../../codegen/cli';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const GUIDE = path.join(ROOT, 'docs', 'guide');
/** Inside the repository (so node_modules resolves), ignored by git, ESLint and tsc. */
const WORK = path.join(ROOT, 'docs', `.guide-snippets-${process.pid}`);
const LIBRARY = path.join(ROOT, 'src', 'index.ts');
const FENCE_LANGUAGES = ['ts', 'json', 'bash', 'mermaid'];
const OUTPUT = /\/\/ → (.*)$/;

interface Fence {
  readonly page: string;
  /** 1-based line of the first line of code in the page. */
  readonly line: number;
  readonly language: string;
  readonly markers: readonly string[];
  readonly code: string;
}

/** One snippet as a TypeScript module. */
interface Program {
  readonly page: string;
  readonly file: string;
  /** 1-based page line of its first line. */
  readonly line: number;
  readonly lines: readonly string[];
}

function fencesOf(page: string): Fence[] {
  const lines = fs.readFileSync(path.join(GUIDE, page), 'utf8').split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end === -1) throw new Error(`${page}:${i + 1}: unclosed code fence`);
    out.push({
      page,
      line: i + 2,
      language: open[1],
      markers: open[2].split(/\s+/).filter(Boolean),
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return out;
}

const pages = fs
  .readdirSync(GUIDE)
  .filter((f) => f.endsWith('.md'))
  .sort();
const fences = pages.flatMap(fencesOf);

const programs: Program[] = fences
  .filter((f) => f.language === 'ts')
  .map((f) => ({
    page: f.page,
    file: f.markers.find((m) => m.startsWith('file='))?.slice('file='.length) ?? `snippet-${f.line}.ts`,
    line: f.line,
    lines: f.code.split('\n'),
  }));
const dirOf = (p: Program, kind: 'check' | 'run') => path.join(WORK, kind, path.basename(p.page, '.md'));
/** Where line `line` (0-based) of a snippet is in its page. */
const where = (p: Program, line = 0) => `docs/guide/${p.page}:${p.line + line}`;
const text = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, '\n');

/** The compiler options of the tsconfig getting-started.md gives, as the snippets' project. */
function guideCompilerOptions(): ts.CompilerOptions {
  const tsconfig = fences
    .filter((f) => f.page === 'getting-started.md' && f.language === 'json')
    .map((f) => JSON.parse(f.code) as { compilerOptions?: object })
    .find((j) => j.compilerOptions !== undefined);
  if (tsconfig === undefined) throw new Error('getting-started.md gives no tsconfig.json');
  const { options, errors } = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, ROOT);
  if (errors.length > 0) throw new Error(errors.map(text).join('\n'));
  return options;
}

let diagnostics: Map<string, string[]>;
let options: ts.CompilerOptions;

beforeAll(() => {
  options = guideCompilerOptions();
  for (const p of programs) {
    fs.mkdirSync(dirOf(p, 'check'), { recursive: true });
    fs.writeFileSync(path.join(dirOf(p, 'check'), p.file), p.lines.join('\n'));
  }
  // The package name resolves to the sources, as it resolves to the built package for a user.
  const program = ts.createProgram(
    programs.map((p) => path.join(dirOf(p, 'check'), p.file)),
    { ...options, noEmit: true, types: ['node'], baseUrl: ROOT, paths: { 'abstractions-ts': [LIBRARY] } },
  );
  // Only the snippets are checked (the library's sources are checked by the project's own tsconfig).
  diagnostics = new Map([
    ['(global)', [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(text)],
  ]);
  for (const p of programs) {
    const file = program.getSourceFile(path.join(dirOf(p, 'check'), p.file))!;
    const found = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    diagnostics.set(
      where(p),
      found.map((d) => `${where(p, file.getLineAndCharacterOfPosition(d.start ?? 0).line)} ${text(d)}`),
    );
  }
});

afterAll(() => {
  fs.rmSync(WORK, { recursive: true, force: true });
});

/** The module as it runs here: the library from src/, every console.log reporting its line. */
function runnable(p: Program): string {
  const library = path.relative(dirOf(p, 'run'), LIBRARY.replace(/\.ts$/, '')).split(path.sep).join('/');
  const source = p.lines
    .map((l, i) =>
      l.replace(/(['"])abstractions-ts\1/g, `'${library}'`).replace(/\bconsole\.log\(/g, `__guideLog(${i}, `),
    )
    .join('\n');
  return ts.transpileModule(source, { compilerOptions: { ...options, module: ts.ModuleKind.CommonJS } }).outputText;
}

declare global {
  // Set while a snippet runs: what each of its lines printed.
  var __guideLog: (line: number, ...args: unknown[]) => void;
}

/** The programs run so far: a page's snippets run in order, in one directory (what one writes, a later one may read). */
const ran = new Set<Program>();

function run(p: Program): Map<number, string[]> {
  const page = programs.filter((x) => x.page === p.page);
  for (const q of page) {
    fs.mkdirSync(dirOf(q, 'run'), { recursive: true });
    fs.writeFileSync(path.join(dirOf(q, 'run'), q.file.replace(/\.ts$/, '.js')), runnable(q));
  }
  for (const earlier of page.slice(0, page.indexOf(p))) if (!ran.has(earlier)) run(earlier);
  ran.add(p);
  const printed = new Map<number, string[]>();
  globalThis.__guideLog = (line, ...args) => printed.set(line, [...(printed.get(line) ?? []), format(...args)]);
  const cwd = process.cwd();
  process.chdir(dirOf(p, 'run')); // files a snippet writes land in the work directory
  try {
    jest.isolateModules(() => {
      require(path.join(dirOf(p, 'run'), p.file.replace(/\.ts$/, '.js')));
    });
  } catch (error) {
    throw new Error(`${where(p)}: the snippet threw: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    process.chdir(cwd);
  }
  return printed;
}

describe('docs/guide', () => {
  it('has its pages, and only fences this test knows', () => {
    expect(pages).toEqual(
      expect.arrayContaining([
        'README.md',
        'getting-started.md',
        'serialization.md',
        'mermaid.md',
        'undo-redo.md',
        'history-of-one-entity.md',
        'events.md',
        'codegen-in-a-build.md',
      ]),
    );
    for (const f of fences) {
      expect({ at: `${f.page}:${f.line}`, language: f.language }).toEqual({
        at: `${f.page}:${f.line}`,
        language: expect.stringMatching(new RegExp(`^(${FENCE_LANGUAGES.join('|')})$`)),
      });
      const known = f.language === 'ts' ? /^file=[\w-]+\.ts$/ : /^$/;
      for (const m of f.markers)
        expect({ at: `${f.page}:${f.line}`, marker: m }).toEqual({
          at: expect.anything(),
          marker: expect.stringMatching(known),
        });
    }
    expect(diagnostics.get('(global)')).toEqual([]);
    // `npm run docs` makes them one site with the API reference: the index as its front page.
    const typedoc = JSON.parse(fs.readFileSync(path.join(ROOT, 'typedoc.json'), 'utf8')) as {
      readme: string;
      projectDocuments: string[];
    };
    expect([typedoc.readme, ...typedoc.projectDocuments].sort()).toEqual(pages.map((p) => `docs/guide/${p}`));
  });

  it.each(fences.filter((f) => f.language === 'json').map((f) => [`${f.page}:${f.line}`, f] as const))(
    '%s is valid JSON',
    (_, f) => {
      expect(() => JSON.parse(f.code)).not.toThrow();
    },
  );

  it.each(programs.map((p) => [where(p), p] as const))('%s compiles and runs as it says', (_, p) => {
    expect(diagnostics.get(where(p))).toEqual([]);
    const printed = run(p);
    p.lines.forEach((line, i) => {
      const stated = OUTPUT.exec(line);
      if (stated === null) return;
      const expected = stated[1].trim().replace(/\s+/g, ' ');
      const actual = printed.get(i);
      if (actual === undefined) throw new Error(`${where(p, i)}: states an output, but the line printed nothing`);
      // As one line: what util.inspect wraps past 72 columns reads the same on one.
      const text = actual.join('\n').replace(/\s+/g, ' ');
      expect({ at: where(p, i), text }).toEqual({ at: where(p, i), text: expected });
    });
  });

  it('codegen-in-a-build.md: the package.json scripts regenerate before build and test, and check in CI', () => {
    const pkg = fences
      .filter((f) => f.page === 'codegen-in-a-build.md' && f.language === 'json')
      .map((f) => JSON.parse(f.code) as { scripts?: Record<string, string> })
      .find((j) => j.scripts !== undefined);
    const scripts = pkg?.scripts ?? {};
    expect(scripts.prebuild).toBe('npm run codegen');
    expect(scripts.pretest).toBe('npm run codegen');
    // `npm run codegen -- <more>` runs the codegen script with more arguments.
    const argv = (name: string): string[] => {
      const [command, ...rest] = scripts[name].split(' -- ');
      const words = command === 'npm run codegen' ? argv('codegen') : command.split(/\s+/);
      return [...words, ...rest.join(' ').split(/\s+/).filter(Boolean)];
    };
    const cli = (name: string) => {
      const [bin, ...args] = argv(name);
      expect(bin).toBe('abstractions-codegen');
      return parseArgs(args);
    };
    expect(cli('codegen')).toMatchObject({ check: false, watch: false });
    expect(cli('codegen:check')).toMatchObject({ check: true });
    expect(cli('codegen:watch')).toMatchObject({ watch: true });
  });
});
