import * as path from 'path';
import {
  ClassDeclaration,
  Node,
  Project,
  PropertyDeclaration,
  SourceFile,
  SyntaxKind,
  ts,
  Type,
} from 'ts-morph';
import {
  entityClassesIn,
  hasDynamic,
  hasEntity,
  kindOf,
  shapeOf,
  type CodegenModel,
  type Diagnostic,
  type EntityClassModel,
  type FieldModel,
  type FunctionModel,
  type ParamKind,
  type ParamModel,
  type ResultModel,
  type RuntimeLocation,
  type SourceLocation,
  type ValueType,
} from './model';
import { SYSTEM_NAMES } from '../src/entity/system-names';
import { ClassOracle, decoratorRuntimeName, locationOf, runtimeExportOf, RUNTIME_PACKAGE } from './runtime-refs';
import { createTypeAnalyzer, stripImports, type TypeAnalyzer } from './type-analysis';
import { typeShapeOf, type ClassFingerprint } from './type-shape';

/**
 * Reads a TypeScript project with ts-morph into a CodegenModel: every `@entity()` class (fields
 * in runtime order, inherited ones first) and every registered function.
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

const PRINT_FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;

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

function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/;\s*}/g, ' }').trim();
}

class ModelReader {
  private readonly oracle = new ClassOracle();
  private readonly analyzer: TypeAnalyzer;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly diagnosticKeys = new Set<string>();
  private runtimeDecl: string | null = null;
  private projectDir = '';
  /** Entity classes read from the project's files (their field lists fingerprint signature types). */
  private readonly classByDecl = new Map<ClassDeclaration, EntityClassModel>();
  private readonly fingerprintOf = (decl: ClassDeclaration): ClassFingerprint | null => {
    const c = this.classByDecl.get(decl);
    return c ? { fields: c.fields.map((f) => f.name), declaredAt: c.location } : null;
  };

  /**
   * With useDefineForClassFields (the default from target ES2022), every property declaration
   * defines an own key at construction; without it only properties with an initialiser do.
   */
  private readonly defineFields: boolean;

  constructor(private readonly project: Project) {
    this.analyzer = createTypeAnalyzer(project, this.oracle);
    const options = project.getCompilerOptions();
    const target = options.target ?? ts.ScriptTarget.ES5;
    this.defineFields = options.useDefineForClassFields ?? target >= ts.ScriptTarget.ES2022;
  }

  read(tsconfig: string, files: readonly SourceFile[]): CodegenModel {
    this.projectDir = path.dirname(tsconfig);
    const classes: EntityClassModel[] = [];
    const found: FunctionModel[] = [];
    // Classes first: function signatures name their parameter classes with the classes' field lists.
    for (const sf of files) {
      for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) {
        const model = this.readEntityClass(cls);
        if (model) {
          classes.push(model);
          this.classByDecl.set(cls, model);
        }
      }
    }
    for (const sf of files) {
      for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) found.push(...this.readCallableMethods(cls));
      for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const fn = this.readRegisterCall(call);
        if (fn) found.push(fn);
      }
    }
    // Several classes may share a name (test files, examples): all are described; the runtime
    // picks the one whose field list matches the class it loaded (see installGeneratedMetadata).
    classes.sort((a, b) => cmp(a.name, b.name) || cmp(a.location.file, b.location.file) || a.location.line - b.location.line);
    found.sort((a, b) => cmp(a.name, b.name) || cmp(a.location.file, b.location.file) || a.location.line - b.location.line);
    const functions = this.mergeFunctions(found);
    const diagnostics = [...this.diagnostics].sort(
      (a, b) => cmp(a.location.file, b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column || cmp(a.message, b.message),
    );
    return { project: tsconfig, classes, functions, runtime: this.runtimeLocation(), diagnostics };
  }

  private report(location: SourceLocation, message: string, severity: Diagnostic['severity'] = 'error'): void {
    const key = `${location.file}:${location.line}:${location.column}:${message}`;
    if (this.diagnosticKeys.has(key)) return;
    this.diagnosticKeys.add(key);
    this.diagnostics.push({ severity, location, message });
  }

  /**
   * One signature per function name (the generated table is keyed by name). Registrations of one
   * name with identical signatures (the same function registered in several places) give one
   * entry; conflicting ones give none, with a warning at every place: the runtime then uses the
   * explicit signature given to `register`, if any.
   */
  private mergeFunctions(sorted: readonly FunctionModel[]): FunctionModel[] {
    const out: FunctionModel[] = [];
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && sorted[j].name === sorted[i].name) j++;
      const group = sorted.slice(i, j);
      i = j;
      const key = signatureKey(group[0]);
      if (group.every((f) => signatureKey(f) === key)) {
        out.push(group[0]);
        continue;
      }
      const where = group.map((f) => `${this.relative(f.location.file)}:${f.location.line}`).join(', ');
      for (const f of group) {
        this.report(
          f.location,
          `registered function '${f.name}' has conflicting signatures (${where}): no generated signature for it; the runtime uses the explicit signature given to register(), if any`,
          'warning',
        );
      }
    }
    return out;
  }

  private relative(file: string): string {
    const rel = path.relative(this.projectDir, file);
    return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
  }

  private runtimeLocation(): RuntimeLocation {
    const decl = this.runtimeDecl;
    if (decl && !decl.endsWith('.d.ts') && !/[\\/]node_modules[\\/]/.test(decl)) {
      const m = /^(.*)[\\/]entity[\\/]decorators\.tsx?$/.exec(decl);
      if (m) return { kind: 'source', dir: m[1] };
    }
    return { kind: 'module', specifier: RUNTIME_PACKAGE };
  }

  // -------------------------------------------------------------------------------------------
  // Entity classes

  private isEntityDecorated(cls: ClassDeclaration): boolean {
    for (const d of cls.getDecorators()) {
      const r = decoratorRuntimeName(d);
      if (!r || r.ref.name !== 'entity') continue;
      if (!r.called) {
        this.report(locationOf(d), `${cls.getName() ?? 'class'}: write @entity() (a call), not @entity`);
        return false;
      }
      if (this.runtimeDecl === null && r.ref.declarationFile) this.runtimeDecl = r.ref.declarationFile;
      return true;
    }
    return false;
  }

  private readEntityClass(cls: ClassDeclaration): EntityClassModel | null {
    if (!this.isEntityDecorated(cls)) return null;
    const name = cls.getName();
    const location = locationOf(cls.getNameNode() ?? cls);
    if (!name) {
      this.report(location, 'an anonymous @entity() class cannot be described: give the class a name');
      return null;
    }
    const chain = this.oracle.chainOf(cls);
    if (chain.unresolvedBase) {
      this.report(locationOf(chain.unresolvedBase), `${name}: cannot resolve the base class '${chain.unresolvedBase.getText()}' (entity classes must extend Entity or another entity class directly)`);
      return null;
    }
    if (!chain.reachesEntity) {
      this.report(location, `${name}: an @entity() class must extend Entity (or an entity class)`);
      return null;
    }
    if (cls.getTypeParameters().length > 0) {
      const generics = cls.getTypeParameters().map((p) => p.getName()).join(', ');
      this.report(location, `${name}: generic entity class <${generics}>: field types must be concrete (extend it with type arguments in a non-generic subclass and decorate that)`);
    }
    const selfType = cls.getType();
    const basesFirst = [...chain.classes].reverse();
    const transient: string[] = [];
    for (const c of basesFirst) {
      for (const p of c.getProperties()) {
        if (p.isStatic()) continue;
        const n = propertyName(p);
        if (n && this.isTransient(p) && !transient.includes(n)) transient.push(n);
      }
    }
    const fields: FieldModel[] = [];
    const byName = new Map<string, number>();
    const declaredOnly: Array<{ prop: PropertyDeclaration; owner: ClassDeclaration }> = [];
    for (const c of basesFirst) {
      for (const ctor of c.getConstructors()) {
        for (const param of ctor.getParameters()) {
          if (param.isParameterProperty()) {
            this.report(locationOf(param), `${c.getName() ?? '(anonymous class)'}.${param.getName()}: constructor parameter properties are not supported on entity classes: declare the field as a class property`);
          }
        }
      }
      for (const p of c.getProperties()) {
        if (p.isStatic() || p.isAbstract() || p.hasModifier(SyntaxKind.AccessorKeyword)) continue;
        const nameNode = p.getNameNode();
        if (Node.isPrivateIdentifier(nameNode)) continue; // #private: not an own enumerable key
        const fieldName = propertyName(p);
        if (fieldName === null) {
          this.report(locationOf(p), `${c.getName() ?? '(anonymous class)'}: property '${nameNode.getText()}': only identifier and string-literal names are supported on entity classes`);
          continue;
        }
        if (/^(0|[1-9]\d*)$/.test(fieldName)) {
          this.report(locationOf(p), `${c.getName()}.${fieldName}: integer-like field names are not supported (Object.keys lists them first)`);
          continue;
        }
        if (transient.includes(fieldName)) continue;
        if (SYSTEM_NAMES.has(fieldName)) {
          this.report(locationOf(p), `${c.getName()}.${fieldName}: '${fieldName}' is a system field of Entity; rename the property`);
          continue;
        }
        if (p.hasDeclareKeyword() || (!this.defineFields && !p.hasInitializer() && !byName.has(fieldName))) {
          if (this.hasFieldDecorator(p)) declaredOnly.push({ prop: p, owner: c });
          else if (!p.hasDeclareKeyword()) {
            this.report(locationOf(p.getNameNode()), `${c.getName()}.${fieldName}: not a field (useDefineForClassFields is off and it has no initialiser): give it an initialiser, e.g. = undefined`, 'warning');
          }
          continue;
        }
        const existing = byName.get(fieldName);
        const model = this.readField(cls, selfType, c, p, fieldName);
        if (existing === undefined) {
          byName.set(fieldName, fields.length);
          fields.push(model);
        } else {
          fields[existing] = model; // redeclared in a subclass: keeps the base position (Object.keys order)
        }
      }
    }
    // `@field() declare x` properties are not own keys of an instance; the runtime appends them.
    for (const { prop, owner } of declaredOnly) {
      const fieldName = propertyName(prop)!;
      if (byName.has(fieldName)) continue;
      byName.set(fieldName, fields.length);
      fields.push(this.readField(cls, selfType, owner, prop, fieldName));
    }
    return {
      name,
      location,
      exportName: exportNameOf(cls),
      bases: chain.classes.slice(1).map((c) => c.getName() ?? '(anonymous)'),
      isConfig: chain.isConfig,
      isAbstract: cls.isAbstract(),
      fields,
      transient,
    };
  }

  private isTransient(p: PropertyDeclaration): boolean {
    return p.getDecorators().some((d) => decoratorRuntimeName(d)?.ref.name === 'transient');
  }

  private hasFieldDecorator(p: PropertyDeclaration): boolean {
    return p.getDecorators().some((d) => decoratorRuntimeName(d)?.ref.name === 'field');
  }

  private readField(cls: ClassDeclaration, selfType: Type, owner: ClassDeclaration, p: PropertyDeclaration, name: string): FieldModel {
    const location = locationOf(p.getNameNode());
    const symbol = selfType.getProperty(name);
    const type = symbol ? symbol.getTypeAtLocation(cls) : p.getType();
    const ownerName = owner.getName() ?? '(anonymous)';
    const vt = this.analyzeAt(type, p, false, (m) => this.report(location, `${ownerName}.${name}: ${m}`));
    const typeNode = p.getTypeNode();
    const declaredType =
      typeNode && owner.getTypeParameters().length === 0
        ? normalizeText(typeNode.getText())
        : normalizeText(stripImports(type.getText(p, ts.TypeFormatFlags.NoTruncation)));
    const optional = p.hasQuestionToken() || includesUndefined(type);
    return {
      name,
      declaredType,
      type: vt,
      kind: kindOf(vt),
      shape: shapeOf(vt),
      optional,
      declaredIn: ownerName,
      location,
    };
  }

  private analyzeAt(type: Type, at: Node, allowUnknown: boolean, report: (m: string) => void): ValueType {
    const vt = this.analyzer.analyze(type, at, { allowUnknown }, report);
    return hasDynamic(vt) ? { t: 'dynamic' } : vt;
  }

  // -------------------------------------------------------------------------------------------
  // Registered functions

  private readRegisterCall(call: Node): FunctionModel | null {
    if (!Node.isCallExpression(call)) return null;
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'register') return null;
    if (runtimeExportOf(callee.getExpression())?.name !== 'CallableRegistry') return null;
    const [nameArg, fnArg] = call.getArguments();
    const location = locationOf(call);
    if (!nameArg || !fnArg) {
      this.report(location, 'CallableRegistry.register(name, fn): missing arguments');
      return null;
    }
    const nameType = nameArg.getType();
    if (!nameType.isStringLiteral()) {
      this.report(locationOf(nameArg), `CallableRegistry.register: the function name must be a string literal (or a const of a literal type) for code generation, found ${nameArg.getText()}`, 'warning');
      return null;
    }
    const name = nameType.getLiteralValue() as string;
    return this.readFunction(name, fnArg, 'register', locationOf(nameArg));
  }

  private readCallableMethods(cls: ClassDeclaration): FunctionModel[] {
    const out: FunctionModel[] = [];
    for (const method of cls.getMethods()) {
      for (const d of method.getDecorators()) {
        const r = decoratorRuntimeName(d);
        if (!r || r.ref.name !== 'callable') continue;
        const location = locationOf(d);
        if (!r.called) {
          this.report(location, `${cls.getName()}.${method.getName()}: write @callable() or @callable('name'), not @callable`);
          continue;
        }
        if (!method.isStatic()) {
          this.report(location, `${cls.getName()}.${method.getName()}: @callable() registers static methods only`);
          continue;
        }
        let name = method.getName();
        const arg = r.args[0];
        if (arg) {
          const t = arg.getType();
          if (!t.isStringLiteral()) {
            this.report(locationOf(arg), `${cls.getName()}.${method.getName()}: @callable(name): the name must be a string literal for code generation, found ${arg.getText()}`, 'warning');
            continue;
          }
          name = t.getLiteralValue() as string;
        }
        const fn = this.readFunction(name, method, 'callable', location);
        if (fn) out.push(fn);
      }
    }
    return out;
  }

  private readFunction(name: string, fnNode: Node, via: FunctionModel['via'], location: SourceLocation): FunctionModel | null {
    const signatures = fnNode.getType().getCallSignatures();
    if (signatures.length !== 1) {
      this.report(locationOf(fnNode), `function '${name}': expected one function (an arrow, a function or a function declaration's name), found ${signatures.length === 0 ? 'something that is not callable' : 'an overloaded function'}`);
      return null;
    }
    const sig = signatures[0];
    const params = sig.getParameters();
    if (params.length > 1) {
      this.report(locationOf(fnNode), `function '${name}': a registered function takes ONE object of named arguments, found ${params.length} parameters`);
      return null;
    }
    const paramModels: ParamModel[] = [];
    let argsType: string | null = null;
    if (params.length === 1) {
      const param = params[0];
      const decl = param.getValueDeclaration() ?? fnNode;
      const argType = param.getTypeAtLocation(decl);
      if (argType.isAny() || argType.isUnknown()) {
        this.report(locationOf(decl), `function '${name}': the argument object has no type: annotate it, e.g. ({ student }: { student: Student })`);
        return null;
      }
      const props = argType.getProperties();
      if (!argType.isObject() && !argType.isIntersection()) {
        this.report(locationOf(decl), `function '${name}': the parameter must be an object of named arguments, found '${stripImports(argType.getText(decl, PRINT_FLAGS))}'`);
        return null;
      }
      argsType = argType.getText(undefined, PRINT_FLAGS);
      for (const prop of props) {
        const propDecl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
        const t = prop.getTypeAtLocation(propDecl ?? decl);
        const at = propDecl ?? decl;
        const paramLocation = locationOf(at);
        const vt = this.analyzeAt(t, at, true, (m) => this.report(paramLocation, `function '${name}', argument '${prop.getName()}': ${m}`));
        const typeNode = propDecl && (Node.isPropertySignature(propDecl) || Node.isPropertyDeclaration(propDecl)) ? propDecl.getTypeNode() : undefined;
        const optional = prop.isOptional() || includesUndefined(t);
        let shape = typeShapeOf(t, this.oracle, this.fingerprintOf);
        if (optional && shape.kind === 'optional') shape = shape.of;
        paramModels.push({
          name: prop.getName(),
          declaredType: typeNode ? normalizeText(typeNode.getText()) : normalizeText(stripImports(t.getText(at, ts.TypeFormatFlags.NoTruncation))),
          type: shape,
          kind: this.paramKind(vt),
          classNames: entityClassesIn(vt),
          shape: vt.t === 'dynamic' ? null : shapeOf(vt),
          optional,
        });
      }
    }
    let resultType = sig.getReturnType();
    let async = false;
    const sym = resultType.getSymbol();
    if (sym?.getName() === 'Promise' && resultType.getTypeArguments().length === 1) {
      async = true;
      resultType = resultType.getTypeArguments()[0];
    }
    const resultLocation = locationOf(fnNode);
    const rvt = this.analyzeAt(resultType, fnNode, true, (m) => this.report(resultLocation, `function '${name}', result: ${m}`));
    const returnTypeNode = Node.isFunctionLikeDeclaration(fnNode) ? fnNode.getReturnTypeNode() : undefined;
    const resultShape = typeShapeOf(resultType, this.oracle, this.fingerprintOf);
    const unchecked = resultShape.kind === 'unknown' || (resultType.getFlags() & ts.TypeFlags.Void) !== 0;
    const result: ResultModel = {
      declaredType: returnTypeNode ? normalizeText(returnTypeNode.getText()) : normalizeText(stripImports(resultType.getText(fnNode, ts.TypeFormatFlags.NoTruncation))),
      type: unchecked ? null : resultShape,
      kind: resultType.getFlags() & (ts.TypeFlags.Void | ts.TypeFlags.Undefined) ? 'void' : rvt.t === 'dynamic' ? 'data' : kindOf(rvt),
      classNames: entityClassesIn(rvt),
      shape: rvt.t === 'dynamic' ? null : shapeOf(rvt),
    };
    let printedResult = resultType.getText(undefined, PRINT_FLAGS);
    const argTypeForCheck = params.length === 1 ? params[0].getTypeAtLocation(params[0].getValueDeclaration() ?? fnNode) : null;
    const hidden = unexportedTypes([...(argTypeForCheck ? [argTypeForCheck] : []), resultType]);
    if (hidden.length > 0) {
      this.report(
        location,
        `function '${name}': ${hidden.join(', ')} ${hidden.length === 1 ? 'is' : 'are'} not exported, so the typed execute() map uses loose types for it (export ${hidden.length === 1 ? 'it' : 'them'})`,
        'warning',
      );
      if (argsType !== null) argsType = 'Record<string, unknown>';
      printedResult = 'unknown';
    }
    return {
      name,
      location,
      via,
      async,
      params: paramModels,
      result,
      argsType,
      resultType: printedResult,
    };
  }

  private paramKind(vt: ValueType): ParamKind {
    if (vt.t === 'dynamic') return 'data';
    if (vt.t === 'entity') {
      const configs = vt.classes.map((c) => this.isConfigClass(c));
      return configs.length > 0 && configs.every(Boolean) ? 'config' : 'entity';
    }
    return hasEntity(vt) ? 'entities' : 'data';
  }

  private readonly configCache = new Map<string, boolean>();
  private isConfigClass(name: string): boolean {
    let v = this.configCache.get(name);
    if (v === undefined) {
      v = false;
      for (const sf of this.project.getSourceFiles()) {
        const cls = sf.getClass(name);
        if (cls && this.oracle.isEntityClass(cls)) {
          v = this.oracle.chainOf(cls).isConfig;
          break;
        }
      }
      this.configCache.set(name, v);
    }
    return v;
  }
}

