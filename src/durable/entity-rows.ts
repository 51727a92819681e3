/**
 * Stored entity versions and root versions <-> rows (`rows.ts`, SPEC §12).
 *
 * Writing: `entityRow` and `rootVersionRow` turn what the registry stores into rows. Reading:
 * `versionJSONFromRows` gives back, from rows alone, exactly what `versionToJSON` gives for that
 * version, so a reopened store replays its versions through the existing load path
 * (`versionFromJSON` + `promoteToRoot`).
 *
 * The two encoding rules:
 * - **Children by reference.** A row's `data` is the entity's `fields` as `toJSON` writes them
 *   (`encodeFields`), each child entity replaced by `{ "$ref": "<ecsId>" }`. A plain object with a
 *   key starting `$` is always written as `{ "$object": … }`, so in `data` an object with a `$ref`
 *   key is a reference and nothing else (a key inside an `$object` body, or a field name, is never
 *   read as one).
 * - **History by reference.** `oldIds` are left out of a row's `identity` exactly when the entity's
 *   history is its previous version's history plus the previous ecsId (the usual fork:
 *   `oldIds = [...previous.oldIds, previousEcsId]`) **and** the previous version is one the
 *   caller says is stored (its row is in the store or in the same write). A reader then rebuilds
 *   them from the `previousEcsId` chain. Everything else (a first version, a history read from
 *   JSON that is not the previous version's plus one, a previous version the store does not hold)
 *   writes `oldIds` in full. So a row's size does not grow with its history, and leaving them out
 *   is never a guess.
 */
import { entityTypeName, encodeFields } from '../serialize/codec';
import { encodeIdentity, isoOf } from '../serialize/identity';
import { VERSION_FORMAT, type EntityJSON, type JsonValue, type VersionJSON } from '../serialize/format';
import { SerializationError } from '../serialize/errors';
import {
  chainToArray,
  isEntityObject,
  metaOf,
  type EntityMeta,
  type EntityObject,
  type IdChain,
} from '../metadata/object-model';
import { setOwn } from '../metadata/containers';
import { deltaOf, type RootVersion } from '../store/root-version';
import { VersioningError } from '../store/errors';
import { StoreCorruptError } from './errors';
import type { EntityRow, RootVersionRow } from './rows';

/** What a row's `identity` column holds. */
interface IdentityColumn {
  derivedFromFunction: string | null;
  siblingOutputEntities: string[];
  outputIndex: number | null;
  attributeSource: Record<string, string | null>;
  /** Left out when they are the previous version's plus the previous ecsId (see above). */
  oldIds?: string[];
}

/**
 * The stored entity version with this ecsId, if its row is stored (or written in the same batch);
 * undefined otherwise. Used only to leave `oldIds` out of a row: a lookup that answers undefined
 * costs row size, never correctness. `registry.findStoredEntity` fits.
 */
export type StoredVersionLookup = (ecsId: string) => object | undefined;

/** True when two histories hold the same ids (O(1) when they share their nodes, as forks do). */
function sameChain(a: IdChain | null, b: IdChain | null): boolean {
  while (a !== b) {
    if (a === null || b === null || a.id !== b.id) return false;
    a = a.next;
    b = b.next;
  }
  return true;
}

/** `oldIds` follow from the previous version's row: see "History by reference" above. */
function historyIsDerivable(m: EntityMeta, previousVersion: StoredVersionLookup): boolean {
  const { previousEcsId, history } = m;
  if (previousEcsId === null || history === null || history.id !== previousEcsId) return false;
  const previous = previousVersion(previousEcsId);
  if (!isEntityObject(previous)) return false;
  const pm = metaOf(previous);
  return pm.ecsId === previousEcsId && sameChain(history.next, pm.history);
}

/** `JSON.stringify`, whose recursion has a depth limit: reported as a SerializationError. */
export function stringify(value: JsonValue, path: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new SerializationError(`too deeply nested for JSON.stringify (${error.message})`, path);
  }
}

/**
 * One stored entity version as a row: columns from its identity, `identity` and `data` as JSON
 * (rules above). `previousVersion` tells whether the previous version's row is stored.
 */
