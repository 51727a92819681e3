/**
 * An immutable, persistent map from id strings (lower-case UUIDs) to values.
 *
 * The versioned store gives every stored version its own index (lineageId -> stored entity, ...)
 * and a new version shares all untouched structure with the previous one, so a version that
 * changes k entries costs O(k · depth) memory, not O(size).
 *
 * ## Structure
 *
 * A hexadecimal trie: a branch node has 16 child slots, one per hex digit; the digit at depth `d`
 * of a key is its `d`-th hex digit, dashes are skipped (`"0a1b-..."` walks 0, a, 1, b, ...).
 * Path compression: a leaf sits in the slot of the shallowest depth at which its digit prefix is
 * unique; when a second key needs that slot, both are pushed down one level (repeatedly, as long
 * as they share digits). Deleting a key pulls a lone remaining leaf back up, so the shape of the
 * trie depends only on the set of keys, never on the order of operations. With random UUIDs a
 * map of n entries has depth about log16(n) (5 for 100,000 entries).
 *
 * A branch node also has an "end" slot for keys whose digits are exhausted at that depth: this
 * only matters for keys that are not full UUIDs (`"ab"` next to `"abc"`), and keys that differ
 * only in where their dashes are (`"ab"`, `"a-b"`) share it as a short chain.
 *
 * Nodes are plain arrays that are never mutated once a map that reaches them is published.
 * A batch ({@link PersistentMap.withMutations}) tags the nodes it copies with a fresh ownership
 * token and edits those copies in place for the rest of the batch, so every node is copied at
 * most once per batch.
 *
 * ## Costs (100,000 random UUID keys)
 *
 * `get` walks 4-6 nodes and allocates nothing. A `set` copies the 4-6 nodes on its path (18
 * slots each); a batch copies the union of its paths once, so 4 random keys cost about 17 node
 * copies (~1.4 KB retained per version). Paths of random keys diverge below the root, so for a
 * handful of keys a batch saves little over separate `set`s; it saves more as the keys share
 * upper nodes (many keys, or the same keys repeatedly).
 *
 * ## Keys
 *
 * Keys must consist of lower-case hex digits and '-' (UUIDs as produced by `crypto.randomUUID()`);
 * anything else throws a `TypeError` naming the key, in every method (`get` included, checked only
 * on the miss path so hits pay nothing for it).
 *
 * ## Iteration order
 *
 * Keys come out ordered by their hex digits (a shorter key before its extensions); for UUIDs that
 * is ascending string order.
 */

/** Index of the "key ends here" slot in a branch node. */
const END = 16;
/** Index of the ownership token (batch that may edit this node in place), or null. */
const OWNER = 17;

/** A batch's ownership token; null means "owned by nobody" (always copy). */
type Owner = object | null;

/**
 * A branch node: slots 0..15 hold `Leaf | Branch | undefined`, slot 16 (END) a chain of leaves
 * (or undefined), slot 17 (OWNER) the ownership token.
 */
type Branch = unknown[];

class Leaf<V> {
  constructor(
    readonly key: string,
    readonly value: V,
    /** Only used in END slots: further keys with the same digits (differing in dashes). */
    readonly next: Leaf<V> | undefined,
  ) {}
}

/** Packed 18-element template; `slice()` of it gives a fresh packed array. */
const EMPTY_BRANCH: Branch = [
  undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  undefined, null,
];

function newBranch(owner: Owner): Branch {
  const b = EMPTY_BRANCH.slice();
  b[OWNER] = owner;
  return b;
}

/** The node itself if the batch owns it, else a copy owned by the batch (or by nobody). */
function editable(node: Branch, owner: Owner): Branch {
  if (owner !== null && node[OWNER] === owner) return node;
  const copy = node.slice();
  copy[OWNER] = owner;
  return copy;
}

/** Hex digit value of an already validated character code (0-9, a-f). */
function nibble(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'symbol' || typeof key === 'function') return `a ${typeof key}`;
  return `${String(key)} (${key === null ? 'null' : typeof key})`;
}

/** Throws the TypeError for an invalid key; returns normally if the key is valid. */
function checkKey(key: unknown): void {
  if (typeof key !== 'string') {
    throw new TypeError(
      `PersistentMap: invalid key ${describeKey(key)}: ids must be UUIDs (strings of lower-case hex digits and '-')`,
    );
  }
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || c === 45)) {
      throw new TypeError(
        `PersistentMap: invalid key ${describeKey(key)}: ids must be UUIDs (lower-case hex digits and '-'); ` +
          `${JSON.stringify(key[i])} at index ${i} is not allowed`,
      );
    }
  }
}

