import { Size, agentName } from './sizes';
import { Rng, mulberry32, randInt } from './prng';

/** One operation: move agent `agentName` from nodes[sourceIndex] to nodes[targetIndex] (push at the end). */
export interface Move {
  sourceIndex: number;
  agentName: string;
  targetIndex: number;
}

export const DEFAULT_SEED = 0x5eed;

/** Agent names per node in the initial state. */
export function initialNames(size: Size): string[][] {
  const names: string[][] = [];
  for (let n = 0; n < size.nodes; n++) {
    const row: string[] = [];
    for (let k = 0; k < size.agentsPerNode; k++) row.push(agentName(n, k));
    names.push(row);
  }
  return names;
}

/** Apply one move to plain name arrays (the reference semantics: findIndex, splice, push). */
export function applyMove(names: string[][], m: Move): void {
  const src = names[m.sourceIndex];
  const idx = src.indexOf(m.agentName);
  if (idx < 0) throw new Error(`invalid move: ${m.agentName} not in node ${m.sourceIndex}`);
  src.splice(idx, 1);
  names[m.targetIndex].push(m.agentName);
}

/**
 * Deterministic list of `count` valid moves for `size`, simulated on plain name arrays:
 * pick a random non-empty source node, a random agent in it (by name), a random different target.
 * The same (size, seed, count) gives the same list in every process; a shorter list is a prefix
 * of a longer one with the same seed.
 */
export function generateMoves(size: Size, seed: number, count: number): Move[] {
  const moves: Move[] = new Array(count);
  const stream = moveStream(size, seed);
  for (let i = 0; i < count; i++) moves[i] = stream.next().value;
  return moves;
}

/** The moves of `generateMoves`, one at a time and without end (for runs too long to hold them all). */
export function* moveStream(size: Size, seed: number): Generator<Move, never, undefined> {
  if (size.nodes < 2) throw new Error('need at least 2 nodes');
  const rng: Rng = mulberry32(seed ^ Math.imul(size.nodes, 0x9e3779b1) ^ Math.imul(size.agentsPerNode, 0x85ebca6b));
  const names = initialNames(size);
  for (;;) {
    let sourceIndex: number;
    do sourceIndex = randInt(rng, size.nodes);
    while (names[sourceIndex].length === 0); // total agents > 0, so this terminates
    const src = names[sourceIndex];
    const name = src[randInt(rng, src.length)];
    let targetIndex = randInt(rng, size.nodes - 1);
    if (targetIndex >= sourceIndex) targetIndex++; // uniform over the other nodes
    const m: Move = { sourceIndex, agentName: name, targetIndex };
    applyMove(names, m);
    yield m;
  }
}

/** Expected agent names per node after the first `count` moves. */
export function expectedNames(size: Size, moves: readonly Move[], count: number): string[][] {
  const names = initialNames(size);
  for (let i = 0; i < count; i++) applyMove(names, moves[i]);
  return names;
}

/** Order-sensitive digest of names per node (FNV-1a over the joined text), for cross-checking cases. */
export function digestNames(names: readonly (readonly string[])[]): string {
  let h = 0x811c9dc5;
  for (const row of names) {
    const s = row.join(',') + '|';
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}
