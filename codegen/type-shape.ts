import { ClassDeclaration, Node, ts, Type } from 'ts-morph';
import type { SourceLocation, TypeShape } from './model';
import type { ClassOracle } from './runtime-refs';

/**
 * Declared TypeScript type -> TypeShape (src/callable/type-spec.ts), the form the callable
 * layer checks arguments and results with. Never fails: what it cannot express is `unknown`
 * (not checked) or `object`.
 */

const F = ts.TypeFlags;
const UNKNOWN: TypeShape = { kind: 'unknown' };

function key(s: TypeShape): string {
  return JSON.stringify(s);
}

/** Members of a union, deduplicated and sorted (deterministic whatever the checker's order). */
function unionOf(shapes: TypeShape[]): TypeShape {
  const byKey = new Map<string, TypeShape>();
  for (const s of shapes.flatMap((x) => (x.kind === 'union' ? x.of : [x]))) byKey.set(key(s), s);
  if (byKey.has(key(UNKNOWN))) return UNKNOWN;
  const members = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  return members.length === 1 ? members[0] : { kind: 'union', of: members };
}

/** What the signature table says about an entity class the reader read: its field names and where it is declared. */
export interface ClassFingerprint {
  readonly fields: readonly string[];
  readonly declaredAt: SourceLocation;
}

/** `fingerprintOf`: the fingerprint of an entity class declaration, or null when the class was not read. */
export function typeShapeOf(
  type: Type,
  classes: ClassOracle,
  fingerprintOf?: (decl: ClassDeclaration) => ClassFingerprint | null,
): TypeShape {
  const stack = new Set<ts.Type>();

  function entityShape(t: Type): TypeShape | null {
    const decl = t.getSymbol()?.getDeclarations().find(Node.isClassDeclaration);
    const className = decl && classes.isEntityClass(decl) ? (decl.getName() ?? null) : null;
    if (!decl || className === null) return null;
    const fp = fingerprintOf?.(decl) ?? null;
    return fp === null
      ? { kind: 'entity', className }
      : { kind: 'entity', className, fields: fp.fields, declaredAt: fp.declaredAt };
  }

  function primitive(t: Type): TypeShape | null {
    const f = t.getFlags();
    if (f & (F.Number | F.NumberLiteral)) return { kind: 'number' };
    if (f & (F.String | F.StringLiteral | F.TemplateLiteral | F.StringMapping)) return { kind: 'string' };
    if (f & (F.Boolean | F.BooleanLiteral)) return { kind: 'boolean' };
    if (f & (F.BigInt | F.BigIntLiteral)) return { kind: 'bigint' };
    if (f & F.Null) return { kind: 'null' };
    if (f & (F.Undefined | F.Void)) return { kind: 'undefined' };
    if (f & (F.ESSymbol | F.UniqueESSymbol | F.Never)) return UNKNOWN;
    return null;
  }

  function shape(t: Type): TypeShape {
    const f = t.getFlags();
    if (f & (F.Any | F.Unknown | F.TypeParameter | F.Conditional | F.IndexedAccess | F.Substitution | F.Index))
      return UNKNOWN;
    if (f & F.NonPrimitive) return { kind: 'object' };
    if (t.isUnion()) {
      const members = t.getUnionTypes();
      const undef = members.some((m) => m.getFlags() & (F.Undefined | F.Void));
      const rest = members.filter((m) => !(m.getFlags() & (F.Undefined | F.Void)));
      const core = rest.length === 0 ? null : unionOf(rest.map(shape));
      if (!undef) return core ?? { kind: 'undefined' };
      return core === null ? { kind: 'undefined' } : core.kind === 'unknown' ? core : { kind: 'optional', of: core };
    }
    if (t.isIntersection()) {
      const parts = t.getIntersectionTypes();
      for (const p of parts) {
        const prim = primitive(p);
        if (prim) return prim;
      }
      const entities = parts.map(entityShape).filter((n): n is TypeShape => n !== null);
      if (entities.length > 0) return unionOf(entities);
      return { kind: 'object' };
    }
    const prim = primitive(t);
    if (prim) return prim;
    if (!(f & F.Object)) return UNKNOWN;
    const entity = entityShape(t);
    if (entity !== null) return entity;
    if (stack.has(t.compilerType)) return { kind: 'object' };
    stack.add(t.compilerType);
    try {
      if (t.isTuple()) {
        const elements = t.getTupleElements();
        const flags = (t.compilerType as unknown as ts.TupleTypeReference).target?.elementFlags ?? [];
        if (flags.some((x) => x & (ts.ElementFlags.Rest | ts.ElementFlags.Variadic))) {
          return { kind: 'array', of: unionOf(elements.map(shape)) };
        }
        return {
          kind: 'tuple',
          of: elements.map((e, i) =>
            flags[i] & ts.ElementFlags.Optional ? { kind: 'optional', of: shape(e) } : shape(e),
          ),
        };
      }
      if (t.isArray() || t.isReadonlyArray()) {
        const el = t.getTypeArguments()[0] ?? t.getArrayElementType();
        return { kind: 'array', of: el ? shape(el) : UNKNOWN };
      }
      const symbol = t.getSymbol();
      const name = symbol?.getName();
      const args = t.getTypeArguments();
      const isLib = (symbol?.getDeclarations() ?? []).some(
        (d) => d.getSourceFile().isInNodeModules() || d.getSourceFile().isDeclarationFile(),
      );
      if (isLib && name === 'Date') return { kind: 'date' };
      if (isLib && (name === 'Map' || name === 'ReadonlyMap') && args.length === 2)
        return { kind: 'map', of: shape(args[1]) };
      if (isLib && (name === 'Set' || name === 'ReadonlySet') && args.length === 1)
        return { kind: 'set', of: shape(args[0]) };
      if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) return UNKNOWN;
      const index = t.getStringIndexType() ?? t.getNumberIndexType();
      if (index && t.getProperties().length === 0) return { kind: 'record', of: shape(index) };
      return { kind: 'object' };
    } finally {
      stack.delete(t.compilerType);
    }
  }

  return shape(type);
}
