import { randomFillSync } from 'node:crypto';

/**
 * Fresh lower-case UUIDs (v4), produced as flat strings.
 *
 * Node's `crypto.randomUUID()` builds its result by concatenation, which V8 keeps as a tree of
 * about a dozen cons-string nodes per id; every stored version retains several ids, so those trees
 * were most of the memory a version kept. `String.fromCharCode` with all 36 character codes builds
 * one flat string directly (about twice as fast as decoding a Buffer, which goes through C++).
 */
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let poolOffset = pool.length;
/** Character code of each hex digit. */
const H = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const text = String.fromCharCode;

export function newId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const p = pool;
  const o = poolOffset;
  poolOffset += 16;
  const version = (p[o + 6] & 0x0f) | 0x40; // version 4
  const variant = (p[o + 8] & 0x3f) | 0x80; // RFC 4122 variant
  // prettier-ignore
  return text(
    H[p[o] >> 4], H[p[o] & 15], H[p[o + 1] >> 4], H[p[o + 1] & 15],
    H[p[o + 2] >> 4], H[p[o + 2] & 15], H[p[o + 3] >> 4], H[p[o + 3] & 15], DASH,
    H[p[o + 4] >> 4], H[p[o + 4] & 15], H[p[o + 5] >> 4], H[p[o + 5] & 15], DASH,
    H[version >> 4], H[version & 15], H[p[o + 7] >> 4], H[p[o + 7] & 15], DASH,
    H[variant >> 4], H[variant & 15], H[p[o + 9] >> 4], H[p[o + 9] & 15], DASH,
    H[p[o + 10] >> 4], H[p[o + 10] & 15], H[p[o + 11] >> 4], H[p[o + 11] & 15],
    H[p[o + 12] >> 4], H[p[o + 12] & 15], H[p[o + 13] >> 4], H[p[o + 13] & 15],
    H[p[o + 14] >> 4], H[p[o + 14] & 15], H[p[o + 15] >> 4], H[p[o + 15] & 15],
  );
}
