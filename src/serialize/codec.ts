import { classRuntimeOf, runtimeOfObject } from '../entity/class-runtime';
import { entityClassRecord, entityClassesOfType, type AnyClass, type EntityClassRecord } from '../metadata/class-registry';
import { VALUES, attachMeta, isEntityObject, metaOf, type EntityMeta, type EntityObject } from '../metadata/object-model';
import { isPlainObject, setOwn } from '../metadata/values';
import { SerializationError } from './errors';
import type { EntityJSON, JsonValue } from './format';
import { decodeIdentity, encodeIdentity, show } from './identity';
import { excerpt } from '../util/excerpt';

/**
 * Field values <-> JSON (see `format.ts` for the form). Writing reads entity objects' own values
 * (never through a draft), so it sees a stored version as stored and a working one as it is now.
 */

// ---- writing ----------------------------------------------------------------------------------

function member(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function encodeEntity(e: EntityObject, path: string): EntityJSON {
  const { meta } = runtimeOfObject(e);
  const values = e[VALUES];
  const fields: Record<string, JsonValue> = {};
  for (const f of meta.fields) fields[f.name] = encodeValue(values[f.index], member(path, f.name));
  return { $class: typeNameOf(meta.ctor, path), $id: encodeIdentity(metaOf(e), path), fields };
}

/**
 * The `$class` of an entity class: its type name, if no other registered class has it (a name
 * several classes share would be read back as whichever the reader picked).
 */
function typeNameOf(ctor: AnyClass, path: string): string {
  const { typeName } = entityClassRecord(ctor)!;
  const classes = entityClassesOfType(typeName);
  if (classes.length > 1) fail(ambiguous(typeName, classes), path);
  return typeName;
}

function ambiguous(typeName: string, classes: readonly EntityClassRecord[]): string {
  return (
    `${classes.length} entity classes are registered under the name '${excerpt(typeName)}', so JSON cannot tell them apart: ` +
    `give each a distinct type name with @entity({ name: '…' }) (e.g. @entity({ name: 'module.${excerpt(typeName)}' }))`
  );
}

const SPECIAL_NUMBERS = new Map<string, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);

export function encodeValue(v: unknown, path: string): JsonValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (Number.isNaN(v)) return { $num: 'NaN' };
      if (v === Infinity) return { $num: 'Infinity' };
      if (v === -Infinity) return { $num: '-Infinity' };
      if (Object.is(v, -0)) return { $num: '-0' };
      return v;
    case 'undefined':
      return { $undefined: true };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'function':
    case 'symbol':
      throw new SerializationError(`a ${typeof v} cannot be serialised`, path);
  }
  if (v === null) return null;
  const o = v as object;
  if (isEntityObject(o)) return encodeEntity(o, path) as unknown as JsonValue;
  if (Array.isArray(o)) {
    const out: JsonValue[] = new Array(o.length);
    for (let i = 0; i < o.length; i++) out[i] = encodeValue(o[i], `${path}[${i}]`);
    return out;
  }
  if (o instanceof Date) {
    const t = o.getTime();
    return { $date: Number.isNaN(t) ? null : o.toISOString() };
  }
  if (o instanceof Map) {
    const entries: JsonValue[] = [];
    let i = 0;
    for (const [k, item] of o) {
      if (isEntityObject(k)) throw new SerializationError('an entity cannot be a Map key', `${path}<key ${i}>`);
      const at = typeof k === 'string' || typeof k === 'number' ? member(path, k) : `${path}<key ${i}>`;
      entries.push([encodeValue(k, `${path}<key ${i}>`), encodeValue(item, at)]);
      i++;
    }
    return { $map: entries };
  }
  if (o instanceof Set) {
    const items: JsonValue[] = [];
    let i = 0;
    for (const item of o) items.push(encodeValue(item, `${path}<${i++}>`));
    return { $set: items };
  }
  if (isPlainObject(o)) {
    const out: Record<string, JsonValue> = {};
    let needsTag = Object.getPrototypeOf(o) === null;
    for (const k of Object.keys(o)) {
      if (k.startsWith('$')) needsTag = true;
      setOwn(out, k, encodeValue((o as Record<string, unknown>)[k], member(path, k)));
    }
    if (!needsTag) return out;
    return Object.getPrototypeOf(o) === null ? { $object: out, $proto: null } : { $object: out };
  }
  const name = (o as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
  throw new SerializationError(`an instance of ${name} is neither data nor an entity and cannot be serialised`, path);
}

