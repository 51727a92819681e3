/**
 * Copies between stored data and caller-owned data, for the functional API.
 */
import { MAX_DATA_DEPTH, dataError } from '../metadata/data-kinds';
import { isEntityObject, type EntityObject } from '../metadata/object-model';
import { containerKind, mapItems } from '../metadata/containers';
import { workingCopyOf } from '../store/working-copy';

/**
 * A mutable deep copy of a value, for a caller (stored data read out) or for the store (a
 * caller's value written in): containers and data copied (plain Map, Set, Date, arrays, objects,
 * object Map keys, a `__proto__` key kept as a key), every entity leaf (working or stored)
 * replaced by a working copy of its subtree, detached from any tree (an orphan with the same
 * ecsIds, so registering it forks them). Neither side's objects are captured or changed. What
 * may not be stored is copied as it is and refused when stored; data nested deeper than
 * MAX_DATA_DEPTH (or cyclic) is refused here (`depth`, `top`: where the copy started).
 */
export function copyOut(value: unknown, depth = 0, top: unknown = value): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEntityObject(value)) return workingCopyOf(value as EntityObject, false);
  if (value instanceof Date) return new Date(value.getTime());
  if (depth >= MAX_DATA_DEPTH) throw dataError(top, [], 0, '', 'copying');
  // Any other object is copied as a record with its prototype (storing refuses it later).
  const next = depth + 1;
  const copy = (v: unknown): unknown => copyOut(v, next, top);
  return mapItems(value, containerKind(value, 'any')!, copy, { mapKey: copy });
}
