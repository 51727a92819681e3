import { ClassDeclaration, Node, SourceFile } from 'ts-morph';

/**
 * Recognising the runtime's exports in user code: the `@entity()`, `@transient()` and
 * `@callable()` decorators, `CallableRegistry`, and the `Entity` / `ConfigEntity` base classes.
 */

export const RUNTIME_PACKAGE = 'abstractions-ts';

export interface RuntimeRef {
  /** The exported name (`entity`, `transient`, `callable`, `CallableRegistry`, ...). */
  readonly name: string;
  /** Where the alias chain ends (the runtime's own declaration), when resolvable. */
  readonly declarationFile: string | null;
}

function isRuntimeModule(specifier: string): boolean {
  return (
    specifier === RUNTIME_PACKAGE ||
    specifier.startsWith(`${RUNTIME_PACKAGE}/`) ||
    specifier.startsWith('.') ||
    specifier.startsWith('/')
  );
}

/** Where the runtime declares its exports: recognised through any import path (tsconfig `paths` aliases too). */
const DECLARATION_SITES: Readonly<Record<string, RegExp>> = {
  entity: /[\\/]entity[\\/]decorators(\.d)?\.ts$/,
  transient: /[\\/]entity[\\/]decorators(\.d)?\.ts$/,
  field: /[\\/]entity[\\/]decorators(\.d)?\.ts$/,
  callable: /[\\/]callable[\\/]decorator(\.d)?\.ts$/,
  CallableRegistry: /[\\/]callable[\\/]callable-registry(\.d)?\.ts$/,
};

function declaredByRuntime(name: string, file: string | null): boolean {
  if (file === null) return false;
  if (isPackageFile(file)) return true;
  const site = DECLARATION_SITES[name];
  return site !== undefined && site.test(file);
}

function isPackageFile(file: string): boolean {
  return /[\\/]node_modules[\\/]abstractions-ts[\\/]/.test(file);
}

/**
 * The runtime export `expr` refers to, or null. Accepted: a named import (possibly renamed) or a
 * namespace import from `abstractions-ts` or a relative path (the package's own source tree, or
 * a module of the project re-exporting it), or any import whose alias chain ends in the package.
 */
export function runtimeExportOf(expr: Node): RuntimeRef | null {
  if (Node.isIdentifier(expr)) {
    const symbol = expr.getSymbol();
    if (!symbol) return null;
    const finalDecl = symbol.getAliasedSymbol()?.getDeclarations()[0] ?? null;
    const declarationFile = finalDecl ? finalDecl.getSourceFile().getFilePath() : null;
    for (const decl of symbol.getDeclarations()) {
      if (Node.isImportSpecifier(decl)) {
        const module = decl.getImportDeclaration().getModuleSpecifierValue();
        if (isRuntimeModule(module) || declaredByRuntime(decl.getName(), declarationFile)) {
          return { name: decl.getName(), declarationFile };
        }
      }
    }
    return null;
  }
  if (Node.isPropertyAccessExpression(expr)) {
    const target = expr.getExpression();
    if (!Node.isIdentifier(target)) return null;
    const symbol = target.getSymbol();
    for (const decl of symbol?.getDeclarations() ?? []) {
      if (Node.isNamespaceImport(decl)) {
        const importDecl = decl.getFirstAncestorOrThrow(Node.isImportDeclaration);
        const module = importDecl.getModuleSpecifierValue();
        const resolved = importDecl.getModuleSpecifierSourceFile();
        const file = resolved ? resolved.getFilePath() : null;
        const exported = symbol?.getAliasedSymbol()?.getExport(expr.getName());
        const finalDecl = exported?.getAliasedSymbol()?.getDeclarations()[0] ?? exported?.getDeclarations()[0] ?? null;
        const declarationFile = finalDecl ? finalDecl.getSourceFile().getFilePath() : null;
        if (
          isRuntimeModule(module) ||
          (file !== null && isPackageFile(file)) ||
          declaredByRuntime(expr.getName(), declarationFile)
        ) {
          return { name: expr.getName(), declarationFile };
        }
      }
    }
  }
  return null;
}

/** The runtime export a decorator calls (`@entity()` -> entity), or null; `called` is false for `@entity` without (). */
export function decoratorRuntimeName(decorator: Node): { ref: RuntimeRef; called: boolean; args: Node[] } | null {
  if (!Node.isDecorator(decorator)) return null;
  const expr = decorator.getExpression();
  if (Node.isCallExpression(expr)) {
    const ref = runtimeExportOf(expr.getExpression());
    return ref && { ref, called: true, args: expr.getArguments() };
  }
  const ref = runtimeExportOf(expr);
  return ref && { ref, called: false, args: [] };
}

/** One class and its base classes up to Entity. */
export interface ClassChain {
  /** The class itself first, then its bases, nearest first, excluding Entity. */
  readonly classes: readonly ClassDeclaration[];
  /** True when the chain ends at the runtime's `Entity`. */
  readonly reachesEntity: boolean;
  /** True when a base is `ConfigEntity`. */
  readonly isConfig: boolean;
  /** A base class that could not be resolved (an `extends` expression that is not a class). */
  readonly unresolvedBase: Node | null;
}

/** Memoised inheritance facts about class declarations. */
export class ClassOracle {
  private readonly chains = new Map<ClassDeclaration, ClassChain>();

  chainOf(cls: ClassDeclaration): ClassChain {
    let chain = this.chains.get(cls);
    if (!chain) {
      chain = this.walk(cls);
      this.chains.set(cls, chain);
    }
    return chain;
  }

  isEntityClass(cls: ClassDeclaration): boolean {
    return cls.getName() === 'Entity' || this.chainOf(cls).reachesEntity;
  }

  private walk(cls: ClassDeclaration): ClassChain {
    const classes: ClassDeclaration[] = [];
    let isConfig = false;
    const seen = new Set<ClassDeclaration>();
    for (let c: ClassDeclaration | undefined = cls; c && !seen.has(c);) {
      seen.add(c);
      if (c !== cls && c.getName() === 'Entity' && !c.getExtends())
        return { classes, reachesEntity: true, isConfig, unresolvedBase: null };
      if (c !== cls && c.getName() === 'ConfigEntity') isConfig = true;
      classes.push(c);
      const ext = c.getExtends();
      if (!ext) return { classes, reachesEntity: false, isConfig, unresolvedBase: null };
      const base = c.getBaseClass();
      if (!base) return { classes, reachesEntity: false, isConfig, unresolvedBase: ext };
      c = base;
    }
    return { classes, reachesEntity: false, isConfig, unresolvedBase: null };
  }
}

/** 1-based line and column of a node's start. */
export function locationOf(node: Node): { file: string; line: number; column: number } {
  const sf: SourceFile = node.getSourceFile();
  const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
  return { file: sf.getFilePath(), line, column };
}
