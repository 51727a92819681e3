import { classRuntimeOf, runtimeOfObject } from '../entity/class-runtime';
import {
  entityClassRecord,
  entityClassesOfType,
  type AnyClass,
  type EntityClassRecord,
} from '../metadata/class-registry';
import {
  VALUES,
  attachMeta,
  isEntityObject,
  metaOf,
  type EntityMeta,
  type EntityObject,
  type IdChain,
} from '../metadata/object-model';
import { containerKind, forEachItem, setOwn, type DataContainerKind } from '../metadata/containers';
import { SerializationError } from './errors';
import type { EntityJSON, JsonValue } from './format';
import { decodeIdentity, encodeIdentity, show } from './identity';
import { TreeStructureError } from '../tree/errors';
import { excerpt } from '../util/excerpt';

/**
 * Field values <-> JSON (see `format.ts` for the form). Writing reads entity objects' own values
 * (never through a draft), so it sees a stored version as stored and a working one as it is now.
 */

// ---- writing ----------------------------------------------------------------------------------
//
// Both directions walk the value with an explicit stack, not recursion: a tree may be as deep as
// memory allows (a 10,000-entity chain, arrays nested 100,000 levels), and no depth ends in a
// RangeError. Children are pushed in reverse so they are visited in order (depth-first, like a
// recursive walk), which keeps the first error reported the one a reader meets first.

