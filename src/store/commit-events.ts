/**
 * The events of a published commit (SPEC §7): `entity.register` for the first version of a
 * lineage, `entity.version` for a function's change to a tree, and the data of `entity.version`
 * events that `version()` emits too.
 */
import type { EventBus } from '../events';
import { Event, LazyMetadata, type LazyFields } from '../events/event';
import type { EntityRegisterMetadata, EntityVersionMetadata, LineageBranchMetadata } from '../events/framework-events';
import { runOperation } from '../events/operation';
import type { CommitResult } from './commit';

/**
 * Announces a published commit: `entity.register` for a first version, otherwise
 * `entity.version` with the fields a function changed (`changedFields`; null: no event, the
 * caller's own operation event says it). Never throws: the version is stored already, so a
 * failure while announcing it goes to `errors$`.
 */
export function announceCommit(
  bus: EventBus,
  prepared: CommitResult,
  changedFields: ReadonlyMap<string, string[]> | null,
): void {
  if (!bus.isObserved) return;
  const { version } = prepared;
  const root = version.root;
  try {
    if (version.parentEcsId === null) {
      runOperation(
        bus,
        () => ({ type: 'entity.register', subjectType: root.constructor.name, subjectId: version.ecsId }),
        () => undefined,
        () =>
          ({
            rootEcsId: version.ecsId,
            lineageId: version.lineageId,
            entityCount: prepared.stored.size,
          }) satisfies EntityRegisterMetadata,
      );
    } else if (changedFields !== null) {
      runOperation(
        bus,
        () => ({
          type: 'entity.version',
          subjectType: root.constructor.name,
          subjectId: version.parentEcsId ?? undefined,
        }),
        () => undefined,
        () => versionEventData(true, version.ecsId, prepared.idMap, changedFields),
      );
    }
  } catch (error) {
    bus.reportError(
      error,
      new Event({
        type: version.parentEcsId === null ? 'entity.register' : 'entity.version',
        subjectId: version.ecsId,
      }),
      'announce',
    );
  }
}

/** The data of an `entity.version` event; the maps are turned into objects on first read. */
export function versionEventData(
  created: boolean,
  rootEcsId: string,
  idMap: ReadonlyMap<string, string>,
  changedFields: ReadonlyMap<string, string[]>,
): LazyFields<EntityVersionMetadata> {
  return {
    created,
    rootEcsId,
    idMap: new LazyMetadata(() => Object.fromEntries(idMap)),
    changedFields: new LazyMetadata(() => Object.fromEntries(changedFields)),
  };
}

/** A version a shared store wrote on a parent that was no longer its lineage's head (SPEC §13). */
export interface BranchInfo {
  readonly lineageId: string;
  /** The version written. */
  readonly ecsId: string;
  readonly parentEcsId: string | null;
  /** The lineage's head it replaced (the version it did not build on). */
  readonly replacedHead: string;
}

// ===== EVENTS: lineage.branch — the one place it is emitted (SPEC §13) =====================
/**
 * Announces a branch: `lineage.branch`, one-shot (phase `emitted`), subject the lineage, metadata
 * `{ lineageId, ecsId, parentEcsId, replacedHead }`. Emitted when the store reports it, after the
 * commit: outside the operation that made the version.
 */
export function announceBranch(bus: EventBus, branch: BranchInfo): void {
  if (!bus.isObserved) return;
  const { lineageId, ecsId, parentEcsId, replacedHead } = branch;
  bus.emit(
    new Event({
      type: 'lineage.branch',
      subjectType: 'lineage',
      subjectId: lineageId,
      metadata: { lineageId, ecsId, parentEcsId, replacedHead } satisfies LineageBranchMetadata,
    }),
  );
}
