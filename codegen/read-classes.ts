import {
  Node,
  SyntaxKind,
  ts,
  type ClassDeclaration,
  type Project,
  type PropertyDeclaration,
  type Type,
} from 'ts-morph';
import { SYSTEM_NAMES } from '../src/entity/system-names';
import { kindOf, shapeOf, type EntityClassModel, type FieldModel } from './model';
import { includesUndefined, normalizeText, type ReadContext } from './read-context';
import { decoratorRuntimeName, locationOf } from './runtime-refs';
import { stripImports } from './type-analysis';
import { typeShapeOf, type ClassFingerprint } from './type-shape';

/**
 * Reads `@entity()` classes into EntityClassModels: their fields in runtime order (inherited ones
 * first, as Object.keys of an instance lists them, then `@field() declare` ones), their transient
 * names, and a diagnostic for every declaration the runtime would not see as written.
 */

export class EntityClassReader {
  private decoratorFile: string | null = null;
  /** The classes read, by declaration (their field lists fingerprint signature types). */
  private readonly byDecl = new Map<ClassDeclaration, EntityClassModel>();

  /**
   * With useDefineForClassFields (the default from target ES2022), every property declaration
   * defines an own key at construction; without it only properties with an initialiser do.
   */
  private readonly defineFields: boolean;

  constructor(
    private readonly ctx: ReadContext,
    project: Project,
  ) {
    const options = project.getCompilerOptions();
    const target = options.target ?? ts.ScriptTarget.ES5;
    this.defineFields = options.useDefineForClassFields ?? target >= ts.ScriptTarget.ES2022;
  }

  /** The file declaring the `entity` decorator of the first entity class read (where the runtime is), or null. */
  get runtimeDecl(): string | null {
    return this.decoratorFile;
  }

  /** The model of `cls` if it is an entity class that can be described, else null (with diagnostics). */
  read(cls: ClassDeclaration): EntityClassModel | null {
    const model = this.readEntityClass(cls);
    if (model) this.byDecl.set(cls, model);
    return model;
  }

  /** The fingerprint of a class read, or null. */
  readonly fingerprintOf = (decl: ClassDeclaration): ClassFingerprint | null => {
    const c = this.byDecl.get(decl);
    return c ? { fields: c.fields.map((f) => f.name), declaredAt: c.location } : null;
  };

  private isEntityDecorated(cls: ClassDeclaration): boolean {
    for (const d of cls.getDecorators()) {
      const r = decoratorRuntimeName(d);
      if (!r || r.ref.name !== 'entity') continue;
      if (!r.called) {
        this.ctx.report(locationOf(d), `${cls.getName() ?? 'class'}: write @entity() (a call), not @entity`);
        return false;
      }
      if (this.decoratorFile === null && r.ref.declarationFile) this.decoratorFile = r.ref.declarationFile;
      return true;
    }
    return false;
  }

  private readEntityClass(cls: ClassDeclaration): EntityClassModel | null {
    if (!this.isEntityDecorated(cls)) return null;
    const name = cls.getName();
    const location = locationOf(cls.getNameNode() ?? cls);
    if (!name) {
      this.ctx.report(location, 'an anonymous @entity() class cannot be described: give the class a name');
      return null;
    }
    const chain = this.ctx.oracle.chainOf(cls);
    if (chain.unresolvedBase) {
      this.ctx.report(
        locationOf(chain.unresolvedBase),
        `${name}: cannot resolve the base class '${chain.unresolvedBase.getText()}' (entity classes must extend Entity or another entity class directly)`,
      );
      return null;
    }
    if (!chain.reachesEntity) {
      this.ctx.report(location, `${name}: an @entity() class must extend Entity (or an entity class)`);
      return null;
    }
    if (cls.getTypeParameters().length > 0) {
      const generics = cls
        .getTypeParameters()
        .map((p) => p.getName())
        .join(', ');
      this.ctx.report(
        location,
        `${name}: generic entity class <${generics}>: field types must be concrete (extend it with type arguments in a non-generic subclass and decorate that)`,
      );
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
            this.ctx.report(
              locationOf(param),
              `${c.getName() ?? '(anonymous class)'}.${param.getName()}: constructor parameter properties are not supported on entity classes: declare the field as a class property`,
            );
          }
        }
      }
      for (const p of c.getProperties()) {
        if (p.isStatic() || p.isAbstract() || p.hasModifier(SyntaxKind.AccessorKeyword)) continue;
        const nameNode = p.getNameNode();
        if (Node.isPrivateIdentifier(nameNode)) continue; // #private: not an own enumerable key
        const fieldName = propertyName(p);
        if (fieldName === null) {
          this.ctx.report(
            locationOf(p),
            `${c.getName() ?? '(anonymous class)'}: property '${nameNode.getText()}': only identifier and string-literal names are supported on entity classes`,
          );
          continue;
        }
        if (/^(0|[1-9]\d*)$/.test(fieldName)) {
          this.ctx.report(
            locationOf(p),
            `${c.getName()}.${fieldName}: integer-like field names are not supported (Object.keys lists them first)`,
          );
          continue;
        }
        if (transient.includes(fieldName)) continue;
        if (SYSTEM_NAMES.has(fieldName)) {
          this.ctx.report(
            locationOf(p),
            `${c.getName()}.${fieldName}: '${fieldName}' is a system field of Entity; rename the property`,
          );
          continue;
        }
        if (p.hasDeclareKeyword() || (!this.defineFields && !p.hasInitializer() && !byName.has(fieldName))) {
          if (this.hasFieldDecorator(p)) declaredOnly.push({ prop: p, owner: c });
          else if (!p.hasDeclareKeyword()) {
            this.ctx.report(
              locationOf(p.getNameNode()),
              `${c.getName()}.${fieldName}: not a field (useDefineForClassFields is off and it has no initialiser): give it an initialiser, e.g. = undefined`,
              'warning',
            );
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

  private readField(
    cls: ClassDeclaration,
    selfType: Type,
    owner: ClassDeclaration,
    p: PropertyDeclaration,
    name: string,
  ): FieldModel {
    const location = locationOf(p.getNameNode());
    const symbol = selfType.getProperty(name);
    const type = symbol ? symbol.getTypeAtLocation(cls) : p.getType();
    const ownerName = owner.getName() ?? '(anonymous)';
    const vt = this.ctx.analyzeAt(type, p, false, (m) => this.ctx.report(location, `${ownerName}.${name}: ${m}`));
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
      typeShape: typeShapeOf(type, this.ctx.oracle),
      kind: kindOf(vt),
      shape: shapeOf(vt),
      optional,
      declaredIn: ownerName,
      location,
    };
  }
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