/** What makes two registrations of one name the same signature (everything but where they are). */
function signatureKey(f: FunctionModel): string {
  return JSON.stringify([f.async, f.params, f.result, f.argsType, f.resultType]);
}

/**
 * Named types (interfaces, classes, aliases, enums) a printed type text refers to that the
 * generated file cannot import: declared in a module without being exported.
 */
function unexportedTypes(roots: readonly Type[]): string[] {
  const out = new Set<string>();
  const seen = new Set<ts.Type>();
  const checkDecl = (decl: Node | undefined, name: string): void => {
    if (!decl) return;
    const sf = decl.getSourceFile();
    if (sf.isInNodeModules() || sf.isDeclarationFile() || !ts.isExternalModule(sf.compilerNode)) return;
    let top: Node = decl;
    while (top.getParent() && !Node.isSourceFile(top.getParent()!)) top = top.getParent()!;
    const topName = Node.hasName(top) ? top.getName() : name;
    const exported = sf.getExportedDeclarations().get(topName);
    if (!exported || !exported.some((e) => e === top)) out.add(topName);
  };
  const visit = (t: Type): void => {
    if (seen.has(t.compilerType)) return;
    seen.add(t.compilerType);
    const alias = t.getAliasSymbol();
    if (alias) {
      checkDecl(alias.getDeclarations()[0], alias.getName());
      t.getAliasTypeArguments().forEach(visit);
      return; // printed by its alias name
    }
    if (t.isUnion()) return t.getUnionTypes().forEach(visit);
    if (t.isIntersection()) return t.getIntersectionTypes().forEach(visit);
    const symbol = t.getSymbol();
    const decl = symbol?.getDeclarations()[0];
    t.getTypeArguments().forEach(visit);
    if (symbol && decl && !symbol.getName().startsWith('__')) {
      checkDecl(Node.isEnumMember(decl) ? decl.getParent() : decl, symbol.getName());
      return;
    }
    if (t.isObject() && !t.isArray() && !t.isTuple()) {
      for (const p of t.getProperties()) {
        const d = p.getValueDeclaration() ?? p.getDeclarations()[0];
        if (d) visit(p.getTypeAtLocation(d));
      }
    }
  };
  roots.forEach(visit);
  return [...out].sort();
}

function includesUndefined(type: Type): boolean {
  if (type.getFlags() & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return true;
  return type.isUnion() && type.getUnionTypes().some((m) => m.getFlags() & (ts.TypeFlags.Undefined | ts.TypeFlags.Void));
}

/** The own-key name of a property, or null for names Object.keys would not list as written. */
function propertyName(p: PropertyDeclaration): string | null {
  const n = p.getNameNode();
  if (Node.isIdentifier(n)) return n.getText();
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralValue();
  if (Node.isComputedPropertyName(n)) {
    const e = n.getExpression();
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return e.getLiteralValue();
    return null;
  }
  if (Node.isNumericLiteral(n)) return String(n.getLiteralValue());
  return null;
}

/** How the class can be imported from its module: its name, 'default', or null (not exported at module level). */
function exportNameOf(cls: ClassDeclaration): string | null {
  if (!Node.isSourceFile(cls.getParent())) return null;
  if (cls.isDefaultExport()) return 'default';
  if (cls.isExported()) return cls.getName() ?? null;
  return null;
}
