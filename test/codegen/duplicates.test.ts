/**
 * Several entity classes with one name, and one function name registered in several places
 * (test files and examples do both): the generator describes every class (identical descriptions
 * once), keeps identical signatures once and drops conflicting ones with a warning; the runtime
 * then picks, per loaded class, the spec that fits it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generate } from '../../codegen/generate';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { classMetaOf, metadataSourceOf } from '../../src/metadata/class-registry';
import { ROOT, tempProject } from './helpers';

jest.setTimeout(120_000);

const SRC = path.join(ROOT, 'src').split(path.sep).join('/');
const HEAD = `import { CallableRegistry, Entity, entity } from '${SRC}';\n`;

/** Files of the temporary project. */
const FILES: Record<string, string> = {
  // Two identical DupTwin classes (one spec) and a third with other fields (a second spec).
  'a.ts': `${HEAD}
@entity()
export class DupTwin extends Entity {
  x = 0;
}
@entity()
export class DupLeafA extends Entity {
  a = 0;
}
/** Same field list as DupHolder in b.ts, another child class: the same operations. */
@entity()
export class DupHolder extends Entity {
  child: DupLeafA | null = null;
  list: DupLeafA[] = [];
}
export function bump({ twin }: { twin: DupTwin }): DupTwin {
  twin.x++;
  return twin;
}
export function holderSize({ holder }: { holder: DupHolder }): number {
  return holder.list.length;
}
/** Registers on the default registry (not called here: the test registers on its own registries). */
export function registerA(): void {
  CallableRegistry.register('dup_bump', bump);
  CallableRegistry.register('dup_clash', ({ twin }: { twin: DupTwin }) => twin.x);
  CallableRegistry.register('dup_holder_size', holderSize);
}
`,
  'b.ts': `${HEAD}import { bump } from './a';
@entity()
class DupTwin extends Entity {
  x = 0;
}
@entity()
export class DupLeafB extends Entity {
  b = '';
}
@entity()
export class DupHolder extends Entity {
  child: DupLeafB | null = null;
  list: DupLeafB[] = [];
}
export const localTwin = DupTwin;
export function registerB(): void {
  CallableRegistry.register('dup_bump', bump); // the same function again: one signature
  CallableRegistry.register('dup_clash', ({ twin }: { twin: DupTwin }) => String(twin.x)); // another result type
}
`,
  'c.ts': `${HEAD}
@entity()
export class DupTwin extends Entity {
  y = '';
}
`,
};

let dir: string;
let result: ReturnType<typeof generate>;
let text: string;

beforeAll(() => {
  dir = tempProject('duplicates', FILES);
  result = generate({ project: path.join(dir, 'tsconfig.json'), out: path.join(dir, 'abstractions.generated.ts') });
  text = result.text;
  fs.writeFileSync(result.outFile, text);
});

test('duplicate class names are no error; conflicting function signatures are a warning naming every place', () => {
  expect(result.errors).toEqual([]);
  const lineOf = (file: string): number =>
    FILES[file].split('\n').findIndex((l) => l.includes("register('dup_clash'")) + 1;
  const [la, lb] = [lineOf('a.ts'), lineOf('b.ts')];
  const warnings = result.warnings
    .map((w) => `${path.basename(w.location.file)}:${w.location.line} ${w.message}`)
    .filter((w) => w.includes('conflicting'));
  const message = `registered function 'dup_clash' has conflicting signatures (a.ts:${la}, b.ts:${lb}): no generated signature for it; the runtime uses the explicit signature given to register(), if any`;
  expect(warnings).toEqual([`a.ts:${la} ${message}`, `b.ts:${lb} ${message}`]);
  expect(result.model.functions.map((f) => f.name)).toEqual(['dup_bump', 'dup_holder_size']);
  expect(result.model.classes.filter((c) => c.name === 'DupTwin')).toHaveLength(3);
});

