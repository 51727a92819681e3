import * as fs from 'fs';
import * as path from 'path';
import { IMPORT_EXTENSIONS, type ImportExtension } from './model';
import { plural } from './text';
import {
  compareWithFile,
  formatDiagnostics,
  generate,
  runtimePathProblem,
  writeIfChanged,
  type GenerateOptions,
  type GenerateResult,
} from './generate';

/**
 * abstractions-codegen [--project tsconfig.json] [--out src/generated/abstractions.generated.ts]
 *                      [--runtime <module>] [--import-extension js|ts|none] [--check] [--strict] [--watch]
 *
 * Progress and the summary go to stderr. Exit codes: 0 ok (the file is written even when some
 * declarations have errors: they are left out), 1 stale or missing file (--check) or any
 * diagnostic (--strict), 2 usage error.
 */

export const USAGE = `Usage: abstractions-codegen [options]

Reads a TypeScript project and writes one file with the metadata of every @entity() class and
the signatures of every registered function (import it before creating entities).

Options:
  --project <file>   tsconfig.json of the project (default: tsconfig.json)
  --out <file>       the generated file (default: src/generated/abstractions.generated.ts)
  --runtime <module> where the generated file imports the runtime from: a package name
                     (abstractions-ts: helpers from abstractions-ts/generated-support) or a path to one
                     module re-exporting abstractions-ts and abstractions-ts/generated-support
                     (./src/lib/abstractions.ts); default: the package's sources when imported by
                     relative path, else abstractions-ts
  --import-extension <js|ts|none>
                     how relative imports end: ./model.js, ./model.ts or ./model; default: from the
                     tsconfig (js under moduleResolution node16/nodenext, ts with
                     allowImportingTsExtensions there or rewriteRelativeImportExtensions, else none)
  --check            write nothing; exit 1 when the file is missing or stale (for CI)
  --strict           exit 1 when there is any diagnostic (the file is still written)
  --watch            regenerate whenever a source file of the project changes
  --quiet            only errors (no progress, summary or warnings; --strict prints warnings too)
  -h, --help         this text

A class or function with an error is left out of the file, and everything else is generated: the
class then uses runtime metadata, the function runs without a generated signature. The exit code
is 0 unless --strict.
`;

export interface CliIo {
  stderr(line: string): void;
  stdout(line: string): void;
  cwd: string;
}

const defaultIo: CliIo = {
  stderr: (l) => process.stderr.write(`${l}\n`),
  stdout: (l) => process.stdout.write(`${l}\n`),
  cwd: process.cwd(),
};

