import { AbstractionsError } from '../errors';
import { excerpt } from '../util/excerpt';

/** A versioning request that cannot be carried out (orphan, not a root, stored input ...). */
export class VersioningError extends AbstractionsError {}

/** No stored entity or version has this id. */
export class EntityNotFoundError extends AbstractionsError {
  constructor(
    readonly ecsId: string,
    detail?: string,
  ) {
    super(`no stored entity with ecsId ${excerpt(ecsId)}${detail ? `: ${detail}` : ''}`);
  }
}

/** An option of a store that is not one it takes (names the option and what was given). */
export class StoreOptionError extends AbstractionsError {
  constructor(
    readonly option: string,
    readonly given: string,
    expected: string,
  ) {
    super(`store option '${option}': expected ${expected}, got ${given}`);
  }
}
