import { AbstractionsError, errorText } from '../errors';

/** A history store could not write (or is closed): it takes no more changes (fail-stop, SPEC §12). */
export class StoreWriteError extends AbstractionsError {
  constructor(
    /** The store's file (or address). */
    readonly store: string,
    /** What went wrong, in words. */
    readonly reason: string,
    cause: unknown,
  ) {
    super(
      `history store ${store}: ${reason}${cause === null ? '' : `: ${errorText(cause)}`}; it takes no more changes ` +
        `(what this process committed before stays readable in memory, but is not all on disk)`,
      cause === null ? undefined : { cause },
    );
  }
}
