/**
 * The draft of one registered-function call: copy-on-write over stored versions.
 *
 * The function receives stored (frozen) objects. While it runs, the draft is active
 * (`withSyncDraft` / `withAsyncDraft`), and the stored objects' field accessors call into it: a
 * write lands in an overlay, a read of a container or data field returns a private mutable copy
 * (made once, on first read). Nothing stored changes. This is the one place where the entity
 * layer calls up into the store, through the `DraftAccess` interface it declares; the draft diff
 * (`diff/draft-diff.ts`) reads the overlays afterwards through `DraftView`.
 *
 * A second version of a lineage among the inputs is handed to the function as a working copy
 * instead (`CopiedInput`): the two versions share their unchanged stored objects and the overlay
 * is keyed by object, so drafting both in place would make two arguments alias.
 */
import { runtimeOfObject, withAsyncDraft, withSyncDraft, type DraftAccess } from '../entity/class-runtime';
import { VALUES, isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { isFlatFrozenArray } from '../metadata/values';
import { ImmutableVersionError } from '../metadata/errors';
import { UNSET, type DraftView, type Overlay } from '../diff/draft-diff';
import type { RootVersion } from './root-version';
import { workingCopyOf } from './working-copy';

/** An input tree handed to the function as a working copy (a second version of a lineage). */
export interface CopiedInput {
  readonly input: RootVersion;
  /** The working copy of the input's root the function received. */
  readonly root: EntityObject;
  /** Stored entity -> the copy the function received. */
  readonly copies: ReadonlyMap<EntityObject, EntityObject>;
  readonly copied: ReadonlySet<EntityObject>;
}

export class Draft implements DraftAccess, DraftView {
  writes = 0;
  readonly overlays = new Map<EntityObject, Overlay>();
  /** The input trees drafted in place (the first version of each lineage), in argument order. */
  readonly drafted: RootVersion[] = [];
  /** The input trees handed out as working copies. */
  readonly copied: CopiedInput[] = [];
  /** Set when the function has returned: a late write (a promise it left running) is refused. */
  private closed = false;
  /**
   * Copies of flat stored arrays made for the function (owned by this draft, still flat) -> the
   * stored array each was copied from. Such a copy can become the stored array itself.
   */
  private readonly flatCopies = new Map<unknown[], readonly unknown[]>();

  /** `inputs`: the stored root versions of the call's input trees, each once. */
  constructor(inputs: readonly RootVersion[]) {
    for (let i = 0; i < inputs.length; i++) {
      const version = inputs[i];
      if (!this.drafted.some((v) => v.lineageId === version.lineageId)) {
        this.drafted.push(version);
        continue;
      }
      const copies = new Map<EntityObject, EntityObject>();
      const root = workingCopyOf(version.root, true, copies);
      this.copied.push({ input: version, root, copies, copied: new Set(copies.values()) });
    }
  }

  /** What the function receives for `entity` of input tree `input`: itself, or its working copy. */
  handedOut(entity: EntityObject, input: RootVersion): EntityObject {
    if (this.copied.length === 0) return entity;
    return this.copied.find((c) => c.input === input)?.copies.get(entity) ?? entity;
  }

  run<T>(fn: () => T): T {
    try {
      return withSyncDraft(this, fn);
    } finally {
      this.closed = true;
    }
  }

  async runAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await withAsyncDraft(this, fn);
    } finally {
      this.closed = true;
    }
  }

  // ---- DraftAccess: called by stored objects' field accessors ---------------------------

  read(entity: EntityObject, index: number, stored: unknown): unknown {
    if (this.closed) return stored;
    let overlay = this.overlays.get(entity);
    if (overlay !== undefined) {
      const v = overlay[index];
      if (v !== UNSET) return v;
    }
    if (typeof stored !== 'object' || stored === null || isEntityObject(stored)) return stored;
    if (overlay === undefined) overlay = this.overlayOf(entity);
    const copy = runtimeOfObject(entity).meta.thawField(index, stored);
    if (isFlatFrozenArray(stored)) this.flatCopies.set(copy as unknown[], stored);
    overlay[index] = copy;
    return copy;
  }

  write(entity: EntityObject, index: number, value: unknown): void {
    if (this.closed) {
      const { meta } = runtimeOfObject(entity);
      throw new ImmutableVersionError(
        `cannot set ${meta.name}.${meta.fields[index].name} on stored version ${metaOf(entity).ecsId}: ` +
          `the registered function that received it has returned, and a write after that is part of no execution`,
      );
    }
    this.overlayOf(entity)[index] = value;
    this.writes++;
  }

  private overlayOf(entity: EntityObject): Overlay {
    let overlay = this.overlays.get(entity);
    if (overlay === undefined) {
      overlay = new Array<unknown>(entity[VALUES].length).fill(UNSET);
      this.overlays.set(entity, overlay);
    }
    return overlay;
  }

  // ---- DraftView: read by the draft diff and the commit, once the function has returned -----

  /** An entity's values as the function left them. */
  readonly valuesOf = (e: EntityObject): readonly unknown[] => {
    const overlay = this.overlays.get(e);
    const values = e[VALUES];
    if (overlay === undefined) return values;
    // Only called once the function has returned: the overlay itself becomes the merged values
    // (a slot equal to the stored value reads the same), which saves a copy per entity.
    for (let i = 0; i < overlay.length; i++) if (overlay[i] === UNSET) overlay[i] = values[i];
    return overlay;
  };

  flatSourceOf(value: unknown): readonly unknown[] | undefined {
    return this.flatCopies.get(value as unknown[]);
  }

  releaseFlat(value: unknown): void {
    this.flatCopies.delete(value as unknown[]);
  }

  /** Closes the draft (normally done when the function returns): later writes are refused. */
  close(): void {
    this.closed = true;
  }
}
