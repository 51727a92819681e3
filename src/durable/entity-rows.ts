/**
 * Stored entity versions and root versions <-> rows (`rows.ts`, SPEC §12).
 *
 * Writing: `entityRow` and `rootVersionRow` turn what the registry stores into rows. Reading:
 * `versionJSONFromRows` gives back, from rows alone, exactly what `versionToJSON` gives for that
 * version (or, for an import, only what the reader does not hold yet: `RestoreReader`, for
 * `registry.restore`). A registry reading its own store builds stored entities from rows directly
 * (row-loader.ts), with what is exported here.
 *
 * A row's `data` is written by the class's generated writer (`RowDataWriter`, codegen) where its
 * metadata is generated, else generically here; both write each field through `RowFields` (the
 * rules below) or row-text.ts, so the text is the same.
 *
 * The three encoding rules:
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
 * - **Long arrays by difference.** A field holding an array of at least `SPLICE_MIN_LENGTH` items,
 *   each a primitive or an entity, is written as `{ "$splice": [[at, remove, [items…]], …] }`
 *   against the same field of the previous version when that version is stored (as above), its
 *   field is an array too, and the chain of splices behind it is shorter than `SPLICE_MAX_CHAIN`
 *   (the writer knows the chain of what it wrote: `SpliceChains`). `at` counts in the previous
 *   array, edits are in ascending order. So a move at 100 nodes × 1,000 agents writes two small
 *   edits instead of two 1,000-reference arrays, and reading a version's array reads at most
 *   `SPLICE_MAX_CHAIN` rows (fewer with `RowCache`, which keeps recently rebuilt arrays).
 */
import { entityTypeName, encodeValue } from '../serialize/codec';
import { encodeIdentity, isoOf } from '../serialize/identity';
import { VERSION_FORMAT, type EntityJSON, type JsonValue, type VersionJSON } from '../serialize/format';
import { SerializationError } from '../serialize/errors';
import {
  ForkLink,
  chainToArray,
  isEntityObject,
  metaOf,
  type EntityMeta,
  VALUES,
  type EntityObject,
  type IdChain,
} from '../metadata/object-model';
import { setOwn } from '../metadata/containers';
import type { ClassMeta, FieldMeta, ItemText, RowFieldWriter } from '../metadata/types';
import { classRuntimeOf, runtimeOfObject } from '../entity/class-runtime';
import { entityClassesOfType } from '../metadata/class-registry';
import { deltaOf, type RootVersion } from '../store/root-version';
import { VersioningError } from '../store/errors';
import { StoreCorruptError } from './errors';
import { arrayText, simpleText } from './row-text';
import type { EntityRow, RootVersionRow } from './rows';

/** What a row's `identity` column holds. */
export interface IdentityColumn {
  derivedFromFunction: string | null;
  siblingOutputEntities: string[];
  outputIndex: number | null;
  attributeSource: Record<string, string | null>;
  /** Left out when they are the previous version's plus the previous ecsId (see above). */
  oldIds?: string[];
}

/**
 * The stored entity version with this ecsId, if its row is stored (or written in the same batch);
 * undefined otherwise. Used only to leave `oldIds` out of a row (and to splice against the
 * previous version, which needs the entity itself): a lookup that answers undefined costs row
 * size, never correctness. `registry.findStoredEntity` fits; any other object only says "stored".
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
  if (previous === undefined) return false;
  // A fork's link says it outright: no need to hold the previous version (it may be evicted).
  if (history instanceof ForkLink) return true;
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

/** Arrays shorter than this are written whole: a splice would save little. */
export const SPLICE_MIN_LENGTH = 64;
/** At most this many splices in a row on one entity's fields; then the arrays are written whole. */
export const SPLICE_MAX_CHAIN = 32;

/**
 * How many splices each entity version a writer wrote stands on (0: its arrays are whole). A
 * version the writer did not write is absent: the next version's arrays are written whole. One
 * per store writer; entries go with their versions.
 */
export type SpliceChains = WeakMap<object, number>;

/**
 * One stored entity version as a row: columns from its identity, `identity` and `data` as JSON
 * (rules above). `previousVersion` tells whether the previous version's row is stored; `chains`
 * (the writer's) allows long arrays to be written as splices.
 */
export function entityRow(
  stored: EntityObject,
  previousVersion: StoredVersionLookup,
  chains?: SpliceChains,
): EntityRow {
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
    data: dataText(stored, m, className, previousVersion, chains),
  };
}

