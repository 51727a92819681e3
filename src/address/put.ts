/**
 * `put(address, value)` (SPEC §6): writes through a new version of the tree the address
 * belongs to.
 */
import { containerKind, replaceItem } from '../metadata/containers';
import { dataError, isAnonymousDataError, unsupportedKind } from '../metadata/data-kinds';
import { describeValue } from '../metadata/describe-value';
import { fieldMismatch, fieldTypesOf } from '../metadata/field-types';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { itemShape, mismatch } from '../metadata/type-check';
import { typeText } from '../metadata/type-spec';
import { runtimeOfObject } from '../entity/class-runtime';
import { EntityRegistry } from '../store/entity-registry';
import { VersioningError } from '../store/errors';
import { excerpt } from '../util/excerpt';
import { formatPath } from '../util/paths';
import { buildEntityTree } from '../tree/build-tree';
import { copyOut } from './copy';
import { AddressSyntaxError, FieldPathError, FieldTypeError, StaleVersionError } from './errors';
import { formatAddress, parseAddress, type PathSegment } from './parse';
import { findMapKey, step, storedEntityOf } from './resolve';

/**
 * Throws a FieldTypeError when `value` does not fit the type of the place it is written to: the
 * field of the innermost entity on the path (`containers[i]` holds `path[i]`), and inside it the
 * item type at the rest of the path.
 */
function checkFieldType(
  address: string,
  path: readonly PathSegment[],
  containers: readonly unknown[],
  value: unknown,
): void {
  let at = 0; // index of the field segment: the last entity on the path holds it
  for (let i = path.length - 1; i > 0; i--) {
    if (isEntityObject(containers[i])) {
      at = i;
      break;
    }
  }
  const { meta } = runtimeOfObject(containers[at] as EntityObject);
  const field = fieldTypesOf(meta.ctor)[meta.fieldIndex.get(path[at] as string)!];
  let shape = field.type;
  for (let i = at + 1; i < path.length; i++) shape = itemShape(shape, path[i], containers[i]);
  // The field itself may take null where its type comes from an initialiser; an item inside it not.
  const m = at === path.length - 1 ? fieldMismatch(field, value) : mismatch(shape, value);
  // What is not field data at all (a function, a class instance) is refused by storing, with the
  // UnsupportedValueError that names it, whatever the metadata knows of the field's type.
  if (m === null || unsupportedKind(m.found) !== null) return;
  throw new FieldTypeError(
    address,
    formatPath(meta.name, path.slice(at)) + m.at,
    typeText(m.expected),
    describeValue(m.found),
    field.source === 'initialiser',
  );
}

/**
 * Path segments put never writes through: on a plain object they would reach or replace its
 * prototype (or look like it), and nothing stored may have a prototype a caller controls.
 */
const FORBIDDEN_SEGMENTS = new Set<PathSegment>(['__proto__', 'constructor', 'prototype']);

/**
 * Throws the FieldPathError a write of `container[segment]` would meet. Called on the stored
 * container, before anything is copied or checked out: containers of a working copy have the same
 * kinds, fields, lengths and members.
 */
function checkAssign(address: string, container: unknown, segment: PathSegment, index: number): void {
  const fail = (available: string[], detail: string): never => {
    throw new FieldPathError(address, segment, index, available, detail);
  };
  if (typeof container !== 'object' || container === null || container instanceof Date) {
    const r = step(container, segment); // for the message
    fail([], (!r.found && r.detail) || 'not a container');
  }
  if (isEntityObject(container)) {
    const { meta } = runtimeOfObject(container);
    if (typeof segment !== 'string' || !meta.fieldIndex.has(segment))
      fail(
        meta.fields.map((f) => f.name),
        `${meta.name} has no such field`,
      );
  } else if (Array.isArray(container)) {
    if (typeof segment !== 'number' || segment > container.length) {
      fail(
        Array.from({ length: container.length }, (_, k) => String(k)),
        typeof segment === 'number'
          ? `the array has ${container.length} element(s): put can replace one or append at index ${container.length}`
          : 'the value there is an array: use an index',
      );
    }
  } else if (container instanceof Set) {
    const r = step(container, segment);
    if (!r.found) fail(r.available, r.detail ?? 'no such Set member');
  }
}

/** Sets `container[segment] = value` in a working tree (the last step of a put; `checkAssign` passed). */
function assign(container: object, segment: PathSegment, value: unknown): void {
  if (isEntityObject(container)) {
    container[VALUES][runtimeOfObject(container).meta.fieldIndex.get(segment as string)!] = value;
    return;
  }
  const kind = containerKind(container, 'any')!;
  if (kind === 'map')
    replaceItem(container, kind, findMapKey(container as ReadonlyMap<unknown, unknown>, segment).key, value);
  else if (kind === 'set') {
    // The new member is added last (replaceItem would keep the old member's position).
    (container as Set<unknown>).delete((step(container, segment) as { value: unknown }).value);
    (container as Set<unknown>).add(value);
  } else replaceItem(container, kind, kind === 'array' ? (segment as number) : String(segment), value);
}

/** Options of `put` / `aput`. */
export interface PutOptions {
  /** The registry (default: `EntityRegistry.default`). */
  readonly registry?: EntityRegistry;
  /**
   * The root version (its ecsId) to write on, for undo/redo: the new version's parent is this
   * one, so changes made after it are not in the new version, and writing on a version that is
   * not the latest makes a branch (SPEC §4), as an execute on it does. The addressed entity
   * version must be part of it. Default: the latest version of the addressed tree's lineage.
   */
  readonly basedOn?: string;
}

/** `put`'s third argument: options, or (as before options existed) the registry alone. */
function putOptions(options: PutOptions | EntityRegistry | undefined): PutOptions {
  return options instanceof EntityRegistry ? { registry: options } : (options ?? {});
}

