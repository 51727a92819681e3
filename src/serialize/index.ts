import { describeValue } from '../metadata/describe-value';
import { isEntityObject, metaOf, type EntityObject, type IdChain } from '../metadata/object-model';
import type { EntityRegistry } from '../store/entity-registry';
import type { RootVersion } from '../store/root-version';
import { EntityTree } from '../tree/entity-tree';
import { DecodeContext, decodeEntity, encodeEntity } from './codec';
import { SerializationError } from './errors';
import { VERSION_FORMAT, type EntityJSON, type VersionJSON } from './format';
import { isoOf, show } from './identity';
import { excerpt } from '../util/excerpt';
import { AbstractionsError, errorText } from '../errors';
import { installEntitySerializer } from '../entity/services';

/**
 * Runs a read or write of user data: what is not a typed error of ours comes from the data itself
 * (a revoked Proxy, throwing traps or getters) and is reported as a SerializationError.
 */
function readable<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof AbstractionsError) throw error;
    throw new SerializationError(`the input cannot be read: ${errorText(error)}`, '$');
  }
}

/**
 * toJSON / fromJSON (SPEC §9). The form is documented in `format.ts`; in short:
 * `{ $class, $id: { ecsId, lineageId, … }, fields: { … } }` per entity, children inline, tagged
 * containers (`{$map: [[k, v]…]}`, `{$set: […]}`, `{$date: iso}`, …), and for a stored version
 * `{ $format, $version: { ecsId, lineageId, parentEcsId, createdAt }, root }`.
 */

export { SerializationError } from './errors';
export type { EntityIdJSON, EntityJSON, JsonValue, VersionJSON } from './format';
export { VERSION_FORMAT } from './format';

function isRootVersion(x: unknown): x is RootVersion {
  if (typeof x !== 'object' || x === null || isEntityObject(x)) return false;
  const v = x as Partial<RootVersion>;
  return isEntityObject(v.root) && typeof v.ecsId === 'string' && 'parentEcsId' in v && 'index' in v;
}

/**
 * The JSON form of an entity (working or stored) with its subtree, of a tree (its root), or of a
 * stored version record (`registry.getVersion(id)`). The result is plain JSON.
 * A tree that is not a tree (shared reference, cycle) is a `TreeStructureError`; a value that has
 * no JSON form (also plain data that contains itself) is a `SerializationError` naming its path.
 * Any depth works (the walk is iterative); note that `JSON.stringify` of the result recurses in
 * the engine and fails beyond a few thousand nesting levels (`fromJSON` reads text of any depth).
 */
export function toJSON(version: RootVersion): VersionJSON;
export function toJSON(entityOrTree: object): EntityJSON;
export function toJSON(x: object): EntityJSON | VersionJSON {
  return readable(() => toJSONNow(x));
}

function toJSONNow(x: object): EntityJSON | VersionJSON {
  if (isRootVersion(x)) return encodeVersion(x);
  const root = x instanceof EntityTree ? (x.root as object) : x;
  if (!isEntityObject(root)) {
    throw new SerializationError(
      `toJSON expects an entity, an EntityTree or a stored version, got ${describeValue(x)}`,
      '$',
    );
  }
  return encodeEntity(root, root.constructor.name); // refuses shared references and cycles, naming both paths
}

/** The JSON form of the stored version `rootEcsId` of `registry`. */
export function versionToJSON(registry: EntityRegistry, rootEcsId: string): VersionJSON {
  return encodeVersion(registry.getVersion(rootEcsId));
}

function encodeVersion(v: RootVersion): VersionJSON {
  return {
    $format: VERSION_FORMAT,
    $version: {
      ecsId: v.ecsId,
      lineageId: v.lineageId,
      parentEcsId: v.parentEcsId,
      createdAt: isoOf(v.createdAt, '$version.createdAt'),
    },
    root: encodeEntity(v.root, v.root.constructor.name),
  };
}

function parse(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    throw new SerializationError(`not valid JSON text: ${(e as Error).message}`, '$');
  }
}