/**
 * The `data` column: the fields in declaration order, as `encodeFields` writes them (children as
 * `{ $ref }`), long arrays as splices where the rules allow. Written by the class's generated
 * writer where its metadata is generated, else field by field here.
 */
function dataText(
  stored: EntityObject,
  m: EntityMeta,
  className: string,
  previousVersion: StoredVersionLookup,
  chains: SpliceChains | undefined,
): string {
  const base = chains === undefined ? undefined : spliceBase(stored, m, previousVersion, chains);
  const { text, spliced } = rowDataText(runtimeOfObject(stored).meta, className, stored[VALUES], base?.[VALUES]);
  chains?.set(stored, spliced ? chains.get(base!)! + 1 : 0);
  return text;
}

/**
 * The `data` text of a row of the class `meta` describes holding `values`, long arrays spliced
 * against `base` (the values of the version `spliceBase` gives; none: written whole), and
 * whether any was. By the class's generated writer, or the generic one (`generic`, or none
 * generated): tests compare the two.
 * @internal
 */
export function rowDataText(
  meta: ClassMeta,
  className: string,
  values: readonly unknown[],
  base: readonly unknown[] | undefined,
  generic = false,
): { text: string; spliced: boolean } {
  const row = new RowFields(className, meta.fields, base);
  const text = meta.rowData === null || generic ? genericRowData(values, meta.fields, row) : meta.rowData(values, row);
  return { text, spliced: row.spliced };
}

/** The generic row writer: each field's key, then its value as `RowFields` writes it. */
function genericRowData(values: readonly unknown[], fields: readonly FieldMeta[], row: RowFields): string {
  const keys = keyTexts.get(fields) ?? keyTextsOf(fields);
  let text = '{';
  for (let i = 0; i < keys.length; i++) text += keys[i] + row.value(i, values[i]);
  return `${text}}`;
}

/** Per class (its fields list): each field's `"name":` as `data` writes it, with the comma before it. */
const keyTexts = new WeakMap<readonly { readonly name: string }[], readonly string[]>();

function keyTextsOf(fields: readonly { readonly name: string }[]): readonly string[] {
  const keys = fields.map((f, i) => `${i === 0 ? '' : ','}${JSON.stringify(f.name)}:`);
  keyTexts.set(fields, keys);
  return keys;
}

/**
 * The field values of one row as both writers write them (the generated one for the fields it
 * does not specialise): a field holding a long array as a splice against `base` where
 * `spliceText` allows, else through `valueText`. The one place the row rules apply to fields.
 */
class RowFields implements RowFieldWriter {
  /** True once a field was written as a splice. */
  spliced = false;

  constructor(
    private readonly className: string,
    private readonly fields: readonly FieldMeta[],
    private readonly base: readonly unknown[] | undefined,
  ) {}

  value(index: number, v: unknown): string {
    return this.splice(index, v) ?? valueText(v, this.path(index));
  }

  array(index: number, v: unknown, item: ItemText): string {
    if (!Array.isArray(v)) return this.value(index, v);
    return this.splice(index, v) ?? arrayText(v, item) ?? valueText(v, this.path(index));
  }

  private splice(index: number, v: unknown): string | null {
    const previous = this.base?.[index];
    if (!Array.isArray(previous) || !Array.isArray(v) || v.length < SPLICE_MIN_LENGTH) return null;
    const text = spliceText(previous, v, this.path(index));
    if (text !== null) this.spliced = true;
    return text;
  }

  /** Built only for a value that goes to `valueText` or `spliceText` (their error messages), not per field. */
  private path(index: number): string {
    return `${this.className}.${this.fields[index].name}`;
  }
}

/**
 * The previous version `stored`'s long arrays may be written against: one this writer wrote (so
 * its row is stored, or in the same batch) with a chain short enough to grow by one.
 */
function spliceBase(
  stored: EntityObject,
  m: EntityMeta,
  previousVersion: StoredVersionLookup,
  chains: SpliceChains,
): EntityObject | undefined {
  if (m.previousEcsId === null) return undefined;
  const previous = previousVersion(m.previousEcsId);
  if (!isEntityObject(previous) || previous.constructor !== stored.constructor) return undefined;
  const chain = chains.get(previous);
  return chain !== undefined && chain + 1 < SPLICE_MAX_CHAIN ? previous : undefined;
}

/**
 * A value as JSON text, exactly as `encodeValue` writes it (so also a field value as
 * `encodeFields` writes it): arrays and plain objects of primitives and entities directly, the
 * rest through the general encoder.
 */
