/**
 * The memory budget of a version store over a durable store (SPEC §12: memory is bounded). The
 * store keeps its recent entities and versions in plain maps; this keeps the count of their
 * estimated bytes and, once it passes the budget, moves the oldest out of those maps into weak
 * references: an object that left is still found while anything holds it (one object per ecsId
 * while referenced), and collected once nothing does (the store then reads it from its rows again).
 */
import { VALUES, type EntityObject } from '../metadata/object-model';

export class MemoryBudget<V extends { readonly root: EntityObject }> {
  /** Estimated bytes of the entities in the store's map (and its queue of published ones). */
  private bytes = 0;
  /** Entities that left the store's map, for as long as something else holds them. */
  private readonly entities = new Map<string, WeakRef<EntityObject>>();
  /** Versions that left with their root entity, likewise. */
  private readonly versions = new Map<string, WeakRef<V>>();
  /** How many references were left after the last sweep of dead ones. */
  private liveAfterSweep = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The store's map took `e` (committed, or read from the store). */
  added(e: EntityObject): void {
    this.bytes += entityBytes(e);
  }

  /**
   * A commit's new stored entities (`CommitResult.stored`). A function of its own: a loop inside
   * `VersionStore.publish` would be compiled from the first, huge commit (see version-store.ts).
   */
  addedAll(stored: ReadonlyMap<unknown, EntityObject>): void {
    for (const e of stored.values()) this.bytes += entityBytes(e);
  }

  /** The store's map let go of `e` (a withdrawn version's entity). */
  removed(e: EntityObject): void {
    this.bytes -= entityBytes(e);
  }

  get over(): boolean {
    return this.bytes > this.budgetBytes;
  }

  /** An entity that left the store's map, if something still holds it. */
  entity(ecsId: string): EntityObject | undefined {
    return this.entities.get(ecsId)?.deref();
  }

  /** A version that left the store's map, if something still holds it. */
  version(ecsId: string): V | undefined {
    return this.versions.get(ecsId)?.deref();
  }

  /** Forgets an entity and a version by id (withdrawn, or back in the store's map). */
  forget(ecsId: string): void {
    this.entities.delete(ecsId);
    this.versions.delete(ecsId);
  }

  /**
   * Makes room: the oldest of `entities` (insertion order) leave it until the estimate is at three
   * quarters of the budget (a margin, so not every commit evicts), each kept by a weak reference;
   * a version of `versions` leaves with its root. Dead references are swept once they have doubled.
   */
  evict(entities: Map<string, EntityObject>, versions: Map<string, V>): void {
    const target = this.budgetBytes * 0.75;
    for (const [ecsId, e] of entities) {
      if (this.bytes <= target) break;
      entities.delete(ecsId);
      this.bytes -= entityBytes(e);
      this.entities.set(ecsId, new WeakRef(e));
      const version = versions.get(ecsId);
      if (version !== undefined) {
        versions.delete(ecsId);
        this.versions.set(ecsId, new WeakRef(version));
      }
    }
    if (this.entities.size + this.versions.size > 2 * this.liveAfterSweep + 1024) {
      sweep(this.entities);
      sweep(this.versions);
      this.liveAfterSweep = this.entities.size + this.versions.size;
    }
  }

  /** Forgets everything (the store's maps are cleared with it). */
  clear(): void {
    this.bytes = 0;
    this.entities.clear();
    this.versions.clear();
    this.liveAfterSweep = 0;
  }
}

/**
 * A stored entity's size in memory, estimated (object, identity, value slots, strings and
 * containers it holds directly; shared values are counted again, so the estimate errs high).
 */
export function entityBytes(e: EntityObject): number {
  const values = e[VALUES];
  let n = ENTITY_BYTES + 16 * values.length;
  for (const v of values) {
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) n += 8 * v.length;
    else if (v instanceof Map || v instanceof Set) n += 24 * v.size;
  }
  return n;
}
const ENTITY_BYTES = 640;

function sweep<T extends object>(refs: Map<string, WeakRef<T>>): void {
  for (const [id, ref] of refs) if (ref.deref() === undefined) refs.delete(id);
}
