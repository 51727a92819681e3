/**
 * Export and import of whole lineages as NDJSON (SPEC §12: history moves between stores and
 * processes). An export is text, one JSON object a line:
 *
 * ```
 * {"$format":"abstractions-ts/history","version":1}
 * {"$kind":"entity",...}      the entity versions a root version stored first (an EntityRow)
 * {"$kind":"version",...}     then that root version (a RootVersionRow); root versions in commit order
 * {"$kind":"execution",...}   the execution records (ExecutionRows), oldest first
 * {"$kind":"end","entities":n,"versions":n,"executions":n}
 * ```
 *
 * The rows are those of `rows.ts`, exactly as an engine stores them (`identity`, `data`, `delta`
 * and `record` stay JSON text inside the line), so an import writes them to a durable store as
 * they are and reads its versions back the way a reopen does (`versionJSONFromRows` →
 * `versionFromStoredJSON` → `registry.restore`). The end line's counts tell a whole export from one
 * cut short at a line boundary.
 *
 * An import is all or nothing: every line is read and checked against what the registry holds,
 * and every new version decoded, before anything changes; then the new rows are written to the
 * registry's store in one transaction, the new versions loaded in commit order and the new
 * records kept. Rows the registry holds with the same content are skipped (importing twice
 * changes nothing); the same id with other content is an `ImportConflictError`.
 */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import type { EntityRegistry } from '../store/entity-registry';
import { deltaOf, type RootVersion } from '../store/root-version';
import { metaOf, type EntityObject } from '../metadata/object-model';
import { setOwn } from '../metadata/values';
import { versionFromJSON, versionFromStoredJSON, type JsonValue } from '../serialize';
import { show } from '../serialize/identity';
import type { CallableRegistry } from '../callable/callable-registry';
import type { FunctionExecution } from '../callable/execution-record';
import { errorText } from '../errors';
import { excerpt } from '../util/excerpt';
import {
  RowCache,
  entityRow,
  isJsonObject,
  rootVersionRow,
  rowOldIds,
  versionJSONFromRows,
  type RowSource,
} from './entity-rows';
import { executionRow, restoredRecord, unstoredPart } from './engine-store';
import { HistoryFormatError, ImportConflictError, StoreCorruptError, StoreOptionError } from './errors';
import type { EntityRow, ExecutionRow, RootVersionRow, WriteBatch } from './rows';

/** The header line's `$format`. */
export const HISTORY_FORMAT = 'abstractions-ts/history';
/** The header line's `version`: the form of the lines written here (and the newest one read). */
export const HISTORY_FORMAT_VERSION = 1;

export interface ExportOptions {
  /** The lineages to export, each with all its versions (default: every lineage of the registry). */
  readonly lineages?: readonly string[];
  /**
   * Where the execution records come from: this callable registry's `executions()` (over the
   * same registry), which includes this process's records. Default: the records the registry's
   * history store holds (a reopened store's, and imported ones).
   */
  readonly executions?: CallableRegistry;
}

export interface ImportOptions {
  /**
   * The callable registry over the same registry whose records (this process's included) count
   * as held: a record it has is checked and skipped, not kept twice. Default: only the records
   * the registry's history store holds.
   */
  readonly executions?: CallableRegistry;
}

/** What an import did. */
export interface ImportSummary {
  /** Root versions loaded (new to the registry). */
  readonly versions: number;
  /** Entity versions stored (new to the registry). */
  readonly entities: number;
  /** Execution records kept (new to the registry). */
  readonly executions: number;
  /** Rows skipped because the registry held them with the same content: all of them on a second import. */
  readonly alreadyPresent: number;
}

// ---- the lines ----------------------------------------------------------------------------------

type FieldType = 'string' | 'string|null' | 'number' | 'number|null';

const ENTITY_FIELDS: { readonly [K in keyof EntityRow]-?: FieldType } = {
  ecsId: 'string',
  lineageId: 'string',
  className: 'string',
  rootEcsId: 'string',
  previousEcsId: 'string|null',
  parentLineageId: 'string|null',
  place: 'string',
  createdAt: 'number',
  forkedAt: 'number|null',
  derivedFromExecutionId: 'string|null',
  identity: 'string',
  data: 'string',
};

