import { runtimeOfObject } from '../entity/class-runtime';
import { StoredMeta, VALUES, attachMeta, isStoredEntity, metaOf, type EntityObject } from '../metadata/object-model';
import { sameIterationOrder } from '../metadata/values';
import { newId } from '../util/ids';

/** Where an entity sits in the new tree. */
export interface Placement {
  readonly parentLineageId: string | null;
  readonly place: string;
}

export interface Provenance {
  readonly functionName: string;
  readonly executionId: string;
}

/** Everything `persist` needs to know about the new state of one tree. */
/** Field indices (a Set, or a Map keyed by field index). */
export interface FieldSet {
  has(fieldIndex: number): boolean;
}

export interface PersistPlan {
  readonly root: EntityObject;
  /** Entities of the new tree that get a new stored version (forks and never-stored ones). */
  readonly modified: ReadonlySet<EntityObject>;
  /** An entity's values in the new tree (a working object's own, or a draft's view of a stored one). */
  valuesOf(entity: EntityObject): readonly unknown[];
  placementOf(entity: EntityObject): Placement;
  /** Per parent: fields holding a modified child; they are rebuilt even when equal by lineage. */
  readonly dirtyFields: ReadonlyMap<EntityObject, FieldSet>;
  readonly provenance: Provenance | null;
  readonly identity?: ReadonlyMap<EntityObject, IdentityOverride>;
  /**
   * Optional fast path: freeze a field value the caller owns in place (swapping in the stored
   * versions of its modified children), instead of copying it. Returns undefined to decline.
   */
  freezeOwned?(entity: EntityObject, fieldIndex: number, value: unknown, mapLeaf: (leaf: EntityObject) => EntityObject): unknown;
  /**
   * The version an entity forks from when another commit of the same execution stored it first
   * (a child returned on its own while it stays in its tree): undefined for the usual lookup.
   */
  storedEarlier?(entity: EntityObject): EntityObject | undefined;
}

/** Identity decided before persisting (so sibling outputs can name each other's new ids). */
export interface IdentityOverride {
  ecsId?: string;
  outputIndex?: number | null;
  siblingOutputEntities?: readonly string[];
  attributeSource?: Readonly<Record<string, string | null>>;
}

export interface PersistResult {
  readonly root: EntityObject;
  /** Source object (working or stored) -> its new stored version. */
  readonly stored: Map<EntityObject, EntityObject>;
  /** Old ecsId -> new ecsId, for every entity that forked. */
  readonly idMap: Map<string, string>;
}

/**
 * Creates the stored versions of the modified entities of one tree, bottom-up, sharing every
 * unmodified entity and every unchanged field value with the previous version. Touches nothing
 * outside its result: the caller commits it to the registry and updates working objects.
 */
export function persist(plan: PersistPlan, lookupStored: (ecsId: string) => EntityObject | undefined): PersistResult {
  const now = Date.now();
  const stored = new Map<EntityObject, EntityObject>();
  const idMap = new Map<string, string>();
  /** The version an entity forks from (itself if stored; by ecsId for a working copy; none if new). */
  const previousOf = (e: EntityObject): EntityObject | undefined => {
    const earlier = plan.storedEarlier?.(e);
    if (earlier !== undefined) return earlier;
    const m = metaOf(e);
    return m.stored ? e : lookupStored(m.ecsId);
  };
  /** The new ecsId of a modified entity: pre-assigned, fresh for a fork, kept for a new entity. */
  const newIdOf = (e: EntityObject, prev: EntityObject | undefined): string =>
    plan.identity?.get(e)?.ecsId ?? (prev ? newId() : metaOf(e).ecsId);
  const rootMeta = metaOf(plan.root);
  // The root's id first: every new stored entity names it as its root.
  const rootPrevious = plan.modified.has(plan.root) ? previousOf(plan.root) : undefined;
  const rootEcsId = plan.modified.has(plan.root) ? newIdOf(plan.root, rootPrevious) : rootMeta.ecsId;

  const storedLeaf = (leaf: EntityObject): EntityObject => {
    if (plan.modified.has(leaf)) return persistOne(leaf);
    if (isStoredEntity(leaf)) return leaf;
    const s = lookupStored(metaOf(leaf).ecsId);
    if (!s) throw new Error(`internal: unmodified entity ${metaOf(leaf).ecsId} has no stored version`);
    return s;
  };

  function persistOne(e: EntityObject): EntityObject {
    const done = stored.get(e);
    if (done) return done;
    const rt = runtimeOfObject(e);
    const { meta: cls } = rt;
    const m = metaOf(e);
    const prev = e === plan.root ? rootPrevious : previousOf(e);
    const ecsId = e === plan.root ? rootEcsId : newIdOf(e, prev);
    if (prev) idMap.set(m.ecsId, ecsId);
    const prevValues = prev && prev.constructor === e.constructor ? prev[VALUES] : undefined;
    const values = plan.valuesOf(e);
    const dirty = plan.dirtyFields.get(e);
    const frozen = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const prevValue = prevValues === undefined ? undefined : prevValues[i];
      if (prevValues !== undefined && !dirty?.has(i) && (v === prevValue || (cls.fieldEquals(i, v, prevValue) && sameIterationOrder(v, prevValue)))) {
        frozen[i] = prevValues[i];
      } else {
        if (typeof v !== 'object' || v === null) frozen[i] = v;
        else frozen[i] = plan.freezeOwned?.(e, i, v, storedLeaf) ?? cls.freezeField(i, v, storedLeaf);
      }
    }
    Object.freeze(frozen);
    const placement = plan.placementOf(e);
    const prevMeta = prev ? metaOf(prev) : undefined;
    const extra = plan.identity?.get(e);
    const meta = new StoredMeta(
      ecsId,
      m.liveId,
      m.lineageId,
      rootEcsId,
      rootMeta.liveId,
      prevMeta ? prevMeta.ecsId : m.previousEcsId,
      // One link of ids, not the previous meta: a version must not keep its predecessors' metadata alive.
      prevMeta === undefined ? m.history : { id: prevMeta.ecsId, next: prevMeta.history },
      m.createdAt,
      prevMeta ? now : m.forkedAt,
      plan.provenance ? plan.provenance.functionName : m.derivedFromFunction,
      plan.provenance ? plan.provenance.executionId : m.derivedFromExecutionId,
      extra?.siblingOutputEntities
        ? Object.freeze([...extra.siblingOutputEntities])
        : m.stored
          ? m.siblingOutputEntities // already frozen: share it
          : Object.freeze([...m.siblingOutputEntities]),
      extra?.outputIndex !== undefined ? extra.outputIndex : m.outputIndex,
      extra?.attributeSource === undefined && m.stored
        ? m.attributeSource // already frozen: share it
        : Object.freeze({ ...m.attributeSource, ...extra?.attributeSource }),
      placement.parentLineageId,
      placement.place,
    );
    const snapshot = attachMeta(rt.makeStored(frozen), Object.freeze(meta));
    Object.freeze(snapshot);
    stored.set(e, snapshot);
    return snapshot;
  }

  const root = persistOne(plan.root);
  for (const e of plan.modified) persistOne(e);
  return { root, stored, idMap };
}
