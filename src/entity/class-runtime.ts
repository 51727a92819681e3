import { AsyncLocalStorage } from 'node:async_hooks';
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { ImmutableVersionError } from '../metadata/errors';
import { VALUES, fieldSlots, metaOf, type EntityObject, type StoredSlots } from '../metadata/object-model';
import type { ClassMeta, StoredLayout } from '../metadata/types';

/**
 * Per-class machinery: the accessor properties that give fields their behaviour, and fast
 * constructors for working and stored objects. Working objects read and write their values
 * array; stored objects are frozen, read their slots through the class's StoredLayout and,
 * outside a function call, refuse writes. Inside a registered function call the active draft
 * gives stored objects copy-on-write behaviour.
 */

/** Copy-on-write overlay of one function execution (implemented by the store layer). */
export interface DraftAccess {
  /** Number of direct field writes so far: while 0, primitive reads need no lookup. */
  writes: number;
  read(entity: EntityObject, index: number, stored: unknown): unknown;
  write(entity: EntityObject, index: number, value: unknown): void;
}

let syncDraft: DraftAccess | null = null;
let asyncDepth = 0;
const asyncDrafts = new AsyncLocalStorage<DraftAccess>();

function currentDraft(): DraftAccess | null {
  if (syncDraft !== null || asyncDepth === 0) return syncDraft;
  return asyncDrafts.getStore() ?? null;
}

/** Runs `fn` with `draft` active for stored objects (synchronous functions). */
export function withSyncDraft<T>(draft: DraftAccess, fn: () => T): T {
  const outer = syncDraft;
  syncDraft = draft;
  try {
    return fn();
  } finally {
    syncDraft = outer;
  }
}

/** Runs async `fn` with `draft` active across its awaits, without leaking into concurrent work. */
export async function withAsyncDraft<T>(draft: DraftAccess, fn: () => T | Promise<T>): Promise<T> {
  asyncDepth++;
  const outer = syncDraft;
  syncDraft = null;
  try {
    return await asyncDrafts.run(draft, () => {
      try {
        return fn();
      } finally {
        syncDraft = outer;
      }
    });
  } finally {
    asyncDepth--;
  }
}

export interface ClassRuntime {
  readonly meta: ClassMeta;
  /** Creates a working object around `values` (identity attached by the caller). */
  readonly makeWorking: (values: unknown[]) => EntityObject;
  /** Creates a stored object around frozen `values` (identity attached and frozen by the caller). */
  readonly makeStored: (values: unknown[]) => EntityObject;
}

const runtimes = new Map<AnyClass, ClassRuntime>();

export function classRuntimeOf(ctor: AnyClass, sampleKeys?: readonly string[]): ClassRuntime {
  let rt = runtimes.get(ctor);
  if (!rt) {
    rt = buildRuntime(classMetaOf(ctor, sampleKeys));
    runtimes.set(ctor, rt);
    runtimes.set(rt.meta.ctor, rt);
  }
  return rt;
}

/** The runtime of an entity object's class. */
export function runtimeOfObject(entity: EntityObject): ClassRuntime {
  return classRuntimeOf((entity as unknown as { constructor: AnyClass }).constructor);
}

function buildRuntime(meta: ClassMeta): ClassRuntime {
  const workingProto = meta.ctor.prototype as object;
  const storedProto = Object.create(workingProto) as object;
  const layout = meta.storedLayout ?? genericStoredLayout(meta.fields.length);
  meta.fields.forEach((f) => {
    Object.defineProperty(workingProto, f.name, workingAccessor(f.name, f.index));
    Object.defineProperty(storedProto, f.name, {
      enumerable: true,
      configurable: true,
      get: layout.getters[f.index],
      set: storedSetter(meta.name, f.name, f.index),
    });
  });
  function WorkingObject(this: EntityObject, values: unknown[]) {
    this[VALUES] = values;
  }
  WorkingObject.prototype = workingProto;
  const StoredObject = layout.storedConstructor(storedProto);
  return {
    meta,
    makeWorking: (values) => new (WorkingObject as unknown as new (v: unknown[]) => EntityObject)(values),
    makeStored: (values) => new StoredObject(values),
  };
}

/** The layout of classes without a generated one: one constructor loop and one getter closure for all. */
function genericStoredLayout(fieldCount: number): StoredLayout {
  const slots = fieldSlots(fieldCount);
  return {
    storedConstructor(prototype) {
      function StoredObject(this: StoredSlots, values: readonly unknown[]) {
        this[VALUES] = values as unknown[];
        for (let i = 0; i < slots.length; i++) this[slots[i]] = values[i];
      }
      StoredObject.prototype = prototype;
      return StoredObject as unknown as new (values: readonly unknown[]) => EntityObject;
    },
    getters: slots.map(
      (slot, index) =>
        function (this: StoredSlots) {
          return readStored(this, index, this[slot]);
        },
    ),
  };
}

function workingAccessor(name: string, index: number): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: EntityObject) {
      const values = this[VALUES];
      return values === undefined ? undefined : values[index];
    },
    set(this: EntityObject, value: unknown) {
      const values = this[VALUES];
      // During construction (before the decorator builds the real object) fields are plain properties.
      if (values === undefined)
        Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
      else values[index] = value;
    },
  };
}

/**
 * A stored field's value as the caller may see it: outside a function call the stored value;
 * inside one, the call's copy-on-write view (a primitive needs no lookup until the first write).
 * Generated getters call it with the slot they read.
 */
export function readStored(entity: EntityObject, index: number, value: unknown): unknown {
  const draft = syncDraft !== null || asyncDepth === 0 ? syncDraft : currentDraft();
  if (draft === null || (typeof value !== 'object' && draft.writes === 0)) return value;
  return draft.read(entity, index, value);
}

function storedSetter(className: string, name: string, index: number): (this: EntityObject, value: unknown) => void {
  return function (this: EntityObject, value: unknown) {
    const draft = currentDraft();
    if (draft === null) {
      throw new ImmutableVersionError(
        `cannot set ${className}.${name} on stored version ${metaOf(this).ecsId}: stored versions are immutable; ` +
          `checkout() it or change it inside a registered function`,
      );
    }
    draft.write(this, index, value);
  };
}