const VERSION_FIELDS: { readonly [K in keyof RootVersionRow]-?: FieldType } = {
  ecsId: 'string',
  lineageId: 'string',
  parentEcsId: 'string|null',
  createdAt: 'number',
  rootClass: 'string',
  delta: 'string|null',
};

const EXECUTION_FIELDS: { readonly [K in keyof ExecutionRow]-?: FieldType } = {
  id: 'string',
  functionName: 'string',
  status: 'string',
  startedAt: 'number',
  record: 'string',
};

interface EndLine {
  readonly entities: number;
  readonly versions: number;
  readonly executions: number;
}

const END_FIELDS: { readonly [K in keyof EndLine]-?: FieldType } = {
  entities: 'number',
  versions: 'number',
  executions: 'number',
};

const KINDS = { entity: ENTITY_FIELDS, version: VERSION_FIELDS, execution: EXECUTION_FIELDS, end: END_FIELDS };
type Kind = keyof typeof KINDS;

const line = (value: object): string => `${JSON.stringify(value)}\n`;

// ---- export -------------------------------------------------------------------------------------

/**
 * The history of `registry` as NDJSON lines (each ending in "\n"; see the top of this file): every
 * root version of the selected lineages in commit order, each after the entity versions it stored
 * first, then the execution records that touch them (name one of their entities or versions).
 * A record is exported whole: the lineages of the entities its result references come along
 * (and so on), so an export always loads on its own. What is exported is fixed when this is
 * called; lines are made as they are read. Write them with
 * `pipeline(Readable.from(exportHistory(registry)), createWriteStream(file))`.
 * @throws StoreOptionError for a lineage the registry does not hold, or `executions` over another registry.
 */
export function exportHistory(registry: EntityRegistry, options: ExportOptions = {}): IterableIterator<string> {
  const records = recordsOf(registry, options.executions);
  const versions = registry.allVersions();
  if (options.lineages === undefined) return exportLines(registry, versions, records);
  const selected = selection(registry, options.lineages, records);
  return exportLines(
    registry,
    versions.filter((v) => selected.lineages.has(v.lineageId)),
    selected.records,
  );
}

function recordsOf(registry: EntityRegistry, executions: CallableRegistry | undefined): readonly FunctionExecution[] {
  if (executions === undefined) return registry.storedRecords() as readonly FunctionExecution[];
  checkExecutions(registry, executions);
  return executions.executions();
}

function checkExecutions(registry: EntityRegistry, executions: CallableRegistry): void {
  if (executions.entities !== registry)
    throw new StoreOptionError(
      'executions',
      'a CallableRegistry over another EntityRegistry',
      'the CallableRegistry over the registry given',
    );
}

function* exportLines(
  registry: EntityRegistry,
  versions: readonly RootVersion[],
  records: readonly FunctionExecution[],
): Generator<string, void, undefined> {
  yield line({ $format: HISTORY_FORMAT, version: HISTORY_FORMAT_VERSION });
  const emitted = new Set<string>();
  // A row leaves out its oldIds only when its previous version's row is in this export.
  const previous = (ecsId: string): object | undefined =>
    emitted.has(ecsId) ? registry.findStoredEntity(ecsId) : undefined;
  for (const version of versions) {
    for (const e of newIn(registry, version)) {
      const ecsId = metaOf(e).ecsId;
      if (emitted.has(ecsId)) continue;
      emitted.add(ecsId);
      yield line({ $kind: 'entity', ...entityRow(e, previous) });
    }
    yield line({ $kind: 'version', ...rootVersionRow(version) });
  }
  for (const record of records) yield line({ $kind: 'execution', ...executionRow(record) });
  yield line({ $kind: 'end', entities: emitted.size, versions: versions.length, executions: records.length });
}

/**
 * The entities of `version` its parent does not hold (its index delta; all of a first version).
 * The parent is exported before it (same lineage), so these are all it can add.
 */
function* newIn(registry: EntityRegistry, version: RootVersion): Generator<EntityObject> {
  const delta = deltaOf(version);
  if (delta === null) {
    yield* registry.getStoredTree(version.ecsId).nodes.values();
    return;
  }
  for (let i = 1; i < delta.length; i += 2) {
    const e = delta[i];
    if (e !== null && typeof e !== 'string') yield e;
  }
}

