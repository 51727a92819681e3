import * as path from 'path';
import type { ImportExtension, RuntimeLocation } from './model';
import { SCRIPT_EXTENSION } from './module-files';
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

/**
 * The specifier by which a file in `fromDir` imports the module `file` (an absolute path; one
 * without an extension is taken for a `.ts` file), ending as `extension` asks (see ImportExtension).
 * JavaScript files are named as they are; declaration files by their JavaScript file; `.mts` and
 * `.cts` files never without an extension (no resolution finds them so).
 */
export function moduleSpecifier(fromDir: string, file: string, extension: ImportExtension): string {
  const m = SCRIPT_EXTENSION.exec(file);
  const base = m ? file.slice(0, m.index) : file;
  const kind = m?.[2] ?? 'ts';
  let suffix: string;
  if (kind.includes('js')) suffix = `.${kind}`;
  else {
    const emitted = kind === 'mts' ? '.mjs' : kind === 'cts' ? '.cjs' : '.js';
    if (extension === 'ts' && m?.[1] === undefined) suffix = `.${kind}`;
    else if (extension === 'none' && emitted === '.js') suffix = '';
    else suffix = emitted;
  }
  let rel = path
    .relative(fromDir, base + suffix)
    .split(path.sep)
    .join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

/** Where relative imports of the generated file point, and how their specifiers end. */
export interface ImportStyle {
  /** Directory of the generated file. */
  readonly outDir: string;
  readonly extension: ImportExtension;
}

/** The specifier the generated file imports `module` (of src/, no extension) by. */
export function runtimeSpecifier(runtime: RuntimeLocation, style: ImportStyle, module: string): string {
  switch (runtime.kind) {
    case 'source':
      return moduleSpecifier(style.outDir, `${path.join(runtime.dir, module)}.ts`, style.extension);
    case 'module':
      return runtime.specifier;
    case 'file':
      return moduleSpecifier(style.outDir, runtime.path, style.extension);
  }
}

/**
 * The import declarations of the runtime names used: per module, the types in an `import type`
 * declaration and the values in another (under verbatimModuleSyntax and isolatedModules alike,
 * only the second remains in JavaScript).
 */
export function runtimeImports(
  used: ReadonlySet<RuntimeExport>,
  runtime: RuntimeLocation,
  style: ImportStyle,
): string[] {
  const byModule = new Map<string, RuntimeExport[]>();
  for (const name of Object.keys(RUNTIME_EXPORTS) as RuntimeExport[]) {
    if (!used.has(name)) continue;
    const spec =
      runtime.kind === 'module'
        ? `${runtime.specifier}/${GENERATED_SUPPORT_ENTRY}`
        : runtimeSpecifier(runtime, style, RUNTIME_EXPORTS[name].module);
    byModule.set(spec, [...(byModule.get(spec) ?? []), name]);
  }
  const out: string[] = [];
  for (const spec of [...byModule.keys()].sort()) {
    const names = byModule.get(spec)!.sort();
    const types = names.filter((n) => RUNTIME_EXPORTS[n].type);
    const values = names.filter((n) => !RUNTIME_EXPORTS[n].type);
    if (types.length > 0) out.push(importLine('import type', types, spec));
    if (values.length > 0) out.push(importLine('import', values, spec));
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
 * the reserved names. Printed `import("/absolute/file.ts").Name` references (FunctionModel) are
 * rewritten into these imports.
 */
export class TypeImports {
  private readonly byModule = new Map<string, Map<string, string>>();
  private readonly locals: Set<string>;

  /** `reserved`: the names the generated file defines or uses globally. */
  constructor(
    private readonly style: ImportStyle,
    reserved: Iterable<string>,
  ) {
    this.locals = new Set(reserved);
  }

  /** Imports `exported` from the module file at an absolute path or a package specifier; returns the local name. */
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
    return moduleSpecifier(this.style.outDir, module, this.style.extension);
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
