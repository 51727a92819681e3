/**
 * JSON Schema of registered functions (SPEC §5: `list()` / `describe(name)`), so the registry can
 * be offered to tool-calling clients. Parameters are one object schema; an entity parameter is
 * an address string (`@<ecsId>`: clients hold no entity objects); a `ConfigEntity` parameter is
 * the object of its fields (defaults shown, none required). Entity classes in results and
 * configs are described once each under `$defs`, from their field metadata (`classMetaOf`).
 */
import { classMetaOf, entityClassByName, type AnyClass } from '../metadata/class-registry';
import type { ContainerShape, FieldMeta } from '../metadata/types';
import { templateValues } from '../metadata/class-defaults';
import { isConfigClass } from './config-entity';
import type { FunctionSignature } from './signatures';
import type { TypeShape } from '../metadata/type-spec';

export type JsonSchema = { [key: string]: unknown };

/** One function as offered to clients. */
export interface FunctionDescription {
  readonly name: string;
  readonly description?: string;
  /** False for a function registered without a signature (its schemas then accept anything). */
  readonly typed: boolean;
  /** An object schema of the named arguments. */
  readonly parameters: JsonSchema;
  /** The result's schema (`{}`: not declared). */
  readonly returns: JsonSchema;
}

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
/** `@` + UUID + optional path: what an address argument looks like. */
export const ADDRESS_PATTERN =
  '^@[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}([.\\[].*)?$';

class Defs {
  readonly defs: Record<string, JsonSchema> = {};

  /** A `$ref` to the class's schema, adding it (and the classes it refers to) on first use. */
  ref(ctor: AnyClass): JsonSchema {
    const meta = classMetaOf(ctor);
    if (!(meta.name in this.defs)) {
      this.defs[meta.name] = {}; // placeholder: recursive classes refer to themselves
      this.defs[meta.name] = this.classSchema(ctor);
    }
    return { $ref: `#/$defs/${meta.name}` };
  }

  classSchema(ctor: AnyClass): JsonSchema {
    const meta = classMetaOf(ctor);
    const template = templateValues(ctor);
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const f of meta.fields) {
      const schema = this.fieldSchema(f, template?.[f.index]);
      const dflt = template === null ? undefined : jsonDefault(template[f.index]);
      properties[f.name] = dflt === undefined ? schema : { ...schema, default: dflt };
      if (!f.optional && !isConfigClass(ctor)) required.push(f.name);
    }
    const out: JsonSchema = { type: 'object', title: meta.name, properties, additionalProperties: false };
    if (required.length > 0) out.required = required;
    return out;
  }

  fieldSchema(f: FieldMeta, sample: unknown): JsonSchema {
    // 'Object' is what reflection reports for a property without a type annotation: no information.
    if (f.declaredType && f.declaredType !== 'Object') {
      const s = this.declared(f.declaredType);
      if (s !== null) return s;
    }
    if (f.shape) return this.container(f.shape);
    const inferred = sampleSchema(sample);
    return f.declaredType === 'Object' && Object.keys(inferred).length === 0 ? { type: 'object' } : inferred;
  }

  container(shape: ContainerShape): JsonSchema {
    switch (shape.kind) {
      case 'entity': {
        const record = entityClassByName(shape.className);
        return record ? this.ref(record.ctor) : { type: 'object', title: shape.className };
      }
      case 'array':
      case 'set':
      case 'tuple':
      case 'map':
      case 'record':
        return collectionSchema(shape, (s) => this.container(s));
      default:
        return {};
    }
  }

  /** Schema of a declared type written in TypeScript (generated metadata) or the class name `@field({ type })` gives. */
  declared(text: string): JsonSchema | null {
    const t = text.trim();
    const alts = splitTop(t, '|');
    if (alts.length > 1) {
      const parts = alts.map((a) => a.trim()).filter((a) => a !== 'undefined');
      if (parts.length === 1) return this.declared(parts[0]);
      const schemas = parts.map((a) => this.declared(a) ?? {});
      return { anyOf: schemas };
    }
    if (/^'.*'$|^".*"$/.test(t)) return { const: t.slice(1, -1) };
    if (/^-?\d+(\.\d+)?$/.test(t)) return { const: Number(t) };
    switch (t) {
      case 'string':
      case 'String':
        return scalarSchema('string');
      case 'number':
      case 'Number':
        return scalarSchema('number');
      case 'boolean':
      case 'Boolean':
        return scalarSchema('boolean');
      case 'true':
      case 'false':
        return { const: t === 'true' };
      case 'bigint':
      case 'BigInt':
        return scalarSchema('bigint');
      case 'null':
        return scalarSchema('null');
      case 'Date':
        return scalarSchema('date');
      case 'Array':
        return { type: 'array' };
      case 'Object':
      case 'object':
      case 'Map':
        return { type: 'object' };
      case 'Set':
        return { type: 'array', uniqueItems: true };
      case 'unknown':
      case 'any':
        return {};
      default:
        break;
    }
    // Element types: `declared` trims its text; what it cannot describe accepts anything.
    const item = (text: string): JsonSchema => this.declared(text) ?? {};
    if (t.endsWith('[]')) return collectionSchema({ kind: 'array', of: t.slice(0, -2) }, item);
    if (t.startsWith('(') && t.endsWith(')')) return this.declared(t.slice(1, -1));
    if (t.startsWith('[') && t.endsWith(']'))
      return collectionSchema({ kind: 'tuple', of: splitTop(t.slice(1, -1), ',') }, item);
    const generic = /^(\w+)<(.*)>$/.exec(t);
    if (generic) {
      const args = splitTop(generic[2], ',');
      switch (generic[1]) {
        case 'Array':
        case 'ReadonlyArray':
          return collectionSchema({ kind: 'array', of: args[0] }, item);
        case 'Set':
        case 'ReadonlySet':
          return collectionSchema({ kind: 'set', of: args[0] }, item);
        case 'Map':
        case 'ReadonlyMap':
        case 'Record':
          return collectionSchema({ kind: 'map', of: args[1] ?? 'unknown' }, item);
        default:
          return null;
      }
    }
    const record = entityClassByName(t);
    if (record) return this.ref(record.ctor);
    return null;
  }

  /** Schema of a signature type. `input`: entities also accept an address. */
  shape(s: TypeShape, input: boolean): JsonSchema {
    switch (s.kind) {
      case 'entity': {
        const ctor = s.ctor ?? entityClassByName(s.className)?.ctor;
        if (!ctor) return { type: 'object', title: s.className };
        // Input entities are passed by address (clients hold no entity objects); configs as objects.
        if (!input || isConfigClass(ctor)) return this.ref(ctor);
        return {
          type: 'string',
          title: s.className,
          pattern: ADDRESS_PATTERN,
          description: `a stored ${s.className}: its address, @<ecsId>`,
        };
      }
      case 'string':
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'null':
      case 'date':
        return scalarSchema(s.kind);
      case 'undefined':
        return { not: {} };
      case 'object':
        return { type: 'object' };
      case 'unknown':
        return {};
      case 'optional':
        return this.shape(s.of, input);
      case 'union':
        return { anyOf: s.of.filter((a) => a.kind !== 'undefined').map((a) => this.shape(a, input)) };
      case 'array':
      case 'set':
      case 'tuple':
      case 'map':
      case 'record':
        // (TypeShape declares 'array' together with 'optional', so the cases do not narrow `s` for TypeScript.)
        return collectionSchema(s as CollectionShape<TypeShape>, (a) => this.shape(a, input));
    }
  }
}