/** The lineage of a root version, or of an entity version (its root version's); undefined when not held. */
function lineageOf(registry: EntityRegistry, id: string, isVersion: boolean): string | undefined {
  let root: string | null = id;
  if (!isVersion) {
    const e = registry.findStoredEntity<EntityObject>(id);
    root = e === undefined ? null : metaOf(e).rootEcsId;
  }
  return root !== null && registry.hasVersion(root) ? registry.getVersion(root).lineageId : undefined;
}

interface StoredRecordJSON {
  readonly inputs: { readonly entities: Readonly<Record<string, string>>; readonly rootIds: readonly string[] };
  readonly outputIds: readonly string[];
  readonly versionIds: readonly string[];
}

/** The lineages a record names: its input entities and roots, its outputs and versions. */
function lineagesNamed(registry: EntityRegistry, record: FunctionExecution): Set<string> {
  // toStoredJSON: reading the lists would keep them on the record for good.
  const json = record.toStoredJSON() as unknown as StoredRecordJSON;
  const out = new Set<string>();
  const add = (id: string, isVersion: boolean): void => {
    const l = lineageOf(registry, id, isVersion);
    if (l !== undefined) out.add(l);
  };
  for (const id of Object.values(json.inputs.entities)) add(id, false);
  for (const id of json.outputIds) add(id, false);
  for (const id of json.inputs.rootIds) add(id, true);
  for (const id of json.versionIds) add(id, true);
  return out;
}

/** What a `{ $ref }` reads as while only the ids are wanted. */
const PLACEHOLDER = Object.freeze({}) as EntityObject;

/** The ecsIds a record's row references (`{ $ref }`, read as a reader reads them). */
function referencedEntities(record: FunctionExecution): string[] {
  const ids: string[] = [];
  restoredRecord(executionRow(record), (ecsId) => {
    ids.push(ecsId);
    return PLACEHOLDER;
  });
  return ids;
}

/** The lineages and records an export of `lineages` takes (see `exportHistory`). */
function selection(
  registry: EntityRegistry,
  lineages: readonly string[],
  records: readonly FunctionExecution[],
): { lineages: Set<string>; records: FunctionExecution[] } {
  const selected = new Set<string>();
  for (const id of lineages) {
    const latest = typeof id === 'string' ? registry.latestVersion(id) : undefined;
    if (latest === undefined)
      throw new StoreOptionError('lineages', excerpt(String(id)), 'ids of lineages this registry holds');
    selected.add(latest.lineageId);
  }
  const named = records.map((r) => lineagesNamed(registry, r));
  const included = records.map(() => false);
  for (let grew = true; grew;) {
    grew = false;
    records.forEach((record, i) => {
      if (included[i] || ![...named[i]].some((l) => selected.has(l))) return;
      included[i] = true;
      for (const ecsId of referencedEntities(record)) {
        const l = lineageOf(registry, ecsId, false);
        if (l !== undefined && !selected.has(l)) {
          selected.add(l);
          grew = true; // records that touch only this lineage are met on the next round
        }
      }
    });
  }
  return { lineages: selected, records: records.filter((_, i) => included[i]) };
}

// ---- reading lines ------------------------------------------------------------------------------

/** A row and the line it came from. */
interface Lined<R> {
  readonly row: R;
  readonly line: number;
}

function hasType(v: unknown, type: FieldType): boolean {
  if (v === null) return type.endsWith('|null');
  return typeof v === (type.startsWith('string') ? 'string' : 'number');
}

/** Reads an export line by line, checking each line on its own and ids met twice. */
class ExportReader {
  private lineNo = 0;
  private header = false;
  private end: (EndLine & { readonly line: number }) | null = null;
  private readonly counts = { entity: 0, version: 0, execution: 0 };
  readonly entities = new Map<string, Lined<EntityRow>>();
  /** In file order (commit order). */
  readonly versions = new Map<string, Lined<RootVersionRow>>();
  readonly executions = new Map<string, Lined<ExecutionRow>>();
  /** Lines that repeat an earlier line's row exactly. */
  repeated = 0;

