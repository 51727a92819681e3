/**
 * `get(address)` (SPEC §6): reads what an address names, as data the caller owns.
 */
import { EntityRegistry } from '../store/entity-registry';
import { copyOut } from './copy';
import { resolveAddress } from './resolve';

/**
 * A working copy of the entity an address names (its subtree, detached from any tree: an
 * orphan), or a deep copy of the value at the address's path (entity leaves inside it become
 * working copies too). Never a stored object: changing the result changes nothing stored.
 *
 * ```ts
 * const student = get<Student>(`@${id}`);
 * const gpa = get<number>(`@${id}.record.gpa`);
 * const first = get<Course>(`@${id}.courses.0`);
 * ```
 * @throws AddressSyntaxError, EntityNotFoundError, FieldPathError
 */
export function get<T = unknown>(address: string, registry: EntityRegistry = EntityRegistry.default): T {
  return copyOut(resolveAddress(address, registry).value) as T;
}
