import { Node, Project, ts, Type } from 'ts-morph';
import { hasEntity, primJsonOf, type PrimJson, type ValueType } from './model';
import type { ClassOracle } from './runtime-refs';

/**
 * Declared TypeScript type -> ValueType (what generated code needs to know about a value slot).
 * Unsupported types are reported through `report`; analysis then continues with a safe
 * approximation so one run lists every problem.
 */

export interface AnalyzeOptions {
  /** Functions' parameters and results: `any`/`unknown`/`object` are allowed (values are inspected). */
  readonly allowUnknown: boolean;
}

export interface TypeAnalyzer {
  analyze(type: Type, location: Node, options: AnalyzeOptions, report: (message: string) => void): ValueType;
}

const F = ts.TypeFlags;
const PRIMITIVE_FLAGS =
  F.String |
  F.StringLiteral |
  F.NumberLiteral |
  F.Boolean |
  F.BooleanLiteral |
  F.BigInt |
  F.BigIntLiteral |
  F.ESSymbol |
  F.UniqueESSymbol |
  F.EnumLiteral |
  F.Enum |
  F.Null |
  F.Undefined |
  F.Void |
  F.Never |
  F.TemplateLiteral |
  F.StringMapping;
const NULLISH = F.Null | F.Undefined | F.Void;
const STRING_LIKE = F.String | F.StringLiteral | F.TemplateLiteral | F.StringMapping;
const NUMBER_LIKE = F.Number | F.NumberLiteral;
const UNRESOLVED = F.Conditional | F.IndexedAccess | F.Substitution | F.Index;

/** Primitives the row writer leaves to the general encoder (bigint, symbols, functions, nullish only). */
const OTHER_PRIM: ValueType = { t: 'prim', nan: false, json: 'other' };
const OPAQUE: ValueType = { t: 'opaque' };
const DYNAMIC: ValueType = { t: 'dynamic' };

/** Lib types whose type arguments the runtime does not walk. */
const CONTAINERS = new Set(['Array', 'ReadonlyArray', 'Map', 'ReadonlyMap', 'Set', 'ReadonlySet']);

interface Ctx {
  readonly options: AnalyzeOptions;
  readonly location: Node;
  readonly report: (message: string) => void;
  readonly stack: Set<ts.Type>;
  /** Nesting depth: `any` at depth 0 is an error, deeper it only makes the field dynamic. */
  readonly depth: number;
  /** When true, nothing is reported (probing a type for entities). */
  readonly silent: boolean;
}

