/**
 * Resolving addresses (SPEC §6) against a registry: the entity version named by the ecsId, then
 * the path through entity fields, array (and tuple) indices, Map keys, plain-object keys and Set
 * members (an entity member by its ecsId, other members by their position).
 */
import { runtimeOfObject } from '../entity/class-runtime';
import { containerKind, findSetMember, setMemberNames } from '../metadata/containers';
import { VALUES, isEntityObject, type EntityObject } from '../metadata/object-model';
import { EntityRegistry } from '../store/entity-registry';
import { excerpt } from '../util/excerpt';
import { EntityNotFoundError, FieldPathError } from './errors';
import { formatAddress, parseAddress, type ParsedAddress, type PathSegment } from './parse';

/** What an address names, read from stored (frozen) data. */
export interface ResolvedAddress {
  /** The address in canonical form (lower-case id). */
  readonly address: string;
  readonly ecsId: string;
  readonly path: readonly PathSegment[];
  /** The stored entity version named by the ecsId. */
  readonly entity: EntityObject;
  /** The stored value at the path (the entity itself for an empty path); frozen, do not hand out. */
  readonly value: unknown;
  /**
   * The innermost entity that holds the value: for `@S.record.gpa` the record, for `@S.record`
   * S, for `@S` S itself. This is what `attributeSource` names.
   */
  readonly holder: EntityObject;
  /** The rest of the path from `holder` to the value (`['gpa']` for `@S.record.gpa`). */
  readonly holderPath: readonly PathSegment[];
}

/** One step of a path walk: the value under `segment`, or why there is none. */
export type StepResult =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly available: string[]; readonly detail?: string };

const NOT_A_CONTAINER = (what: string): StepResult => ({
  found: false,
  available: [],
  detail: `the value there is ${what}, not a container`,
});

function describeScalar(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'string') return `a string`;
  return `a ${typeof v}`;
}

function indexList(length: number): string[] {
  const out = new Array<string>(length);
  for (let i = 0; i < length; i++) out[i] = String(i);
  return out;
}

function keyText(k: unknown): string {
  return typeof k === 'string' ? k : String(k);
}

/** The key of `map` that `segment` names: the segment itself, else a key with the same text. */
export function findMapKey(map: ReadonlyMap<unknown, unknown>, segment: PathSegment): { found: boolean; key: unknown } {
  if (map.has(segment)) return { found: true, key: segment };
  const text = String(segment);
  for (const k of map.keys()) {
    if ((typeof k !== 'object' || k === null) && typeof k !== 'function' && keyText(k) === text)
      return { found: true, key: k };
  }
  return { found: false, key: segment };
}

/**
 * Follows one segment from `container` (an entity, array, Map, Set or plain object). Reads
 * entity fields from the values array directly, so stored versions are read as stored.
 */
export function step(container: unknown, segment: PathSegment): StepResult {
  if (typeof container !== 'object' || container === null || container instanceof Date) {
    return NOT_A_CONTAINER(describeScalar(container));
  }
  if (isEntityObject(container)) {
    const { meta } = runtimeOfObject(container);
    const index = typeof segment === 'string' ? meta.fieldIndex.get(segment) : undefined;
    if (index === undefined) {
      return {
        found: false,
        available: meta.fields.map((f) => f.name),
        detail:
          typeof segment === 'number'
            ? `${meta.name} is an entity: its fields are looked up by name`
            : `${meta.name} has no such field`,
      };
    }
    return { found: true, value: container[VALUES][index] };
  }
  switch (containerKind(container, 'any')!) {
    case 'array': {
      const a = container as readonly unknown[];
      if (typeof segment === 'number' && segment < a.length) return { found: true, value: a[segment] };
      return {
        found: false,
        available: indexList(a.length),
        detail:
          typeof segment === 'number'
            ? `the array has ${a.length} element(s)`
            : 'the value there is an array: use an index',
      };
    }
    case 'map': {
      const map = container as ReadonlyMap<unknown, unknown>;
      const { found, key } = findMapKey(map, segment);
      if (found) return { found: true, value: map.get(key) };
      return { found: false, available: [...map.keys()].map(keyText), detail: 'the Map has no such key' };
    }
    case 'set': {
      const set = container as ReadonlySet<unknown>;
      const member = findSetMember(set, typeof segment === 'string' ? segment.toLowerCase() : segment);
      if (member.found) return member;
      return {
        found: false,
        available: setMemberNames(set),
        detail: 'Set members are named by their ecsId (entities) or their position',
      };
    }
    case 'record': {
      const key = String(segment);
      if (Object.prototype.hasOwnProperty.call(container, key))
        return { found: true, value: (container as Record<string, unknown>)[key] };
      return { found: false, available: Object.keys(container), detail: 'the object has no such key' };
    }
  }
}

/**
 * Walks `path` from `start`. Returns the value, the innermost entity holding it and the rest of
 * the path from that entity. Throws FieldPathError naming the failing segment.
 */
export function walkPath(
  address: string,
  start: EntityObject,
  path: readonly PathSegment[],
): { value: unknown; holder: EntityObject; holderStart: number } {
  let value: unknown = start;
  let holder = start;
  let holderStart = 0;
  for (let i = 0; i < path.length; i++) {
    if (isEntityObject(value)) {
      holder = value;
      holderStart = i;
    }
    const r = step(value, path[i]);
    if (!r.found) throw new FieldPathError(address, path[i], i, r.available, r.detail);
    value = r.value;
  }
  return { value, holder, holderStart };
}

/** The stored entity version with this id in `registry` (EntityNotFoundError otherwise). */
export function storedEntityOf(registry: EntityRegistry, ecsId: string, address: string): EntityObject {
  const entity = registry.findStoredEntity<EntityObject>(ecsId);
  if (!entity) throw new EntityNotFoundError(ecsId, `address ${excerpt(address)} names no stored entity version`);
  return entity;
}

/**
 * Resolves an address against `registry` (default: `EntityRegistry.default`).
 * @throws AddressSyntaxError, EntityNotFoundError, FieldPathError
 */
export function resolveAddress(
  address: string | ParsedAddress,
  registry: EntityRegistry = EntityRegistry.default,
): ResolvedAddress {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  const text = formatAddress(parsed.ecsId, parsed.path);
  const entity = storedEntityOf(registry, parsed.ecsId, text);
  const { value, holder, holderStart } = walkPath(text, entity, parsed.path);
  return {
    address: text,
    ecsId: parsed.ecsId,
    path: parsed.path,
    entity,
    value,
    holder,
    holderPath: parsed.path.slice(holderStart),
  };
}