function member(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Where an encoded value goes: a slot of an output array or a key of an output object. */
type Out = JsonValue[] | Record<string, JsonValue>;

/** One value to write, or (`exit`) the end of a container's subtree. */
interface WriteJob {
  readonly v: unknown;
  readonly path: string;
  readonly out: Out;
  readonly key: string | number;
  readonly exit: object | null;
}

function put(out: Out, key: string | number, value: JsonValue): void {
  if (typeof key === 'number') (out as JsonValue[])[key] = value;
  else setOwn(out as Record<string, unknown>, key, value);
}

/**
 * Writes `root` and everything below it. An entity met twice (shared reference, cycle, two
 * copies or two versions of one entity) is a `TreeStructureError` naming both paths, as
 * `buildEntityTree` reports it; a plain container inside itself is a `SerializationError`.
 */
export function encodeEntity(root: EntityObject, path: string): EntityJSON {
  return write(root, path, 'none') as unknown as EntityJSON;
}

/**
 * The `fields` of `entity` as `encodeEntity` writes them, except that each child entity is
 * `{ "$ref": "<ecsId>" }` instead of inline (the durable store's rows, SPEC §12). Unambiguous: a
 * plain object with a key starting `$` is always written as `{ "$object": … }`.
 */
export function encodeFields(entity: EntityObject, path: string): Record<string, JsonValue> {
  return write(entity, path, 'children') as Record<string, JsonValue>;
}

/**
 * Any value in the tagged form, every entity in it written as `{ "$ref": "<ecsId>" }` (an entity
 * may occur several times: references, not a tree). For the durable store's execution records.
 */
export function encodeValue(value: unknown, path: string): JsonValue {
  return write(value, path, 'all');
}

/** The entity's type name, as `$class` is written. */
export function entityTypeName(entity: EntityObject, path: string): string {
  return typeNameOf(runtimeOfObject(entity).meta.ctor, path);
}

/**
 * Which entities are written as `{ $ref }`: none (inline trees), the children of the root entity
 * (its fields only), or all of them (any value).
 */
type Refs = 'none' | 'children' | 'all';

function write(root: unknown, path: string, refs: Refs): JsonValue {
  const result: JsonValue[] = [null];
  /** Containers on the path from the root to the value being written (a cycle meets one again). */
  const open = new Map<object, string>();
  const byEcsId = new Map<string, { entity: EntityObject; path: string }>();
  const byLineage = new Map<string, { entity: EntityObject; path: string }>();
  const stack: WriteJob[] = [{ v: root, path, out: result, key: 0, exit: null }];
  const push = (v: unknown, at: string, out: Out, key: string | number): void => {
    stack.push({ v, path: at, out, key, exit: null });
  };
  /** The end of `o`'s subtree is pushed first, so it pops after every child. */
  const enter = (o: object, at: string): void => {
    const first = open.get(o);
    if (first !== undefined) {
      fail(`a cycle: the ${kindOf(o)} at ${excerpt(first)} contains itself here (JSON has no references)`, at);
    }
    open.set(o, at);
    stack.push({ v: undefined, path: at, out: result, key: 0, exit: o });
  };

  while (stack.length > 0) {
    const job = stack.pop()!;
    if (job.exit !== null) {
      open.delete(job.exit);
      continue;
    }
    const { v, path: at } = job;
    const scalar = encodeScalar(v, at);
    if (scalar !== NOT_SCALAR) {
      put(job.out, job.key, scalar);
      continue;
    }
    const o = v as object;
    if (isEntityObject(o)) {
      const m = metaOf(o);
      if (refs === 'all' || (refs === 'children' && o !== root)) {
        put(job.out, job.key, { $ref: m.ecsId });
        continue;
      }
      const clash = byEcsId.get(m.ecsId) ?? byLineage.get(m.lineageId);
      if (clash !== undefined) throw occursTwice(o, clash, open.has(o), at);
      byEcsId.set(m.ecsId, { entity: o, path: at });
      byLineage.set(m.lineageId, { entity: o, path: at });
      const { meta } = runtimeOfObject(o);
      const values = o[VALUES];
      const fields: Record<string, JsonValue> = {};
      put(
        job.out,
        job.key,
        refs === 'children'
          ? fields
          : ({ $class: typeNameOf(meta.ctor, at), $id: encodeIdentity(m, at), fields } as unknown as JsonValue),
      );
      enter(o, at);
      for (const f of meta.fields) setOwn(fields, f.name, null); // field order, filled below
      for (let i = meta.fields.length - 1; i >= 0; i--)
        push(values[i], member(at, meta.fields[i].name), fields, meta.fields[i].name);
      continue;
    }
    if (o instanceof Date) {
      const t = o.getTime();
      put(job.out, job.key, { $date: Number.isNaN(t) ? null : o.toISOString() });
      continue;
    }
    const kind = containerKind(o);
    if (kind === null) {
      const name = (o as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      fail(`an instance of ${name} is neither data nor an entity and cannot be serialised`, at);
    }
    const children: WriteJob[] = [];
    put(job.out, job.key, containerJson(o, kind, at, children));
    enter(o, at);
    for (let j = children.length - 1; j >= 0; j--) stack.push(children[j]);
  }
  return result[0];
}

const NOT_SCALAR = Symbol('not a scalar');

/** The JSON of a value that is not an object (NOT_SCALAR for objects other than null). */
function encodeScalar(v: unknown, path: string): JsonValue | typeof NOT_SCALAR {
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
      return fail(`a ${typeof v} cannot be serialised`, path);
    case 'object':
      break;
  }
  return v === null ? null : NOT_SCALAR;
}

/**
 * The JSON form of one container, its items still null: each item is added to `children` (in
 * order) with the slot it fills. An entity Map key fails here, before anything is written.
 */
function containerJson(o: object, kind: DataContainerKind, at: string, children: WriteJob[]): JsonValue {
  const child = (v: unknown, path: string, out: Out, key: string | number): void => {
    children.push({ v, path, out, key, exit: null });
  };
  switch (kind) {
    case 'array': {
      const out: JsonValue[] = new Array((o as readonly unknown[]).length);
      forEachItem(o, kind, (item, i) => child(item, `${at}[${i}]`, out, i));
      return out;
    }
    case 'map': {
      const entries: JsonValue[] = [];
      forEachItem(o, kind, (item, k) => {
        const where = `${at}<key ${entries.length}>`;
        if (isEntityObject(k)) fail('an entity cannot be a Map key', where);
        const pair: JsonValue[] = [null, null];
        entries.push(pair);
        child(k, where, pair, 0);
        child(item, typeof k === 'string' || typeof k === 'number' ? member(at, k) : where, pair, 1);
      });
      return { $map: entries };
    }
    case 'set': {
      const items: JsonValue[] = new Array((o as ReadonlySet<unknown>).size);
      forEachItem(o, kind, (item, j) => child(item, `${at}<${j}>`, items, j));
      return { $set: items };
    }
    case 'record': {
      const out: Record<string, JsonValue> = {};
      const nullProto = Object.getPrototypeOf(o) === null;
      let needsTag = nullProto;
      forEachItem(o, kind, (item, k) => {
        if (k.startsWith('$')) needsTag = true;
        setOwn(out, k, null); // key order, filled below
        child(item, member(at, k), out, k);
      });
      return !needsTag ? out : nullProto ? { $object: out, $proto: null } : { $object: out };
    }
  }
}

const KIND_NAMES: Record<DataContainerKind, string> = { array: 'array', map: 'Map', set: 'Set', record: 'object' };

function kindOf(o: object): string {
  return KIND_NAMES[containerKind(o, 'any') ?? 'record'];
}

/** An entity met again while writing: the same message `buildEntityTree` gives. */
function occursTwice(
  e: EntityObject,
  clash: { entity: EntityObject; path: string },
  onPath: boolean,
  at: string,
): TreeStructureError {
  const m = metaOf(e);
  const what =
    clash.entity === e
      ? onPath
        ? 'a cycle: it contains itself'
        : 'a shared reference'
      : metaOf(clash.entity).ecsId === m.ecsId
        ? 'two copies of the same version'
        : 'two versions of the same entity';
  return new TreeStructureError(
    `${e.constructor.name} ${m.ecsId} occurs twice in the tree (${what}): at ${excerpt(clash.path)} and at ${excerpt(at)}`,
    clash.path,
    at,
  );
}

const SPECIAL_NUMBERS = new Map<string, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);

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