/**
 * Writes `value` at the address's path and returns the new stored version of the addressed
 * entity (frozen).
 *
 * The write goes through a new version of the **latest** version of the tree (lineage) the
 * addressed entity version belongs to, or of the version named by `options.basedOn`: that
 * version is checked out, the value (deep-copied; entities in it become working copies that
 * fork when stored) is set, and the tree is versioned (`EntityRegistry.version`). If nothing
 * changes (the same value), no version is created and the addressed version is returned as it is.
 * The third argument may be the registry alone, as before options existed.
 *
 * The value must fit the type of the place it is written to: the field of the innermost entity
 * on the path, and inside it the item type there (`fieldTypesOf`: `@field({ type })`, generated
 * metadata's declared type, or else the type of the field's initialiser), else a FieldTypeError names the address, the field and both types.
 *
 * @throws StaleVersionError if the latest version of the lineage no longer contains the
 * addressed entity version (it changed since the address was taken): read the current value
 * from the latest version (`StaleVersionError.latestEcsId`) and retry, or name the version the
 * address was read from with `basedOn` (a branch).
 * @throws VersioningError if `basedOn` is a root version of another tree or does not contain the
 * addressed entity version; EntityNotFoundError if it is not a stored root version.
 * @throws AddressSyntaxError (also for an address without a path: put writes a value inside an
 * entity), EntityNotFoundError, FieldPathError (also for the path segments `__proto__`,
 * `constructor` and `prototype`, never written); FieldTypeError for a value of the wrong type;
 * UnsupportedValueError, DataDepthError, DataCycleError for a value that is not field data
 * (SPEC §1). Nothing is written then.
 */
export function put<T = unknown>(address: string, value: unknown, options?: PutOptions | EntityRegistry): T {
  const { registry = EntityRegistry.default, basedOn } = putOptions(options);
  const parsed = parseAddress(address);
  const text = formatAddress(parsed.ecsId, parsed.path);
  if (parsed.path.length === 0) {
    throw new AddressSyntaxError(text, text.length, `put writes a value inside an entity: add a path (${text}.field)`);
  }
  const stored = storedEntityOf(registry, parsed.ecsId, text);
  const sm = metaOf(stored);
  const treeLineage = registry.getVersion(sm.rootEcsId!).lineageId;
  const base = basedOn === undefined ? registry.latestVersion(treeLineage)! : registry.getVersion(basedOn);
  if (base.index.get(sm.lineageId) !== stored) {
    if (basedOn === undefined) throw new StaleVersionError(text, treeLineage, base.ecsId);
    throw new VersioningError(
      base.lineageId === treeLineage
        ? `put ${excerpt(text)} based on @${base.ecsId}: that version does not contain the entity version the address names (read the address from it)`
        : `put ${excerpt(text)} based on @${base.ecsId}: that is a version of lineage ${base.lineageId}, the address names an entity of lineage ${treeLineage}`,
    );
  }

  // Check the path against the stored data first: a bad path fails before anything is copied
  // or checked out.
  const path = parsed.path;
  const last = path.length - 1;
  for (let i = 0; i < path.length; i++) {
    if (FORBIDDEN_SEGMENTS.has(path[i])) {
      throw new FieldPathError(
        text,
        path[i],
        i,
        [],
        `put never writes through '${String(path[i])}': it could reach an object's prototype`,
      );
    }
  }
  // containers[i]: the stored value path[i] is looked up in.
  const containers: unknown[] = [stored];
  for (let i = 0; i < last; i++) {
    const r = step(containers[i], path[i]);
    if (!r.found) throw new FieldPathError(text, path[i], i, r.available, r.detail);
    containers.push(r.value);
  }
  checkAssign(text, containers[last], path[last], last);

  let copy: unknown;
  try {
    copy = copyOut(value);
  } catch (err) {
    throw isAnonymousDataError(err)
      ? dataError(value, path, path.length - 1, stored.constructor.name, 'copying', err)
      : err;
  }
  checkFieldType(text, path, containers, copy);
  const workingRoot = registry.checkout<EntityObject>(base.ecsId);
  const target = buildEntityTree(workingRoot).nodes.get(sm.ecsId)!;
  let container: unknown = target;
  for (let i = 0; i < last; i++) container = (step(container, path[i]) as { value: unknown }).value;
  assign(container as object, path[last], copy);

  const result = registry.version(workingRoot);
  if (!result.created) return stored as unknown as T;
  return registry.getVersion(result.rootEcsId).index.get(sm.lineageId) as unknown as T;
}

/**
 * `put` as a compare-and-set (SPEC §13): on a store other processes write to, the head of the
 * addressed tree's lineage is read from the store and stays locked until the new version is
 * written, so the check that the addressed entity version is still in the latest version holds
 * at the commit. Resolves to what `put` returns, once the version is written ('durable': fsynced).
 * With `basedOn` the write branches from that version (no check against the head).
 * @throws StaleVersionError (naming the current head) when another process moved the head, and
 * everything `put` throws; nothing is stored then.
 */
export async function aput<T = unknown>(
  address: string,
  value: unknown,
  options?: PutOptions | EntityRegistry,
): Promise<T> {
  const opts = putOptions(options);
  const registry = opts.registry ?? EntityRegistry.default;
  const parsed = parseAddress(address);
  const text = formatAddress(parsed.ecsId, parsed.path);
  const result = await registry.conditionally(async (lockHeads) => {
    const stored = storedEntityOf(registry, parsed.ecsId, text);
    lockHeads([registry.getVersion(metaOf(stored).rootEcsId!).lineageId]);
    return put<T>(address, value, { ...opts, registry });
  });
  await registry.acknowledged();
  return result;
}
