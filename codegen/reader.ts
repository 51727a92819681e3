import * as path from 'path';
import { Project, SyntaxKind, type Node, type SourceFile, type Type } from 'ts-morph';
import {
  hasDynamic,
  type CodegenModel,
  type Diagnostic,
  type EntityClassModel,
  type FunctionModel,
  type RuntimeLocation,
  type Severity,
  type SourceLocation,
  type ValueType,
} from './model';
import { EntityClassReader } from './read-classes';
import type { ReadContext } from './read-context';
import { FunctionReader, mergeFunctions } from './read-functions';
import { ClassOracle, RUNTIME_PACKAGE } from './runtime-refs';
import { createTypeAnalyzer, type TypeAnalyzer } from './type-analysis';

/**
 * Reads a TypeScript project with ts-morph into a CodegenModel: every `@entity()` class (fields
 * in runtime order, inherited ones first) and every registered function. This file loads the
 * project and runs the class reader (read-classes.ts) and the function reader (read-functions.ts)
 * over its files, collecting their diagnostics.
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
  const model = reader.read(tsconfig, files);
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
  private readonly classes: EntityClassReader;
  private readonly functions: FunctionReader;

  constructor(project: Project) {
    this.analyzer = createTypeAnalyzer(project, this.oracle);
    this.classes = new EntityClassReader(this, project);
    this.functions = new FunctionReader(this, project, this.classes.fingerprintOf);
  }

  read(tsconfig: string, files: readonly SourceFile[]): CodegenModel {
    const classes: EntityClassModel[] = [];
    const found: FunctionModel[] = [];
    // Classes first: function signatures name their parameter classes with the classes' field lists.
    for (const sf of files) {
      for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) {
        const model = this.classes.read(cls);
        if (model) classes.push(model);
      }
    }
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
    const functions = mergeFunctions(found, path.dirname(tsconfig), this);
    const diagnostics = [...this.diagnostics].sort(
      (a, b) =>
        cmp(a.location.file, b.location.file) ||
        a.location.line - b.location.line ||
        a.location.column - b.location.column ||
        cmp(a.message, b.message),
    );
    return { project: tsconfig, classes, functions, runtime: runtimeLocation(this.classes.runtimeDecl), diagnostics };
  }

  report(location: SourceLocation, message: string, severity: Severity = 'error'): void {
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
