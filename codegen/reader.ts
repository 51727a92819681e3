import * as path from 'path';
import { Project, SyntaxKind, ts, type Node, type SourceFile, type Type } from 'ts-morph';
import {
  hasDynamic,
  relativePosix,
  type CodegenModel,
  type Diagnostic,
  type EntityClassModel,
  type FunctionModel,
  type ImportExtension,
  type OmittedDeclaration,
  type RuntimeLocation,
  type Severity,
  type SourceLocation,
  type ValueType,
} from './model';
import { EntityClassReader } from './read-classes';
import type { ReadContext } from './read-context';
import { FunctionReader, mergeFunctions } from './read-functions';
import { ClassOracle, locationOf, RUNTIME_PACKAGE } from './runtime-refs';
import { createTypeAnalyzer, type TypeAnalyzer } from './type-analysis';
import { sameItems } from '../src/util/arrays';

/**
 * Reads a TypeScript project with ts-morph into a CodegenModel: every `@entity()` class (fields
 * in runtime order, inherited ones first) and every registered function. This file loads the
 * project and runs the class reader (read-classes.ts) and the function reader (read-functions.ts)
 * over its files, collecting their diagnostics. A class or function with an error is left out of
 * the model (listed in `omitted`): the class uses runtime metadata, the function runs without a
 * generated signature, and everything else is still generated.
 */

export interface ReadOptions {
  /** Path of the tsconfig.json. */
  readonly tsconfig: string;
  /** Files never scanned (the generated output). Absolute paths. */
  readonly skipFiles?: readonly string[];
}

export interface ReadResult {
  readonly model: CodegenModel;
  readonly project: Project;
  /** Files scanned (the tsconfig's own files, minus declarations and skipped files). */
  readonly files: readonly SourceFile[];
  readonly timings: { load: number; read: number };
}

export function readProject(options: ReadOptions): ReadResult {
  const t0 = performance.now();
  const tsconfig = path.resolve(options.tsconfig);
  const project = new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true });
  const own = project.addSourceFilesFromTsConfig(tsconfig);
  project.resolveSourceFileDependencies();
  const skip = new Set((options.skipFiles ?? []).map((f) => path.resolve(f)));
  const files = own
    .filter((sf) => !sf.isDeclarationFile() && !sf.isInNodeModules() && !skip.has(path.resolve(sf.getFilePath())))
    .sort((a, b) => cmp(a.getFilePath(), b.getFilePath()));
  const t1 = performance.now();
  const reader = new ModelReader(project);
  const model = reader.read(tsconfig, files, importExtensionOf(project.getCompilerOptions()));
  return { model, project, files, timings: { load: t1 - t0, read: performance.now() - t1 } };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class ModelReader implements ReadContext {
  readonly oracle = new ClassOracle();
  private readonly analyzer: TypeAnalyzer;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly diagnosticKeys = new Set<string>();
  private readonly omitted: OmittedDeclaration[] = [];
  private errors = 0;
  private readonly classes: EntityClassReader;
  private readonly functions: FunctionReader;

  constructor(project: Project) {
    this.analyzer = createTypeAnalyzer(project, this.oracle);
    this.classes = new EntityClassReader(this, project);
    this.functions = new FunctionReader(this, project, this.classes.fingerprintOf);
  }

  read(tsconfig: string, files: readonly SourceFile[], importExtension: ImportExtension): CodegenModel {
    let classes: EntityClassModel[] = [];
    const failed: FailedClass[] = [];
    const found: FunctionModel[] = [];
    // Classes first: function signatures name their parameter classes with the classes' field lists.
    for (const sf of files) {
      for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) {
        const before = this.errors;
        const model = this.classes.read(cls);
        if (this.errors === before) {
          if (model) classes.push(model);
          continue;
        }
        const name = cls.getName();
        if (name) failed.push({ name, location: locationOf(cls.getNameNode() ?? cls), model });
      }
    }
    for (const f of failed) this.omit({ kind: 'class', name: f.name, location: f.location });
    classes = classes.filter((c) => !this.omitTwin(c, failed, path.dirname(tsconfig)));
    for (const sf of files) {
      for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration))
        found.push(...this.functions.readCallableMethods(cls));
      for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const fn = this.functions.readRegisterCall(call);
        if (fn) found.push(fn);
      }
    }
    // Several classes may share a name (test files, examples): all are described; the runtime
    // picks the one whose field list matches the class it loaded (see installGeneratedMetadata).
    classes.sort(
      (a, b) => cmp(a.name, b.name) || cmp(a.location.file, b.location.file) || a.location.line - b.location.line,
    );
    found.sort(
      (a, b) => cmp(a.name, b.name) || cmp(a.location.file, b.location.file) || a.location.line - b.location.line,
    );
    // The table is keyed by name: a registration left out must not get another one's signature.
    const failedNames = new Set(this.omitted.filter((o) => o.kind === 'function').map((o) => o.name));
    const functions = mergeFunctions(found, path.dirname(tsconfig), this, failedNames);
    const diagnostics = [...this.diagnostics].sort(
      (a, b) =>
        cmp(a.location.file, b.location.file) ||
        a.location.line - b.location.line ||
        a.location.column - b.location.column ||
        cmp(a.message, b.message),
    );
    const omitted = [...this.omitted].sort(
      (a, b) =>
        cmp(a.kind, b.kind) ||
        cmp(a.name, b.name) ||
        cmp(a.location.file, b.location.file) ||
        a.location.line - b.location.line,
    );
    return {
      project: tsconfig,
      classes,
      functions,
      runtime: runtimeLocation(this.classes.runtimeDecl),
      importExtension,
      omitted,
      diagnostics,
    };
  }

  /**
   * True (with a warning, and the class omitted) when `c` could take the place of a class left
   * out: one of its name whose field and transient names are the same (or unknown). The runtime
   * picks a class's spec by its name and those names, so it might give that class this one's spec.
   */
  private omitTwin(c: EntityClassModel, failed: readonly FailedClass[], projectDir: string): boolean {
    const twin = failed.find(
      (f) =>
        f.name === c.name &&
        (f.model === null ||
          (sameItems(
            f.model.fields.map((x) => x.name),
            c.fields.map((x) => x.name),
          ) &&
            sameItems(f.model.transient, c.transient))),
    );
    if (!twin) return false;
    const where = `${relativePosix(projectDir, twin.location.file)}:${twin.location.line}`;
    this.report(
      c.location,
      `${c.name}: uses runtime metadata, as the class ${c.name} at ${where} does (it has errors): ${twin.model === null ? 'its fields are unknown' : 'it has the same field names'}, so the runtime could not tell their specs apart`,
      'warning',
    );
    this.omit({ kind: 'class', name: c.name, location: c.location });
    return true;
  }

  get errorsReported(): number {
    return this.errors;
  }

  omit(declaration: OmittedDeclaration): void {
    this.omitted.push(declaration);
  }

  report(location: SourceLocation, message: string, severity: Severity = 'error'): void {
    if (severity === 'error') this.errors++;
    const key = `${location.file}:${location.line}:${location.column}:${message}`;
    if (this.diagnosticKeys.has(key)) return;
    this.diagnosticKeys.add(key);
    this.diagnostics.push({ severity, location, message });
  }

  analyzeAt(type: Type, at: Node, allowUnknown: boolean, report: (m: string) => void): ValueType {
    const vt = this.analyzer.analyze(type, at, { allowUnknown }, report);
    return hasDynamic(vt) ? { t: 'dynamic' } : vt;
  }
}