// ---- reading ----------------------------------------------------------------------------------

/** State of one `fromJSON` call: every entity read so far, to refuse duplicates. */
export class DecodeContext {
  readonly byEcsId = new Map<string, string>();
  readonly byLineage = new Map<string, string>();
  readonly metas: EntityMeta[] = [];
}

function fail(message: string, path: string): never {
  throw new SerializationError(message, path);
}

const TAGS = new Set(['$map', '$set', '$date', '$bigint', '$num', '$undefined', '$object']);

export function decodeEntity(raw: unknown, path: string, ctx: DecodeContext): EntityObject {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`expected an entity object, got ${show(raw)}`, path);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== '$class' && k !== '$id' && k !== 'fields') fail(`unknown key '${excerpt(k)}' in an entity (expected $class, $id, fields)`, `${path}.${k}`);
  }
  if (typeof o.$class !== 'string') fail(`expected the entity class name, got ${show(o.$class)}`, `${path}.$class`);
  const classes = entityClassesOfType(o.$class);
  if (classes.length > 1) fail(ambiguous(o.$class, classes), `${path}.$class`);
  const record = classes[0];
  if (!record) fail(`unknown entity class '${excerpt(o.$class)}' (is the class imported and decorated with @entity()?)`, `${path}.$class`);
  const rt = classRuntimeOf(record.ctor);
  const { meta: cls } = rt;
  const meta = decodeIdentity(o.$id, `${path}.$id`);

  const seenAt = ctx.byEcsId.get(meta.ecsId) ?? ctx.byLineage.get(meta.lineageId);
  if (seenAt !== undefined) {
    fail(`${o.$class} ${meta.ecsId} occurs twice (an entity occurs at most once in a tree): first at ${seenAt}`, path);
  }
  ctx.byEcsId.set(meta.ecsId, path);
  ctx.byLineage.set(meta.lineageId, path);
  ctx.metas.push(meta);

  const fieldsRaw = o.fields === undefined ? {} : o.fields;
  if (typeof fieldsRaw !== 'object' || fieldsRaw === null || Array.isArray(fieldsRaw)) {
    fail(`expected the fields object, got ${show(fieldsRaw)}`, `${path}.fields`);
  }
  const f = fieldsRaw as Record<string, unknown>;
  for (const k of Object.keys(f)) {
    if (!cls.fieldIndex.has(k)) {
      fail(`${cls.name} has no field '${excerpt(k)}' (fields: ${cls.fields.map((x) => x.name).join(', ') || '(none)'})`, member(`${path}.fields`, k));
    }
  }
  const values = new Array<unknown>(cls.fields.length);
  let defaults: Record<string, unknown> | null = null;
  const defaultsOf = (): Record<string, unknown> => (defaults ??= defaultInstance(record.ctor, cls.name, path));
  for (const field of cls.fields) {
    values[field.index] = Object.prototype.hasOwnProperty.call(f, field.name)
      ? decodeValue(f[field.name], member(`${path}.fields`, field.name), ctx)
      : defaultsOf()[field.name];
  }
  const obj = rt.makeWorking(values) as EntityObject & Record<string, unknown>;
  if (cls.transient.size > 0) {
    const d = defaultsOf();
    for (const name of cls.transient) if (Object.prototype.hasOwnProperty.call(d, name)) obj[name] = d[name];
  }
  return attachMeta(obj, meta);
}

/** A freshly constructed instance: the class's defaults for missing fields and transient properties. */
function defaultInstance(ctor: AnyClass, name: string, path: string): Record<string, unknown> {
  try {
    const inst = new (ctor as unknown as new () => EntityObject)();
    const { meta } = runtimeOfObject(inst);
    const out: Record<string, unknown> = {};
    for (const f of meta.fields) out[f.name] = inst[VALUES][f.index];
    for (const t of meta.transient) if (Object.prototype.hasOwnProperty.call(inst, t)) out[t] = (inst as unknown as Record<string, unknown>)[t];
    return out;
  } catch (e) {
    throw new SerializationError(`cannot construct ${name} to read its defaults: ${(e as Error).message}`, path);
  }
}

