import type { EntityMeta } from '../metadata/object-model';
import { newId } from '../util/ids';

/** Identity of a brand-new entity: an orphan with fresh ids. */
export function freshMeta(): EntityMeta {
  return {
    ecsId: newId(),
    liveId: newId(),
    lineageId: newId(),
    rootEcsId: null,
    rootLiveId: null,
    previousEcsId: null,
    history: null,
    createdAt: Date.now(),
    forkedAt: null,
    derivedFromFunction: null,
    derivedFromExecutionId: null,
    siblingOutputEntities: [],
    outputIndex: null,
    attributeSource: {},
    stored: false,
    parentLineageId: null,
    place: '',
  };
}