export function createTypeAnalyzer(project: Project, classes: ClassOracle): TypeAnalyzer {
  const program = project.getProgram().compilerObject;
  const isLibFile = (node: Node): boolean => {
    const sf = node.getSourceFile();
    return program.isSourceFileDefaultLibrary(sf.compilerNode) || sf.isInNodeModules();
  };

  function say(ctx: Ctx, message: string): void {
    if (!ctx.silent) ctx.report(message);
  }

  function deeper(ctx: Ctx): Ctx {
    return { ...ctx, depth: ctx.depth + 1 };
  }

  function entityClassName(type: Type, ctx: Ctx): string | null {
    const decl = type.getSymbol()?.getDeclarations().find(Node.isClassDeclaration);
    if (!decl || !classes.isEntityClass(decl)) return null;
    const name = decl.getName();
    if (!name) {
      say(ctx, 'an anonymous entity class cannot be described: give the class a name');
      return null;
    }
    return name;
  }

  function analyze(type: Type, ctx: Ctx): ValueType {
    const flags = type.getFlags();
    if (flags & (F.Any | F.Unknown)) {
      if (ctx.depth === 0 && !ctx.options.allowUnknown) {
        say(
          ctx,
          `type '${flags & F.Any ? 'any' : 'unknown'}' is not supported: the generated code cannot tell whether it holds entities; declare a precise type`,
        );
      }
      return DYNAMIC;
    }
    if (type.isTypeParameter() || flags & F.TypeParameter) {
      say(
        ctx,
        `unresolved generic type parameter '${type.getText()}': entity classes must have concrete field types (extend a generic base with type arguments instead)`,
      );
      return DYNAMIC;
    }
    if (flags & UNRESOLVED) {
      say(ctx, `unresolvable generic type '${type.getText()}'`);
      return DYNAMIC;
    }
    if (flags & F.NonPrimitive) return tooWide(ctx, 'object');
    if (type.isUnion()) return analyzeUnion(type, ctx);
    if (type.isIntersection()) return analyzeIntersection(type, ctx);
    if (flags & PRIMITIVE_FLAGS || flags & F.Number) return primitive(flags);
    if (flags & F.Object) return analyzeObject(type, ctx);
    return OPAQUE;
  }

  function tooWide(ctx: Ctx, what: string): ValueType {
    if (ctx.depth === 0 && !ctx.options.allowUnknown) {
      say(
        ctx,
        `type '${what}' is too wide: the generated code cannot tell whether it holds entities; declare a precise type`,
      );
    }
    return DYNAMIC;
  }

  function analyzeUnion(type: Type, ctx: Ctx): ValueType {
    const members = type.getUnionTypes().filter((m) => !(m.getFlags() & NULLISH));
    if (members.length === 0) return OTHER_PRIM;
    return unionOf(
      members.map((m) => analyze(m, ctx)),
      () => type.getText(ctx.location, ts.TypeFormatFlags.NoTruncation),
      ctx,
    );
  }

  /** The union of already analysed member types. */
  function unionOf(members: ValueType[], text: () => string, ctx: Ctx): ValueType {
    if (members.length === 1) return members[0];
    if (members.some((m) => m.t === 'dynamic')) return DYNAMIC;
    const bearing = members.filter(hasEntity);
    if (bearing.length > 0 && bearing.length < members.length) {
      say(
        ctx,
        `union of an entity and data (${stripImports(text())}) is not supported: a value holds either entities or data, so its kind (entity or data) is undefined`,
      );
      return DYNAMIC;
    }
    if (bearing.length === 0) {
      const prims = members.filter((m) => m.t === 'prim');
      if (prims.length === members.length)
        return { t: 'prim', nan: prims.some((m) => m.nan), json: primJsonOf(prims.map((m) => m.json)) };
      if (members.every((m) => m.t === 'date')) return { t: 'date' };
      return OPAQUE;
    }
    if (members.every((m) => m.t === 'entity')) {
      const names = new Set<string>();
      for (const m of members) if (m.t === 'entity') m.classes.forEach((c) => names.add(c));
      return { t: 'entity', classes: [...names].sort() };
    }
    const first = members[0];
    if (first.t === 'array' || first.t === 'set' || first.t === 'record') {
      if (members.every((m) => m.t === first.t)) {
        const of = unionOf(
          members.map((m) => (m as { of: ValueType }).of),
          text,
          ctx,
        );
        return { t: first.t, of } as ValueType;
      }
    }
    if (first.t === 'map' && members.every((m) => m.t === 'map' && m.key === first.key)) {
      return {
        t: 'map',
        key: first.key,
        of: unionOf(
          members.map((m) => (m as { of: ValueType }).of),
          text,
          ctx,
        ),
      };
    }
    // Different containers holding entities: only the generic walker describes these.
    return DYNAMIC;
  }

  function analyzeIntersection(type: Type, ctx: Ctx): ValueType {
    const members = type.getIntersectionTypes();
    const primitiveFlags = members.reduce((f, m) => f | (m.getFlags() & (PRIMITIVE_FLAGS | F.Number)), 0);
    if (primitiveFlags !== 0) return primitive(primitiveFlags); // branded primitives
    const entities = members.map((m) => entityClassName(m, ctx)).filter((n): n is string => n !== null);
    if (entities.length > 0) return { t: 'entity', classes: [...new Set(entities)].sort() };
    return analyzeProperties(type, ctx);
  }

  function analyzeObject(type: Type, ctx: Ctx): ValueType {
    const entity = entityClassName(type, ctx);
    if (entity !== null) return { t: 'entity', classes: [entity] };
    if (type.isTuple()) return analyzeTuple(type, ctx);
    if (type.isArray() || type.isReadonlyArray()) {
      const element = type.getTypeArguments()[0] ?? type.getArrayElementType();
      return element ? { t: 'array', of: analyze(element, deeper(ctx)) } : OPAQUE;
    }
    const symbol = type.getSymbol();
    const decls = symbol?.getDeclarations() ?? [];
    // Named library types (lib.d.ts, @types, packages): only the known containers are walked.
    const named = decls.filter((d) => Node.isInterfaceDeclaration(d) || Node.isClassDeclaration(d));
    if (symbol && named.length > 0 && named.every(isLibFile)) {
      const name = symbol.getName();
      const args = type.getTypeArguments();
      if (name === 'Date') return { t: 'date' };
      if ((name === 'Map' || name === 'ReadonlyMap') && args.length === 2) {
        const key = analyze(args[0], deeper(ctx));
        if (hasEntity(key) && key.t !== 'dynamic') {
          say(
            ctx,
            `entity as a Map key is not supported: the runtime walks Map values only (use the entity's id as the key)`,
          );
        }
        return { t: 'map', key: keyKind(args[0]), of: analyze(args[1], deeper(ctx)) };
      }
      if ((name === 'Set' || name === 'ReadonlySet') && args.length === 1) {
        return { t: 'set', of: analyze(args[0], deeper(ctx)) };
      }
      if (!CONTAINERS.has(name) && args.some((a) => probe(a, ctx))) {
        say(
          ctx,
          `entities inside ${name}<...> are not supported: the runtime cannot walk a ${name} (use an array, Map, Set or plain object)`,
        );
      }
      return OPAQUE;
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return OTHER_PRIM; // functions: kept as they are
    const classDecl = decls.find(Node.isClassDeclaration);
    if (classDecl) {
      // A non-entity class instance: data, copied and compared by the generic helpers.
      const name = classDecl.getName() ?? '(anonymous)';
      const key = type.compilerType;
      if (ctx.stack.has(key)) return OPAQUE;
      ctx.stack.add(key);
      try {
        if (
          type.getProperties().some((p) => probe(p.getTypeAtLocation(p.getValueDeclaration() ?? ctx.location), ctx))
        ) {
          say(
            ctx,
            `entities inside an instance of the non-entity class ${name} are not supported: the runtime cannot walk class instances reliably; make ${name} an @entity() class or use a plain object type`,
          );
        }
      } finally {
        ctx.stack.delete(key);
      }
      return OPAQUE;
    }
    return analyzeProperties(type, ctx);
  }

  /** Plain object types: index signatures are records; objects with properties are data or walked generically. */
  function analyzeProperties(type: Type, ctx: Ctx): ValueType {
    const props = type.getProperties();
    const index = type.getStringIndexType() ?? type.getNumberIndexType();
    if (props.length === 0 && index) return { t: 'record', of: analyze(index, deeper(ctx)) };
    if (props.length === 0) return tooWide(ctx, '{}');
    const key = type.compilerType;
    if (ctx.stack.has(key)) return OPAQUE; // recursive type: entities are found on the first pass
    ctx.stack.add(key);
    try {
      let entities = false;
      for (const p of props) {
        const decl = p.getValueDeclaration() ?? p.getDeclarations()[0];
        const t = p.getTypeAtLocation(decl ?? ctx.location);
        if (hasEntity(analyze(t, deeper(ctx)))) entities = true;
      }
      if (index && hasEntity(analyze(index, deeper(ctx)))) entities = true;
      return entities ? DYNAMIC : OPAQUE;
    } finally {
      ctx.stack.delete(key);
    }
  }

  function analyzeTuple(type: Type, ctx: Ctx): ValueType {
    const elements = type.getTupleElements();
    const target = (type.compilerType as ts.TupleTypeReference).target;
    const elementFlags = target?.elementFlags ?? [];
    const fixed: ValueType[] = [];
    let rest: ValueType | null = null;
    for (let i = 0; i < elements.length; i++) {
      const f = elementFlags[i] ?? ts.ElementFlags.Required;
      const vt = analyze(elements[i], deeper(ctx));
      if (f & ts.ElementFlags.Variadic) return DYNAMIC;
      if (f & ts.ElementFlags.Rest) {
        if (i !== elements.length - 1) return hasEntity(vt) || fixed.some(hasEntity) ? DYNAMIC : OPAQUE;
        rest = vt;
      } else fixed.push(vt);
    }
    return { t: 'tuple', elements: fixed, rest };
  }

  /** True when `type` may hold an entity (no diagnostics). */
  function probe(type: Type, ctx: Ctx): boolean {
    const vt = analyze(type, { ...ctx, silent: true, depth: ctx.depth + 1 });
    return hasEntity(vt) && vt.t !== 'dynamic';
  }

  return {
    analyze(type, location, options, report) {
      return analyze(type, { options, location, report, stack: new Set(), depth: 0, silent: false });
    },
  };
}

/** A primitive type of these flags (not a union). */
function primitive(flags: number): ValueType {
  return { t: 'prim', nan: (flags & F.Number) !== 0, json: primJson(flags) };
}

/** The JSON values of a primitive type of these flags: see `PrimJson`. */
function primJson(flags: number): PrimJson {
  if (flags & STRING_LIKE) return flags & ~(STRING_LIKE | F.EnumLiteral) ? 'other' : 'string';
  if (flags & NUMBER_LIKE) return flags & ~(NUMBER_LIKE | F.EnumLiteral) ? 'other' : 'number';
  if (flags & (F.Boolean | F.BooleanLiteral)) return flags & ~(F.Boolean | F.BooleanLiteral) ? 'other' : 'mixed';
  return 'other';
}

/** How a Map key prints into a place (values.ts keyPlace): strings as is, numbers with their type. */
function keyKind(type: Type): 'string' | 'number' | 'other' {
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  const kinds = new Set(
    members.map((m) => {
      const parts = m.isIntersection() ? m.getIntersectionTypes() : [m];
      if (parts.some((p) => p.getFlags() & STRING_LIKE)) return 'string';
      if (parts.some((p) => p.getFlags() & NUMBER_LIKE)) return 'number';
      return 'other';
    }),
  );
  return kinds.size === 1 ? ([...kinds][0] as 'string' | 'number' | 'other') : 'other';
}

/** Removes `import("...").` qualifiers from checker-printed type text (absolute paths must not reach output). */
export function stripImports(text: string): string {
  return text.replace(/import\("[^"]*"\)\./g, '');
}
