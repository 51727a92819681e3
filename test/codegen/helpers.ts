import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, type CliIo } from '../../codegen/cli';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'codegen');
export const PROJECT = path.join(FIXTURES, 'project');
export const PROJECT_TSCONFIG = path.join(PROJECT, 'tsconfig.json');
export const GOLDEN = path.join(PROJECT, 'abstractions.generated.ts');
export const DIAGNOSTICS = path.join(FIXTURES, 'diagnostics');

/** Regenerate the golden file: UPDATE_GOLDEN=1 npx jest test/codegen/golden.test.ts */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export interface CliRun {
  code: number;
  stderr: string[];
  stdout: string[];
}

/** Runs the CLI in-process (cwd = repository root) and captures its output. */
export async function runCli(args: string[], cwd = ROOT): Promise<CliRun> {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const io: CliIo = { stderr: (l) => stderr.push(l), stdout: (l) => stdout.push(l), cwd };
  const code = await main(args, io);
  return { code, stderr, stdout };
}

const created: string[] = [];

/** A fresh temporary directory, removed after the test file (afterAll registered here). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `abstractions-codegen-${prefix}-`));
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A temporary TypeScript project: a `tsconfig.json` (strict, decorators, class fields defined,
 * `compilerOptions` override) and `files` (name -> content). Returns its directory.
 */
export function tempProject(
  prefix: string,
  files: Record<string, string>,
  compilerOptions: Record<string, unknown> = {},
): string {
  const dir = tempDir(prefix);
  const options = {
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node',
    strict: true,
    experimentalDecorators: true,
    useDefineForClassFields: true,
    skipLibCheck: true,
    types: [],
    noEmit: true,
    ...compilerOptions,
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['.'] }));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

export function rel(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}
