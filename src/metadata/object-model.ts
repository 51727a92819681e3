/**
 * How an entity object holds its state. Every entity object, working or stored, has:
 *  - its field values in one array under the `VALUES` symbol, in the class's field order; fields are
 *    accessor properties on the class's prototypes, so reads and writes can be redirected (stored
 *    versions are read-only, working copies inside a function call are copy-on-write);
 *  - stored objects also hold each value in its own slot (`fieldSlots`), read by the field's
 *    accessor: one load from the object instead of three (object, array, elements), which is most
 *    of the cost of scanning a large stored array of entities;
 *  - its identity (`EntityMeta`) in a true private slot, invisible to enumeration, spread and
 *    equality checks, and unreachable for user code.
 * This module is the lowest layer: metadata, generated code and everything above read entities through it.
 */

/** The key of an entity object's values array. @internal */
export const VALUES: unique symbol = Symbol('abstractions.values');

const SLOTS: symbol[] = [];

/**
 * The slot keys of fields 0..count-1 of a stored object. Shared by all classes: a slot is named by
 * field index only, so every class's objects use the same few symbols.
 */
export function fieldSlots(count: number): readonly symbol[] {
  while (SLOTS.length < count) SLOTS.push(Symbol(`abstractions.field${SLOTS.length}`));
  return SLOTS.slice(0, count);
}

/** A stored object as its class's stored layout sees it: slots by symbol. */
export type StoredSlots = EntityObject & Record<symbol, unknown>;

/** Marks Entity.prototype, so any layer can recognise entities without importing the class. */
export const ENTITY_BRAND: unique symbol = Symbol.for('abstractions.entity');

export interface EntityObject {
  [VALUES]: unknown[];
}

/** Identity and provenance of one entity object. Frozen for stored versions. */
export interface EntityMeta {
  ecsId: string;
  liveId: string;
  lineageId: string;
  rootEcsId: string | null;
  rootLiveId: string | null;
  previousEcsId: string | null;
  /**
   * Earlier ecsIds, newest first, as a shared linked list of ids: forking is O(1) however long the
   * history, and a version keeps only the ids of its past, none of its earlier metadata.
   */
  history: IdChain | null;
  createdAt: number;
  forkedAt: number | null;
  derivedFromFunction: string | null;
  derivedFromExecutionId: string | null;
  siblingOutputEntities: readonly string[];
  outputIndex: number | null;
  attributeSource: Readonly<Record<string, string | null>>;
  /** True for stored (immutable) versions. */
  stored: boolean;
  /**
   * Stored versions only: where the entity sits in its tree. A stored version is shared by later
   * versions only while it does not move, so its parent's lineage and its place stay true for all of them.
   */
  parentLineageId: string | null;
  place: string;
}

/**
 * The identity record of a stored version, frozen by its creator. A class rather than an object
 * literal: V8 allocates instances of one constructor faster than a 17-field literal. Fields are
 * `declare`d and assigned once each (class fields would first define all 17 as undefined).
 */
export class StoredMeta implements EntityMeta {
  declare readonly ecsId: string;
  declare readonly liveId: string;
  declare readonly lineageId: string;
  declare readonly rootEcsId: string | null;
  declare readonly rootLiveId: string | null;
  declare readonly previousEcsId: string | null;
  declare readonly history: IdChain | null;
  declare readonly createdAt: number;
  declare readonly forkedAt: number | null;
  declare readonly derivedFromFunction: string | null;
  declare readonly derivedFromExecutionId: string | null;
  declare readonly siblingOutputEntities: readonly string[];
  declare readonly outputIndex: number | null;
  declare readonly attributeSource: Readonly<Record<string, string | null>>;
  declare readonly parentLineageId: string | null;
  declare readonly place: string;
  declare readonly stored: true;

  constructor(
    ecsId: string,
    liveId: string,
    lineageId: string,
    rootEcsId: string | null,
    rootLiveId: string | null,
    previousEcsId: string | null,
    history: IdChain | null,
    createdAt: number,
    forkedAt: number | null,
    derivedFromFunction: string | null,
    derivedFromExecutionId: string | null,
    siblingOutputEntities: readonly string[],
    outputIndex: number | null,
    attributeSource: Readonly<Record<string, string | null>>,
    parentLineageId: string | null,
    place: string,
  ) {
    this.ecsId = ecsId;
    this.liveId = liveId;
    this.lineageId = lineageId;
    this.rootEcsId = rootEcsId;
    this.rootLiveId = rootLiveId;
    this.previousEcsId = previousEcsId;
    this.history = history;
    this.createdAt = createdAt;
    this.forkedAt = forkedAt;
    this.derivedFromFunction = derivedFromFunction;
    this.derivedFromExecutionId = derivedFromExecutionId;
    this.siblingOutputEntities = siblingOutputEntities;
    this.outputIndex = outputIndex;
    this.attributeSource = attributeSource;
    this.parentLineageId = parentLineageId;
    this.place = place;
    this.stored = true;
  }
}

export interface IdChain {
  readonly id: string;
  readonly next: IdChain | null;
}

/**
 * The link a fork adds to a history: `id` is the stored version forked from and `next` is that
 * version's own history. A durable store relies on it to write a row's history as "the previous
 * version's plus one" without holding the previous version (entity-rows.ts); a history read from
 * JSON never has it. `next` is either held (`rest`) or, over a durable store, read when asked for
 * (`read(id)`), so a long-lived process does not keep every id of every lineage's past in memory.
 */
export class ForkLink implements IdChain {
  constructor(
    readonly id: string,
    private readonly rest: IdChain | null,
    private readonly read: ((ecsId: string) => IdChain | null) | null = null,
  ) {}

  get next(): IdChain | null {
    return this.read === null ? this.rest : this.read(this.id);
  }
}

/**
 * A base class whose constructor returns `target`: a subclass's private fields are then added to
 * an object that already exists (the return-override idiom). Internal.
 */
export class Stamp {
  constructor(target: object) {
    return target;
  }
}

let readMeta: (o: object) => EntityMeta;
let holdsMeta: (o: object) => boolean;

/** Attaches the private identity slot to a freshly created object (the return-override idiom). */
class MetaSlot extends Stamp {
  #meta: EntityMeta;
  constructor(target: object, meta: EntityMeta) {
    super(target);
    this.#meta = meta;
  }
  static {
    readMeta = (o) => (o as MetaSlot).#meta;
    holdsMeta = (o) => #meta in o;
  }
}

export function attachMeta<T extends object>(target: T, meta: EntityMeta): T {
  new MetaSlot(target, meta);
  return target;
}

/** The identity of an entity object. Throws a TypeError for anything that is not one. */
export function metaOf(entity: object): EntityMeta {
  return readMeta(entity);
}

/** True for entity objects created by this library (working or stored). */
export function isEntityObject(value: unknown): value is EntityObject {
  return typeof value === 'object' && value !== null && holdsMeta(value);
}

export function lineageOf(entity: object): string {
  return readMeta(entity).lineageId;
}

export function isStoredEntity(value: unknown): boolean {
  return isEntityObject(value) && readMeta(value).stored;
}

export function chainToArray(chain: IdChain | null): string[] {
  const out: string[] = [];
  for (let c = chain; c !== null; c = c.next) out.push(c.id);
  return out.reverse();
}
