import { AbstractionsError } from '../errors';

/** A tree is not a tree: an entity occurs twice (shared reference) or inside itself (cycle). */
export class TreeStructureError extends AbstractionsError {
  constructor(
    message: string,
    /** Where the entity was met first. */
    readonly firstPath: string,
    /** Where it was met again. */
    readonly secondPath: string,
  ) {
    super(message);
  }
}