  /** One or more whole lines (readline's lines, the export's own, or all the text at once). */
  chunk(text: unknown): void {
    if (typeof text !== 'string')
      throw new HistoryFormatError(
        this.lineNo + 1,
        `expected lines of text, got ${show(text)} (give a stream of bytes as it is, or its lines through readline)`,
      );
    const pieces = text.split('\n');
    // A final "\n" ends the last line; it does not start another.
    if (pieces.length > 1 && pieces[pieces.length - 1] === '') pieces.pop();
    for (const p of pieces) this.read(p.endsWith('\r') ? p.slice(0, -1) : p);
  }

  private read(text: string): void {
    const n = ++this.lineNo;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HistoryFormatError(n, `not JSON: ${(error as Error).message}`);
    }
    if (!isJsonObject(value)) throw new HistoryFormatError(n, `expected a JSON object, got ${excerpt(text)}`);
    if (!this.header) {
      checkHeader(value, n);
      this.header = true;
      return;
    }
    if (this.end !== null) throw new HistoryFormatError(n, `a line after the end line (line ${this.end.line})`);
    const kind = value.$kind;
    if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind))
      throw new HistoryFormatError(
        n,
        kind === undefined && '$format' in value
          ? 'a second header line (two exports in one?)'
          : `unknown $kind ${show(kind)} (expected entity, version, execution or end)`,
      );
    const row = checkedRow(value, kind as Kind, n);
    switch (kind as Kind) {
      case 'entity':
        this.counts.entity++;
        return this.add(this.entities, 'entity', row as unknown as EntityRow, (r) => r.ecsId, n);
      case 'version':
        this.counts.version++;
        return this.add(this.versions, 'root version', row as unknown as RootVersionRow, (r) => r.ecsId, n);
      case 'execution':
        this.counts.execution++;
        return this.add(this.executions, 'execution', row as unknown as ExecutionRow, (r) => r.id, n);
      case 'end':
        this.end = { ...(row as unknown as EndLine), line: n };
    }
  }

  private add<R extends object>(
    rows: Map<string, Lined<R>>,
    kind: string,
    row: R,
    idOf: (row: R) => string,
    n: number,
  ): void {
    const id = idOf(row);
    const earlier = rows.get(id);
    if (earlier === undefined) {
      rows.set(id, { row, line: n });
      return;
    }
    const field = Object.keys(row).find(
      (f) => (row as Record<string, unknown>)[f] !== (earlier.row as Record<string, unknown>)[f],
    );
    if (field !== undefined) throw new ImportConflictError(kind, id, field, n, earlier.line);
    this.repeated++;
  }

  /** The rows read, once the whole export is there. */
  finish(): ExportReader {
    const next = this.lineNo + 1;
    if (!this.header) throw new HistoryFormatError(1, 'no header line: the export is empty');
    if (this.end === null) throw new HistoryFormatError(next, 'the export stops before its end line: it was cut short');
    const { end, counts } = this;
    for (const [kind, count] of [
      ['entity', end.entities, counts.entity],
      ['version', end.versions, counts.version],
      ['execution', end.executions, counts.execution],
    ] as const) {
      if (count !== counts[kind])
        throw new HistoryFormatError(
          end.line,
          `the end line counts ${count} ${kind} lines, the export has ${counts[kind]}: lines are missing or added`,
        );
    }
    return this;
  }
}

function checkHeader(value: Record<string, unknown>, n: number): void {
  if (value.$format !== HISTORY_FORMAT)
    throw new HistoryFormatError(
      n,
      `not a history export: the first line must be {"$format":"${HISTORY_FORMAT}","version":${HISTORY_FORMAT_VERSION}}`,
    );
  const extra = Object.keys(value).find((k) => k !== '$format' && k !== 'version');
  if (extra !== undefined) throw new HistoryFormatError(n, `unknown key '${excerpt(extra)}' in the header line`);
  if (value.version !== HISTORY_FORMAT_VERSION)
    throw new HistoryFormatError(
      n,
      `format version ${show(value.version)}: this version of abstractions-ts reads version ${HISTORY_FORMAT_VERSION}`,
    );
}

