/**
 * The generated file compiles wherever the user's code does. Each fixture project of
 * test/fixtures/codegen/compiler-settings is one kind of consumer setup: CommonJS with
 * moduleResolution node10, ESM with NodeNext, @tsconfig/strictest's checks with
 * verbatimModuleSyntax, and a Vite-like bundler project. For each, the generated text is the
 * committed golden file, and it type-checks with the TypeScript compiler API under the project's
 * own tsconfig with no error in any of the project's files. Each project also declares a class
 * and a function the generator cannot describe: they are left out, and the rest is generated.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { generate, type GenerateResult } from '../../codegen/generate';
import type { ImportExtension } from '../../codegen/model';
import { FIXTURES, rel, UPDATE_GOLDEN } from './helpers';

jest.setTimeout(120_000);

const SETTINGS_DIR = path.join(FIXTURES, 'compiler-settings');

interface Setting {
  readonly name: string;
  /** What the project's compiler options call for. */
  readonly extension: ImportExtension;
  /** `--runtime`: the project's module re-exporting the package, or the default (its sources). */
  readonly runtime?: string;
  /** How the generated file imports the project's model, as that setting requires. */
  readonly modelImport: string;
  /** The project's function names start with it (one program type-checks every fixture: FunctionSignatures is global). */
  readonly prefix: string;
}

const SETTINGS: readonly Setting[] = [
  { name: 'cjs-node10', extension: 'none', modelImport: "from './model';", prefix: 'node10' },
  { name: 'esm-nodenext', extension: 'js', modelImport: "from './model.js';", prefix: 'nodenext' },
  { name: 'strictest', extension: 'js', runtime: 'runtime.ts', modelImport: "from './model.js';", prefix: 'strictest' },
  { name: 'bundler', extension: 'none', runtime: 'runtime.ts', modelImport: "from './model';", prefix: 'bundler' },
];

/**
 * The diagnostics of a program of the project `tsconfig` in which `file` has the content `text`
 * (whatever is on disk), in the project's own files (not the package sources it imports), as
 * `file:line TSnnnn message`.
 */
function typeCheck(tsconfig: string, file: string, text: string): string[] {
  const dir = path.dirname(tsconfig);
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    path.resolve(name) === file
      ? ts.createSourceFile(name, text, languageVersion)
      : getSourceFile(name, languageVersion, ...rest);
  const rootNames = [...parsed.fileNames.filter((f) => path.resolve(f) !== file), file];
  const program = ts.createProgram({ rootNames, options: parsed.options, host });
  const diagnostics: ts.Diagnostic[] = [
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const sf of program.getSourceFiles()) {
    if (!path.resolve(sf.fileName).startsWith(dir + path.sep)) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  return diagnostics.map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${rel(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} `
        : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe.each(SETTINGS)('compiler settings: $name', (setting) => {
  const dir = path.join(SETTINGS_DIR, setting.name);
  const tsconfig = path.join(dir, 'tsconfig.json');
  const golden = path.join(dir, 'abstractions.generated.ts');
  let result: GenerateResult;

  beforeAll(() => {
    result = generate({
      project: tsconfig,
      out: golden,
      runtime: setting.runtime === undefined ? undefined : path.join(dir, setting.runtime),
    });
    if (UPDATE_GOLDEN) fs.writeFileSync(golden, result.text);
  });

  test('the generated file is the committed golden file', () => {
    if (result.text !== fs.readFileSync(golden, 'utf8')) {
      throw new Error(
        `${rel(golden)} is stale: regenerate it with UPDATE_GOLDEN=1 npx jest test/codegen/compiler-settings.test.ts and review the diff`,
      );
    }
  });

  test("relative imports end as the project's compiler options require", () => {
    expect(result.model.importExtension).toBe(setting.extension);
    expect(result.text).toContain(setting.modelImport);
  });

  test("it type-checks under the project's tsconfig, with the project's own files", () => {
    expect(typeCheck(tsconfig, golden, result.text)).toEqual([]);
  });

  test('the class and the function with errors are reported and left out; everything else is generated', () => {
    expect(result.errors.map((d) => `${path.basename(d.location.file)}:${d.location.line}`)).toEqual([
      expect.stringMatching(/^functions\.ts:\d+$/),
      expect.stringMatching(/^model\.ts:\d+$/),
    ]);
    expect(result.errors[0].message).toMatch(/_describe', argument 'what': union of an entity and data/);
    expect(result.errors[1].message).toMatch(/^Memo\.payload: type 'unknown' is not supported/);
    const omitted = result.model.omitted.map((o) => `${o.kind} ${o.name}`);
    expect(omitted).toEqual(expect.arrayContaining(['class Memo', `function ${setting.prefix}_describe`]));
    expect(result.model.classes.map((c) => c.name)).toContain('Deck');
    expect(result.model.classes.map((c) => c.name)).not.toContain('Memo');
    expect(result.text).toMatch(/^\/\/ {3}class Memo \(model\.ts:\d+\): uses runtime metadata$/m);
    expect(result.text).toContain(`    ${setting.prefix}_move_ticket: { args: `);
    expect(result.text).not.toContain(`${setting.prefix}_describe: {`); // in neither table
  });
});

test('the check is real: under NodeNext, the same file with extensionless imports gives TS2835', () => {
  const dir = path.join(SETTINGS_DIR, 'esm-nodenext');
  const tsconfig = path.join(dir, 'tsconfig.json');
  const out = path.join(dir, 'abstractions.generated.ts');
  const { text } = generate({ project: tsconfig, out, importExtension: 'none' });
  expect(text).toContain("from './model';");
  expect(typeCheck(tsconfig, out, text)).toContainEqual(
    expect.stringMatching(
      /^test\/fixtures\/codegen\/compiler-settings\/esm-nodenext\/abstractions\.generated\.ts:\d+ TS2835 /,
    ),
  );
});
