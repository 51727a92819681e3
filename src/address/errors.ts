/**
 * Typed errors of addresses and the functional API (SPEC §6). All extend
 * {@link AbstractionsError}.
 */
import { AbstractionsError } from '../errors';
import { EXCERPT_LENGTH, excerpt, excerptAt } from '../util/excerpt';

/** Shows control characters as single visible glyphs so the caret line stays aligned. */
function visible(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0)),
  );
}

/**
 * `address` on one line (a window around `position` when it is long) and a caret under the
 * character at `position` (or just past the end).
 */
function caretView(address: string, position: number): string {
  const window = excerptAt(address, Math.max(0, position));
  // Columns count code points, so astral characters before the caret do not shift it.
  const column = Array.from(window.text.slice(0, window.offset)).length;
  return `  ${visible(window.text)}\n  ${' '.repeat(column)}^`;
}

/** A string that does not follow the address grammar (see `parseAddress`). */
export class AddressSyntaxError extends AbstractionsError {
  /** The text that was parsed. */
  readonly address: string;
  /** 0-based index of the offending character (`address.length` if the text ended too early). */
  readonly position: number;
  /** What is wrong, without the address and caret. */
  readonly reason: string;

  /** `text: false`: there is no address text to show (not a string at all, or an id or segment given on its own). */
  constructor(address: string, position: number, reason: string, text = true) {
    const of = address.length > EXCERPT_LENGTH ? ` of ${address.length} characters` : '';
    super(
      text
        ? `Invalid address: ${reason} (position ${position}${of})\n${caretView(address, position)}`
        : `Invalid address: ${reason}`,
    );
    this.address = address;
    this.position = position;
    this.reason = reason;
  }
}

/**
 * No stored entity version has this ecsId. The same class the store throws (one class for the
 * whole library, so `instanceof EntityNotFoundError` catches both), re-exported here.
 */
export { EntityNotFoundError } from '../store/errors';

const MAX_LISTED = 20;
/** Each listed key is quoted shorter than one input: twenty of them share one message. */
const LISTED_LENGTH = 24;

function describeSegment(segment: string | number): string {
  return typeof segment === 'number' ? `index ${segment}` : `key ${JSON.stringify(excerpt(segment))}`;
}

/** An address's path does not exist in the entity it names. */
export class FieldPathError extends AbstractionsError {
  /** The full address that was resolved. */
  readonly address: string;
  /** The path segment that could not be followed. */
  readonly segment: string | number;
  /** Index of `segment` in the address's path (0 = first segment after the ecsId). */
  readonly index: number;
  /** The fields / keys / indices that exist where `segment` was looked up. */
  readonly available: string[];

  /**
   * @param detail optional explanation, e.g. "the value there is a number, not a container".
   */
  constructor(address: string, segment: string | number, index: number, available: string[], detail?: string) {
    const listed = available.slice(0, MAX_LISTED).map((a) => JSON.stringify(excerpt(a, LISTED_LENGTH)));
    const more = available.length > MAX_LISTED ? `, … and ${available.length - MAX_LISTED} more` : '';
    const there =
      available.length === 0 ? 'nothing can be looked up there' : `available there: ${listed.join(', ')}${more}`;
    super(
      `Cannot resolve ${excerpt(address)}: no ${describeSegment(segment)} at path segment ${index}` +
        `${detail ? ` (${detail})` : ''}; ${there}`,
    );
    this.address = address;
    this.segment = segment;
    this.index = index;
    this.available = available;
  }
}

/**
 * `put` through an address whose entity version is no longer part of the latest version of its
 * lineage (it changed since the address was taken).
 */
export class StaleVersionError extends AbstractionsError {
  readonly address: string;
  readonly lineageId: string;
  /** Root ecsId of the lineage's latest version. */
  readonly latestEcsId: string;

  constructor(address: string, lineageId: string, latestEcsId: string) {
    super(
      `Stale address ${excerpt(address)}: the entity version it names is not part of the latest version ` +
        `of lineage ${lineageId} (latest: @${latestEcsId}); read the current value from the latest version and retry`,
    );
    this.address = address;
    this.lineageId = lineageId;
    this.latestEcsId = latestEcsId;
  }
}

/**
 * `put` of a value whose type does not fit the field it is written into (the field's type as
 * `fieldTypesOf` derives it from the class's metadata). Nothing is written.
 */
export class FieldTypeError extends AbstractionsError {
  readonly address: string;
  /** Where the value does not fit: class, field and the position inside it (`Student.tags[1]`). */
  readonly field: string;
  /** The type expected there, as TypeScript-like text (`string`, `Course[]`). */
  readonly expected: string;
  /** What was found there (`number 42`). */
  readonly actual: string;

  /** `fromInitialiser`: the type is that of the field's initialiser, which the declared type may widen. */
  constructor(address: string, field: string, expected: string, actual: string, fromInitialiser: boolean) {
    super(
      `Cannot put ${excerpt(address)}: ${field} expects ${expected}, got ${actual}` +
        (fromInitialiser
          ? " (the type of the field's initialiser: for a wider one declare @field({ type: () => ... }) or generate metadata with abstractions-codegen)"
          : ''),
    );
    this.address = address;
    this.field = field;
    this.expected = expected;
    this.actual = actual;
  }
}
