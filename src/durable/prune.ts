/**
 * Retention (SPEC §12): which rows `StorageEngine.prune` deletes or rewrites, decided from rows
 * alone, so every engine over the same tables (SQLite now, PostgreSQL later) prunes the same way;
 * the engine applies the plan in one transaction. `PruneKeep` and `PruneReport` (rows.ts) say
 * what is kept.
 */
import type { JsonValue } from '../serialize/format';
import { RowCache, childRefs, isJsonObject, readRow, wholeRow, type RowSource } from './entity-rows';
import { StoreCorruptError } from './errors';
import { keptRootVersions } from '../store/retention';
import type { EntityRow, ExecutionRow, PruneKeep, PruneReport, RootVersionRow } from './rows';

/** What the planner reads. Each iterable is read to its end before the next lookup. */
export interface PruneSource extends RowSource {
  /** Every root version, in commit order. */
  rootVersions(): Iterable<RootVersionRow>;
  /** The ecsId of every entity row. */
  entityIds(): Iterable<string>;
  executions(): Iterable<ExecutionRow>;
}

/** What a prune changes; nothing is changed while it is made. */
export interface PrunePlan {
  /** Root versions to delete. */
  readonly versions: readonly RootVersionRow[];
  /** Entity rows to delete (by ecsId). */
  readonly entities: readonly string[];
  /** Execution rows to delete (by id). */
  readonly executions: readonly string[];
  /** Kept entity rows to write whole (`wholeRow`), because a row they read from is deleted. */
  readonly rewrites: readonly EntityRow[];
  /** How many UTF-8 bytes the rewrites add to `identity` and `data`. */
  readonly rewriteBytes: number;
  /** Kept root versions whose parent is deleted: their `delta` becomes null (see `RootVersionRow.delta`). */
  readonly wholeDeltas: readonly RootVersionRow[];
}

/** The plan for `keep` (checked by `checkKeep`) over `source`'s rows. */
export function planPrune(keep: PruneKeep, source: PruneSource): PrunePlan {
  const all = [...source.rootVersions()];
  const keptVersions = keptRootVersions(keep, all);
  const removedVersions = all.filter((v) => !keptVersions.has(v.ecsId));

  // Every entity row a kept version reaches, each read once (kept versions share most of them).
  const cache = new RowCache();
  const keptEntities = new Set<string>();
  /** Executions a kept entity row names as its provenance. */
  const provenance = new Set<string>();
  /** Kept rows that read from their previous version's row: [ecsId, previousEcsId]. */
  const leaning: [string, string][] = [];
  const pending = [...keptVersions];
  while (pending.length > 0) {
    const ecsId = pending.pop()!;
    if (keptEntities.has(ecsId)) continue;
    keptEntities.add(ecsId);
    const row = source.entity(ecsId);
    if (row === undefined) throw new StoreCorruptError(`missing entity row ${ecsId} (in a kept version)`, ecsId);
    if (row.derivedFromExecutionId !== null) provenance.add(row.derivedFromExecutionId);
    const { fields, derivedOldIds, spliced } = readRow(row, source, cache);
    for (const ref of childRefs(fields)) if (!keptEntities.has(ref)) pending.push(ref);
    if ((derivedOldIds || spliced) && row.previousEcsId !== null) leaning.push([ecsId, row.previousEcsId]);
  }

  // Rewritten before anything is deleted: `wholeRow` reads the previous rows. A row whose previous
  // row is kept needs nothing: that row is kept readable the same way.
  const rewrites: EntityRow[] = [];
  let rewriteBytes = 0;
  for (const [ecsId, previousEcsId] of leaning) {
    if (keptEntities.has(previousEcsId)) continue;
    const row = source.entity(ecsId)!;
    const whole = wholeRow(row, source, cache);
    rewrites.push(whole);
    rewriteBytes += textBytes(whole.identity, whole.data) - textBytes(row.identity, row.data);
  }

  const entities: string[] = [];
  for (const ecsId of source.entityIds()) if (!keptEntities.has(ecsId)) entities.push(ecsId);

  const removedIds = new Set(removedVersions.map((v) => v.ecsId));
  const wholeDeltas = all.filter(
    (v) => keptVersions.has(v.ecsId) && v.delta !== null && v.parentEcsId !== null && removedIds.has(v.parentEcsId),
  );

  const executions: string[] = [];
  for (const row of source.executions())
    if (!recordKept(row, keptVersions, keptEntities, provenance)) executions.push(row.id);

  return { versions: removedVersions, entities, executions, rewrites, rewriteBytes, wholeDeltas };
}

