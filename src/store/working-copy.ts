import { runtimeOfObject } from '../entity/class-runtime';
import { containerKind, mapItemsInPlace } from '../metadata/containers';
import { VALUES, attachMeta, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { newId } from '../util/ids';

/**
 * A mutable working copy of a stored entity's subtree: new objects with new liveIds, the same
 * ecsIds (so `version()` knows what they came from), data deep-copied. `asRoot` keeps the root
 * ids (checkout of a root version); otherwise the copy is an orphan, detached from any tree.
 * `copies` receives stored entity -> its copy, for every entity of the subtree.
 */
export function workingCopyOf(
  stored: EntityObject,
  asRoot: boolean,
  copies = new Map<EntityObject, EntityObject>(),
): EntityObject {
  // Copies whose values are not filled yet (the stored entity, then the copy's values array): a
  // loop, not a recursion, so entity chains of any depth work.
  const pending: Array<EntityObject | unknown[]> = [];
  const rootLiveId = newId();
  const rootEcsId = asRoot ? metaOf(stored).ecsId : null;
  const copy = (e: EntityObject): EntityObject => {
    const existing = copies.get(e);
    if (existing) return existing;
    const rt = runtimeOfObject(e);
    const src = e[VALUES];
    const values = new Array<unknown>(src.length);
    const m = metaOf(e);
    // Spelled out, not spread: one shape for every copy. The frozen provenance arrays and records
    // are shared: identity records replace them, never change them in place.
    const obj = attachMeta(rt.makeWorking(values), {
      ecsId: m.ecsId,
      liveId: e === stored ? rootLiveId : newId(),
      lineageId: m.lineageId,
      rootEcsId,
      rootLiveId: rootEcsId === null ? null : rootLiveId,
      previousEcsId: m.previousEcsId,
      history: m.history,
      createdAt: m.createdAt,
      forkedAt: m.forkedAt,
      derivedFromFunction: m.derivedFromFunction,
      derivedFromExecutionId: m.derivedFromExecutionId,
      siblingOutputEntities: m.siblingOutputEntities,
      outputIndex: m.outputIndex,
      attributeSource: m.attributeSource,
      stored: false,
      parentLineageId: null, // placement is only recorded for stored versions
      place: '',
    });
    copies.set(e, obj);
    pending.push(e, values);
    return obj;
  };
  const root = copy(stored);
  while (pending.length > 0) {
    const values = pending.pop() as unknown[];
    const source = pending.pop() as EntityObject;
    const src = source[VALUES];
    const { meta } = runtimeOfObject(source);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      values[i] = typeof v === 'object' && v !== null ? copyValue(meta.thawField(i, v), copy) : v;
    }
  }
  return root;
}

/** Replaces the entity leaves of an already thawed (mutable) value, in place (stored data: never deeper than MAX_DATA_DEPTH). */
function copyValue(value: unknown, copy: (e: EntityObject) => EntityObject): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEntityObject(value)) return copy(value);
  const kind = containerKind(value, 'any'); // null: a Date
  return kind === null ? value : mapItemsInPlace(value, kind, (item) => copyValue(item, copy));
}
