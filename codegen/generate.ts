import * as fs from 'fs';
import * as path from 'path';
import { SCRIPT_EXTENSION, SOURCE_EXTENSIONS } from './module-files';
import { emit } from './emitter';
import {
  formatDiagnostic,
  type CodegenModel,
  type Diagnostic,
  type ImportExtension,
  type RuntimeLocation,
} from './model';
import { readProject } from './reader';

/** Read -> emit -> compare/write: the CLI's engine, usable from tests and build scripts. */

export interface GenerateOptions {
  /** tsconfig.json of the project to read. */
  readonly project: string;
  /** The generated file. */
  readonly out: string;
  /**
   * Where the generated file imports the runtime from: a package specifier (`abstractions-ts`),
   * or a path to a module re-exporting the runtime (relative to `cwd`; recognised as a path when it
   * starts with `.` or `/`, has a script extension or exists).
   * Default: the package's source tree when the project imports it by relative path, else `abstractions-ts`.
   */
  readonly runtime?: string;
  /**
   * How relative import specifiers end (`./model.js`, `./model.ts`, `./model`). Default: what the
   * project's compiler options call for (see importExtensionOf in reader.ts).
   */
  readonly importExtension?: ImportExtension;
  /** Base directory for relative paths (default: process.cwd()). */
  readonly cwd?: string;
}

export interface GenerateResult {
  /** Declarations with errors are left out of it (`model.omitted`). */
  readonly model: CodegenModel;
  /** The generated text: everything but the declarations with errors. */
  readonly text: string;
  readonly outFile: string;
  /** Absolute paths of the source files read (what --watch watches). */
  readonly sourceFiles: readonly string[];
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly timings: { readonly load: number; readonly read: number; readonly emit: number; readonly total: number };
}

export function resolveRuntime(runtime: string | undefined, cwd: string): RuntimeLocation | undefined {
  if (runtime === undefined) return undefined;
  const isPath =
    runtime.startsWith('.') ||
    path.isAbsolute(runtime) ||
    SCRIPT_EXTENSION.test(runtime) ||
    fs.existsSync(path.resolve(cwd, runtime));
  if (isPath) return { kind: 'file', path: withExtension(path.resolve(cwd, runtime)) };
  return { kind: 'module', specifier: runtime };
}

/** A module path given without its extension: the file it names (imports then end as the file's kind asks). */
function withExtension(file: string): string {
  if (SCRIPT_EXTENSION.test(file)) return file;
  const found = SOURCE_EXTENSIONS.find((ext) => fs.existsSync(file + ext));
  return found === undefined ? file : file + found;
}

/**
 * What is wrong with `--runtime` when it names a path that is no module file (a typo, a
 * directory), or null: the generated file would import it, and only the project's own build
 * would notice.
 */
export function runtimePathProblem(runtime: string | undefined, cwd: string): string | null {
  const at = resolveRuntime(runtime, cwd);
  if (at?.kind !== 'file' || fs.statSync(at.path, { throwIfNoEntry: false })?.isFile()) return null;
  return `--runtime ${runtime}: no module file ${at.path}${SCRIPT_EXTENSION.test(at.path) ? '' : ` (nor with ${SOURCE_EXTENSIONS.join(', ')})`}`;
}

export function generate(options: GenerateOptions): GenerateResult {
  const t0 = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const outFile = path.resolve(cwd, options.out);
  const { model, timings, files } = readProject({ tsconfig: path.resolve(cwd, options.project), skipFiles: [outFile] });
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  const warnings = model.diagnostics.filter((d) => d.severity === 'warning');
  const t1 = performance.now();
  const text = emit(model, {
    outFile,
    runtime: resolveRuntime(options.runtime, cwd),
    importExtension: options.importExtension,
  });
  const t2 = performance.now();
  return {
    model,
    text,
    outFile,
    sourceFiles: files.map((f) => f.getFilePath()),
    errors,
    warnings,
    timings: { load: timings.load, read: timings.read, emit: t2 - t1, total: t2 - t0 },
  };
}

export type FileState = 'fresh' | 'stale' | 'missing';

export function compareWithFile(outFile: string, text: string): FileState {
  if (!fs.existsSync(outFile)) return 'missing';
  return fs.readFileSync(outFile, 'utf8') === text ? 'fresh' : 'stale';
}

/** Writes the file when its content changed; returns true when it wrote. */
export function writeIfChanged(outFile: string, text: string): boolean {
  if (compareWithFile(outFile, text) === 'fresh') return false;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, text);
  return true;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], cwd: string = process.cwd()): string[] {
  return diagnostics.map((d) => formatDiagnostic(d, cwd));
}
