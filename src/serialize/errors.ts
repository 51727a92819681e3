import { AbstractionsError } from '../errors';
import { excerpt } from '../util/excerpt';

/**
 * A value cannot be written to, or read from, the JSON form of §9.
 *
 * `path` names the bad value: when writing, its place in the entity tree
 * (`Student.courses[2].meta`); when reading, its place in the JSON document
 * (`$.fields.courses[2].$id.ecsId`).
 */
export class SerializationError extends AbstractionsError {
  constructor(
    message: string,
    /** Where the bad value is (object path when writing, JSON path when reading). */
    readonly path: string,
  ) {
    super(`${excerpt(path)}: ${message}`);
  }
}
