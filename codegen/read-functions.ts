import { Node, ts, type ClassDeclaration, type Project, type Type } from 'ts-morph';
import {
  entityClassesIn,
  hasEntity,
  kindOf,
  relativePosix,
  shapeOf,
  type FunctionModel,
  type ParamKind,
  type ParamModel,
  type ResultModel,
  type SourceLocation,
  type ValueType,
} from './model';
import { SOURCE_EXTENSIONS } from './module-files';
import { includesUndefined, normalizeText, type ReadContext } from './read-context';
import { decoratorRuntimeName, locationOf, runtimeExportOf } from './runtime-refs';
import { stripImports } from './type-analysis';
import { typeShapeOf, type ClassFingerprint } from './type-shape';

/**
 * Reads registered functions (`CallableRegistry.register(name, fn)` calls and static methods
 * decorated `@callable()`) into FunctionModels: parameter and result types for the signature
 * table, printed types for the typed execute() map, and one entry per name (mergeFunctions).
 */

const PRINT_FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;

export class FunctionReader {
  private readonly configCache = new Map<string, boolean>();

  /** `fingerprintOf`: the field list of an entity class read (see EntityClassReader). */
  constructor(
    private readonly ctx: ReadContext,
    private readonly project: Project,
    private readonly fingerprintOf: (decl: ClassDeclaration) => ClassFingerprint | null,
  ) {}