// ---- reading ----------------------------------------------------------------------------------

/** State of one `fromJSON` call: every entity read so far, to refuse duplicates. */
export class DecodeContext {
  readonly byEcsId = new Map<string, string>();
  readonly byLineage = new Map<string, string>();
  readonly metas: EntityMeta[] = [];
  constructor(
    /** What a `{ $ref }` reads as (`decodeValue` of `encodeValue` output); null: `$ref` is no tag. */
    readonly resolveRef: ((ecsId: string, path: string) => unknown) | null = null,
    /**
     * An entity's history (`oldIds`) as its reader holds it already, nodes shared with the
     * previous version's (a durable store's rows); undefined: from `$id.oldIds`. Without it, a
     * replay of n versions would build each entity's history afresh: O(n²) nodes.
     */
    readonly historyOf: ((ecsId: string) => IdChain | null | undefined) | null = null,
  ) {}
}

function fail(message: string, path: string): never {
  throw new SerializationError(message, path);
}

const TAGS = new Set(['$map', '$set', '$date', '$bigint', '$num', '$undefined', '$object']);

/**
 * A value whose parts are read first (entity, array, object, Map, Set): its parts go into
 * `slots`, then `build` makes the value and it goes into its parent's slot. On the stack, a
 * frame marks the end of its parts.
 */
class Frame {
  constructor(
    readonly raw: object | null,
    readonly slots: unknown[],
    readonly build: ((slots: unknown[]) => unknown) | null,
    readonly parent: Frame | null,
    readonly slot: number,
  ) {}
}

/** One raw value to read into `parent.slots[slot]`. */
interface ReadJob {
  readonly raw: unknown;
  readonly path: string;
  readonly parent: Frame;
  readonly slot: number;
}

/** Reads one entity (with everything below it), iteratively (see the note on writing). */
export function decodeEntity(raw: unknown, path: string, ctx: DecodeContext): EntityObject {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(`expected an entity object, got ${show(raw)}`, path);
  return read(raw, path, ctx, true) as EntityObject;
}

/** Reads any value `encodeValue` wrote; `ctx.resolveRef` gives what each `{ $ref }` stands for. */
export function decodeValue(raw: unknown, path: string, ctx: DecodeContext): unknown {
  return read(raw, path, ctx, false);
}

function read(raw: unknown, path: string, ctx: DecodeContext, entity: boolean): unknown {
  const top = new Frame(null, [undefined], null, null, 0);
  const stack: (ReadJob | Frame)[] = [];
  /** Raw containers on the path being read: input given as objects may contain itself. */
  const open = new Map<object, string>();
  const enter = (frame: Frame, path: string, children: ReadJob[]): void => {
    const first = open.get(frame.raw!);
    if (first !== undefined) fail(`not JSON: a cycle (the value at ${excerpt(first)} contains itself here)`, path);
    open.set(frame.raw!, path);
    stack.push(frame);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  };
  if (entity) readEntity(raw as Record<string, unknown>, path, ctx, top, 0, enter);
  else readValue({ raw, path, parent: top, slot: 0 }, ctx, enter);
  while (stack.length > 0) {
    const job = stack.pop()!;
    if (job instanceof Frame) {
      open.delete(job.raw!);
      job.parent!.slots[job.slot] = job.build!(job.slots);
      continue;
    }
    readValue(job, ctx, enter);
  }
  return top.slots[0];
}

type Enter = (frame: Frame, path: string, children: ReadJob[]) => void;