/**
 * The records rule (rows.ts, `StorageEngine.prune`): kept when it is about something kept, and
 * everything it references by `{ $ref }` (its result) is kept, so it still reads back.
 */
function recordKept(
  row: ExecutionRow,
  keptVersions: ReadonlySet<string>,
  keptEntities: ReadonlySet<string>,
  provenance: ReadonlySet<string>,
): boolean {
  let record: unknown;
  try {
    record = JSON.parse(row.record);
  } catch (error) {
    throw new StoreCorruptError(`execution row ${row.id} is not JSON: ${(error as Error).message}`, row.id);
  }
  if (!isJsonObject(record)) throw new StoreCorruptError(`execution row ${row.id} is not a record object`, row.id);
  for (const ref of childRefs(record as Record<string, JsonValue>)) if (!keptEntities.has(ref)) return false;
  if (provenance.has(row.id)) return true;
  const inputs = record.inputs;
  const named = [...ids(record.versionIds), ...ids(isJsonObject(inputs) ? inputs.rootIds : undefined)];
  return named.length === 0 || named.some((id) => keptVersions.has(id));
}

/** The strings of a record's id list (anything else: none). */
function ids(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

function textBytes(...texts: string[]): number {
  let n = 0;
  for (const t of texts) n += Buffer.byteLength(t, 'utf8');
  return n;
}

/** How an engine changes its rows for a plan (inside its prune transaction). */
export interface PruneSink {
  rewrite(row: EntityRow): void;
  wholeDelta(ecsId: string): void;
  /** Each `drop` deletes one row by key and returns the UTF-8 bytes of its text columns. */
  dropVersion(ecsId: string): number;
  dropEntity(ecsId: string): number;
  dropExecution(id: string): number;
  /** Lowers a lineage's version count by `n`. */
  uncount(lineageId: string, n: number): void;
}

/** Plans a prune and applies it through `sink`; the report, but for `fileBytesFreed` (the engine's). */
export function applyPrune(keep: PruneKeep, source: PruneSource, sink: PruneSink): Omit<PruneReport, 'fileBytesFreed'> {
  const plan = planPrune(keep, source);
  let bytes = 0 - plan.rewriteBytes; // not `-x`: no rewrites is 0, not -0
  for (const row of plan.rewrites) sink.rewrite(row);
  for (const v of plan.wholeDeltas) {
    sink.wholeDelta(v.ecsId);
    bytes += Buffer.byteLength(v.delta!, 'utf8');
  }
  const removedPerLineage = new Map<string, number>();
  for (const v of plan.versions) {
    bytes += sink.dropVersion(v.ecsId);
    removedPerLineage.set(v.lineageId, (removedPerLineage.get(v.lineageId) ?? 0) + 1);
  }
  for (const [lineageId, n] of removedPerLineage) sink.uncount(lineageId, n);
  for (const ecsId of plan.entities) bytes += sink.dropEntity(ecsId);
  for (const id of plan.executions) bytes += sink.dropExecution(id);
  return {
    versionsRemoved: plan.versions.length,
    entitiesRemoved: plan.entities.length,
    executionsRemoved: plan.executions.length,
    rowsRewritten: plan.rewrites.length + plan.wholeDeltas.length,
    bytesReclaimed: bytes,
  };
}
