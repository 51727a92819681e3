import { AbstractionsError, errorText } from '../errors';
import { excerpt } from '../util/excerpt';
export { StoreOptionError } from '../store/errors';

/**
 * A file that is not a store this code can open: not a database, another program's database, or a
 * store written by a newer version of the library (SPEC §12: never opened silently). Nothing in the
 * file was changed.
 */
export class StoreFormatError extends AbstractionsError {
  constructor(
    /** The file that was opened. */
    readonly path: string,
    /** What was found there instead, in words (`format 'x'`, `schema_version 7`, ...). */
    readonly found: string,
    options?: { cause?: unknown },
  ) {
    super(`${excerpt(path)} is not an abstractions-ts store this version can open: ${found}`, options);
  }
}

/** A row whose id is already stored with different content (stored rows are immutable). */
export class StoreConflictError extends AbstractionsError {
  constructor(
    /** `'entity'`, `'root version'` or `'execution'`. */
    readonly kind: string,
    readonly id: string,
    /** The first field that differs. */
    readonly field: string,
  ) {
    super(`${kind} ${excerpt(id)} is already stored with a different ${field}`);
  }
}

/** A store used after `close()`. */
export class StoreClosedError extends AbstractionsError {
  constructor(readonly path: string) {
    super(`the store ${excerpt(path)} is closed`);
  }
}

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
      `history store ${excerpt(store)}: ${reason}${cause === null ? '' : `: ${errorText(cause)}`}; it takes no more changes ` +
        `(what this process committed before stays readable in memory, but is not all on disk)`,
      cause === null ? undefined : { cause },
    );
  }
}

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

/**
 * A history export (`importHistory`'s NDJSON) that cannot be imported: a line that is not JSON or
 * not a row, a wrong or missing header or end line, a row that a version needs and no line or
 * stored version gives. `line` names the line (1-based). Nothing was imported.
 */
export class HistoryFormatError extends AbstractionsError {
  constructor(
    /** The line (1-based) that is wrong, or where the missing line should have been. */
    readonly line: number,
    /** What is wrong with it, in words. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`history export, line ${line}: ${reason}`, options);
  }
}

/**
 * A row of an import whose id the registry (or an earlier line of the same export) already holds
 * with different content: one id never names two contents. Nothing was imported.
 */
export class ImportConflictError extends StoreConflictError {
  constructor(
    kind: string,
    id: string,
    field: string,
    /** The line (1-based) of the row. */
    readonly line: number,
    /** The earlier line with the same id, when the export itself holds it twice; null: the registry holds it. */
    readonly earlierLine: number | null = null,
  ) {
    super(kind, id, field);
    this.message =
      `history export, line ${line}: ${kind} ${excerpt(id)} is ` +
      (earlierLine === null
        ? `already held with a different ${field}`
        : `on line ${earlierLine} with a different ${field}`);
  }
}

/**
 * A store or event transport that needs a package the application has not installed: `pg` for
 * `postgresStore`, the `@nats-io` client for `natsEvents`. They are optional peer dependencies of
 * abstractions-ts (package.json), installed only by those who use them. Nothing was opened.
 */
export class PeerDependencyError extends AbstractionsError {
  constructor(
    /** The package that is not installed. */
    readonly packageName: string,
    /** What needs it, e.g. `'postgresStore()'`. */
    readonly feature: string,
    /** The packages to install for `feature` (it may need more than the missing one). */
    readonly install: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${feature} needs the package '${packageName}', an optional peer dependency of abstractions-ts that is ` +
        `not installed: npm install ${install.join(' ')}`,
      options,
    );
  }
}