function readEntity(
  o: Record<string, unknown>,
  path: string,
  ctx: DecodeContext,
  parent: Frame,
  slot: number,
  enter: Enter,
): void {
  for (const k of Object.keys(o)) {
    if (k !== '$class' && k !== '$id' && k !== 'fields')
      fail(`unknown key '${excerpt(k)}' in an entity (expected $class, $id, fields)`, `${path}.${k}`);
  }
  if (typeof o.$class !== 'string') fail(`expected the entity class name, got ${show(o.$class)}`, `${path}.$class`);
  const classes = entityClassesOfType(o.$class);
  if (classes.length > 1) fail(ambiguous(o.$class, classes), `${path}.$class`);
  const record = classes[0];
  if (!record)
    fail(
      `unknown entity class '${excerpt(o.$class)}' (is the class imported and decorated with @entity()?)`,
      `${path}.$class`,
    );
  const rt = classRuntimeOf(record.ctor);
  const { meta: cls } = rt;
  const meta = decodeIdentity(o.$id, `${path}.$id`);
  const history = ctx.historyOf?.(meta.ecsId);
  if (history !== undefined) meta.history = history;

  const seenAt = ctx.byEcsId.get(meta.ecsId) ?? ctx.byLineage.get(meta.lineageId);
  if (seenAt !== undefined) {
    fail(
      `${excerpt(o.$class)} ${meta.ecsId} occurs twice (an entity occurs at most once in a tree): first at ${excerpt(seenAt)}`,
      path,
    );
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
      fail(
        `${cls.name} has no field '${excerpt(k)}' (fields: ${cls.fields.map((x) => x.name).join(', ') || '(none)'})`,
        member(`${path}.fields`, k),
      );
    }
  }
  let defaults: Record<string, unknown> | null = null;
  const defaultsOf = (): Record<string, unknown> => (defaults ??= defaultInstance(record.ctor, cls.name, path));
  const values = new Array<unknown>(cls.fields.length);
  const frame = new Frame(
    o,
    values,
    () => {
      const obj = rt.makeWorking(values) as EntityObject & Record<string, unknown>;
      if (cls.transient.size > 0) {
        const d = defaultsOf();
        for (const name of cls.transient) if (Object.prototype.hasOwnProperty.call(d, name)) obj[name] = d[name];
      }
      return attachMeta(obj, meta);
    },
    parent,
    slot,
  );
  const children: ReadJob[] = [];
  for (const field of cls.fields) {
    if (Object.prototype.hasOwnProperty.call(f, field.name))
      children.push({
        raw: f[field.name],
        path: member(`${path}.fields`, field.name),
        parent: frame,
        slot: field.index,
      });
    else values[field.index] = defaultsOf()[field.name];
  }
  enter(frame, path, children);
}

/** A freshly constructed instance: the class's defaults for missing fields and transient properties. */
export function defaultInstance(ctor: AnyClass, name: string, path: string): Record<string, unknown> {
  try {
    const inst = new (ctor as unknown as new () => EntityObject)();
    const { meta } = runtimeOfObject(inst);
    const out: Record<string, unknown> = {};
    for (const f of meta.fields) out[f.name] = inst[VALUES][f.index];
    for (const t of meta.transient)
      if (Object.prototype.hasOwnProperty.call(inst, t)) out[t] = (inst as unknown as Record<string, unknown>)[t];
    return out;
  } catch (e) {
    throw new SerializationError(`cannot construct ${name} to read its defaults: ${(e as Error).message}`, path);
  }
}

/** The parts of an object read from `body` (keys in order), as jobs into `frame`. */
function keyJobs(body: Record<string, unknown>, keys: readonly string[], at: string, frame: Frame): ReadJob[] {
  return keys.map((k, i) => ({ raw: body[k], path: member(at, k), parent: frame, slot: i }));
}

/** An object of `keys` -> the values read for them (own properties, '__proto__' too). */
function objectOf(keys: readonly string[], values: unknown[], nullProto: boolean): Record<string, unknown> {
  const out = (nullProto ? Object.create(null) : {}) as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) setOwn(out, keys[i], values[i]);
  return out;
}

