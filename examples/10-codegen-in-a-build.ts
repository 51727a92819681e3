/**
 * 10 · Code generation in a build: what the generated metadata is, and how to use it.
 *
 * TypeScript erases types. Without help, the runtime learns an entity's fields from a constructed
 * instance and inspects every value (kind `dynamic`); registered functions have no parameter
 * types unless you give an explicit signature. The build-time generator (ts-morph) reads your
 * sources and writes ONE file with, per @entity() class, a field table (declared type, kind
 * `data` / `entity` / `entities` and container shape) plus specialised code (enumerate children,
 * compare, copy, freeze), and per registered function its parameter names, types and kinds.
 *
 *   npm run codegen              # abstractions-codegen --project tsconfig.json --out src/generated/abstractions.generated.ts
 *   npm run codegen -- --check   # in CI: exit 1 when the generated file is stale
 *   import './generated/abstractions.generated';   // FIRST, before any entity is created
 *
 * Behaviour is identical with or without it (the test suite runs both); it is faster and types
 * `execute('move_agent', ...)` by name. This example prints what this process uses now
 * (classMetaOf, usingGeneratedMetadata) and what the generator reads from examples/gridmap/model.ts
 * and examples/demo.ts (the generator's programmatic API; it takes a few seconds to load a project).
 *
 * Run: npx tsx examples/10-codegen-in-a-build.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classMetaOf, usingGeneratedMetadata, type ContainerShape } from '../src';
import { Agent, GridMap, GridNode } from './gridmap/model';

const shapeText = (s: ContainerShape | null): string =>
  s === null
    ? '—'
    : s.kind === 'entity'
      ? s.className
      : s.kind === 'data'
        ? 'data'
        : s.kind === 'tuple'
          ? `[${s.of.map(shapeText).join(', ')}]`
          : `${s.kind}<${shapeText(s.of)}>`;

export async function main(log: (line: string) => void = console.log, options: { generator?: boolean } = {}) {
  const row = (cells: string[]) =>
    log(
      `  ${cells[0].padEnd(18)} ${cells[1].padEnd(10)} ${cells[2].padEnd(18)} ${cells[3].padEnd(10)} ${cells[4]}`.trimEnd(),
    );

  // 1. What this process uses: runtime inspection, unless a generated file was imported first.
  log(
    `usingGeneratedMetadata(): ${usingGeneratedMetadata()} · classMetaOf(GridMap).source: '${classMetaOf(GridMap).source}'`,
  );

  // 2. What the generator reads from the sources (build time; the runtime never imports codegen/).
  const generated = options.generator === false ? null : await runGenerator();
  if (generated) {
    const { model, text, errors, timings } = generated;
    log(
      `the generator read gridmap/model.ts + demo.ts in ${Math.round(timings.total)} ms: ${model.classes.length} entity classes, ` +
        `${model.functions.length} registered function, ${errors.length} errors → ${text?.split('\n').length ?? 0} lines of TypeScript`,
    );
  }
  row(['field', 'in use', 'generator: type', 'kind', 'shape']);
  for (const C of [GridMap, GridNode, Agent]) {
    const gen = generated?.model.classes.find((c) => c.name === C.name);
    for (const f of classMetaOf(C).fields) {
      const g = gen?.fields.find((x) => x.name === f.name);
      row([`${C.name}.${f.name}`, f.kind, g?.declaredType ?? '', g?.kind ?? '', g ? shapeText(g.shape) : '']);
    }
  }
  for (const fn of generated?.model.functions ?? []) {
    log(`  ${fn.name}(${fn.params.map((p) => `${p.name}: ${p.declaredType}`).join(', ')}): ${fn.result.declaredType}`);
    log(`    parameter kinds: ${fn.params.map((p) => p.kind).join(', ')} · result: ${fn.result.kind}`);
  }
  log(
    'in your build: npm run codegen (writes the file; import it first) · npm run codegen -- --check (CI: exit 1 if stale)',
  );
  return {
    runtimeSource: classMetaOf(GridMap).source,
    classes: generated?.model.classes ?? [],
    functions: generated?.model.functions ?? [],
  };
}

/** Runs the generator on a throwaway tsconfig listing two example files; returns its model and text (writes nothing). */
async function runGenerator() {
  const { generate } = await import('../codegen');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-example-10-'));
  try {
    const tsconfig = path.join(dir, 'tsconfig.json');
    const files = [path.join(__dirname, 'gridmap', 'model.ts'), path.join(__dirname, 'demo.ts')];
    const compilerOptions = {
      target: 'ES2022',
      module: 'commonjs',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: true,
      skipLibCheck: true,
      types: ['node'],
    };
    fs.writeFileSync(tsconfig, JSON.stringify({ compilerOptions, files }));
    return generate({ project: tsconfig, out: path.join(dir, 'abstractions.generated.ts') });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