export function entityRow(stored: EntityObject, previousVersion: StoredVersionLookup): EntityRow {
  const m = metaOf(stored);
  if (!m.stored || m.rootEcsId === null)
    throw new VersioningError(`entityRow: ${m.ecsId} is not a stored entity version`);
  const className = entityTypeName(stored, stored.constructor.name);
  const identity: IdentityColumn = {
    derivedFromFunction: m.derivedFromFunction,
    siblingOutputEntities: [...m.siblingOutputEntities],
    outputIndex: m.outputIndex,
    attributeSource: { ...m.attributeSource },
  };
  if (!historyIsDerivable(m, previousVersion)) identity.oldIds = chainToArray(m.history);
  return {
    ecsId: m.ecsId,
    lineageId: m.lineageId,
    className,
    rootEcsId: m.rootEcsId,
    previousEcsId: m.previousEcsId,
    parentLineageId: m.parentLineageId,
    place: m.place,
    createdAt: m.createdAt,
    forkedAt: m.forkedAt,
    derivedFromExecutionId: m.derivedFromExecutionId,
    identity: JSON.stringify(identity),
    data: stringify(encodeFields(stored, className), className),
  };
}

/**
 * A root version as a row: `delta` is its index delta with entities by ecsId,
 * `[lineageId, ecsId | null, …]` (null for a first version); `rootClass` the root's type name.
 */
export function rootVersionRow(version: RootVersion): RootVersionRow {
  const delta = deltaOf(version);
  return {
    ecsId: version.ecsId,
    lineageId: version.lineageId,
    parentEcsId: version.parentEcsId,
    createdAt: version.createdAt,
    rootClass: entityTypeName(version.root, version.root.constructor.name),
    delta:
      delta === null
        ? null
        : JSON.stringify(delta.map((x) => (typeof x === 'string' || x === null ? x : metaOf(x).ecsId))),
  };
}

// ---- reading ----------------------------------------------------------------------------------

/** Where rows come from (a `StorageEngine` is one). */
export interface RowSource {
  entity(ecsId: string): EntityRow | undefined;
  rootVersion(ecsId: string): RootVersionRow | undefined;
}

/**
 * What `versionJSONFromRows` remembers between calls: each entity version's history (`oldIds`),
 * computed once however many versions share the row. Use one cache per store (its entries are
 * true of that store's rows), for as long as versions are being read; one entry per entity version read.
 */
export class RowCache {
  /** @internal ecsId -> its history (newest first, nodes shared along a previousEcsId chain). */
  readonly histories = new Map<string, IdChain | null>();
}