export function valueText(v: unknown, path: string): string {
  const simple = simpleText(v);
  if (simple !== null) return simple;
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && !isEntityObject(v)) {
    let text = '{';
    let first = true;
    for (const k of Object.keys(v)) {
      const item = k.startsWith('$') ? null : simpleText((v as Record<string, unknown>)[k]);
      if (item === null) return stringify(encodeValue(v, path), path);
      text += `${first ? '' : ','}${JSON.stringify(k)}:${item}`;
      first = false;
    }
    return `${text}}`;
  }
  return (Array.isArray(v) ? arrayText(v, simpleText) : null) ?? stringify(encodeValue(v, path), path);
}

/** How far ahead `spliceText` looks for the items after a change (a few removed or inserted). */
const RESYNC = 8;

/**
 * `after` as edits of `before` (`{ "$splice": [[at, remove, [items…]], …] }`), or null when it
 * should be written whole: an item that is neither a primitive nor an entity (a reader rebuilds
 * the array from items it shares with other versions: they must be values it never changes), or
 * edits inserting more than half of the array. Between the shared prefix and suffix, a greedy
 * walk: at a difference, up to RESYNC items removed or inserted if that brings both arrays back in
 * step, else one item replaced. Items are compared by identity (`Object.is`): an unchanged child
 * is the same stored object in both versions.
 */
function spliceText(before: readonly unknown[], after: readonly unknown[], path: string): string | null {
  for (let k = 0; k < after.length; k++) {
    const x = after[k];
    if (typeof x === 'object' && x !== null && !isEntityObject(x)) return null;
  }
  const n = before.length;
  const m = after.length;
  const min = Math.min(n, m);
  let i = 0;
  while (i < min && Object.is(before[i], after[i])) i++;
  let q = 0;
  while (q < min - i && Object.is(before[n - 1 - q], after[m - 1 - q])) q++;
  const endB = n - q;
  const endA = m - q;
  /** Edits as [at, remove, from, to] (`after[from..to)` inserted), merged when adjacent. */
  const edits: [number, number, number, number][] = [];
  let inserted = 0;
  const edit = (at: number, remove: number, from: number, to: number): void => {
    inserted += to - from;
    const last = edits[edits.length - 1];
    if (last !== undefined && last[0] + last[1] === at && last[3] === from) {
      last[1] += remove;
      last[3] = to;
    } else edits.push([at, remove, from, to]);
  };
  let j = i;
  while (i < endB && j < endA) {
    if (Object.is(before[i], after[j])) {
      i++;
      j++;
      continue;
    }
    let d = 1;
    for (; d <= RESYNC; d++) {
      if (i + d < endB && Object.is(before[i + d], after[j])) {
        edit(i, d, j, j);
        i += d;
        break;
      }
      if (j + d < endA && Object.is(before[i], after[j + d])) {
        edit(i, 0, j, j + d);
        j += d;
        break;
      }
    }
    if (d > RESYNC) {
      edit(i, 1, j, j + 1);
      i++;
      j++;
    }
  }
  if (i < endB || j < endA) edit(i, endB - i, j, endA);
  if (inserted * 2 > m) return null;
  const text = edits.map(([at, remove, from, to]) => {
    let items = '';
    for (let k = from; k < to; k++) items += (k === from ? '' : ',') + valueText(after[k], `${path}[${k}]`);
    return `[${at},${remove},[${items}]]`;
  });
  return `{"$splice":[${text.join(',')}]}`;
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

/** What a registry loading versions from rows holds already (see `versionJSONFromRows`). */
export interface RestoreReader {
  /** True for a stored entity version the reader holds (with its subtree). */
  readonly loaded: (ecsId: string) => boolean;
}

/** Where rows come from (a `StorageEngine` is one). */
export interface RowSource {
  entity(ecsId: string): EntityRow | undefined;
  rootVersion(ecsId: string): RootVersionRow | undefined;
  /** The rows of those of `ecsIds` that are stored, in any order: one round trip to a server. */
  entityRows?(ecsIds: readonly string[]): EntityRow[];
}

/**
 * What `versionJSONFromRows` remembers between calls: each entity version's history (`oldIds`),
 * computed once however many versions share the row. Use one cache per store (its entries are
 * true of that store's rows), for as long as versions are being read; one entry per entity version read.
 */
export class RowCache {
  /** @internal ecsId -> its history (newest first, nodes shared along a previousEcsId chain). */
  readonly histories = new Map<string, IdChain | null>();
  /**
   * @internal `ecsId + NUL + field` -> a long array as its row reads (splices applied), for the
   * next version's splice; the most recent `ARRAYS_KEPT`. Never handed out: callers get copies.
   */
  private readonly arrays = new Map<string, readonly JsonValue[]>();

  /** @internal */
  array(ecsId: string, field: string): readonly JsonValue[] | undefined {
    return this.arrays.get(`${ecsId}\0${field}`);
  }

  /** @internal */
  keepArray(ecsId: string, field: string, items: readonly JsonValue[]): void {
    const key = `${ecsId}\0${field}`;
    this.arrays.delete(key);
    this.arrays.set(key, items);
    if (this.arrays.size > ARRAYS_KEPT) this.arrays.delete(this.arrays.keys().next().value!);
  }
}

/** How many rebuilt long arrays a `RowCache` keeps (a tree's worth of long arrays, for replays). */
const ARRAYS_KEPT = 512;

function parseJSON(text: string, what: string, ecsId: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StoreCorruptError(`the ${what} of entity row ${ecsId} is not JSON: ${(error as Error).message}`, ecsId);
  }
}