/** The row of a line, its fields checked: every one there with its type, no others. */
function checkedRow(value: Record<string, unknown>, kind: Kind, n: number): Record<string, unknown> {
  const fields = KINDS[kind] as Readonly<Record<string, FieldType>>;
  const row: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key !== '$kind' && !Object.hasOwn(fields, key))
      throw new HistoryFormatError(
        n,
        `unknown field '${excerpt(key)}' (${kind} lines have ${Object.keys(fields).join(', ')})`,
      );
  }
  for (const [field, type] of Object.entries(fields)) {
    const v = value[field];
    if (!hasType(v, type))
      throw new HistoryFormatError(
        n,
        `${kind} field '${field}': expected ${type.replace('|', ' or ')}, got ${v === undefined ? 'nothing' : show(v)}`,
      );
    row[field] = v;
  }
  return row;
}

// ---- import -------------------------------------------------------------------------------------

/**
 * Imports an export (`exportHistory` output) into `registry`: its lines as text (all at once),
 * an iterable or async iterable of lines (readline's, or the export's own), or a readable stream
 * of its bytes. Rows the registry holds with the same content are skipped; new root versions are
 * loaded in the export's (commit) order as they were (ids, parents, times, values, provenance),
 * a version whose parent the registry holds after versions of its own becoming a branch there
 * (appended to the lineage, so `latest` is the imported one); new execution records are kept by
 * the registry's store (`CallableRegistry.executions()` lists them with the store's). A durable
 * store writes the new rows in one transaction before the versions are loaded.
 *
 * Nothing changes unless everything can be imported. Resolves to what was imported.
 * @throws HistoryFormatError (naming the line) for a line that is not one of an export, a missing
 * header or end line, a row that a version needs and neither the export nor the registry has.
 * @throws ImportConflictError (a StoreConflictError; naming the id, the field and the line) for
 * an id the registry, or an earlier line, holds with different content.
 * @throws StoreWriteError when the registry's store is in fail-stop or closed; what the store's
 * engine throws when it cannot write (nothing written then).
 */
export async function importHistory(
  registry: EntityRegistry,
  lines: string | Iterable<string> | AsyncIterable<string> | Readable,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  if (options.executions !== undefined) checkExecutions(registry, options.executions);
  const reader = new ExportReader();
  if (typeof lines === 'string') reader.chunk(lines);
  else if (lines instanceof Readable) {
    for await (const text of createInterface({ input: lines, crlfDelay: Infinity })) reader.chunk(text);
  } else if (Symbol.asyncIterator in lines) {
    for await (const text of lines) reader.chunk(text);
  } else {
    for (const text of lines) reader.chunk(text);
  }
  // Synchronous from here: nothing else changes the registry between the checks and the load.
  return load(registry, reader.finish(), options.executions);
}

/** Runs a check of the row on line `n`: what it throws (but a conflict) names the line. */
function atLine<T>(n: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof HistoryFormatError || error instanceof ImportConflictError) throw error;
    throw new HistoryFormatError(n, errorText(error), { cause: error });
  }
}

