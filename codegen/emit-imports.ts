import * as path from 'path';
import type { RuntimeLocation } from './model';
import { str } from './text';

/**
 * The import declarations of the generated file: runtime names, each from the module of src/ that
 * defines it or all from one module that re-exports them, and user types, type-only, renamed where
 * a name is taken. Sorted by module then name, with paths relative to the generated file.
 */

/**
 * Runtime exports the generated file may import, and the module of src/ that defines each (the
 * import path inside this repository). A package user's file imports them all from the package's
 * `generated-support` entry (src/generated-support.ts), which exports exactly these.
 */
const RUNTIME_EXPORTS = {
  installGeneratedMetadata: { module: 'metadata/class-registry', type: false },
  GeneratedClassSpec: { module: 'metadata/class-registry', type: true },
  valueEquals: { module: 'metadata/values', type: false },
  thawValue: { module: 'metadata/values', type: false },
  freezeValue: { module: 'metadata/values', type: false },
  forEachEntityIn: { module: 'metadata/values', type: false },
  freezeFlatArray: { module: 'metadata/values', type: false },
  isPlainArray: { module: 'metadata/values', type: false },
  lineageOf: { module: 'metadata/object-model', type: false },
  metaOf: { module: 'metadata/object-model', type: false },
  EntityObject: { module: 'metadata/object-model', type: true },
  StoredSlots: { module: 'metadata/object-model', type: true },
  VALUES: { module: 'metadata/object-model', type: false },
  fieldSlots: { module: 'metadata/object-model', type: false },
  readStored: { module: 'entity/class-runtime', type: false },
  ChildVisitor: { module: 'metadata/types', type: true },
  LeafMapper: { module: 'metadata/types', type: true },
  PathSegment: { module: 'metadata/types', type: true },
  RowFieldWriter: { module: 'metadata/types', type: true },
  stringText: { module: 'durable/row-text', type: false },
  numberText: { module: 'durable/row-text', type: false },
  refText: { module: 'durable/row-text', type: false },
  simpleText: { module: 'durable/row-text', type: false },
  installGeneratedSignatures: { module: 'callable/generated-signatures', type: false },
} as const;
export type RuntimeExport = keyof typeof RUNTIME_EXPORTS;

/** The package entry generated files import runtime names from (the root is the user API): `abstractions-ts/generated-support`. */
const GENERATED_SUPPORT_ENTRY = 'generated-support';

/** Every runtime name a generated file can import (the package must export these: FunctionSignatures from its root, the rest from GENERATED_SUPPORT_ENTRY). */
export const RUNTIME_HELPERS: readonly string[] = Object.keys(RUNTIME_EXPORTS).concat('FunctionSignatures');

/** A module's path without its TypeScript extension (what an import names). */
export function modulePath(file: string): string {
  return file.replace(/(\.d)?\.(ts|tsx|mts|cts)$/, '');
}

function relativeSpecifier(fromDir: string, target: string): string {
  let rel = path.relative(fromDir, target).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

/** The specifier the generated file imports `module` (of src/) by. */
export function runtimeSpecifier(runtime: RuntimeLocation, outDir: string, module: string): string {
  switch (runtime.kind) {
    case 'source':
      return relativeSpecifier(outDir, path.join(runtime.dir, module));
    case 'module':
      return runtime.specifier;
    case 'file':
      return relativeSpecifier(outDir, modulePath(runtime.path));
  }
}

/** The import declarations of the runtime names used. */
export function runtimeImports(used: ReadonlySet<RuntimeExport>, runtime: RuntimeLocation, outDir: string): string[] {
  const byModule = new Map<string, Array<{ name: string; type: boolean }>>();
  for (const name of Object.keys(RUNTIME_EXPORTS) as RuntimeExport[]) {
    if (!used.has(name)) continue;
    const spec =
      runtime.kind === 'module'
        ? `${runtime.specifier}/${GENERATED_SUPPORT_ENTRY}`
        : runtimeSpecifier(runtime, outDir, RUNTIME_EXPORTS[name].module);
    byModule.set(spec, [...(byModule.get(spec) ?? []), { name, type: RUNTIME_EXPORTS[name].type }]);
  }
  const out: string[] = [];
  for (const spec of [...byModule.keys()].sort()) {
    const names = byModule.get(spec)!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (names.every((n) => n.type))
      out.push(
        importLine(
          'import type',
          names.map((n) => n.name),
          spec,
        ),
      );
    else
      out.push(
        importLine(
          'import',
          names.map((n) => (n.type ? `type ${n.name}` : n.name)),
          spec,
        ),
      );
  }
  return out;
}

/** One import declaration, wrapped one name per line when longer than 100 characters. */
function importLine(keyword: string, names: readonly string[], spec: string): string {
  const one = `${keyword} { ${names.join(', ')} } from ${str(spec)};`;
  if (one.length <= 100) return one;
  return `${keyword} {\n${names.map((n) => `  ${n},`).join('\n')}\n} from ${str(spec)};`;
}

/**
 * Type-only imports of user types, with local names that never collide with each other or with
 * the reserved names. Checker-printed `import("/abs/module").Name` references are rewritten into
 * these imports.
 */
export class TypeImports {
  private readonly byModule = new Map<string, Map<string, string>>();
  private readonly locals: Set<string>;

  /** `reserved`: the names the generated file defines or uses globally. */
  constructor(
    private readonly outDir: string,
    reserved: Iterable<string>,
  ) {
    this.locals = new Set(reserved);
  }

  /** Imports `exported` from the module at absolute path (no extension) or package specifier; returns the local name. */
  add(module: string, exported: string, preferred: string): string {
    const spec = this.specifier(module);
    let names = this.byModule.get(spec);
    if (!names) this.byModule.set(spec, (names = new Map()));
    const existing = names.get(exported);
    if (existing) return existing;
    let local = preferred;
    for (let n = 2; this.locals.has(local); n++) local = `${preferred}_${n}`;
    this.locals.add(local);
    names.set(exported, local);
    return local;
  }

  rewrite(typeText: string): string {
    return typeText.replace(/import\("([^"]+)"\)\.([A-Za-z_$][A-Za-z0-9_$]*)/g, (_m, module: string, name: string) =>
      this.add(module, name, name),
    );
  }

  private specifier(module: string): string {
    if (!path.isAbsolute(module)) return module;
    const nm = module.lastIndexOf('/node_modules/');
    if (nm >= 0) {
      const parts = module.slice(nm + '/node_modules/'.length).split('/');
      const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
      return pkg.startsWith('@types/') ? pkg.slice('@types/'.length) : pkg;
    }
    return relativeSpecifier(this.outDir, module);
  }

  render(): string[] {
    const out: string[] = [];
    for (const spec of [...this.byModule.keys()].sort()) {
      const names = [...this.byModule.get(spec)!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const list = names.map(([exported, local]) => (exported === local ? exported : `${exported} as ${local}`));
      out.push(importLine('import type', list, spec));
    }
    return out;
  }
}