/** A JSON object (what `JSON.parse` gives for `{…}`): not null, not an array. */
export function isJsonObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function identityOf(row: EntityRow): IdentityColumn {
  const id = parseJSON(row.identity, 'identity', row.ecsId);
  if (!isJsonObject(id) || (id.oldIds !== undefined && !Array.isArray(id.oldIds)))
    throw new StoreCorruptError(`the identity of entity row ${row.ecsId} is not an identity object`, row.ecsId);
  return id as unknown as IdentityColumn;
}

export function chainOf(oldIds: readonly string[]): IdChain | null {
  let chain: IdChain | null = null;
  for (const id of oldIds) chain = { id, next: chain };
  return chain;
}

/**
 * A row's history: its own `oldIds`, or, left out, a fork link to its previous version whose
 * `next` is that version's history, read by `read` when someone walks it (and kept nowhere: a
 * history may be a million ids long).
 */
export function lazyHistoryOf(row: EntityRow, read: (ecsId: string) => IdChain | null): IdChain | null {
  const identity = identityOf(row);
  if (identity.oldIds !== undefined) return chainOf(identity.oldIds);
  if (row.previousEcsId === null)
    throw new StoreCorruptError(`entity row ${row.ecsId} leaves out its oldIds but has no previous version`, row.ecsId);
  return new ForkLink(row.previousEcsId, null, read);
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

// ---- long arrays (splices) ----------------------------------------------------------------------

type Edit = readonly [at: number, remove: number, items: readonly JsonValue[]];

function splicesOf(v: JsonValue | undefined): readonly unknown[] | undefined {
  return isJsonObject(v) && Array.isArray(v.$splice) ? (v.$splice as unknown[]) : undefined;
}

/** True for items a cached array may share with the arrays built from it (never changed by readers). */
function isFlat(items: readonly JsonValue[]): boolean {
  for (const x of items) {
    if (typeof x !== 'object' || x === null) continue;
    if (Array.isArray(x)) return false;
    for (const k in x) if (typeof x[k] === 'object' && x[k] !== null) return false;
  }
  return true;
}

/**
 * Replaces each `{ $splice }` field of a row by the array it stands for (a copy: the caller may
 * change it), and keeps long arrays in the cache for the next version's splice.
 */
function readLongArrays(row: EntityRow, fields: Record<string, JsonValue>, rows: RowSource, cache: RowCache): void {
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (Array.isArray(v)) {
      if (v.length >= SPLICE_MIN_LENGTH && isFlat(v)) cache.keepArray(row.ecsId, key, v.slice());
    } else {
      const edits = splicesOf(v);
      if (edits !== undefined) setOwn(fields, key, longArray(row, key, edits, rows, cache).slice());
    }
  }
}

/**
 * The array field `key` of `row`, whose row holds it as `edits`: rebuilt from the previous
 * versions' rows, back to an array the cache or a row holds whole.
 */