/**
 * The leaf holding `key`, or undefined. No validation, no allocation: an invalid character is
 * simply a miss (callers validate on the miss path).
 */
function findLeaf<V>(root: Branch, key: string): Leaf<V> | undefined {
  let node = root;
  let i = 0;
  const len = key.length;
  for (;;) {
    let c = key.charCodeAt(i); // NaN past the end
    while (c === 45) c = key.charCodeAt(++i);
    if (i >= len) {
      let leaf = node[END] as Leaf<V> | undefined;
      while (leaf !== undefined) {
        if (leaf.key === key) return leaf;
        leaf = leaf.next;
      }
      return undefined;
    }
    let n: number;
    if (c >= 48 && c <= 57) n = c - 48;
    else if (c >= 97 && c <= 102) n = c - 87;
    else return undefined;
    const slot = node[n];
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return (slot as Leaf<V>).key === key ? (slot as Leaf<V>) : undefined;
    node = slot;
    i++;
  }
}

/** `findLeaf` for public entry points: a miss validates the key (throws on an invalid one). */
function lookup<V>(root: Branch, key: string): Leaf<V> | undefined {
  if (typeof key !== 'string') checkKey(key);
  const leaf = findLeaf<V>(root, key);
  if (leaf === undefined) checkKey(key);
  return leaf;
}

/** Index in `s` of its `depth`-th hex digit (dashes skipped), or `s.length`. */
function digitIndex(s: string, depth: number): number {
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 45) {
      if (d === depth) return i;
      d++;
    }
  }
  return s.length;
}

function chainSet<V>(chain: Leaf<V> | undefined, key: string, value: V): Leaf<V> {
  if (chain === undefined) return new Leaf(key, value, undefined);
  if (chain.key === key) return new Leaf(key, value, chain.next);
  return new Leaf(chain.key, chain.value, chainSet(chain.next, key, value));
}

function chainRemove<V>(chain: Leaf<V> | undefined, key: string): Leaf<V> | undefined {
  if (chain === undefined) return undefined;
  if (chain.key === key) return chain.next;
  return new Leaf(chain.key, chain.value, chainRemove(chain.next, key));
}

/**
 * Replaces the slot holding `old` (a leaf with a different key sharing the first `depth` digits)
 * with a branch at `depth` holding both, pushed down until their digits differ.
 * `i` is the index in `key` of its `depth`-th digit (or a dash before it).
 */
function split<V>(old: Leaf<V>, key: string, value: V, i: number, depth: number, owner: Owner): Branch {
  const okey = old.key;
  let j = digitIndex(okey, depth);
  const top = newBranch(owner);
  let node = top;
  for (;;) {
    let c = key.charCodeAt(i);
    while (c === 45) c = key.charCodeAt(++i);
    let d = okey.charCodeAt(j);
    while (d === 45) d = okey.charCodeAt(++j);
    const a = i < key.length ? nibble(c) : END;
    const b = j < okey.length ? nibble(d) : END;
    if (a !== b) {
      node[a] = new Leaf(key, value, undefined);
      node[b] = old; // a leaf from a digit slot has no chain
      return top;
    }
    if (a === END) {
      // Same digits, different dashes: share the END slot as a chain.
      node[END] = new Leaf(key, value, old);
      return top;
    }
    const child = newBranch(owner);
    node[a] = child;
    node = child;
    i++;
    j++;
  }
}

/** Set by `assoc`: whether the key was new. */
let added = false;

/** Returned by `assocIn` when the key already holds the value. */
const UNCHANGED: unknown[] = [];

/**
 * Sets `key` to `value`. Returns the new root (the same array if the batch owned it), or
 * `undefined` if the key already held `value` (by `Object.is`). Throws the TypeError for an
 * invalid key before changing anything. Sets `added`.
 */
function assoc<V>(root: Branch, key: string, value: V, owner: Owner): Branch | undefined {
  if (typeof key !== 'string') checkKey(key);
  const out = assocIn(root, key, 0, 0, value, owner);
  return out === UNCHANGED ? undefined : out;
}