/** A class with an error: its model when it was read (null: not describable at all). */
interface FailedClass {
  readonly name: string;
  readonly location: SourceLocation;
  readonly model: EntityClassModel | null;
}

/**
 * How the generated file's relative imports end under these compiler options: moduleResolution
 * node16/nodenext (set, or implied by module node16...nodenext) needs the emitted file's name in
 * ESM (`.js` also works in CommonJS files there), or the source file's when the project runs its
 * sources (allowImportingTsExtensions: nothing is emitted); rewriteRelativeImportExtensions
 * projects write source file names, which tsc rewrites; anything else resolves without one.
 */
export function importExtensionOf(options: ts.CompilerOptions): ImportExtension {
  if (options.rewriteRelativeImportExtensions) return 'ts';
  const { module, moduleResolution: resolution } = options;
  const nodeResolution =
    resolution === ts.ModuleResolutionKind.Node16 ||
    resolution === ts.ModuleResolutionKind.NodeNext ||
    (resolution === undefined &&
      module !== undefined &&
      module >= ts.ModuleKind.Node16 &&
      module <= ts.ModuleKind.NodeNext);
  if (!nodeResolution) return 'none';
  return options.allowImportingTsExtensions ? 'ts' : 'js';
}

/**
 * Where the generated file imports the runtime from: the package's source tree when `decl` (the
 * file declaring the `entity` decorator the classes use) is in one, else the package.
 */
function runtimeLocation(decl: string | null): RuntimeLocation {
  if (decl && !decl.endsWith('.d.ts') && !/[\\/]node_modules[\\/]/.test(decl)) {
    const m = /^(.*)[\\/]entity[\\/]decorators\.tsx?$/.exec(decl);
    if (m) return { kind: 'source', dir: m[1] };
  }
  return { kind: 'module', specifier: RUNTIME_PACKAGE };
}
