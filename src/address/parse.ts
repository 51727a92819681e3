/**
 * String addresses (SPEC §6): `@<uuid>` names an entity version, `@<uuid>.field.0.key` a value
 * inside it.
 *
 * ## Grammar
 *
 * ```text
 * address  = "@" uuid { segment }
 * uuid     = 8HEX "-" 4HEX "-" 4HEX "-" 4HEX "-" 12HEX        ; hex digits in either case
 * segment  = "." name                                           ; string: field / Map key / object key
 *          | "." index                                          ; number: array index (or numeric Map key)
 *          | [ "." ] "[" ( quoted | index ) "]"                 ; bracket form, the "." is optional
 * name     = 1*namechar, not made of ASCII digits only
 * namechar = a Unicode ID_Continue character (letters, digits, "_", combining marks), "$", "-",
 *            U+200C or U+200D
 * index    = "0" | "1".."9" *DIGIT                              ; at most Number.MAX_SAFE_INTEGER
 * quoted   = a JSON string literal: "..." with escapes \" \\ \/ \b \f \n \r \t \uXXXX
 * ```
 *
 * So `.0` is the index 0, while a key that is not a plain name — one containing a dot, a space,
 * quotes or brackets, the empty key, or a string of digits — is written quoted:
 * `@…byName["a.b"]`, `@…codes["007"]`, `@…["with space"]`. `[0]` is the same as `.0`.
 * Nothing else is allowed: no whitespace, no empty segments (`..`), no trailing `.`, no
 * single-quoted keys, no leading zeros in indices (`.007` is rejected: write `.7` for the index
 * or `["007"]` for the key).
 *
 * `formatAddress` writes the canonical form: lower-case uuid, `.name` / `.index` where possible,
 * `["..."]` (no dot before it) otherwise. `parseAddress(formatAddress(id, path))` gives back
 * `{ ecsId: id.toLowerCase(), path }`.
 */
import { AddressSyntaxError } from './errors';
import { excerpt } from '../util/excerpt';

export type PathSegment = string | number;

export interface ParsedAddress {
  /** The entity version's id, lower-cased. */
  ecsId: string;
  /** Segments after the id: numbers are array indices, strings field names or keys. */
  path: PathSegment[];
}

