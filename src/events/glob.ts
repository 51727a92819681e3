/**
 * Glob patterns over dot-separated event types.
 *
 * - `*` matches any run of characters inside one segment (never a `.`).
 * - `**` as a whole segment matches zero or more whole segments, so `function.**` matches
 *   `function`, `function.execute` and `function.a.b`; `a.**.b` matches `a.b` and `a.x.y.b`;
 *   `**` matches every type.
 * - A pattern without `*` is an exact match.
 */

/** A compiled pattern: `true` when the event type matches. */
export type TypeMatcher = (type: string) => boolean;

// Types are few and repeat endlessly, so each matcher memoises its answers; the bound keeps a
// pattern matched against unbounded generated types from growing without limit.
const MAX_CACHED_TYPES = 1024;

/** Compile a glob once; the returned matcher is what handlers and history queries call per event. */
export function compileGlob(glob: string): TypeMatcher {
  if (!glob.includes('*')) return (type) => type === glob;
  const regex = globToRegExp(glob);
  const cache = new Map<string, boolean>();
  return (type) => {
    let hit = cache.get(type);
    if (hit === undefined) {
      // The regex is written for `type + '.'` (see globToRegExp).
      hit = regex.test(type + '.');
      if (cache.size >= MAX_CACHED_TYPES) cache.clear();
      cache.set(type, hit);
    }
    return hit;
  };
}

/** One-off match; prefer `compileGlob` when the same pattern is used repeatedly. */
export function matchesGlob(glob: string, type: string): boolean {
  return compileGlob(glob)(type);
}

/**
 * The regular expression for a glob, to be tested against the type followed by a `.`.
 * Giving every segment a trailing dot lets `**` be "zero or more `segment.`" with no special
 * cases for its position (first, middle, last, alone).
 */
export function globToRegExp(glob: string): RegExp {
  let source = '^';
  for (const segment of glob.split('.')) {
    if (segment === '**') {
      source += '(?:[^.]*\\.)*';
    } else {
      source += segment.split('*').map(escapeRegExp).join('[^.]*') + '\\.';
    }
  }
  return new RegExp(source + '$');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
