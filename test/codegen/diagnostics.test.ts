import * as fs from 'fs';
import * as path from 'path';
import { readProject } from '../../codegen/reader';
import { DIAGNOSTICS, rel, runCli, tempDir } from './helpers';

jest.setTimeout(120_000);

/**
 * Each unsupported case in the diagnostics fixture carries a marker comment on its line:
 * `// expect: <part of the error message>` or `// warning: <part of the warning>`.
 */
interface Expected {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  text: string;
}

function expectations(dir: string): Expected[] {
  const out: Expected[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        fs.readFileSync(p, 'utf8')
          .split('\n')
          .forEach((l, i) => {
            const m = /\/\/ (expect|warning): (.*)$/.exec(l);
            if (m)
              out.push({
                file: rel(p),
                line: i + 1,
                severity: m[1] === 'expect' ? 'error' : 'warning',
                text: m[2].trim(),
              });
          });
      }
    }
  };
  walk(dir);
  return out;
}

describe('diagnostics for unsupported declarations', () => {
  const expected = expectations(DIAGNOSTICS);
  let run: Awaited<ReturnType<typeof runCli>>;
  let out: string;

  beforeAll(async () => {
    out = path.join(tempDir('diagnostics'), 'abstractions.generated.ts');
    run = await runCli(['--project', rel(path.join(DIAGNOSTICS, 'tsconfig.json')), '--out', out]);
  });

  test('the fixture declares the cases this test expects', () => {
    expect(expected.length).toBeGreaterThanOrEqual(18);
  });

  test('exit code 0: the file is written with everything but the declarations with errors, which it names', () => {
    expect(run.code).toBe(0);
    expect(run.stderr[run.stderr.length - 1]).toMatch(
      /abstractions-codegen: wrote .*abstractions\.generated\.ts \(6 entity classes, 2 registered functions, .*\); left out, see the diagnostics above: 6 classes \(runtime metadata\), 9 functions \(no generated signature\)$/,
    );
    const text = fs.readFileSync(out, 'utf8');
    const described = [...text.matchAll(/^ {2}(\w+): \[spec_/gm)].map((m) => m[1]);
    expect(described).toEqual(['Duplicate', 'FineUnion', 'Pupil', 'PupilHolder', 'WideEnough']);
    const leftOut = [...text.matchAll(/^\/\/ {3}(class \w+|function '\w+') \(([^)]+)\): /gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(leftOut).toEqual([
      'class BadUnions unions.ts:5',
      'class Box generics.ts:4',
      'class SystemName naming.ts:4',
      'class TooWide wide.ts:4',
      'class Unwalkable unwalkable.ts:10',
      'class WithParamProperty naming.ts:11',
      "function 'bad_union_arg' functions.ts:13",
      "function 'bare' functions.ts:28",
      "function 'dup_conflict' dup/a.ts:18",
      "function 'dup_conflict' dup/b.ts:8",
      "function 'half_failed' functions.ts:21",
      "function 'half_failed' functions.ts:22",
      "function 'instanceMethod' functions.ts:26",
      "function 'not_an_object' functions.ts:8",
      "function 'two_params' functions.ts:6",
    ]);
    expect([...text.matchAll(/^ {4}(\w+): \{ args: /gm)].map((m) => m[1])).toEqual(['dup_same', 'hidden_args']);
  });

  test('--check passes when the file is fresh, errors or not; --strict fails on any diagnostic (and prints warnings under --quiet)', async () => {
    const args = ['--project', rel(path.join(DIAGNOSTICS, 'tsconfig.json')), '--out', out, '--check'];
    const check = await runCli(args);
    expect(check.code).toBe(0);
    expect(check.stderr.join('\n')).toContain('is up to date');
    const strict = await runCli([...args, '--strict', '--quiet']);
    expect(strict.code).toBe(1);
    expect(strict.stderr.some((l) => / warning: .*HiddenArgs is not exported/.test(l))).toBe(true);
    expect(strict.stderr[strict.stderr.length - 1]).toMatch(
      /^abstractions-codegen: --strict: \d+ errors and \d+ warnings$/,
    );
  });

  test('--strict still writes the file', async () => {
    const strictOut = path.join(tempDir('diagnostics-strict'), 'abstractions.generated.ts');
    const strict = await runCli([
      '--project',
      rel(path.join(DIAGNOSTICS, 'tsconfig.json')),
      '--out',
      strictOut,
      '--strict',
    ]);
    expect(strict.code).toBe(1);
    expect(fs.readFileSync(strictOut, 'utf8')).toBe(fs.readFileSync(out, 'utf8'));
  });

  test.each(expected.map((e) => [`${e.file}:${e.line}`, e] as const))(
    '%s is reported with file:line:col',
    (_where, e) => {
      const prefix = new RegExp(
        `^${e.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${e.line}:\\d+ ${e.severity === 'warning' ? 'warning: ' : ''}`,
      );
      const lines = run.stderr.filter((l) => prefix.test(l));
      expect(lines.some((l) => l.includes(e.text))).toBe(true);
    },
  );

  test('no diagnostic without a marker (no false positives)', () => {
    const located = run.stderr.filter((l) => /^[^ ]+\.ts:\d+:\d+ /.test(l));
    for (const l of located) {
      const [, file, line] = /^([^:]+):(\d+):/.exec(l)!;
      expect(expected.some((e) => e.file === file && e.line === Number(line))).toBe(true);
    }
    expect(located.length).toBe(expected.length);
  });

  test('supported declarations next to the errors are read correctly (generic base with type arguments)', () => {
    const { model } = readProject({ tsconfig: path.join(DIAGNOSTICS, 'tsconfig.json') });
    const holder = model.classes.find((c) => c.name === 'PupilHolder')!;
    expect(holder.fields.map((f) => [f.name, f.kind, f.shape])).toEqual([
      ['item', 'entity', { kind: 'entity', className: 'Pupil' }],
      ['items', 'entities', { kind: 'array', of: { kind: 'entity', className: 'Pupil' } }],
      ['label', 'data', { kind: 'data' }],
    ]);
    expect(holder.fields[0].declaredType).toBe('Pupil | undefined'); // resolved from Holder<Pupil>
    const wide = model.classes.find((c) => c.name === 'WideEnough')!;
    expect(wide.fields.find((f) => f.name === 'meta')).toMatchObject({
      kind: 'entities',
      shape: null,
      type: { t: 'dynamic' },
    });
    const unions = model.classes.find((c) => c.name === 'FineUnion')!;
    expect(unions.fields.find((f) => f.name === 'fine')).toMatchObject({ kind: 'entity', optional: false });
  });
});
