import { runtimeOfObject } from '../entity/class-runtime';
import { dataError, isAnonymousDataError } from '../metadata/data-kinds';
import {
  ForkLink,
  type IdChain,
  StoredMeta,
  VALUES,
  attachMeta,
  isStoredEntity,
  metaOf,
  type EntityObject,
} from '../metadata/object-model';
import type { PathSegment } from '../metadata/types';
import { sameIterationOrder } from '../metadata/values';
import { TreeStructureError } from '../tree/errors';
import { newId } from '../util/ids';
import { formatPath } from '../util/paths';

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
  freezeOwned?(
    entity: EntityObject,
    fieldIndex: number,
    value: unknown,
    mapLeaf: (leaf: EntityObject) => EntityObject,
  ): unknown;
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
 * How deep one pass of the persisting recursion may go, in levels of data; an entity level
 * counts as ENTITY_LEVEL of them (it costs about that many stack frames). Deeper trees are
 * persisted in several passes (see `persist`), so entity chains of any depth are stored.
 */
const NESTING_PER_PASS = 400;
const ENTITY_LEVEL = 4;

/** Unwinds a pass that got too deep: `entity` is persisted first, then the pass is retried. */
class Deeper {
  constructor(readonly entity: EntityObject) {}
}

/** In `stored` while an entity is being persisted: meeting it again means it contains itself. */
const IN_PROGRESS = Object.freeze({}) as EntityObject;

/**
 * Creates the stored versions of the modified entities of one tree, bottom-up, sharing every
 * unmodified entity and every unchanged field value with the previous version. Touches nothing
 * outside its result: the caller commits it to the registry and updates working objects.
 *
 * Bottom-up is a recursion (a parent's frozen fields need its children's stored versions). A pass
 * that gets deeper than NESTING_PER_PASS stops, persists the entity where it stopped first (in a
 * pass of its own), and starts again, now finding that entity done; the work of the stopped pass
 * is redone, so a long chain costs about twice the work of a shallow tree.
 *
 * @throws UnsupportedValueError, DataDepthError, DataCycleError for a field value that is not
 * field data (SPEC §1); TreeStructureError for an entity that contains itself.
 */
export function persist(
  plan: PersistPlan,
  lookupStored: (ecsId: string) => EntityObject | undefined,
  /** Over a durable store: reads a stored version's history, so a fork need not hold it (`ForkLink`). */
  historyOf: ((ecsId: string) => IdChain | null) | null = null,
): PersistResult {
  const now = Date.now();
  const stored = new Map<EntityObject, EntityObject>();
  const idMap = new Map<string, string>();
  /** Entities of the current pass being persisted, outermost first. */
  let active: EntityObject[] = [];
  /** Passes that stopped, outermost first, each with its entities (still IN_PROGRESS: they wait). */
  const waiting: { readonly entity: EntityObject; chain: EntityObject[] }[] = [];
  /** The nesting of the entity being persisted. */
  let nesting = 0;
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

  const storedLeaf = (leaf: EntityObject, depth = 0): EntityObject => {
    if (plan.modified.has(leaf)) {
      const at = nesting + ENTITY_LEVEL + depth;
      if (at > NESTING_PER_PASS && stored.get(leaf) === undefined) throw new Deeper(leaf);
      return persistOne(leaf, at);
    }
    if (isStoredEntity(leaf)) return leaf;
    const s = lookupStored(metaOf(leaf).ecsId);
    if (!s) throw new Error(`internal: unmodified entity ${metaOf(leaf).ecsId} has no stored version`);
    return s;
  };

  function persistOne(e: EntityObject, at: number): EntityObject {
    const done = stored.get(e);
    if (done !== undefined) {
      if (done === IN_PROGRESS) throw cycleError(e);
      return done;
    }
    stored.set(e, IN_PROGRESS);
    active.push(e);
    const outer = nesting;
    nesting = at;
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
      if (
        prevValues !== undefined &&
        !dirty?.has(i) &&
        (v === prevValue || (cls.fieldEquals(i, v, prevValue) && sameIterationOrder(v, prevValue)))
      ) {
        frozen[i] = prevValues[i];
      } else if (typeof v !== 'object' || v === null) {
        if (typeof v === 'function' || typeof v === 'symbol')
          throw dataError(v, [cls.fields[i].name], 0, cls.name, 'storing');
        frozen[i] = v;
      } else {
        try {
          frozen[i] = plan.freezeOwned?.(e, i, v, storedLeaf) ?? cls.freezeField(i, v, storedLeaf);
        } catch (err) {
          // The value walks do not know the class and field; explained again from the field's top.
          // `Deeper` is this function's own signal to continue in the next pass, not bad data.
          throw !(err instanceof Deeper) && isAnonymousDataError(err)
            ? dataError(v, [cls.fields[i].name], 0, cls.name, 'storing', err)
            : err;
        }
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
      prevMeta === undefined
        ? m.history
        : new ForkLink(prevMeta.ecsId, historyOf === null ? prevMeta.history : null, historyOf),
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
    active.pop();
    nesting = outer;
    return snapshot;
  }

  /** Persists `start`, in as many passes as its depth needs. */
  function persistFrom(start: EntityObject): EntityObject {
    try {
      return persistOne(start, 0);
    } catch (err) {
      if (!(err instanceof Deeper)) throw err;
      waiting.push({ entity: start, chain: active }, { entity: err.entity, chain: [] });
      active = [];
      nesting = 0;
    }
    let result: EntityObject | undefined;
    while (waiting.length > 0) {
      const pass = waiting[waiting.length - 1];
      for (const e of pass.chain) stored.delete(e); // retried: no longer in progress
      pass.chain = [];
      try {
        result = persistOne(pass.entity, 0);
        waiting.pop();
      } catch (err) {
        if (!(err instanceof Deeper)) throw err;
        pass.chain = active;
        active = [];
        nesting = 0;
        waiting.push({ entity: err.entity, chain: [] });
      }
    }
    return result!;
  }

  /** The TreeStructureError for `e`, met again while it is being persisted: the path around the cycle. */
  function cycleError(e: EntityObject): TreeStructureError {
    const open = [...waiting.flatMap((w) => w.chain), ...active];
    const cycle = [...open.slice(open.indexOf(e)), e];
    const segments: PathSegment[] = [];
    for (let k = 1; k < cycle.length; k++) {
      let found: readonly PathSegment[] = [];
      runtimeOfObject(cycle[k - 1]).meta.forEachChild(plan.valuesOf(cycle[k - 1]), (child, path) => {
        if (child === cycle[k]) found = path;
      });
      segments.push(...found);
    }
    const name = e.constructor.name;
    const again = formatPath(name, segments);
    return new TreeStructureError(
      `${name} ${metaOf(e).ecsId} occurs twice in the tree (a cycle: it contains itself): at ${name} and at ${again}`,
      name,
      again,
    );
  }

  const root = persistFrom(plan.root);
  for (const e of plan.modified) persistFrom(e);
  return { root, stored, idMap };
}
