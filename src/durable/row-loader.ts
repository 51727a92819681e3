/**
 * Stored entities built straight from their rows (SPEC §12: versions load on demand). A registry
 * over a durable store asks for an entity it does not hold in memory; the loader reads its row
 * and the rows of every entity below it that the registry does not hold either, and builds them
 * bottom-up as the stored, frozen objects a commit would have made: same ids, identity, values
 * and placement, children shared with what memory holds. No working copy is made, nothing is
 * committed again, and a version read costs the rows it does not share with memory.
 *
 * An entity's history (`oldIds`) is not read with it: a row that leaves its `oldIds` out (they are
 * its previous version's plus one) gets a fork link (`lazyHistoryOf`), which reads the previous
 * rows only when someone walks the history.
 */
import { classRuntimeOf } from '../entity/class-runtime';
import { entityClassesOfType } from '../metadata/class-registry';
import { StoredMeta, attachMeta, type EntityObject, type IdChain } from '../metadata/object-model';
import { DecodeContext, decodeValue, defaultInstance } from '../serialize/codec';
import type { JsonValue } from '../serialize/format';
import { SerializationError } from '../serialize/errors';
import { newId } from '../util/ids';
import { childRefs, identityOf, lazyHistoryOf, rowFields, type RowCache, type RowSource } from './entity-rows';
import { StoreCorruptError } from './errors';
import type { EntityRow } from './rows';

/** One row read, waiting for its children to be built. */
interface Pending {
  readonly row: EntityRow;
  readonly fields: Record<string, JsonValue>;
}

/**
 * The stored entity `ecsId` from its row, and every entity below it that `known` does not give,
 * each handed to `built` (children before their parent); `history` reads a history a row leaves
 * out. Undefined when there is no such row.
 * Iterative, so a tree of any depth loads. A missing or unreadable row below is a
 * `StoreCorruptError` naming it.
 */
export function loadStoredEntity(
  ecsId: string,
  rows: RowSource,
  cache: RowCache,
  known: (ecsId: string) => EntityObject | undefined,
  built: (entity: EntityObject) => void,
  history: (ecsId: string) => IdChain | null,
): EntityObject | undefined {
  const first = rows.entity(ecsId);
  if (first === undefined) return undefined;
  /** What the rows below resolve to: held by memory (kept alive here) or built below. */
  const objects = new Map<string, EntityObject>();
  const order: Pending[] = [];
  const seen = new Set<string>([ecsId]);
  // Level by level: the rows of one level's children are read together (one round trip to a server).
  for (let level: EntityRow[] = [first]; level.length > 0;) {
    /** Children memory does not hold, each with the row that names it. */
    const wanted = new Map<string, string>();
    for (const row of level) {
      const { fields } = rowFields(row, rows, cache);
      order.push({ row, fields });
      for (const ref of childRefs(fields)) {
        if (seen.has(ref)) throw new StoreCorruptError(`entity row ${ref} is referenced twice below ${ecsId}`, ref);
        seen.add(ref);
        const held = known(ref);
        if (held !== undefined) objects.set(ref, held);
        else wanted.set(ref, row.ecsId);
      }
    }
    level = rowsOf(wanted, rows);
  }
  // Every row comes after the row that names it: built from the end, children come first.
  for (let i = order.length - 1; i >= 0; i--) {
    const e = buildStored(order[i], objects, history);
    objects.set(order[i].row.ecsId, e);
    built(e);
  }
  return objects.get(ecsId);
}

/** The rows of `wanted` (ecsId -> the row naming it); a missing one is a `StoreCorruptError`. */
function rowsOf(wanted: ReadonlyMap<string, string>, rows: RowSource): EntityRow[] {
  if (wanted.size === 0) return [];
  const ids = [...wanted.keys()];
  const found = rows.entityRows?.(ids) ?? ids.flatMap((id) => rows.entity(id) ?? []);
  if (found.length < ids.length) {
    const have = new Set(found.map((r) => r.ecsId));
    const missing = ids.find((id) => !have.has(id))!;
    throw new StoreCorruptError(`missing entity row ${missing} (a child of ${wanted.get(missing)})`, missing);
  }
  return found;
}

/** One stored entity from its row, its children already built (or held) in `objects`. */
function buildStored(
  { row, fields }: Pending,
  objects: ReadonlyMap<string, EntityObject>,
  history: (ecsId: string) => IdChain | null,
): EntityObject {
  const at = `entity row ${row.ecsId}`;
  const classes = entityClassesOfType(row.className);
  if (classes.length !== 1)
    throw new SerializationError(
      classes.length === 0
        ? `unknown entity class '${row.className}' (is the class imported and decorated with @entity()?)`
        : `${classes.length} entity classes are named '${row.className}': the row cannot tell which`,
      at,
    );
  const { ctor } = classes[0];
  const rt = classRuntimeOf(ctor);
  const cls = rt.meta;
  const ctx = new DecodeContext((ref, path) => {
    const child = objects.get(ref);
    if (child === undefined) throw new StoreCorruptError(`${path}: entity ${ref} was not read`, ref);
    return child;
  });
  const values = new Array<unknown>(cls.fields.length);
  let defaults: Record<string, unknown> | null = null;
  for (const field of cls.fields) {
    // A field the class added since the row was written takes its default; one it removed is not read.
    const v = Object.prototype.hasOwnProperty.call(fields, field.name)
      ? decodeValue(fields[field.name], `${at}: ${row.className}.${field.name}`, ctx)
      : (defaults ??= defaultInstance(ctor, cls.name, at))[field.name];
    values[field.index] = typeof v === 'object' && v !== null ? cls.freezeField(field.index, v, (leaf) => leaf) : v;
  }
  Object.freeze(values);
  const identity = identityOf(row);
  const meta = new StoredMeta(
    row.ecsId,
    newId(),
    row.lineageId,
    row.rootEcsId,
    null,
    row.previousEcsId,
    lazyHistoryOf(row, history),
    row.createdAt,
    row.forkedAt,
    identity.derivedFromFunction,
    row.derivedFromExecutionId,
    Object.freeze([...identity.siblingOutputEntities]),
    identity.outputIndex,
    Object.freeze({ ...identity.attributeSource }),
    row.parentLineageId,
    row.place,
  );
  return Object.freeze(attachMeta(rt.makeStored(values), Object.freeze(meta)));
}
