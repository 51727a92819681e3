/**
 * Retention (SPEC §12): what `registry.prune({ keep })` keeps, the same rule for every store (the
 * memory store applies it to the registry's memory, a durable store to its rows: durable/prune.ts).
 */
import { describeValue } from '../metadata/describe-value';
import { StoreOptionError } from './errors';

/** What `prune` keeps; at least one option must be given. A lineage's newest version is always kept. */
export interface PruneKeep {
  /** Per lineage, its newest N root versions (commit order); 0 keeps the head alone. */
  readonly newest?: number;
  /** Root versions created at or after this time (ms since the epoch). */
  readonly since?: number;
  /** These root versions (ids of stored ones: an unknown id is an error, nothing is pruned). */
  readonly versions?: readonly string[];
}

/** What a prune did (the memory store: versions and entities removed, bytes estimated; 0 for the rest). */
export interface PruneReport {
  readonly versionsRemoved: number;
  readonly entitiesRemoved: number;
  readonly executionsRemoved: number;
  /**
   * Kept rows rewritten: entity rows written whole (`oldIds` in full, long arrays instead of
   * splices) because a row they read from was removed, and root versions whose `delta` became null.
   */
  readonly rowsRewritten: number;
  /**
   * UTF-8 bytes of stored text the prune took out (every text column of the removed rows: ids,
   * names, `identity`, `data`, `delta`, `record`; and the deltas set to null), less what the
   * rewritten rows grew by. The same measure on every engine; what the file gives back is
   * `fileBytesFreed`.
   */
  readonly bytesReclaimed: number;
  /**
   * Bytes of file pages the prune emptied (net of pages the rewrites took), as the engine measures
   * them: SQLite's free-list growth times the page size. Later writes reuse them; the file does not
   * shrink (`VACUUM`, outside a prune, gives them back to the file system). It differs from
   * `bytesReclaimed` both ways: index pages and page overhead add to it, removed rows that shared
   * pages with kept rows do not count in it.
   */
  readonly fileBytesFreed: number;
}

const KEEP_OPTIONS = ['newest', 'since', 'versions'];

/**
 * `keep` checked (a `StoreOptionError` naming the option otherwise), with version ids lower-cased
 * as the store writes them.
 */
export function checkKeep(keep: unknown): PruneKeep {
  if (typeof keep !== 'object' || keep === null || Array.isArray(keep))
    throw new StoreOptionError('keep', describeValue(keep), 'an object { newest?, since?, versions? }');
  for (const key of Object.keys(keep as object))
    if (!KEEP_OPTIONS.includes(key))
      throw new StoreOptionError(
        `keep.${key}`,
        describeValue((keep as Record<string, unknown>)[key]),
        'no such option',
      );
  const { newest, since, versions } = keep as { newest?: unknown; since?: unknown; versions?: unknown };
  if (newest === undefined && since === undefined && versions === undefined)
    throw new StoreOptionError(
      'keep',
      describeValue(keep),
      'at least one of newest, since or versions (pruning with none would remove every version but the heads)',
    );
  if (newest !== undefined && !(Number.isSafeInteger(newest) && (newest as number) >= 0))
    throw new StoreOptionError('keep.newest', describeValue(newest), 'a non-negative integer');
  if (since !== undefined && !Number.isFinite(since))
    throw new StoreOptionError('keep.since', describeValue(since), 'a finite number (ms since the epoch)');
  if (versions !== undefined) {
    if (!Array.isArray(versions))
      throw new StoreOptionError('keep.versions', describeValue(versions), 'an array of ids');
    for (const id of versions as unknown[])
      if (typeof id !== 'string')
        throw new StoreOptionError('keep.versions', describeValue(id), 'a root version id (string)');
  }
  return {
    ...(newest === undefined ? {} : { newest: newest as number }),
    ...(since === undefined ? {} : { since: since as number }),
    ...(versions === undefined ? {} : { versions: (versions as string[]).map((id) => id.toLowerCase()) }),
  };
}

/** The root versions `keep` keeps: per lineage its head, its newest `newest`, those since `since`, those listed. */
export function keptRootVersions(
  keep: PruneKeep,
  all: readonly { readonly ecsId: string; readonly lineageId: string; readonly createdAt: number }[],
): Set<string> {
  const stored = new Set(all.map((v) => v.ecsId));
  for (const id of keep.versions ?? [])
    if (!stored.has(id)) throw new StoreOptionError('keep.versions', describeValue(id), 'ids of stored root versions');
  const kept = new Set(keep.versions);
  const newest = Math.max(1, keep.newest ?? 1); // the head is always kept
  /** Per lineage, how many of its versions come later in commit order. */
  const later = new Map<string, number>();
  for (let i = all.length - 1; i >= 0; i--) {
    const v = all[i];
    const rank = later.get(v.lineageId) ?? 0;
    later.set(v.lineageId, rank + 1);
    if (rank < newest || (keep.since !== undefined && v.createdAt >= keep.since)) kept.add(v.ecsId);
  }
  return kept;
}
