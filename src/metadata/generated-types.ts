/**
 * Types as the code generator writes them (SPEC §8): plain data naming entity classes, in the
 * generated signature table (parameters and results of registered functions) and in the generated
 * field metadata (each field's declared type). Turned into `TypeShape`s when first used, so a
 * class may load after the generated file.
 */
import type { GeneratedClassSpec } from './class-registry';
import { InvalidTypeError } from './errors';
import { isScalarTypeName, type TypeShape } from './type-spec';

/**
 * A type the code generator wrote. Entity types name their class and, in signatures, the class's
 * field names in runtime order (`fields`) and its generated spec (`spec`): several classes may
 * share a name; the name resolves to the one loaded class with exactly these fields, or, when
 * several have them, to the one whose metadata comes from that spec.
 */
export type GeneratedTypeShape =
  | GeneratedEntityShape
  | { readonly kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined' | 'unknown' | 'object' }
  | { readonly kind: 'array' | 'set' | 'optional'; readonly of: GeneratedTypeShape }
  | { readonly kind: 'map' | 'record'; readonly of: GeneratedTypeShape }
  | { readonly kind: 'tuple' | 'union'; readonly of: readonly GeneratedTypeShape[] };

export interface GeneratedEntityShape {
  readonly kind: 'entity';
  readonly className: string;
  readonly fields?: readonly string[];
  readonly spec?: GeneratedClassSpec;
}

/**
 * Validates a generated type (plain data, maybe from a hand-edited file) and resolves its entity
 * types with `entity`. Throws an {@link InvalidTypeError} for what is not a generated type.
 */
export function shapeFromGenerated(raw: GeneratedTypeShape, entity: (e: GeneratedEntityShape) => TypeShape): TypeShape {
  if (typeof raw !== 'object' || raw === null || typeof (raw as { kind?: unknown }).kind !== 'string') {
    throw new InvalidTypeError(raw, `invalid type ${JSON.stringify(raw)}`);
  }
  const inner = (of: GeneratedTypeShape): TypeShape => shapeFromGenerated(of, entity);
  switch (raw.kind) {
    case 'entity':
      return entity(raw);
    case 'array':
    case 'set':
    case 'optional':
    case 'map':
    case 'record':
      return { kind: raw.kind, of: inner(raw.of) };
    case 'tuple':
    case 'union':
      return { kind: raw.kind, of: raw.of.map(inner) };
    default:
      if (!isScalarTypeName(raw.kind)) throw new InvalidTypeError(raw, `unknown type kind '${raw.kind}'`);
      return raw as TypeShape;
  }
}
