import { randomFillSync } from 'node:crypto';

/**
 * Fresh lower-case UUIDs (v4), produced as flat strings.
 *
 * Node's `crypto.randomUUID()` builds its result by concatenation, which V8 keeps as a tree of
 * about a dozen cons-string nodes per id. Every stored version retains several ids, so those trees
 * were most of the memory a version kept. Writing the 36 ASCII bytes into a buffer and decoding
 * them once gives one flat 36-character string.
 */
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;
const out = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Byte offsets in the 36-character text of each of the 16 bytes (dashes skipped). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
out[8] = out[13] = out[18] = out[23] = 0x2d; // '-'

export function newId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 16;
  pool[o + 6] = (pool[o + 6] & 0x0f) | 0x40; // version 4
  pool[o + 8] = (pool[o + 8] & 0x3f) | 0x80; // RFC 4122 variant
  for (let i = 0; i < 16; i++) {
    const b = pool[o + i];
    out[AT[i]] = HEX[b >> 4];
    out[AT[i] + 1] = HEX[b & 15];
  }
  return out.toString('latin1', 0, 36);
}