/**
 * Recursive step of `assoc` at branch `node` (depth `depth`, `i` = position in `key`). Returns
 * the node that replaces `node`: `node` itself if the batch owns it (edited in place), a copy
 * otherwise, or UNCHANGED. Copies are made on the way back up, so nothing is copied for a no-op
 * and a node the batch already owns is never copied again (its ancestors are owned too).
 */
function assocIn<V>(node: Branch, key: string, i: number, depth: number, value: V, owner: Owner): Branch {
  let c = key.charCodeAt(i);
  while (c === 45) c = key.charCodeAt(++i);
  let n: number;
  let replacement: unknown;
  if (i >= key.length) {
    const chain = node[END] as Leaf<V> | undefined;
    let existing = chain;
    while (existing !== undefined && existing.key !== key) existing = existing.next;
    if (existing !== undefined && Object.is(existing.value, value)) return UNCHANGED;
    if (existing === undefined) checkKey(key);
    added = existing === undefined;
    n = END;
    replacement = chainSet(chain, key, value);
  } else {
    if (c >= 48 && c <= 57) n = c - 48;
    else if (c >= 97 && c <= 102) n = c - 87;
    else {
      checkKey(key); // throws
      return UNCHANGED;
    }
    const slot = node[n];
    if (slot === undefined) {
      checkKey(key);
      added = true;
      replacement = new Leaf(key, value, undefined);
    } else if (Array.isArray(slot)) {
      replacement = assocIn(slot, key, i + 1, depth + 1, value, owner);
      if (replacement === slot || replacement === UNCHANGED) return replacement === slot ? node : UNCHANGED;
    } else {
      const leaf = slot as Leaf<V>;
      if (leaf.key === key) {
        if (Object.is(leaf.value, value)) return UNCHANGED;
        added = false;
        replacement = new Leaf(key, value, undefined);
      } else {
        checkKey(key);
        added = true;
        replacement = split(leaf, key, value, i + 1, depth + 1, owner);
      }
    }
  }
  if (owner !== null && node[OWNER] === owner) {
    node[n] = replacement;
    return node;
  }
  const copy = node.slice();
  copy[OWNER] = owner;
  copy[n] = replacement;
  return copy;
}

/**
 * What a non-root branch becomes: itself, or its only leaf pulled up (path compression), or
 * undefined if empty.
 */
function collapse(b: Branch): unknown {
  let only: unknown = undefined;
  let count = 0;
  for (let k = 0; k <= END; k++) {
    const s = b[k];
    if (s !== undefined) {
      if (++count > 1) return b;
      only = s;
    }
  }
  if (count === 0) return undefined;
  if (only instanceof Leaf && only.next === undefined) return only;
  return b;
}

/** Removes a key known to be present; returns the replacement of `node`. */
function dissoc(node: Branch, key: string, i: number, owner: Owner, isRoot: boolean): unknown {
  let c = key.charCodeAt(i);
  while (c === 45) c = key.charCodeAt(++i);
  const out = editable(node, owner);
  if (i >= key.length) {
    out[END] = chainRemove(out[END] as Leaf<unknown> | undefined, key);
  } else {
    const n = nibble(c);
    const slot = out[n];
    out[n] = slot instanceof Leaf ? undefined : dissoc(slot as Branch, key, i + 1, owner, false);
  }
  return isRoot ? out : collapse(out);
}

/** Leaves in key order (END chain first, then digits 0..f), depth first, without recursion. */
function* leaves<V>(root: Branch): Generator<Leaf<V>, void, undefined> {
  const nodes: Branch[] = [root];
  const pos: number[] = [-1];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const p = pos[top];
    if (p > 15) {
      nodes.pop();
      pos.pop();
      continue;
    }
    pos[top] = p + 1;
    const slot = nodes[top][p < 0 ? END : p];
    if (slot === undefined) continue;
    if (slot instanceof Leaf) {
      for (let l: Leaf<V> | undefined = slot as Leaf<V>; l !== undefined; l = l.next) yield l;
    } else {
      nodes.push(slot as Branch);
      pos.push(-1);
    }
  }
}

function forEachLeaf<V>(node: Branch, fn: (leaf: Leaf<V>) => void): void {
  for (let p = -1; p < 16; p++) {
    const slot = node[p < 0 ? END : p];
    if (slot === undefined) continue;
    if (slot instanceof Leaf) {
      for (let l: Leaf<V> | undefined = slot as Leaf<V>; l !== undefined; l = l.next) fn(l);
    } else {
      forEachLeaf(slot as Branch, fn);
    }
  }
}