function readValue(job: ReadJob, ctx: DecodeContext, enter: Enter): void {
  const { raw, path, parent, slot } = job;
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      parent.slots[slot] = raw;
      return;
    case 'number':
      if (!Number.isFinite(raw)) fail(`a JSON number must be finite, got ${raw}`, path);
      parent.slots[slot] = raw;
      return;
    case 'object':
      break;
    default:
      fail(`not JSON: ${show(raw)}`, path);
  }
  if (raw === null) {
    parent.slots[slot] = null;
    return;
  }
  if (Array.isArray(raw)) {
    const frame = new Frame(raw, new Array<unknown>(raw.length), (items) => items, parent, slot);
    enter(
      frame,
      path,
      raw.map((item, i) => ({ raw: item, path: `${path}[${i}]`, parent: frame, slot: i })),
    );
    return;
  }
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null)
    fail(`not JSON: an instance of ${(raw as object).constructor?.name}`, path);
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o);
  if ('$class' in o) return readEntity(o, path, ctx, parent, slot, enter);
  const tag = keys.find((k) => k.startsWith('$'));
  if (tag === '$ref' && ctx.resolveRef !== null && keys.length === 1 && typeof o.$ref === 'string') {
    parent.slots[slot] = ctx.resolveRef(o.$ref, path);
    return;
  }
  if (tag === undefined) {
    const frame = new Frame(
      o,
      new Array<unknown>(keys.length),
      (values) => objectOf(keys, values, false),
      parent,
      slot,
    );
    enter(frame, path, keyJobs(o, keys, path, frame));
    return;
  }
  if (!TAGS.has(tag))
    fail(
      `unknown tag '${excerpt(tag)}' (tags: $class, ${[...TAGS].join(', ')}; a plain object with '$' keys is written as {$object: ...})`,
      member(path, tag),
    );
  const extra = keys.filter((k) => k !== tag && !(tag === '$object' && k === '$proto'));
  if (extra.length > 0)
    fail(`a {${tag}} value has no other keys, found '${excerpt(extra[0])}'`, member(path, extra[0]));
  const body = o[tag];
  const at = `${path}.${tag}`;
  const leaf = readTagged(o, tag, body, path, at, parent, slot, enter);
  if (leaf !== ENTERED) parent.slots[slot] = leaf;
}

/** Returned for a container: it was entered, and its frame fills the slot once its parts are read. */
const ENTERED = Symbol('entered');

/** A tagged value: a leaf is returned; a container is entered (ENTERED). */
function readTagged(
  o: Record<string, unknown>,
  tag: string,
  body: unknown,
  path: string,
  at: string,
  parent: Frame,
  slot: number,
  enter: Enter,
): unknown {
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
      if (typeof body !== 'string' || Number.isNaN(Date.parse(body)))
        fail(`expected an ISO date string or null, got ${show(body)}`, at);
      return new Date(body);
    }
    case '$map': {
      if (!Array.isArray(body)) fail(`expected an array of [key, value] pairs, got ${show(body)}`, at);
      const children: ReadJob[] = [];
      const frame = new Frame(
        o,
        new Array<unknown>(body.length * 2),
        (kv) => {
          const m = new Map<unknown, unknown>();
          for (let i = 0; i < body.length; i++) {
            const key = kv[2 * i];
            if (isEntityObject(key)) fail('an entity cannot be a Map key', `${at}[${i}][0]`);
            if (m.has(key)) fail(`duplicate Map key ${show((body[i] as unknown[])[0])}`, `${at}[${i}][0]`);
            m.set(key, kv[2 * i + 1]);
          }
          return m;
        },
        parent,
        slot,
      );
      body.forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2)
          fail(`expected a [key, value] pair, got ${show(pair)}`, `${at}[${i}]`);
        children.push(
          { raw: pair[0], path: `${at}[${i}][0]`, parent: frame, slot: 2 * i },
          { raw: pair[1], path: `${at}[${i}][1]`, parent: frame, slot: 2 * i + 1 },
        );
      });
      enter(frame, path, children);
      return ENTERED;
    }
    case '$set': {
      if (!Array.isArray(body)) fail(`expected an array of members, got ${show(body)}`, at);
      const frame = new Frame(
        o,
        new Array<unknown>(body.length),
        (members) => {
          const s = new Set<unknown>();
          members.forEach((v, i) => {
            if (s.has(v)) fail(`duplicate Set member ${show(body[i])}`, `${at}[${i}]`);
            s.add(v);
          });
          return s;
        },
        parent,
        slot,
      );
      enter(
        frame,
        path,
        body.map((item, i) => ({ raw: item, path: `${at}[${i}]`, parent: frame, slot: i })),
      );
      return ENTERED;
    }
    case '$object': {
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        fail(`expected an object, got ${show(body)}`, at);
      if ('$proto' in o && o.$proto !== null) fail(`expected null, got ${show(o.$proto)}`, `${path}.$proto`);
      const keys = Object.keys(body);
      const nullProto = '$proto' in o;
      const frame = new Frame(
        o,
        new Array<unknown>(keys.length),
        (values) => objectOf(keys, values, nullProto),
        parent,
        slot,
      );
      enter(frame, path, keyJobs(body as Record<string, unknown>, keys, at, frame));
      return ENTERED;
    }
  }
  return fail(`unknown tag '${excerpt(tag)}'`, path);
}
