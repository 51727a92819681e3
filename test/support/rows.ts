/** Rows for engine tests: a first version's entity row and root version row (fields overridable). */
import type { EntityRow, RootVersionRow } from '../../src/durable/rows';

/** The entity row of a first version whose root is the entity itself (`ecsId` = `rootEcsId`). */
export function entityRow(ecsId: string, lineageId: string, over: Partial<EntityRow> = {}): EntityRow {
  return {
    ecsId,
    lineageId,
    className: 'Thing',
    rootEcsId: ecsId,
    previousEcsId: null,
    parentLineageId: null,
    place: '',
    createdAt: Date.now(),
    forkedAt: null,
    derivedFromExecutionId: null,
    identity: '{}',
    data: '{}',
    ...over,
  };
}

/** A root version row; its delta names only itself when it has a parent. */
export function versionRow(
  ecsId: string,
  lineageId: string,
  parentEcsId: string | null,
  rootClass = 'Thing',
): RootVersionRow {
  return {
    ecsId,
    lineageId,
    parentEcsId,
    createdAt: Date.now(),
    rootClass,
    delta: parentEcsId === null ? null : JSON.stringify([lineageId, ecsId]),
  };
}