function parseJSON(text: string, what: string, ecsId: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StoreCorruptError(`the ${what} of entity row ${ecsId} is not JSON: ${(error as Error).message}`, ecsId);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function identityOf(row: EntityRow): IdentityColumn {
  const id = parseJSON(row.identity, 'identity', row.ecsId);
  if (!isRecord(id) || (id.oldIds !== undefined && !Array.isArray(id.oldIds)))
    throw new StoreCorruptError(`the identity of entity row ${row.ecsId} is not an identity object`, row.ecsId);
  return id as unknown as IdentityColumn;
}

function chainOf(oldIds: readonly string[]): IdChain | null {
  let chain: IdChain | null = null;
  for (const id of oldIds) chain = { id, next: chain };
  return chain;
}

/**
 * The history of `row`'s entity: its own `oldIds`, or (left out) the previous version's history
 * plus the previous ecsId, walking `previousEcsId` rows iteratively until a row that has them or
 * a history already in the cache.
 */
function historyOf(row: EntityRow, identity: IdentityColumn, rows: RowSource, cache: RowCache): IdChain | null {
  const { histories } = cache;
  const known = histories.get(row.ecsId);
  if (known !== undefined) return known;
  /** Rows whose history is their previous version's plus one, newest first. */
  const pending: EntityRow[] = [];
  const walked = new Set<string>();
  let r = row;
  let id = identity;
  let base: IdChain | null;
  for (;;) {
    const cached = histories.get(r.ecsId);
    if (cached !== undefined) {
      base = cached;
      break;
    }
    if (id.oldIds !== undefined) {
      base = chainOf(id.oldIds);
      histories.set(r.ecsId, base);
      break;
    }
    const previousEcsId = r.previousEcsId;
    if (previousEcsId === null)
      throw new StoreCorruptError(`entity row ${r.ecsId} leaves out its oldIds but has no previous version`, r.ecsId);
    if (walked.has(r.ecsId)) throw new StoreCorruptError(`entity row ${r.ecsId} is its own earlier version`, r.ecsId);
    walked.add(r.ecsId);
    pending.push(r);
    const previous = rows.entity(previousEcsId);
    if (previous === undefined)
      throw new StoreCorruptError(
        `missing entity row ${previousEcsId} (the previous version of ${r.ecsId}, whose oldIds follow from it)`,
        previousEcsId,
      );
    r = previous;
    id = identityOf(previous);
  }
  for (let i = pending.length - 1; i >= 0; i--) {
    base = { id: pending[i].previousEcsId!, next: base };
    histories.set(pending[i].ecsId, base);
  }
  return base;
}

/** One entity as `encodeEntity` writes it, its children still `{ $ref }`. */
function entityJSON(row: EntityRow, rows: RowSource, cache: RowCache): EntityJSON {
  const identity = identityOf(row);
  const fields = parseJSON(row.data, 'data', row.ecsId);
  if (!isRecord(fields))
    throw new StoreCorruptError(`the data of entity row ${row.ecsId} is not a fields object`, row.ecsId);
  const meta: EntityMeta = {
    ecsId: row.ecsId,
    liveId: '',
    lineageId: row.lineageId,
    rootEcsId: row.rootEcsId,
    rootLiveId: null,
    previousEcsId: row.previousEcsId,
    history: historyOf(row, identity, rows, cache),
    createdAt: row.createdAt,
    forkedAt: row.forkedAt,
    derivedFromFunction: identity.derivedFromFunction,
    derivedFromExecutionId: row.derivedFromExecutionId,
    siblingOutputEntities: identity.siblingOutputEntities,
    outputIndex: identity.outputIndex,
    attributeSource: identity.attributeSource,
    stored: true,
    parentLineageId: row.parentLineageId,
    place: row.place,
  };
  return {
    $class: row.className,
    $id: encodeIdentity(meta, `entity row ${row.ecsId}`),
    fields: fields as Record<string, JsonValue>,
  };
}

/**
 * The `versionToJSON` output of the version `rootEcsId`, rebuilt from rows: the root's row, each
 * `{ $ref }` replaced by the child's entity (iteratively: any depth), `$id` with `oldIds` (see
 * `RowCache`), `$version` from the root version's row. A row that is missing (or unreadable, or
 * an entity referenced twice) is a `StoreCorruptError` naming its ecsId.
 */
export function versionJSONFromRows(rootEcsId: string, rows: RowSource, cache: RowCache = new RowCache()): VersionJSON {
  const version = rows.rootVersion(rootEcsId);
  if (version === undefined) throw new StoreCorruptError(`missing root version row ${rootEcsId}`, rootEcsId);
  const rowOf = (ecsId: string, what: string): EntityRow => {
    const row = rows.entity(ecsId);
    if (row === undefined) throw new StoreCorruptError(`missing entity row ${ecsId} (${what})`, ecsId);
    return row;
  };
  const root = entityJSON(rowOf(rootEcsId, `the root of version ${rootEcsId}`), rows, cache);
  const seen = new Set<string>([rootEcsId]);
  /** Encoded values still to look into, as (holder, key): an entity's fields, items, `$object` values. */
  const holders: Array<Record<string, JsonValue> | JsonValue[]> = [];
  const keys: Array<string | number> = [];
  const valuesOf = (o: Record<string, JsonValue>): void => {
    for (const k of Object.keys(o)) {
      holders.push(o);
      keys.push(k);
    }
  };
  valuesOf(root.fields);
  while (holders.length > 0) {
    const holder = holders.pop()!;
    const key = keys.pop()!;
    const v = (holder as Record<string | number, JsonValue>)[key];
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        holders.push(v);
        keys.push(i);
      }
      continue;
    }
    const ref = v.$ref;
    if (typeof ref === 'string') {
      if (seen.has(ref))
        throw new StoreCorruptError(`entity row ${ref} is referenced twice in version ${rootEcsId}`, ref);
      seen.add(ref);
      const child = entityJSON(rowOf(ref, `a child in version ${rootEcsId}`), rows, cache);
      if (typeof key === 'number') (holder as JsonValue[])[key] = child as unknown as JsonValue;
      else setOwn(holder as Record<string, JsonValue>, key, child as unknown as JsonValue);
      valuesOf(child.fields);
      continue;
    }
    // `{ $object: body }`: the body's keys are raw (never a reference), its values encoded.
    const body = v.$object;
    valuesOf(isRecord(body) ? (body as Record<string, JsonValue>) : v);
  }
  return {
    $format: VERSION_FORMAT,
    $version: {
      ecsId: version.ecsId,
      lineageId: version.lineageId,
      parentEcsId: version.parentEcsId,
      createdAt: isoOf(version.createdAt, '$version.createdAt'),
    },
    root,
  };
}

/**
 * The full history (`oldIds`, oldest first) of `row`'s entity, rebuilt as a reader rebuilds it:
 * written in the row, or left out and followed from the previous rows. An import compares it
 * with a stored entity's, whose row may leave out what this one writes (or the other way round).
 */
export function rowOldIds(row: EntityRow, rows: RowSource, cache: RowCache = new RowCache()): string[] {
  return chainToArray(historyOf(row, identityOf(row), rows, cache));
}
