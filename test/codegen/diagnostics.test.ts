import * as fs from 'fs';
import * as path from 'path';
import { readProject } from '../../codegen/reader';
import { DIAGNOSTICS, rel, ROOT, runCli, tempDir } from './helpers';

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

  test('exit code 1, a summary, and nothing written', () => {
    expect(run.code).toBe(1);
    expect(run.stderr[run.stderr.length - 1]).toMatch(/abstractions-codegen: \d+ errors; nothing written/);
    expect(fs.existsSync(out)).toBe(false);
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
    const wide = model.classes.find((c) => c.name === 'TooWide')!;
    expect(wide.fields.find((f) => f.name === 'meta')).toMatchObject({
      kind: 'entities',
      shape: null,
      type: { t: 'dynamic' },
    });
    const unions = model.classes.find((c) => c.name === 'BadUnions')!;
    expect(unions.fields.find((f) => f.name === 'fine')).toMatchObject({ kind: 'entity', optional: false });
    expect(ROOT).toBeTruthy();
  });
});