/** The mutator handed to {@link PersistentMap.withMutations}. Valid only during the callback. */
export interface PersistentMapMutator<V> {
  set(key: string, value: V): void;
  delete(key: string): void;
  /** Reads the batch's current state (including its own earlier writes). */
  get(key: string): V | undefined;
  has(key: string): boolean;
  readonly size: number;
}

class Transient<V> implements PersistentMapMutator<V> {
  constructor(
    public root: Branch,
    public size: number,
    /** The batch's ownership token; null once the batch is over. */
    public owner: Owner,
  ) {}

  private live(): object {
    const owner = this.owner;
    if (owner === null) {
      throw new Error('PersistentMap: the mutator of withMutations() was used after the batch ended');
    }
    return owner;
  }

  set(key: string, value: V): void {
    const root = assoc(this.root, key, value, this.live());
    if (root === undefined) return;
    this.root = root;
    if (added) this.size++;
  }

  delete(key: string): void {
    const owner = this.live();
    if (lookup(this.root, key) === undefined) return;
    this.root = dissoc(this.root, key, 0, owner, true) as Branch;
    this.size--;
  }

  get(key: string): V | undefined {
    this.live();
    return lookup<V>(this.root, key)?.value;
  }

  has(key: string): boolean {
    this.live();
    return lookup(this.root, key) !== undefined;
  }
}

/**
 * An immutable map from UUID strings to values with structural sharing; see the module comment.
 * Every "modifying" method returns a new map and leaves this one unchanged; a call that changes
 * nothing (setting a key to the value it has, by `Object.is`, or deleting an absent key) returns
 * this same instance.
 */
export class PersistentMap<V> implements Iterable<[string, V]> {
  private static readonly EMPTY: PersistentMap<unknown> = new PersistentMap<unknown>(newBranch(null), 0);

  private constructor(
    private readonly root: Branch,
    private readonly count: number,
  ) {}

  /** The empty map (a shared instance). */
  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY as PersistentMap<V>;
  }

  /** A map of the given entries (later duplicates win), built in one batch. */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    return PersistentMap.empty<V>().withMutations((m) => {
      for (const [k, v] of entries) m.set(k, v);
    });
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    if (typeof key !== 'string') checkKey(key);
    const leaf = findLeaf<V>(this.root, key);
    if (leaf !== undefined) return leaf.value;
    checkKey(key);
    return undefined;
  }

  has(key: string): boolean {
    return lookup(this.root, key) !== undefined;
  }

  /** A new map with `key` set to `value` (this map if it already holds exactly that value). */
  set(key: string, value: V): PersistentMap<V> {
    const root = assoc(this.root, key, value, null);
    if (root === undefined) return this;
    return new PersistentMap<V>(root, added ? this.count + 1 : this.count);
  }

  /** A new map without `key` (this map if the key is absent). */
  delete(key: string): PersistentMap<V> {
    if (lookup(this.root, key) === undefined) return this;
    return new PersistentMap<V>(dissoc(this.root, key, 0, null, true) as Branch, this.count - 1);
  }

  /**
   * Applies many changes at once: `fn` receives a mutator whose `set`/`delete` edit a private
   * draft; every trie node on the touched paths is copied at most once for the whole batch.
   * Returns the resulting map (this map if nothing changed). If `fn` throws, nothing is
   * published and this map is unchanged. The mutator must not be used after `fn` returns.
   */
  withMutations(fn: (m: PersistentMapMutator<V>) => void): PersistentMap<V> {
    const t = new Transient<V>(this.root, this.count, {});
    try {
      fn(t);
    } finally {
      t.owner = null;
    }
    const root = t.root;
    t.root = EMPTY_BRANCH; // the mutator must not keep this version alive
    return root === this.root ? this : new PersistentMap<V>(root, t.size);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const l of leaves<V>(this.root)) yield [l.key, l.value];
  }

  *keys(): IterableIterator<string> {
    for (const l of leaves<V>(this.root)) yield l.key;
  }

  *values(): IterableIterator<V> {
    for (const l of leaves<V>(this.root)) yield l.value;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Calls `fn(value, key, map)` for every entry, in iteration order. */
  forEach(fn: (value: V, key: string, map: PersistentMap<V>) => void): void {
    forEachLeaf<V>(this.root, (l) => fn(l.value, l.key, this));
  }
}