function longArray(
  row: EntityRow,
  key: string,
  rowEdits: readonly unknown[],
  rows: RowSource,
  cache: RowCache,
): readonly JsonValue[] {
  /** Rows whose field is a splice, newest first. */
  const pending: { ecsId: string; edits: readonly unknown[] }[] = [{ ecsId: row.ecsId, edits: rowEdits }];
  let r: EntityRow = row;
  let base: readonly JsonValue[] | undefined;
  for (;;) {
    if (pending.length > SPLICE_MAX_CHAIN * 64)
      throw new StoreCorruptError(`entity row ${row.ecsId}: the splices of '${key}' do not end`, row.ecsId);
    const previousEcsId = r.previousEcsId;
    if (previousEcsId === null)
      throw new StoreCorruptError(`entity row ${r.ecsId} splices '${key}' but has no previous version`, r.ecsId);
    base = cache.array(previousEcsId, key);
    if (base !== undefined) break;
    const previous = rows.entity(previousEcsId);
    if (previous === undefined)
      throw new StoreCorruptError(
        `missing entity row ${previousEcsId} (the previous version of ${r.ecsId}, whose '${key}' is spliced on it)`,
        previousEcsId,
      );
    r = previous;
    const data = parseJSON(r.data, 'data', r.ecsId);
    const v = isJsonObject(data) ? (data[key] as JsonValue | undefined) : undefined;
    if (Array.isArray(v)) {
      base = v;
      break;
    }
    const edits = splicesOf(v);
    if (edits === undefined)
      throw new StoreCorruptError(`entity row ${r.ecsId} has no array '${key}' for a later version's splice`, r.ecsId);
    pending.push({ ecsId: r.ecsId, edits });
  }
  for (let i = pending.length - 1; i >= 0; i--) {
    base = applySplice(base, pending[i].edits, pending[i].ecsId, key);
    cache.keepArray(pending[i].ecsId, key, base);
  }
  return base;
}

/** `before` with `edits` applied (each checked: a bad one is a `StoreCorruptError`). */
function applySplice(
  before: readonly JsonValue[],
  edits: readonly unknown[],
  ecsId: string,
  key: string,
): readonly JsonValue[] {
  const out: JsonValue[] = [];
  let from = 0;
  for (const e of edits) {
    const [at, remove, items] = (Array.isArray(e) ? e : []) as unknown as Edit;
    if (
      !Number.isInteger(at) ||
      !Number.isInteger(remove) ||
      !Array.isArray(items) ||
      at < from ||
      remove < 0 ||
      at + remove > before.length
    )
      throw new StoreCorruptError(`entity row ${ecsId}: a bad splice of '${key}': ${JSON.stringify(e)}`, ecsId);
    for (let k = from; k < at; k++) out.push(before[k]);
    for (const item of items) out.push(item);
    from = at + remove;
  }
  for (let k = from; k < before.length; k++) out.push(before[k]);
  return out;
}

/**
 * A class whose fields changed since a row was written still loads it (SPEC §12): a field the
 * class no longer declares is left out of what is read (it stays in the row), a field it added
 * is missing from the row and takes the class default when the JSON is read. A class that is not
 * registered (or ambiguous) is left to the JSON reader, which names it.
 */
function dropRemovedFields(className: string, fields: Record<string, JsonValue>): void {
  const classes = entityClassesOfType(className);
  if (classes.length !== 1) return;
  const declared = classRuntimeOf(classes[0].ctor).meta.fieldIndex;
  for (const key of Object.keys(fields)) if (!declared.has(key)) delete fields[key];
}

/** One entity as `encodeEntity` writes it, its children still `{ $ref }`. */
function entityJSON(row: EntityRow, rows: RowSource, cache: RowCache, oldIds: boolean): EntityJSON {
  const identity = identityOf(row);
  const { fields } = rowFields(row, rows, cache);
  dropRemovedFields(row.className, fields);
  const history = historyOf(row, identity, rows, cache); // kept in `cache` either way
  const meta: EntityMeta = {
    ecsId: row.ecsId,
    liveId: '',
    lineageId: row.lineageId,
    rootEcsId: row.rootEcsId,
    rootLiveId: null,
    previousEcsId: row.previousEcsId,
    history: oldIds ? history : null, // else the reader takes it from `cache`
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
    fields,
  };
}

/**
 * The `versionToJSON` output of the version `rootEcsId`, rebuilt from rows: the root's row, each
 * `{ $ref }` replaced by the child's entity (iteratively: any depth), `$id` with `oldIds` (see
 * `RowCache`), `$version` from the root version's row. A row that is missing (or unreadable, or
 * an entity referenced twice) is a `StoreCorruptError` naming its ecsId. With `forRestore` (for
 * `versionFromStoredJSON`), a child the reader holds stays `{ $ref }`, its rows unread, and
 * `oldIds` are left out (the reader takes each history from `cache`, nodes shared).
 */