export function decodeValue(raw: unknown, path: string, ctx: DecodeContext): unknown {
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      if (!Number.isFinite(raw)) fail(`a JSON number must be finite, got ${raw}`, path);
      return raw;
    case 'object':
      break;
    default:
      fail(`not JSON: ${show(raw)}`, path);
  }
  if (raw === null) return null;
  if (Array.isArray(raw)) {
    const out = new Array<unknown>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = decodeValue(raw[i], `${path}[${i}]`, ctx);
    return out;
  }
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) fail(`not JSON: an instance of ${(raw as object).constructor?.name}`, path);
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o);
  if ('$class' in o) return decodeEntity(o, path, ctx);
  const tag = keys.find((k) => k.startsWith('$'));
  if (tag === undefined) {
    const out: Record<string, unknown> = {};
    for (const k of keys) setOwn(out, k, decodeValue(o[k], member(path, k), ctx));
    return out;
  }
  if (!TAGS.has(tag)) fail(`unknown tag '${excerpt(tag)}' (tags: $class, ${[...TAGS].join(', ')}; a plain object with '$' keys is written as {$object: ...})`, member(path, tag));
  const extra = keys.filter((k) => k !== tag && !(tag === '$object' && k === '$proto'));
  if (extra.length > 0) fail(`a {${tag}} value has no other keys, found '${excerpt(extra[0])}'`, member(path, extra[0]));
  const body = o[tag];
  const at = `${path}.${tag}`;
  switch (tag) {
    case '$undefined':
      if (body !== true) fail(`expected true, got ${show(body)}`, at);
      return undefined;
    case '$num': {
      const n = typeof body === 'string' ? SPECIAL_NUMBERS.get(body) : undefined;
      if (n === undefined) fail(`expected one of ${[...SPECIAL_NUMBERS.keys()].join(', ')}, got ${show(body)}`, at);
      return n;
    }
    case '$bigint':
      if (typeof body !== 'string' || !/^-?\d+$/.test(body)) fail(`expected an integer string, got ${show(body)}`, at);
      return BigInt(body);
    case '$date': {
      if (body === null) return new Date(NaN);
      if (typeof body !== 'string' || Number.isNaN(Date.parse(body))) fail(`expected an ISO date string or null, got ${show(body)}`, at);
      return new Date(body);
    }
    case '$map': {
      if (!Array.isArray(body)) fail(`expected an array of [key, value] pairs, got ${show(body)}`, at);
      const m = new Map<unknown, unknown>();
      body.forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) fail(`expected a [key, value] pair, got ${show(pair)}`, `${at}[${i}]`);
        const key = decodeValue(pair[0], `${at}[${i}][0]`, ctx);
        if (isEntityObject(key)) fail('an entity cannot be a Map key', `${at}[${i}][0]`);
        if (m.has(key)) fail(`duplicate Map key ${show(pair[0])}`, `${at}[${i}][0]`);
        m.set(key, decodeValue(pair[1], `${at}[${i}][1]`, ctx));
      });
      return m;
    }
    case '$set': {
      if (!Array.isArray(body)) fail(`expected an array of members, got ${show(body)}`, at);
      const s = new Set<unknown>();
      body.forEach((item, i) => {
        const v = decodeValue(item, `${at}[${i}]`, ctx);
        if (s.has(v)) fail(`duplicate Set member ${show(item)}`, `${at}[${i}]`);
        s.add(v);
      });
      return s;
    }
    case '$object': {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(`expected an object, got ${show(body)}`, at);
      if ('$proto' in o && o.$proto !== null) fail(`expected null, got ${show(o.$proto)}`, `${path}.$proto`);
      const out = ('$proto' in o ? Object.create(null) : {}) as Record<string, unknown>;
      for (const k of Object.keys(body)) setOwn(out, k, decodeValue((body as Record<string, unknown>)[k], member(at, k), ctx));
      return out;
    }
  }
  return fail(`unknown tag '${excerpt(tag)}'`, path);
}
