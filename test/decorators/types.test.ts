/**
 * The decorators' types, under both of TypeScript's decorator implementations, checked by the
 * compiler with skipLibCheck off: the decorator tests compile with standard decorators
 * (tsconfig.tc39.json) and with experimentalDecorators without emitDecoratorMetadata, and
 * standard decorators refuse a decorator on a member it does not fit.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const SUBJECT = path.join(__dirname, 'decorators.test.ts');
/** A file the checker reads from memory (next to the subject, so its imports resolve the same). */
const MISUSE = path.join(__dirname, 'misuse.virtual.ts');
const MISUSE_TEXT = `
import { Entity, entity, field, transient } from '../../src';
import { callable } from '../../src/callable/decorator';
@entity()
export class Misused extends Entity {
  @field() static shared = 1;
  @transient() #hidden = 1;
  @callable() instanceMethod(): number { return this.#hidden; }
}
`;

function compilerOptions(configFile: string, overrides: ts.CompilerOptions): ts.CompilerOptions {
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile));
  return { ...parsed.options, ...overrides, skipLibCheck: false, noEmit: true };
}

/** Diagnostics of `file` (read from memory when it is MISUSE), as `TS<code>: message` lines. */
function diagnosticsOf(file: string, options: ts.CompilerOptions): string[] {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    path.resolve(name) === MISUSE ? ts.createSourceFile(name, MISUSE_TEXT, language) : read(name, language, ...rest);
  host.fileExists = (
    (exists) => (name: string) =>
      path.resolve(name) === MISUSE || exists(name)
  )(host.fileExists);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
    (d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`,
  );
}

const STANDARD = compilerOptions(path.join(ROOT, 'tsconfig.tc39.json'), {});
const EXPERIMENTAL = compilerOptions(path.join(ROOT, 'tsconfig.json'), { emitDecoratorMetadata: false });

test('configurations: standard decorators, and experimentalDecorators without emitDecoratorMetadata', () => {
  expect([STANDARD.experimentalDecorators, STANDARD.emitDecoratorMetadata]).toEqual([false, false]);
  expect([EXPERIMENTAL.experimentalDecorators, EXPERIMENTAL.emitDecoratorMetadata]).toEqual([true, false]);
});

test.each([
  ['standard decorators', STANDARD],
  ['experimentalDecorators', EXPERIMENTAL],
])('every decorator type-checks under %s', (_mode, options) => {
  expect(diagnosticsOf(SUBJECT, options)).toEqual([]);
});

test('standard decorators: @field() on a static field, @transient() on a private one, @callable() on an instance method do not compile', () => {
  expect(diagnosticsOf(MISUSE, STANDARD)).toEqual([
    expect.stringMatching(/^TS1240: Unable to resolve signature of property decorator/),
    expect.stringMatching(/^TS1240: Unable to resolve signature of property decorator/),
    expect.stringMatching(/^TS1241: Unable to resolve signature of method decorator/),
  ]);
});