test('every class is described; identical descriptions once, with every place in the comment', () => {
  expect(text).toContain('  DupTwin: [spec_DupTwin, spec_DupTwin_2],');
  expect(text).toContain('  DupHolder: [spec_DupHolder, spec_DupHolder_2],');
  expect(text).toMatch(
    /\/\/ DupTwin: x\n\/\/ {3}a\.ts:4\n\/\/ {3}b\.ts:4\nconst spec_DupTwin: GeneratedClassSpec = \{/,
  );
  expect(text).toMatch(/\/\/ DupTwin: y\n\/\/ {3}c\.ts:4\nconst spec_DupTwin_2: GeneratedClassSpec = \{/);
  // Field types equal up to entity class names: the second spec reuses the first one's operations.
  expect(text).toContain('  forEachChild: spec_DupHolder.forEachChild,');
  // Signatures name their classes with field list and spec.
  expect(text).toContain("{ kind: 'entity', className: 'DupTwin', fields: ['x'], spec: spec_DupTwin }");
  expect(text).toContain("{ kind: 'entity', className: 'DupHolder', fields: ['child', 'list'], spec: spec_DupHolder }");
  expect(text).not.toContain('dup_clash: {'); // in neither table
  expect(text).toMatch(/^\/\/ {3}function 'dup_clash' \(a\.ts:\d+\): no generated signature$/m);
});

test('the runtime picks, per loaded class, the spec that fits it', () => {
  // The generated file first, then the modules (as a program would): a.ts alone at first.
  require(result.outFile);
  const a = require(path.join(dir, 'a.ts'));
  expect(metadataSourceOf(a.DupTwin)).toBe('generated');
  // Both DupHolder specs fit a.ts's class by field names and kinds; only the one naming DupLeafA
  // names loaded classes (b.ts is not loaded yet), and the two share their operations.
  expect(metadataSourceOf(a.DupHolder)).toBe('generated');
  expect(classMetaOf(a.DupHolder).fields[0].shape).toEqual({ kind: 'entity', className: 'DupLeafA' });

  const calls = new CallableRegistry();
  calls.register('dup_holder_size', a.holderSize);
  calls.register('dup_bump', a.bump);
  calls.register('dup_clash', ({ twin }: { twin: { x: number } }) => twin.x);
  expect(calls.signatureOf('dup_holder_size')!.params[0].type).toMatchObject({
    className: 'DupHolder',
    ctor: a.DupHolder,
  });
  expect(calls.signatureOf('dup_bump')!.params[0].type).toMatchObject({ className: 'DupTwin', ctor: a.DupTwin });
  expect(calls.signatureOf('dup_clash')).toBeNull(); // conflicting: no generated signature
  expect(
    calls.execute<unknown>('dup_holder_size', {
      holder: new a.DupHolder({ list: [new a.DupLeafA(), new a.DupLeafA()] }),
    }),
  ).toBe(2);

  const b = require(path.join(dir, 'b.ts'));
  const c = require(path.join(dir, 'c.ts'));
  expect(metadataSourceOf(b.localTwin)).toBe('generated'); // the same description as a.ts's DupTwin
  expect(metadataSourceOf(c.DupTwin)).toBe('generated'); // its own (y)
  expect(classMetaOf(c.DupTwin).fields.map((f) => f.name)).toEqual(['y']);
  expect(metadataSourceOf(b.DupLeafB)).toBe('generated');
  // Now DupLeafA and DupLeafB are both loaded: nothing tells the two DupHolder specs apart for
  // b.ts's class, so it is inspected at runtime (never a wrong spec).
  expect(metadataSourceOf(b.DupHolder)).toBe('runtime');

  // A signature naming a class two loaded classes could be (same name and fields) resolves
  // through the spec the class uses: a.ts's DupHolder.
  const later = new CallableRegistry();
  later.register('dup_holder_size', a.holderSize);
  expect(later.signatureOf('dup_holder_size')!.params[0].type).toMatchObject({ ctor: a.DupHolder });
});

describe('a class left out (an unsupported field) and a described class of the same name and field names', () => {
  const TWIN_FILES: Record<string, string> = {
    'plain.ts': `${HEAD}
@entity()
export class Clash extends Entity {
  n = 0;
}
`,
    'loose.ts': `${HEAD}
@entity()
export class Clash extends Entity {
  n: unknown = 0;
}
`,
  };
  let twins: ReturnType<typeof generate>;
  let twinDir: string;

  beforeAll(() => {
    twinDir = tempProject('twins', TWIN_FILES);
    twins = generate({ project: path.join(twinDir, 'tsconfig.json'), out: path.join(twinDir, 'twins.generated.ts') });
    fs.writeFileSync(twins.outFile, twins.text);
  });

  test('both are left out, the described one with a warning naming the other', () => {
    expect(twins.errors.map((d) => `${path.basename(d.location.file)} ${d.message}`)).toEqual([
      expect.stringMatching(/^loose\.ts Clash\.n: type 'unknown' is not supported/),
    ]);
    expect(twins.warnings.map((d) => `${path.basename(d.location.file)}:${d.location.line} ${d.message}`)).toEqual([
      'plain.ts:4 Clash: uses runtime metadata, as the class Clash at loose.ts:4 does (it has errors): it has the same field names, so the runtime could not tell their specs apart',
    ]);
    expect(twins.model.classes).toEqual([]);
    expect(twins.model.omitted.map((o) => `${o.name} ${path.basename(o.location.file)}`)).toEqual([
      'Clash loose.ts',
      'Clash plain.ts',
    ]);
  });

  test('at run time both use runtime metadata: the loose one never gets the plain one’s spec', () => {
    require(twins.outFile);
    const loose = require(path.join(twinDir, 'loose.ts'));
    const plain = require(path.join(twinDir, 'plain.ts'));
    expect(metadataSourceOf(loose.Clash)).toBe('runtime');
    expect(classMetaOf(loose.Clash).fields[0].kind).toBe('dynamic');
    expect(metadataSourceOf(plain.Clash)).toBe('runtime');
  });
});