function load(registry: EntityRegistry, file: ExportReader, executions: CallableRegistry | undefined): ImportSummary {
  registry.checkWritable();
  const cache = new RowCache();
  const held = (ecsId: string): EntityObject | undefined => registry.findStoredEntity<EntityObject>(ecsId);
  // The export's rows first; a row it leaves out (the registry holds it) from what the registry holds.
  const rows: RowSource = {
    entity: (ecsId) => {
      const lined = file.entities.get(ecsId);
      if (lined !== undefined) return lined.row;
      const e = held(ecsId);
      return e === undefined ? undefined : entityRow(e, held);
    },
    rootVersion: (ecsId) =>
      file.versions.get(ecsId)?.row ??
      (registry.hasVersion(ecsId) ? rootVersionRow(registry.getVersion(ecsId)) : undefined),
  };
  let alreadyPresent = file.repeated;

  const newEntities: Lined<EntityRow>[] = [];
  for (const lined of file.entities.values()) {
    const stored = held(lined.row.ecsId);
    if (stored === undefined) {
      newEntities.push(lined);
      continue;
    }
    const field = atLine(lined.line, () => entityDifference(lined.row, stored, rows, cache));
    if (field !== null) throw new ImportConflictError('entity', lined.row.ecsId, field, lined.line);
    alreadyPresent++;
  }

  const newVersions: Lined<RootVersionRow>[] = [];
  for (const lined of file.versions.values()) {
    const { row, line: n } = lined;
    if (registry.hasVersion(row.ecsId)) {
      const field = atLine(n, () => versionDifference(row, registry.getVersion(row.ecsId)));
      if (field !== null) throw new ImportConflictError('root version', row.ecsId, field, n);
      alreadyPresent++;
      continue;
    }
    checkParent(registry, file, lined);
    newVersions.push(lined);
  }
  // Every new version decoded once before anything changes (unknown classes, bad values, missing
  // rows), and decoded again to load it: holding every decoded tree at once would cost far more.
  const used = new Set<string>();
  const tracked: RowSource = {
    entity: (ecsId) => {
      used.add(ecsId);
      return rows.entity(ecsId);
    },
    rootVersion: rows.rootVersion,
  };
  for (const { row, line: n } of newVersions)
    atLine(n, () => versionFromJSON(versionJSONFromRows(row.ecsId, tracked, cache)));
  for (const { row, line: n } of newEntities) {
    if (!used.has(row.ecsId))
      throw new HistoryFormatError(n, `entity ${row.ecsId} is in none of the export's new root versions`);
  }

  const newRecords: Lined<ExecutionRow>[] = [];
  const known = (ecsId: string): boolean => file.entities.has(ecsId) || held(ecsId) !== undefined;
  for (const lined of file.executions.values()) {
    const { row, line: n } = lined;
    const existing = (executions?.execution(row.id) ?? registry.storedRecord(row.id)) as FunctionExecution | undefined;
    if (existing !== undefined) {
      const field = atLine(n, () => recordDifference(row, existing));
      if (field !== null) throw new ImportConflictError('execution', row.id, field, n);
      alreadyPresent++;
      continue;
    }
    atLine(n, () =>
      restoredRecord(row, (ecsId, at) => {
        if (!known(ecsId))
          throw new StoreCorruptError(
            `${at} names entity ${ecsId}, which neither the export nor the registry holds`,
            ecsId,
          );
        return PLACEHOLDER;
      }),
    );
    newRecords.push(lined);
  }

  // Everything checked: write, load, keep.
  const batch: WriteBatch = {
    entities: newEntities.map((l) => l.row),
    versions: newVersions.map((l) => l.row),
    executions: newRecords.map((l) => l.row),
    withdrawn: [],
  };
  if (newEntities.length + newVersions.length + newRecords.length > 0) registry.writeImported(batch);
  const restoreReader = { loaded: (ecsId: string): boolean => held(ecsId) !== undefined };
  for (const { row } of newVersions) {
    // As a reopen loads: what the registry holds (also from earlier lines) stays shared, unread.
    const json = versionJSONFromRows(row.ecsId, rows, cache, restoreReader);
    const version = registry.restore(
      versionFromStoredJSON(json, held, (ecsId) => cache.histories.get(ecsId)),
      row.createdAt,
    );
    if (version.ecsId !== row.ecsId)
      throw new Error(`internal: root version ${row.ecsId} was loaded as ${version.ecsId}`);
  }
  const find = (ecsId: string, at: string): EntityObject => {
    const e = held(ecsId);
    if (e === undefined) throw new StoreCorruptError(`${at} names entity ${ecsId}, which was not loaded`, ecsId);
    return e;
  };
  registry.keepImportedRecords(newRecords.map(({ row }) => restoredRecord(row, find)));
  return {
    versions: newVersions.length,
    entities: newEntities.length,
    executions: newRecords.length,
    alreadyPresent,
  };
}

/**
 * A new version's parent must be loaded before it, in its lineage: held by the registry, or on
 * an earlier line. Otherwise it would load as a first version, not as the version it is.
 */
