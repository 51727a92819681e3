import { AbstractionsError } from '../errors';

/**
 * The rows of a store do not describe what they should: a row that another row needs is missing
 * (a child, a previous version, a root version), or a row cannot be read. `ecsId` names the row
 * that is missing or bad.
 */
export class StoreCorruptError extends AbstractionsError {
  constructor(
    message: string,
    /** The ecsId of the row that is missing or cannot be read. */
    readonly ecsId: string,
  ) {
    super(message);
  }
}