/** Splits at `sep` outside brackets, parentheses, angle brackets and quotes. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '<' || c === '[' || c === '(' || c === '{') depth++;
    else if (c === '>' || c === ']' || c === ')' || c === '}') depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Schema of a scalar kind (a TypeShape kind; for the first four also a `typeof` result). A fresh object. */
function scalarSchema(kind: 'string' | 'number' | 'boolean' | 'bigint' | 'null' | 'date'): JsonSchema {
  switch (kind) {
    case 'bigint':
      return { type: 'integer' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    default:
      return { type: kind };
  }
}

/** A collection whose element types (`of`) are of any description: ContainerShape, TypeShape, declared type text. */
type CollectionShape<S> =
  | { readonly kind: 'array' | 'set' | 'map' | 'record'; readonly of: S }
  | { readonly kind: 'tuple'; readonly of: readonly S[] };

/** Schema of a collection, each element type described by `item` (map and record keys are strings in JSON). */
function collectionSchema<S>(shape: CollectionShape<S>, item: (of: S) => JsonSchema): JsonSchema {
  switch (shape.kind) {
    case 'array':
      return { type: 'array', items: item(shape.of) };
    case 'set':
      return { type: 'array', uniqueItems: true, items: item(shape.of) };
    case 'tuple': {
      const items = shape.of.map((s) => item(s));
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    case 'map':
    case 'record':
      return { type: 'object', additionalProperties: item(shape.of) };
  }
}

/** Schema of a field value seen at runtime (a class default), for fields without a declared type. */
function sampleSchema(v: unknown): JsonSchema {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') return scalarSchema(t);
  if (Array.isArray(v)) return { type: 'array' };
  if (v instanceof Date) return scalarSchema('date');
  if (v instanceof Set) return { type: 'array', uniqueItems: true };
  if (v instanceof Map || (typeof v === 'object' && v !== null)) return { type: 'object' };
  return {};
}

/** A JSON default for a class-field default: scalars, and plain arrays/objects of scalars. */
function jsonDefault(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v))
    return v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x)) ? [...v] : undefined;
  return undefined;
}

/** The JSON Schema description of one function. */
export function describeFunction(name: string, signature: FunctionSignature | null): FunctionDescription {
  if (signature === null) {
    return Object.freeze({
      name,
      typed: false,
      parameters: { $schema: DRAFT, type: 'object', additionalProperties: true },
      returns: {},
    });
  }
  const defs = new Defs();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of signature.params) {
    const s = defs.shape(p.type, true);
    properties[p.name] = p.description ? { ...s, description: p.description } : s;
    const isConfig = p.type.kind === 'entity' && p.type.ctor !== undefined && isConfigClass(p.type.ctor);
    if (!p.optional && !isConfig) required.push(p.name);
  }
  const parameters: JsonSchema = { $schema: DRAFT, type: 'object', properties, required, additionalProperties: false };
  if (Object.keys(defs.defs).length > 0) parameters.$defs = defs.defs;
  let returns: JsonSchema = {};
  if (signature.returns !== null) {
    const rdefs = new Defs();
    returns = rdefs.shape(signature.returns, false);
    if (Object.keys(rdefs.defs).length > 0) returns = { ...returns, $defs: rdefs.defs };
  }
  const out: FunctionDescription = { name, typed: true, parameters, returns };
  return Object.freeze(signature.description ? { ...out, description: signature.description } : out);
}
