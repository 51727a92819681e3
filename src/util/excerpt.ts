/**
 * Excerpts of user input for error messages. A message quotes what was wrong, but never all of
 * it: a 10 MB address, key or path must not make a 10 MB message (logs, terminals and the
 * `message` of every wrapping error would carry it). The full input stays on the error's own
 * properties (`address`, `path`, ...).
 */

/** At most about this many characters of one input are quoted in a message. */
export const EXCERPT_LENGTH = 80;

/** Index `i` moved off the second half of a surrogate pair, so a cut never splits a character. */
function cutAt(text: string, i: number, forward: boolean): number {
  const c = text.charCodeAt(i);
  if (i > 0 && i < text.length && c >= 0xdc00 && c <= 0xdfff) return forward ? i + 1 : i - 1;
  return i;
}

/**
 * `text` itself when it is short; otherwise its start and its end around a marker with its
 * length: `abc…[10000000 characters]…xyz` (names and paths are told apart by both ends).
 */
export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  if (text.length <= max) return text;
  const half = Math.max(1, Math.floor(max / 2));
  return `${text.slice(0, cutAt(text, half, false))}…[${text.length} characters]…${text.slice(cutAt(text, text.length - half, true))}`;
}

/**
 * A window of `text` around `position` (for a caret under it): `text` is the window with `…` where
 * it was cut, `offset` the index of `position` inside it, `cut` whether anything was left out.
 */
export function excerptAt(
  text: string,
  position: number,
  max = EXCERPT_LENGTH,
): { text: string; offset: number; cut: boolean } {
  if (text.length <= max) return { text, offset: position, cut: false };
  const start = cutAt(text, Math.max(0, Math.min(position - Math.floor(max / 2), text.length - max)), false);
  const end = cutAt(text, Math.min(text.length, start + max), true);
  const head = start > 0 ? '…' : '';
  return {
    text: `${head}${text.slice(start, end)}${end < text.length ? '…' : ''}`,
    offset: position - start + head.length,
    cut: true,
  };
}