function checkParent(registry: EntityRegistry, file: ExportReader, { row, line: n }: Lined<RootVersionRow>): void {
  const parentId = row.parentEcsId;
  if (parentId === null) return;
  const inFile = file.versions.get(parentId);
  const parent = registry.hasVersion(parentId) ? registry.getVersion(parentId) : inFile?.row;
  if (parent === undefined)
    throw new HistoryFormatError(
      n,
      `the parent ${parentId} of root version ${row.ecsId} is neither in the export nor in the registry`,
    );
  if (inFile !== undefined && inFile.line > n && !registry.hasVersion(parentId))
    throw new HistoryFormatError(
      n,
      `root version ${row.ecsId} comes before its parent ${parentId} (line ${inFile.line})`,
    );
  if (parent.lineageId !== row.lineageId)
    throw new HistoryFormatError(
      n,
      `root version ${row.ecsId} of lineage ${row.lineageId} has a parent ${parentId} of lineage ${parent.lineageId}`,
    );
}

// ---- comparing a row with what the registry holds ---------------------------------------------

/** The first field in which `row` differs from the stored entity version; null when it does not. */
function entityDifference(row: EntityRow, stored: EntityObject, rows: RowSource, cache: RowCache): string | null {
  // The stored version's row with its oldIds written in full: either row may leave them out.
  const expected = entityRow(stored, () => undefined);
  for (const f of Object.keys(ENTITY_FIELDS) as (keyof EntityRow)[]) {
    if (f !== 'identity' && row[f] !== expected[f]) return f;
  }
  const identity = JSON.parse(row.identity) as Record<string, unknown>;
  const { oldIds, ...expectedIdentity } = JSON.parse(expected.identity) as Record<string, unknown>;
  delete identity.oldIds;
  if (!isDeepStrictEqual(identity, expectedIdentity)) return 'identity';
  return isDeepStrictEqual(rowOldIds(row, rows, cache), oldIds) ? null : 'identity (oldIds)';
}

/** The first field in which `row` differs from the registry's root version; null when it does not. */
function versionDifference(row: RootVersionRow, version: RootVersion): string | null {
  const expected = rootVersionRow(version);
  for (const f of ['lineageId', 'parentEcsId', 'createdAt', 'rootClass'] as const) {
    if (row[f] !== expected[f]) return f;
  }
  return sameDelta(row.delta, expected.delta) ? null : 'delta';
}

/**
 * Two deltas that change an index the same way. A version loaded from JSON against its parent
 * lists its pairs in another order than the commit that made it, and removes each changed
 * lineage before setting it again: what counts is the index it gives (removals first, as
 * `applyDelta` does).
 */
function sameDelta(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const effect = (text: string): Map<unknown, unknown> => {
    const items = JSON.parse(text) as unknown[];
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < items.length; i += 2) if (items[i + 1] === null) out.set(items[i], null);
    for (let i = 0; i < items.length; i += 2) if (items[i + 1] !== null) out.set(items[i], items[i + 1]);
    return out;
  };
  return isDeepStrictEqual(effect(a), effect(b));
}

/** The first field in which `row` differs from the record held; null when it does not. */
function recordDifference(row: ExecutionRow, record: FunctionExecution): string | null {
  const expected = executionRow(record);
  for (const f of ['functionName', 'status', 'startedAt'] as const) {
    if (row[f] !== expected[f]) return f;
  }
  return row.record === expected.record || isDeepStrictEqual(readBack(row.record), readBack(expected.record))
    ? null
    : 'record';
}

/**
 * A record's JSON as it reads back: a part that was named instead of written (not data) is the
 * text a reader makes of it, which is what a record read back and exported again writes.
 */
function readBack(text: string): Record<string, unknown> {
  const json = JSON.parse(text) as Record<string, JsonValue>;
  const parts = (o: Record<string, JsonValue>, read: (key: string, v: JsonValue) => unknown): object => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(o)) setOwn(out, key, read(key, o[key]));
    return out;
  };
  const part = (_: string, v: JsonValue): unknown => unstoredPart(v) ?? v;
  return parts(json, (key, v) =>
    key === 'inputs' && isJsonObject(v)
      ? parts(v as Record<string, JsonValue>, (k, w) =>
          k === 'values' && isJsonObject(w) ? parts(w as Record<string, JsonValue>, part) : part(k, w),
        )
      : part(key, v),
  ) as Record<string, unknown>;
}
