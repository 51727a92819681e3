import { inspect } from 'node:util';
import { entityClassRecord } from '../metadata/class-registry';
import { EntityDefinitionError } from '../metadata/errors';
import { ENTITY_BRAND, chainToArray, metaOf, type EntityObject } from '../metadata/object-model';
import { excerpt } from '../util/excerpt';
import { runtimeOfObject } from './class-runtime';
import { entityServices, entitySerializer } from './services';

/** The data fields of an entity class: what typed init and `create` accept. */
export type EntityInit<T> = {
  [K in keyof T as K extends keyof Entity ? never : T[K] extends (...args: never[]) => unknown ? never : K]?: T[K];
};

let templateDepth = 0;

/** Lets the metadata layer construct a template instance to read a class's fields. */
export function constructTemplate<T>(build: () => T): T {
  templateDepth++;
  try {
    return build();
  } finally {
    templateDepth--;
  }
}

/**
 * Base class of every entity. Subclasses declare fields as class properties and are decorated
 * with `@entity()`; the decorator finishes construction (applies the init object after the
 * subclass's field initialisers and gives the object its identity).
 */
export abstract class Entity {
  constructor(init?: object) {
    void init; // applied by @entity() once subclass initialisers have run
    if (templateDepth === 0 && !entityClassRecord(new.target)) {
      throw new EntityDefinitionError(`${new.target.name} extends Entity but is not decorated with @entity()`);
    }
  }

  /** Typed construction: `Student.create({ name: 'Alice' })` checks field names and types. */
  static create<T extends Entity>(this: new (init?: object) => T, init?: EntityInit<T>): T {
    return new this(init);
  }

  /** This version's id. */
  get ecsId(): string {
    return metaOf(this).ecsId;
  }
  /** This in-memory object's id. */
  get liveId(): string {
    return metaOf(this).liveId;
  }
  /** Shared by all versions of this entity. */
  get lineageId(): string {
    return metaOf(this).lineageId;
  }
  get rootEcsId(): string | null {
    return metaOf(this).rootEcsId;
  }
  get rootLiveId(): string | null {
    return metaOf(this).rootLiveId;
  }
  /** The version this one was forked from. */
  get previousEcsId(): string | null {
    return metaOf(this).previousEcsId;
  }
  /** Every earlier ecsId, oldest first. */
  get oldIds(): string[] {
    return chainToArray(metaOf(this).history);
  }
  get createdAt(): Date {
    return new Date(metaOf(this).createdAt);
  }
  get forkedAt(): Date | null {
    const t = metaOf(this).forkedAt;
    return t === null ? null : new Date(t);
  }
  get derivedFromFunction(): string | null {
    return metaOf(this).derivedFromFunction;
  }
  get derivedFromExecutionId(): string | null {
    return metaOf(this).derivedFromExecutionId;
  }
  get siblingOutputEntities(): readonly string[] {
    return Object.freeze([...metaOf(this).siblingOutputEntities]); // a copy: system fields are read-only
  }
  get outputIndex(): number | null {
    return metaOf(this).outputIndex;
  }
  /** Per field: the ecsId of the entity its value was borrowed from, or null. */
  get attributeSource(): Readonly<Record<string, string | null>> {
    return Object.freeze({ ...metaOf(this).attributeSource }); // a copy: system fields are read-only
  }

  isRoot(): boolean {
    const m = metaOf(this);
    return m.rootEcsId !== null && m.rootEcsId === m.ecsId;
  }
  isOrphan(): boolean {
    return metaOf(this).rootEcsId === null;
  }
  /**
   * This entity and its subtree as `toJSON(entity)` writes them (classes, ids, provenance, every
   * value kind), so `JSON.stringify(entity)` gives its JSON rather than `{}`; `fromJSON` reads it.
   * A class may override it with a JSON shape of its own (an API response): `JSON.stringify` then
   * writes that, while `toJSON(entity)` always writes the full form. Typed `object`, not
   * `EntityJSON`, so that such an override may return any shape.
   */
  toJSON(): object {
    return entitySerializer()(this as unknown as EntityObject);
  }
  /** Registers this entity's tree as version 1 of its lineage. */
  promoteToRoot(): this {
    entityServices().promoteToRoot(this as unknown as EntityObject);
    return this;
  }
  /** Removes this entity from its parent tree (versioning it) and makes it a root of its own. */
  detach(): this {
    entityServices().detach(this as unknown as EntityObject);
    return this;
  }
  /** After placing this root inside another working tree: versions that tree with it inside. */
  attach(newParentRoot: Entity): this {
    entityServices().attach(this as unknown as EntityObject, newParentRoot as unknown as EntityObject);
    return this;
  }
  /** The tree this entity is the root of (an `EntityTree`). */
  getTree(): import('../tree/entity-tree').EntityTree {
    return entityServices().getTree(this as unknown as EntityObject) as import('../tree/entity-tree').EntityTree;
  }
  /** Copies `source[sourceField]` into `this[targetField]`, recording where it came from. */
  borrowAttributeFrom(source: Entity, sourceField: string, targetField: string): this {
    // Only fields (not methods, system fields or transient properties) can be borrowed.
    const from = runtimeOfObject(source as unknown as EntityObject).meta;
    const sourceIndex = from.fieldIndex.get(sourceField);
    if (sourceIndex === undefined) {
      throw new EntityDefinitionError(`${source.constructor.name} has no field '${excerpt(sourceField)}' to borrow`);
    }
    if (!runtimeOfObject(this as unknown as EntityObject).meta.fieldIndex.has(targetField)) {
      throw new EntityDefinitionError(`${this.constructor.name} has no field '${excerpt(targetField)}' to borrow into`);
    }
    // A copy of data containers (entity leaves kept): the two entities never share a mutable value.
    const raw = (source as unknown as Record<string, unknown>)[sourceField];
    const value = typeof raw === 'object' && raw !== null ? from.thawField(sourceIndex, raw) : raw;
    (this as unknown as Record<string, unknown>)[targetField] = value;
    const meta = metaOf(this);
    meta.attributeSource = { ...meta.attributeSource, [targetField]: source.ecsId };
    return this;
  }
}

Object.defineProperty(Entity.prototype, ENTITY_BRAND, { value: true });

// console.log shows fields and a short id, not the internal values array.
Object.defineProperty(Entity.prototype, inspect.custom, {
  value(this: Entity, depth: number, options: { stylize(s: string, style: string): string }, show: typeof inspect) {
    const m = metaOf(this);
    const tag = `${this.constructor.name}${m.stored ? ' (stored)' : ''} ${m.ecsId.slice(0, 8)}`;
    if (depth < 0) return options.stylize(`[${tag}]`, 'special');
    const fields: Record<string, unknown> = {};
    for (const f of runtimeOfObject(this as unknown as EntityObject).meta.fields)
      fields[f.name] = (this as unknown as Record<string, unknown>)[f.name];
    return `${tag} ${show(fields, { ...options, depth: options && (options as { depth?: number }).depth != null ? depth - 1 : undefined } as never)}`;
  },
});