/**
 * Reads the JSON form back (an object, or JSON text). An entity gives a **working tree**: new mutable
 * objects (fresh `liveId`s) with the ids, provenance and root ids written (`rootLiveId` is the new
 * top object's `liveId` wherever a root id is set). A version gives a working copy as
 * `versionFromJSON` does. Bad input is a `SerializationError` naming the JSON path of the bad value.
 */
export function fromJSON<T extends object = object>(json: unknown): T {
  return readable(() => fromJSONNow<T>(json));
}

function fromJSONNow<T extends object>(json: unknown): T {
  const raw = parse(json);
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && ('$format' in raw || '$version' in raw)) {
    return decodeVersion(raw as Record<string, unknown>) as unknown as T;
  }
  const ctx = new DecodeContext();
  const top = decodeEntity(raw, '$', ctx);
  const liveId = metaOf(top).liveId;
  for (const m of ctx.metas) if (m.rootEcsId !== null) m.rootLiveId = liveId;
  return top as unknown as T;
}

/**
 * A working copy of a version written by `versionToJSON` / `toJSON(version)`, exactly like
 * `checkout()` of that version: the written ids, every entity's `rootEcsId` the version's,
 * fresh `liveId`s. `registry.version(copy)` works against a registry that holds the version; one
 * that does not (another registry, another process) loads it with `registry.promoteToRoot(copy)`,
 * keeping its ids (see "Into another registry or process" in `format.ts`).
 */
export function versionFromJSON<T extends object = object>(json: unknown): T {
  const raw = parse(json);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SerializationError(`expected a version object, got ${show(raw)}`, '$');
  }
  return decodeVersion(raw as Record<string, unknown>) as unknown as T;
}

/**
 * @internal `versionFromJSON` of a version a durable store rebuilt from its rows, in which each
 * `{ "$ref": ecsId }` names a stored entity version the registry holds already: `resolveRef` gives
 * it, and the tree shares it (as a working tree may hold stored entities), so loading a version
 * decodes only what it stored itself; `historyOf` gives each entity's history (`oldIds`), shared
 * with its previous version's.
 */
export function versionFromStoredJSON(
  json: VersionJSON,
  resolveRef: (ecsId: string, path: string) => unknown,
  historyOf: (ecsId: string) => IdChain | null | undefined,
): EntityObject {
  return decodeVersion(json as unknown as Record<string, unknown>, new DecodeContext(resolveRef, historyOf));
}

function decodeVersion(o: Record<string, unknown>, ctx = new DecodeContext()): EntityObject {
  for (const k of Object.keys(o)) {
    if (k !== '$format' && k !== '$version' && k !== 'root')
      throw new SerializationError(
        `unknown key '${excerpt(k)}' in a version (expected $format, $version, root)`,
        `$.${k}`,
      );
  }
  if (o.$format !== VERSION_FORMAT) {
    throw new SerializationError(
      `unsupported format ${show(o.$format)} (expected ${JSON.stringify(VERSION_FORMAT)})`,
      '$.$format',
    );
  }
  const v = o.$version;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SerializationError(`expected the version header, got ${show(v)}`, '$.$version');
  const header = v as Record<string, unknown>;
  const root = decodeEntity(o.root, '$.root', ctx);
  const rm = metaOf(root);
  if (typeof header.ecsId !== 'string' || header.ecsId.toLowerCase() !== rm.ecsId) {
    throw new SerializationError(
      `the version's ecsId ${show(header.ecsId)} is not its root's (${rm.ecsId})`,
      '$.$version.ecsId',
    );
  }
  if (typeof header.lineageId !== 'string' || header.lineageId.toLowerCase() !== rm.lineageId) {
    throw new SerializationError(
      `the version's lineageId ${show(header.lineageId)} is not its root's (${rm.lineageId})`,
      '$.$version.lineageId',
    );
  }
  for (const m of ctx.metas) {
    m.rootEcsId = rm.ecsId;
    m.rootLiveId = rm.liveId;
  }
  return root;
}

// `entity.toJSON()`, and so `JSON.stringify(entity)`, is this module's `toJSON`.
installEntitySerializer((entity) => toJSON(entity));