// ZWNJ and ZWJ are allowed on their own (ECMAScript's IdentifierPart), not as a joined sequence.
// eslint-disable-next-line no-misleading-character-class
const NAME_RUN = /[\p{ID_Continue}$\u200c\u200d-]+/uy;
// eslint-disable-next-line no-misleading-character-class
const NAME_FULL = /^[\p{ID_Continue}$\u200c\u200d-]+$/u;
const DIGITS = /^[0-9]+$/;
const UUID_DASHES = [8, 13, 18, 23];
const UUID_LENGTH = 36;
/** A UUID in either case (ids are stored lower-case). */
export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Fast path: '@' and a well-formed UUID (the character loop below runs only to locate errors). */
const AT_UUID = /^@[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;

type Scan = { ok: true; value: ParsedAddress } | { ok: false; position: number; reason: string };

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** ASCII characters allowed in an unquoted segment: letters, digits, '_', '$', '-'. */
function isAsciiNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 45;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A character for a message: `'x'`, or its escaped form for invisible ones. */
function show(s: string, i: number): string {
  const cp = s.codePointAt(i);
  if (cp === undefined) return 'the end of the address';
  const ch = String.fromCodePoint(cp);
  return cp < 0x21 || cp === 0x7f || (cp >= 0x80 && /[\s\p{C}]/u.test(ch))
    ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
    : `'${ch}'`;
}

function fail(position: number, reason: string): Scan {
  return { ok: false, position, reason };
}

/** Index value of a digit run starting at `start`, or a failure (leading zero, too large). */
function indexValue(digits: string, start: number): number | Scan {
  if (digits.length > 1 && digits.charCodeAt(0) === 48) {
    return fail(
      start,
      `index ${excerpt(digits)} has a leading zero; write ${excerpt(String(Number(digits)))} for the index or ["${excerpt(digits)}"] for the key`,
    );
  }
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return fail(start, `index ${excerpt(digits)} is larger than Number.MAX_SAFE_INTEGER`);
  return n;
}

/**
 * Scans a JSON string literal whose opening quote is at `q`. Returns the index just past the
 * closing quote, or a failure.
 */
function scanQuoted(s: string, q: number): number | Scan {
  let k = q + 1;
  for (;;) {
    if (k >= s.length) return fail(q, "unterminated quoted key: no closing '\"'");
    const c = s.charCodeAt(k);
    if (c === 34) return k + 1;
    if (c < 0x20) return fail(k, `control character ${show(s, k)} must be escaped in a quoted key`);
    if (c !== 92) {
      k++;
      continue;
    }
    if (k + 1 >= s.length) return fail(q, "unterminated quoted key: no closing '\"'");
    const e = s[k + 1];
    if (e === 'u') {
      for (let h = k + 2; h < k + 6; h++) {
        if (h >= s.length) return fail(q, "unterminated quoted key: no closing '\"'");
        if (!isHex(s.charCodeAt(h))) return fail(h, `invalid \\u escape: expected 4 hex digits, found ${show(s, h)}`);
      }
      k += 6;
    } else if ('"\\/bfnrt'.includes(e)) {
      k += 2;
    } else {
      return fail(k + 1, `invalid escape \\${e} in a quoted key (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
    }
  }
}

/** Parses `[...]` with '[' at `b`; pushes the segment; returns the index after ']'. */
function scanBracket(s: string, b: number, path: PathSegment[]): number | Scan {
  const j = b + 1;
  if (j >= s.length) return fail(b, "'[' is never closed: expected a quoted key or an index after it");
  const c = s.charCodeAt(j);
  let end: number;
  if (c === 34) {
    const r = scanQuoted(s, j);
    if (typeof r !== 'number') return r;
    path.push(JSON.parse(s.slice(j, r)) as string);
    end = r;
  } else if (isDigit(c)) {
    let k = j;
    while (k < s.length && isDigit(s.charCodeAt(k))) k++;
    const n = indexValue(s.slice(j, k), j);
    if (typeof n !== 'number') return n;
    path.push(n);
    end = k;
  } else if (c === 39) {
    return fail(j, 'quoted keys use double quotes: ["..."]');
  } else if (c === 93) {
    return fail(j, 'empty brackets: expected a quoted key ["..."] or an index [0]');
  } else {
    return fail(j, `expected a quoted key ["..."] or an index [0] after '[', found ${show(s, j)}`);
  }
  if (end >= s.length) return fail(b, "'[' is never closed: expected ']'");
  if (s.charCodeAt(end) !== 93) return fail(end, `expected ']', found ${show(s, end)}`);
  return end + 1;
}

function scan(s: string): Scan {
  const len = s.length;
  if (len === 0) return fail(0, "an address starts with '@', but the text is empty");
  if (s.charCodeAt(0) !== 64) return fail(0, `an address starts with '@', found ${show(s, 0)}`);
  for (let k = AT_UUID.test(s) ? UUID_LENGTH : 0; k < UUID_LENGTH; k++) {
    const p = 1 + k;
    if (p >= len) return fail(p, 'the address ends inside the UUID (expected 8-4-4-4-12 hex digits)');
    const c = s.charCodeAt(p);
    if (UUID_DASHES.includes(k)) {
      if (c !== 45) return fail(p, `expected '-' in the UUID (8-4-4-4-12 hex digits), found ${show(s, p)}`);
    } else if (!isHex(c)) {
      return fail(p, `expected a hex digit in the UUID (8-4-4-4-12 hex digits), found ${show(s, p)}`);
    }
  }
  const ecsId = s.slice(1, 1 + UUID_LENGTH).toLowerCase();
  const path: PathSegment[] = [];
  let i = 1 + UUID_LENGTH;
  if (i < len && (isHex(s.charCodeAt(i)) || s.charCodeAt(i) === 45)) {
    return fail(i, 'the UUID is too long (expected 8-4-4-4-12 hex digits)');
  }
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c === 91) {
      const r = scanBracket(s, i, path);
      if (typeof r !== 'number') return r;
      i = r;
      continue;
    }
    if (c !== 46) {
      return fail(
        i,
        path.length === 0
          ? `expected '.', '[' or the end after the UUID, found ${show(s, i)}`
          : `${show(s, i)} cannot appear in an unquoted segment (allowed: letters, digits, '_', '$', '-'); quote the key: ["..."]`,
      );
    }
    const start = i + 1;
    if (start >= len) return fail(i, "trailing '.': expected a path segment after it");
    const d = s.charCodeAt(start);
    if (d === 91) {
      const r = scanBracket(s, start, path);
      if (typeof r !== 'number') return r;
      i = r;
      continue;
    }
    if (d === 46) return fail(start, "empty path segment: '..'");
    let end = start;
    let digitsOnly = true;
    while (end < len) {
      const e = s.charCodeAt(end);
      if (!isAsciiNameChar(e)) break;
      if (!isDigit(e)) digitsOnly = false;
      end++;
    }
    if (end < len && s.charCodeAt(end) >= 0x80) {
      // Non-ASCII: let the Unicode-aware pattern decide (it also rescans the ASCII part).
      NAME_RUN.lastIndex = start;
      end = NAME_RUN.test(s) ? NAME_RUN.lastIndex : start;
      digitsOnly = false;
    }
    if (end === start) {
      return fail(
        start,
        `expected a path segment after '.', found ${show(s, start)}; keys with other characters are quoted: ["..."]`,
      );
    }
    const name = s.slice(start, end);
    if (digitsOnly) {
      const n = indexValue(name, start);
      if (typeof n !== 'number') return n;
      path.push(n);
    } else {
      path.push(name);
    }
    i = end;
  }
  return { ok: true, value: { ecsId, path } };
}

/** True if `s` is a string that parses as an address (see the grammar above). Never throws. */
export function isAddress(s: unknown): s is string {
  return typeof s === 'string' && s.length > UUID_LENGTH && s.charCodeAt(0) === 64 && scan(s).ok;
}

/**
 * True if `s` starts like an address: `@` and a full UUID, whatever follows. Where strings may
 * be addresses or plain text (function arguments, config fields), such a string is taken as
 * an address and parsed, so a malformed path is an AddressSyntaxError instead of silently
 * becoming text; `'@someone'` stays text. Never throws.
 */
export function looksLikeAddress(s: unknown): s is string {
  return typeof s === 'string' && s.length > UUID_LENGTH && s.charCodeAt(0) === 64 && AT_UUID.test(s);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/**
 * Parses an address into its lower-cased ecsId and its path.
 * @throws AddressSyntaxError with the 0-based position of the offending character.
 */
export function parseAddress(s: string): ParsedAddress {
  if (typeof s !== 'string') {
    throw new AddressSyntaxError('', 0, `expected an address string, got ${kindOf(s)}`, false);
  }
  const r = scan(s);
  if (!r.ok) throw new AddressSyntaxError(s, r.position, r.reason);
  return r.value;
}

/** The canonical text of one segment (with its leading '.' or as `["..."]`). */
export function formatSegment(segment: PathSegment): string {
  if (typeof segment === 'number') {
    if (!Number.isSafeInteger(segment) || segment < 0 || Object.is(segment, -0)) {
      throw new AddressSyntaxError(
        '',
        0,
        `an address index must be a non-negative safe integer, got ${String(segment)}`,
        false,
      );
    }
    return `.${segment}`;
  }
  if (typeof segment !== 'string') {
    throw new AddressSyntaxError(
      '',
      0,
      `an address path segment must be a string or a number, got ${kindOf(segment)}`,
      false,
    );
  }
  return NAME_FULL.test(segment) && !DIGITS.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
}

/**
 * The canonical address of `path` inside entity version `ecsId` (lower-case id, quoting only
 * segments that need it). Inverse of `parseAddress`.
 * @throws AddressSyntaxError if `ecsId` is not a UUID or a segment cannot be expressed (negative
 * or fractional number).
 */
export function formatAddress(ecsId: string, path: readonly PathSegment[] = []): string {
  if (typeof ecsId !== 'string' || !UUID_RE.test(ecsId)) {
    throw new AddressSyntaxError(
      '',
      0,
      `an entity id must be a UUID, got ${typeof ecsId === 'string' ? JSON.stringify(excerpt(ecsId)) : kindOf(ecsId)}`,
      false,
    );
  }
  let out = `@${ecsId.toLowerCase()}`;
  for (const segment of path) out += formatSegment(segment);
  return out;
}