export interface CliOptions extends GenerateOptions {
  readonly check: boolean;
  readonly watch: boolean;
  readonly quiet: boolean;
  /** Any diagnostic makes the exit code 1. */
  readonly strict: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions | 'help' {
  let project = 'tsconfig.json';
  let out = path.join('src', 'generated', 'abstractions.generated.ts');
  let runtime: string | undefined;
  let importExtension: ImportExtension | undefined;
  let check = false;
  let strict = false;
  let watch = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--project':
      case '-p':
        project = value();
        break;
      case '--out':
      case '-o':
        out = value();
        break;
      case '--runtime':
        runtime = value();
        break;
      case '--import-extension': {
        const v = value();
        importExtension = IMPORT_EXTENSIONS.find((e) => e === v);
        if (importExtension === undefined)
          throw new UsageError(`--import-extension must be one of ${IMPORT_EXTENSIONS.join(', ')}, not ${v}`);
        break;
      }
      case '--check':
        check = true;
        break;
      case '--strict':
        strict = true;
        break;
      case '--watch':
      case '-w':
        watch = true;
        break;
      case '--quiet':
      case '-q':
        quiet = true;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (check && watch) throw new UsageError('--check and --watch cannot be combined');
  return { project, out, runtime, importExtension, check, watch, quiet, strict };
}

const TAG = 'abstractions-codegen:';

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

function rel(io: CliIo, file: string): string {
  const r = path.relative(io.cwd, file);
  return r.startsWith('..') ? file : r.split(path.sep).join('/');
}

/** One generation: prints diagnostics and the summary; returns the exit code. */
export function runOnce(options: CliOptions, io: CliIo = defaultIo): { code: number; result: GenerateResult | null } {
  const info = (l: string): void => {
    if (!options.quiet) io.stderr(l);
  };
  if (!fs.existsSync(path.resolve(io.cwd, options.project))) {
    io.stderr(`${TAG} project file not found: ${options.project}`);
    return { code: 2, result: null };
  }
  const runtimeProblem = runtimePathProblem(options.runtime, io.cwd);
  if (runtimeProblem !== null) {
    io.stderr(`${TAG} ${runtimeProblem}`);
    return { code: 2, result: null };
  }
  info(`${TAG} reading ${options.project}`);
  const result = generate({ ...options, cwd: io.cwd });
  const { model, timings } = result;
  for (const line of formatDiagnostics(result.warnings, io.cwd)) (options.strict ? io.stderr : info)(line);
  for (const line of formatDiagnostics(result.errors, io.cwd)) io.stderr(line);
  const counts = `${plural(model.classes.length, 'entity class', 'entity classes')}, ${plural(model.functions.length, 'registered function', 'registered functions')}`;
  const timing = `${ms(timings.total)}: load ${ms(timings.load)}, read ${ms(timings.read)}, emit ${ms(timings.emit)}`;
  const outName = rel(io, result.outFile);
  let code = 0;
  if (options.check) {
    const state = compareWithFile(result.outFile, result.text);
    if (state !== 'fresh') {
      io.stderr(
        `${TAG} ${outName} is ${state === 'missing' ? 'missing' : 'stale (it differs from what the sources generate)'}: ` +
          `regenerate it with \`abstractions-codegen --project ${options.project} --out ${options.out}${options.runtime ? ` --runtime ${options.runtime}` : ''}${options.importExtension ? ` --import-extension ${options.importExtension}` : ''}\` and commit it`,
      );
      code = 1;
    } else info(`${TAG} ${outName} is up to date (${counts}, ${timing})${leftOut(result)}`);
  } else {
    const wrote = writeIfChanged(result.outFile, result.text);
    info(`${TAG} ${wrote ? 'wrote' : 'unchanged'} ${outName} (${counts}, ${timing})${leftOut(result)}`);
  }
  const diagnostics = result.errors.length + result.warnings.length;
  if (options.strict && diagnostics > 0) {
    io.stderr(
      `${TAG} --strict: ${plural(result.errors.length, 'error', 'errors')} and ${plural(result.warnings.length, 'warning', 'warnings')}`,
    );
    code = 1;
  }
  return { code, result };
}

/** The summary's note on declarations left out, or ''. */
function leftOut(result: GenerateResult): string {
  const classes = result.model.omitted.filter((o) => o.kind === 'class').length;
  const functions = result.model.omitted.length - classes;
  const parts: string[] = [];
  if (classes > 0) parts.push(`${plural(classes, 'class', 'classes')} (runtime metadata)`);
  if (functions > 0) parts.push(`${plural(functions, 'function', 'functions')} (no generated signature)`);
  return parts.length === 0 ? '' : `; left out, see the diagnostics above: ${parts.join(', ')}`;
}

export interface Watcher {
  close(): void;
  /** Resolves after each completed run (for tests). */
  readonly runs: number;
  onRun(listener: (code: number) => void): void;
}

/** Regenerates on every change of a source file (debounced); the first run happens immediately. */
export function watch(options: CliOptions, io: CliIo = defaultIo, debounceMs = 150): Watcher {
  const listeners: Array<(code: number) => void> = [];
  let watchers: fs.FSWatcher[] = [];
  let roots: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let runs = 0;
  const outFile = path.resolve(io.cwd, options.out);
  const project = path.resolve(io.cwd, options.project);

  const run = (): void => {
    if (closed) return;
    const { code, result } = runOnce(options, io);
    runs++;
    const dirs = new Set<string>([path.dirname(project), ...(result?.sourceFiles ?? []).map((f) => path.dirname(f))]);
    const next = minimalRoots([...dirs]);
    if (next.join('\n') !== roots.join('\n')) {
      watchers.forEach((w) => w.close());
      roots = next;
      watchers = roots.map((dir) => fs.watch(dir, { recursive: true }, (_event, name) => changed(dir, name)));
    }
    if (!options.quiet) io.stderr(`${TAG} watching ${roots.map((r) => rel(io, r) || '.').join(', ')} for changes`);
    listeners.forEach((l) => l(code));
  };

  const changed = (dir: string, name: string | Buffer | null): void => {
    if (closed) return;
    if (name !== null) {
      const file = path.resolve(dir, name.toString());
      if (file === outFile) return;
      if (!/\.(ts|tsx|mts|cts)$/.test(file) && !/tsconfig.*\.json$/.test(file)) return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      run();
    }, debounceMs);
  };

  run();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watchers.forEach((w) => w.close());
    },
    get runs() {
      return runs;
    },
    onRun(listener) {
      listeners.push(listener);
    },
  };
}

/** Directories not inside another one of the list. */
function minimalRoots(dirs: string[]): string[] {
  const sorted = [...new Set(dirs)].sort();
  const out: string[] = [];
  for (const d of sorted) if (!out.some((r) => d === r || d.startsWith(r + path.sep))) out.push(d);
  return out;
}

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${TAG} ${e.message}`);
      io.stderr(USAGE);
      return 2;
    }
    throw e;
  }
  if (options === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (!options.watch) return runOnce(options, io).code;
  const w = watch(options, io);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      w.close();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${TAG} ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
