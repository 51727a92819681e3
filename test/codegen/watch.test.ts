import * as fs from 'fs';
import * as path from 'path';
import { watch, type CliIo } from '../../codegen/cli';
import { ROOT, tempProject } from './helpers';

jest.setTimeout(120_000);

function waitForRun(w: ReturnType<typeof watch>, runs: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (w.runs >= runs) return resolve();
    const timer = setTimeout(() => reject(new Error(`no regeneration within ${timeoutMs} ms`)), timeoutMs);
    w.onRun(() => {
      if (w.runs >= runs) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

test('--watch regenerates when a source file changes (and ignores its own output)', async () => {
  const dir = tempProject('watch', {});
  const src = path.join(ROOT, 'src').split(path.sep).join('/');
  const model = path.join(dir, 'model.ts');
  const source = (extra: string): string =>
    `import { Entity, entity } from '${src}';\n\n@entity()\nexport class Gadget extends Entity {\n  name = '';\n${extra}}\n`;
  fs.writeFileSync(model, source(''));
  const out = path.join(dir, 'generated', 'abstractions.generated.ts');
  const lines: string[] = [];
  const io: CliIo = { stderr: (l) => lines.push(l), stdout: () => undefined, cwd: dir };

  const w = watch(
    {
      project: 'tsconfig.json',
      out: 'generated/abstractions.generated.ts',
      check: false,
      watch: true,
      quiet: false,
      strict: false,
    },
    io,
    50,
  );
  try {
    expect(w.runs).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toContain("{ name: 'name', declaredType: 'string'");
    expect(lines.join('\n')).toContain('watching');

    await new Promise((r) => setTimeout(r, 300)); // let the watchers settle
    fs.writeFileSync(model, source('  weight = 0;\n'));
    await waitForRun(w, 2);
    expect(fs.readFileSync(out, 'utf8')).toContain("{ name: 'weight', declaredType: 'number'");

    // An unsupported field is reported, and the class is left out of the file (runtime metadata).
    fs.writeFileSync(model, source('  anything: any = null;\n'));
    await waitForRun(w, 3);
    expect(lines.some((l) => /model\.ts:\d+:\d+ Gadget\.anything: type 'any'/.test(l))).toBe(true);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^\/\/ {3}class Gadget \(model\.ts:4\): uses runtime metadata$/m);
  } finally {
    w.close();
  }
  const runs = w.runs;
  fs.writeFileSync(model, source('  late = 1;\n'));
  await new Promise((r) => setTimeout(r, 300));
  expect(w.runs).toBe(runs); // closed: no more runs
});