  /** The function a `CallableRegistry.register(name, fn)` call registers, or null (not such a call, or not describable). */
  readRegisterCall(call: Node): FunctionModel | null {
    if (!Node.isCallExpression(call)) return null;
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'register') return null;
    if (runtimeExportOf(callee.getExpression())?.name !== 'CallableRegistry') return null;
    const [nameArg, fnArg] = call.getArguments();
    const location = locationOf(call);
    if (!nameArg || !fnArg) {
      this.ctx.report(location, 'CallableRegistry.register(name, fn): missing arguments');
      return null;
    }
    const nameType = nameArg.getType();
    if (!nameType.isStringLiteral()) {
      this.ctx.report(
        locationOf(nameArg),
        `CallableRegistry.register: the function name must be a string literal (or a const of a literal type) for code generation, found ${nameArg.getText()}`,
        'warning',
      );
      return null;
    }
    const name = nameType.getLiteralValue() as string;
    return this.readFunction(name, fnArg, 'register', locationOf(nameArg));
  }

  /** The static methods of `cls` decorated `@callable()`. */
  readCallableMethods(cls: ClassDeclaration): FunctionModel[] {
    const out: FunctionModel[] = [];
    for (const method of cls.getMethods()) {
      for (const d of method.getDecorators()) {
        const r = decoratorRuntimeName(d);
        if (!r || r.ref.name !== 'callable') continue;
        const location = locationOf(d);
        if (!r.called) {
          this.ctx.report(
            location,
            `${cls.getName()}.${method.getName()}: write @callable() or @callable('name'), not @callable`,
          );
          this.ctx.omit({ kind: 'function', name: method.getName(), location });
          continue;
        }
        if (!method.isStatic()) {
          this.ctx.report(location, `${cls.getName()}.${method.getName()}: @callable() registers static methods only`);
          this.ctx.omit({ kind: 'function', name: method.getName(), location });
          continue;
        }
        let name = method.getName();
        const arg = r.args[0];
        if (arg) {
          const t = arg.getType();
          if (!t.isStringLiteral()) {
            this.ctx.report(
              locationOf(arg),
              `${cls.getName()}.${method.getName()}: @callable(name): the name must be a string literal for code generation, found ${arg.getText()}`,
              'warning',
            );
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

  /** The function's model, or null (left out, with its errors) when it has an error. */
  private readFunction(
    name: string,
    fnNode: Node,
    via: FunctionModel['via'],
    location: SourceLocation,
  ): FunctionModel | null {
    const before = this.ctx.errorsReported;
    const fn = this.readSignature(name, fnNode, via, location);
    if (this.ctx.errorsReported === before) return fn;
    this.ctx.omit({ kind: 'function', name, location });
    return null;
  }

  private readSignature(
    name: string,
    fnNode: Node,
    via: FunctionModel['via'],
    location: SourceLocation,
  ): FunctionModel | null {
    const signatures = fnNode.getType().getCallSignatures();
    if (signatures.length !== 1) {
      this.ctx.report(
        locationOf(fnNode),
        `function '${name}': expected one function (an arrow, a function or a function declaration's name), found ${signatures.length === 0 ? 'something that is not callable' : 'an overloaded function'}`,
      );
      return null;
    }
    const sig = signatures[0];
    const params = sig.getParameters();
    if (params.length > 1) {
      this.ctx.report(
        locationOf(fnNode),
        `function '${name}': a registered function takes ONE object of named arguments, found ${params.length} parameters`,
      );
      return null;
    }
    const paramModels: ParamModel[] = [];
    let argsType: string | null = null;
    if (params.length === 1) {
      const param = params[0];
      const decl = param.getValueDeclaration() ?? fnNode;
      const argType = param.getTypeAtLocation(decl);
      if (argType.isAny() || argType.isUnknown()) {
        this.ctx.report(
          locationOf(decl),
          `function '${name}': the argument object has no type: annotate it, e.g. ({ student }: { student: Student })`,
        );
        return null;
      }
      const props = argType.getProperties();
      if (!argType.isObject() && !argType.isIntersection()) {
        this.ctx.report(
          locationOf(decl),
          `function '${name}': the parameter must be an object of named arguments, found '${stripImports(argType.getText(decl, PRINT_FLAGS))}'`,
        );
        return null;
      }
      argsType = this.printed(argType);
      for (const prop of props) {
        const propDecl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
        const t = prop.getTypeAtLocation(propDecl ?? decl);
        const at = propDecl ?? decl;
        const paramLocation = locationOf(at);
        const vt = this.ctx.analyzeAt(t, at, true, (m) =>
          this.ctx.report(paramLocation, `function '${name}', argument '${prop.getName()}': ${m}`),
        );
        const typeNode =
          propDecl && (Node.isPropertySignature(propDecl) || Node.isPropertyDeclaration(propDecl))
            ? propDecl.getTypeNode()
            : undefined;
        const optional = prop.isOptional() || includesUndefined(t);
        let shape = typeShapeOf(t, this.ctx.oracle, this.fingerprintOf);
        if (optional && shape.kind === 'optional') shape = shape.of;
        paramModels.push({
          name: prop.getName(),
          declaredType: typeNode
            ? normalizeText(typeNode.getText())
            : normalizeText(stripImports(t.getText(at, ts.TypeFormatFlags.NoTruncation))),
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
    const rvt = this.ctx.analyzeAt(resultType, fnNode, true, (m) =>
      this.ctx.report(resultLocation, `function '${name}', result: ${m}`),
    );
    const returnTypeNode = Node.isFunctionLikeDeclaration(fnNode) ? fnNode.getReturnTypeNode() : undefined;
    const resultShape = typeShapeOf(resultType, this.ctx.oracle, this.fingerprintOf);
    const unchecked = resultShape.kind === 'unknown' || (resultType.getFlags() & ts.TypeFlags.Void) !== 0;
    const result: ResultModel = {
      declaredType: returnTypeNode
        ? normalizeText(returnTypeNode.getText())
        : normalizeText(stripImports(resultType.getText(fnNode, ts.TypeFormatFlags.NoTruncation))),
      type: unchecked ? null : resultShape,
      kind:
        resultType.getFlags() & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)
          ? 'void'
          : rvt.t === 'dynamic'
            ? 'data'
            : kindOf(rvt),
      classNames: entityClassesIn(rvt),
      shape: rvt.t === 'dynamic' ? null : shapeOf(rvt),
    };
    let printedResult = this.printed(resultType);
    const argTypeForCheck =
      params.length === 1 ? params[0].getTypeAtLocation(params[0].getValueDeclaration() ?? fnNode) : null;
    const hidden = unexportedTypes([...(argTypeForCheck ? [argTypeForCheck] : []), resultType]);
    if (hidden.length > 0) {
      this.ctx.report(
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

  /**
   * `type` as TypeScript text, with references as `import("/absolute/file.ts").Name`: the checker
   * prints module paths without their extension, but the generated file's import of a module
   * depends on it (`.mts` files are imported as `.mjs`).
   */
  private printed(type: Type): string {
    return type.getText(undefined, PRINT_FLAGS).replace(/import\("([^"]+)"\)/g, (m, module: string) => {
      for (const ext of SOURCE_EXTENSIONS) {
        const sf = this.project.getSourceFile(module + ext);
        if (sf) return `import("${sf.getFilePath()}")`;
      }
      return m;
    });
  }

  private paramKind(vt: ValueType): ParamKind {
    if (vt.t === 'dynamic') return 'data';
    if (vt.t === 'entity') {
      const configs = vt.classes.map((c) => this.isConfigClass(c));
      return configs.length > 0 && configs.every(Boolean) ? 'config' : 'entity';
    }
    return hasEntity(vt) ? 'entities' : 'data';
  }

  private isConfigClass(name: string): boolean {
    let v = this.configCache.get(name);
    if (v === undefined) {
      v = false;
      for (const sf of this.project.getSourceFiles()) {
        const cls = sf.getClass(name);
        if (cls && this.ctx.oracle.isEntityClass(cls)) {
          v = this.ctx.oracle.chainOf(cls).isConfig;
          break;
        }
      }
      this.configCache.set(name, v);
    }
    return v;
  }
}

/**
 * One signature per function name (the generated table is keyed by name). Registrations of one
 * name with identical signatures (the same function registered in several places) give one
 * entry; conflicting ones give none, with a warning at every place: the runtime then uses the
 * explicit signature given to `register`, if any. So does a name another registration of which
 * was left out for its errors (`failed`): the runtime would give it this signature too.
 */
export function mergeFunctions(
  sorted: readonly FunctionModel[],
  projectDir: string,
  ctx: ReadContext,
  failed: ReadonlySet<string>,
): FunctionModel[] {
  const out: FunctionModel[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j].name === sorted[i].name) j++;
    const group = sorted.slice(i, j);
    i = j;
    const key = signatureKey(group[0]);
    const conflict = !group.every((f) => signatureKey(f) === key);
    if (!conflict && !failed.has(group[0].name)) {
      out.push(group[0]);
      continue;
    }
    const where = group.map((f) => `${relativePosix(projectDir, f.location.file)}:${f.location.line}`).join(', ');
    const why = conflict
      ? `has conflicting signatures (${where})`
      : 'is also registered elsewhere with errors (left out there)';
    for (const f of group) {
      ctx.omit({ kind: 'function', name: f.name, location: f.location });
      ctx.report(
        f.location,
        `registered function '${f.name}' ${why}: no generated signature for it; the runtime uses the explicit signature given to register(), if any`,
        'warning',
      );
    }
  }
  return out;
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