export function versionJSONFromRows(
  rootEcsId: string,
  rows: RowSource,
  cache: RowCache = new RowCache(),
  forRestore?: RestoreReader,
): VersionJSON {
  const loaded = forRestore?.loaded;
  const oldIds = forRestore === undefined;
  const version = rows.rootVersion(rootEcsId);
  if (version === undefined) throw new StoreCorruptError(`missing root version row ${rootEcsId}`, rootEcsId);
  const rowOf = (ecsId: string, what: string): EntityRow => {
    const row = rows.entity(ecsId);
    if (row === undefined) throw new StoreCorruptError(`missing entity row ${ecsId} (${what})`, ecsId);
    return row;
  };
  const root = entityJSON(rowOf(rootEcsId, `the root of version ${rootEcsId}`), rows, cache, oldIds);
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
      if (loaded?.(ref) === true) continue; // stays `{ $ref }`: the reader has it (and its subtree) already
      const child = entityJSON(rowOf(ref, `a child in version ${rootEcsId}`), rows, cache, oldIds);
      if (typeof key === 'number') (holder as JsonValue[])[key] = child as unknown as JsonValue;
      else setOwn(holder as Record<string, JsonValue>, key, child as unknown as JsonValue);
      valuesOf(child.fields);
      continue;
    }
    // `{ $object: body }`: the body's keys are raw (never a reference), its values encoded.
    const body = v.$object;
    valuesOf(isJsonObject(body) ? (body as Record<string, JsonValue>) : v);
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
 * The child ecsIds of an entity's fields (encoded as in `data`, long arrays rebuilt), as
 * `versionJSONFromRows` finds them: every `{ $ref }`, in any container, an `$object` body's values
 * (never its keys). Also reads the entity references of any encoded value (an execution record).
 */
export function childRefs(fields: Record<string, JsonValue>): string[] {
  const out: string[] = [];
  const pending: JsonValue[] = Object.values(fields);
  while (pending.length > 0) {
    const v = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
      continue;
    }
    if (typeof v.$ref === 'string') {
      out.push(v.$ref);
      continue;
    }
    const body = v.$object;
    for (const x of Object.values(isJsonObject(body) ? (body as Record<string, JsonValue>) : v)) pending.push(x);
  }
  return out;
}

/** A row as retention (`prune.ts`) reads it: its fields, and what it takes from its previous version's row. */
export interface RowReading {
  /** `data` with each long array rebuilt (splices applied). */
  readonly fields: Record<string, JsonValue>;
  /** True when `identity` leaves out `oldIds` (they follow from the previous row's). */
  readonly derivedOldIds: boolean;
  /** True when a field is written as a splice of the previous row's. */
  readonly spliced: boolean;
}

/**
 * A row's `data` as its fields, each long array rebuilt (the previous rows its splices need are
 * read), and whether any was a splice: a `StoreCorruptError` when it cannot be read.
 */
export function rowFields(
  row: EntityRow,
  rows: RowSource,
  cache: RowCache,
): { readonly fields: Record<string, JsonValue>; readonly spliced: boolean } {
  const fields = parseJSON(row.data, 'data', row.ecsId);
  if (!isJsonObject(fields))
    throw new StoreCorruptError(`the data of entity row ${row.ecsId} is not a fields object`, row.ecsId);
  let spliced = false;
  for (const key of Object.keys(fields)) if (splicesOf(fields[key] as JsonValue) !== undefined) spliced = true;
  readLongArrays(row, fields as Record<string, JsonValue>, rows, cache);
  return { fields: fields as Record<string, JsonValue>, spliced };
}

/** Reads `row` (and, for splices, the previous rows it needs): a `StoreCorruptError` when it cannot. */
export function readRow(row: EntityRow, rows: RowSource, cache: RowCache): RowReading {
  return { ...rowFields(row, rows, cache), derivedOldIds: identityOf(row).oldIds === undefined };
}

/**
 * `row` as it reads without its previous version's row: `oldIds` written in full and each splice
 * written as its whole array (everything else as it was). Read before that row is deleted.
 */
export function wholeRow(row: EntityRow, rows: RowSource, cache: RowCache): EntityRow {
  const identity = identityOf(row);
  const { fields, spliced } = rowFields(row, rows, cache);
  return {
    ...row,
    identity:
      identity.oldIds === undefined
        ? JSON.stringify({ ...identity, oldIds: chainToArray(historyOf(row, identity, rows, cache)) })
        : row.identity,
    data: spliced ? stringify(fields, `entity row ${row.ecsId}`) : row.data,
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
