import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { PersistentMap } from '../../src/store/persistent-map';

// ---------------------------------------------------------------------------------------------
// White-box helpers: the trie layout is an 18-slot array per branch (0..15 digits, 16 = END
// chain, 17 = ownership token) and Leaf objects { key, value, next }.
// ---------------------------------------------------------------------------------------------
type Node = unknown[];
interface LeafLike {
  key: string;
  value: unknown;
  next: LeafLike | undefined;
}
const END = 16;
const rootOf = (m: PersistentMap<unknown>): Node => (m as unknown as { root: Node }).root;
const isBranch = (x: unknown): x is Node => Array.isArray(x);
const digits = (k: string): string => k.replace(/-/g, '');

/** Plain assertion: jest's expect() is too slow for per-node checks over 100k-entry tries. */
function check(cond: boolean, what: () => string): void {
  if (!cond) throw new Error(`trie invariant violated: ${what()}`);
}

/** Checks the trie invariants; returns the number of keys below `node`. */
function checkNode(node: Node, prefix: string, isRoot: boolean): number {
  check(node.length === 18, () => `node of length ${node.length} at ${prefix}`);
  let count = 0;
  for (let p = 0; p <= END; p++) {
    const slot = node[p];
    if (slot === undefined) continue;
    if (isBranch(slot)) {
      check(p < END, () => `branch in END slot at ${prefix}`);
      count += checkNode(slot, prefix + p.toString(16), false);
    } else if (p === END) {
      for (let l: LeafLike | undefined = slot as LeafLike; l !== undefined; l = l.next) {
        check(digits(l.key) === prefix, () => `END leaf ${l!.key} at ${prefix}`);
        count++;
      }
    } else {
      const leaf = slot as LeafLike;
      check(leaf.next === undefined, () => `chained leaf ${leaf.key} in a digit slot`);
      check(digits(leaf.key).startsWith(prefix + p.toString(16)), () => `leaf ${leaf.key} at ${prefix}/${p}`);
      count++;
    }
  }
  // Path compression: a non-root branch exists only because >= 2 keys share its prefix.
  check(isRoot || count >= 2, () => `branch at ${prefix} holds ${count} key(s)`);
  return count;
}

function checkInvariants(m: PersistentMap<unknown>): void {
  const n = checkNode(rootOf(m), '', true);
  check(n === m.size, () => `size ${m.size} but ${n} leaves`);
}

/** Order-independent description of a trie (ignores ownership tokens and chain order). */
function shape(node: unknown): unknown {
  if (node === undefined) return null;
  if (isBranch(node)) return node.slice(0, END + 1).map(shape);
  const out: [string, unknown][] = [];
  for (let l: LeafLike | undefined = node as LeafLike; l !== undefined; l = l.next) out.push([l.key, l.value]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Fast `shape(a) deep-equals shape(b)` for large tries (no allocation of the description). */
function sameShape(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isBranch(a) && isBranch(b)) {
    for (let p = 0; p <= END; p++) if (!sameShape(a[p], b[p])) return false;
    return true;
  }
  if (isBranch(a) || isBranch(b) || a === undefined || b === undefined) return false;
  return JSON.stringify(shape(a)) === JSON.stringify(shape(b));
}

function branchesOf(node: Node, into: Set<Node> = new Set()): Set<Node> {
  into.add(node);
  for (let p = 0; p < END; p++) if (isBranch(node[p])) branchesOf(node[p] as Node, into);
  return into;
}

/** Branch nodes of `next` that are not shared with `prev`. */
function newNodes(prev: PersistentMap<unknown>, next: PersistentMap<unknown>): number {
  const old = branchesOf(rootOf(prev));
  let n = 0;
  const walk = (node: Node): void => {
    if (old.has(node)) return;
    n++;
    for (let p = 0; p < END; p++) if (isBranch(node[p])) walk(node[p] as Node);
  };
  walk(rootOf(next));
  return n;
}

const sortEntries = <V>(es: Iterable<[string, V]>): [string, V][] =>
  [...es].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function sameAs<V>(m: PersistentMap<V>, ref: Map<string, V>, probe: Iterable<string>): boolean {
  if (m.size !== ref.size) return false;
  const mine = sortEntries(m.entries());
  const theirs = sortEntries(ref.entries());
  if (mine.length !== theirs.length) return false;
  for (let i = 0; i < mine.length; i++) {
    if (mine[i][0] !== theirs[i][0] || !Object.is(mine[i][1], theirs[i][1])) return false;
  }
  for (const k of probe) if (m.get(k) !== ref.get(k) || m.has(k) !== ref.has(k)) return false;
  return true;
}

function expectSameAs<V>(m: PersistentMap<V>, ref: Map<string, V>, probe: readonly string[]): void {
  if (sameAs(m, ref, probe)) return;
  expect(sortEntries(m.entries())).toEqual(sortEntries(ref.entries())); // readable diff
  expect(m.size).toBe(ref.size);
  for (const k of probe) expect([k, m.get(k), m.has(k)]).toEqual([k, ref.get(k), ref.has(k)]);
}

// Keys sharing long prefixes (down to differing only in the last digit), plus non-UUID hex keys
// exercising the END slot (prefix keys, keys that differ only by dashes, the empty key).
const BASE = '0123abcd-4567-89ab-cdef-0123456789ab';
const PREFIX_KEYS = [
  BASE,
  BASE.slice(0, -1) + 'c',
  BASE.slice(0, -1) + '0',
  BASE.slice(0, -2) + 'fb',
  BASE.slice(0, -2) + 'ff',
  BASE.slice(0, 30) + 'ffffff',
  BASE.slice(0, 24) + '000000000000',
  BASE.slice(0, 9) + 'ffff-89ab-cdef-0123456789ab',
  BASE.slice(0, 1) + 'f' + BASE.slice(2),
  'f' + BASE.slice(1),
  '00000000-0000-0000-0000-000000000000',
  '00000000-0000-0000-0000-000000000001',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
const ODD_KEYS = ['', '-', 'a', 'ab', 'a-b', '-ab', 'ab-', 'abc', 'abc-', 'a-b-c', '0123abcd', '0123abcd-4567'];
const POOL = [...PREFIX_KEYS, ...ODD_KEYS];

describe('PersistentMap basics', () => {
  const a = '11111111-2222-3333-4444-555555555555';
  const b = '11111111-2222-3333-4444-555555555556';
  const c = 'abcdef01-2222-3333-4444-555555555555';

  it('empty map', () => {
    const e = PersistentMap.empty<number>();
    expect(e.size).toBe(0);
    expect(e.get(a)).toBeUndefined();
    expect(e.has(a)).toBe(false);
    expect([...e]).toEqual([]);
    expect(PersistentMap.empty<string>()).toBe(e as unknown);
  });

  it('set returns a new map and leaves the old one unchanged', () => {
    const m0 = PersistentMap.empty<number>();
    const m1 = m0.set(a, 1);
    const m2 = m1.set(b, 2);
    const m3 = m2.set(a, 10);
    expect([m0.size, m1.size, m2.size, m3.size]).toEqual([0, 1, 2, 2]);
    expect(m1.get(a)).toBe(1);
    expect(m1.get(b)).toBeUndefined();
    expect(m2.get(a)).toBe(1);
    expect(m2.get(b)).toBe(2);
    expect(m3.get(a)).toBe(10);
    expect(m3.get(b)).toBe(2);
    for (const m of [m0, m1, m2, m3]) checkInvariants(m);
  });

  it('returns the same instance when nothing changes', () => {
    const v = { x: 1 };
    const m = PersistentMap.empty<unknown>().set(a, v).set(b, NaN);
    expect(m.set(a, v)).toBe(m);
    expect(m.set(b, NaN)).toBe(m);
    expect(m.set(a, { x: 1 })).not.toBe(m);
    expect(m.delete(c)).toBe(m);
    expect(m.withMutations(() => undefined)).toBe(m);
    expect(m.withMutations((t) => t.set(a, v))).toBe(m);
  });

  it('delete', () => {
    const m = PersistentMap.from<number>([[a, 1], [b, 2], [c, 3]]);
    const d = m.delete(b);
    expect(d.size).toBe(2);
    expect(d.has(b)).toBe(false);
    expect(m.get(b)).toBe(2);
    expect(d.delete(a).delete(c).size).toBe(0);
    checkInvariants(d);
    // Deleting pulls the remaining sibling back up: same shape as if b had never been set.
    expect(shape(rootOf(d))).toEqual(shape(rootOf(PersistentMap.from<number>([[a, 1], [c, 3]]))));
  });

  it('undefined is a storable value', () => {
    const m = PersistentMap.empty<undefined>().set(a, undefined);
    expect(m.has(a)).toBe(true);
    expect(m.size).toBe(1);
    expect(m.get(a)).toBeUndefined();
  });

  it('iteration: entries, keys, values, forEach, Symbol.iterator, in ascending key order', () => {
    const keys = Array.from({ length: 200 }, () => randomUUID());
    const m = PersistentMap.from(keys.map((k, i) => [k, i] as [string, number]));
    const sorted = [...keys].sort();
    expect([...m.keys()]).toEqual(sorted);
    expect([...m.entries()].map(([k]) => k)).toEqual(sorted);
    expect([...m].map(([k, v]) => keys[v] === k)).toEqual(sorted.map(() => true));
    expect([...m.values()].sort((x, y) => x - y)).toEqual(keys.map((_, i) => i));
    const seen: string[] = [];
    m.forEach((v, k, map) => {
      expect(map).toBe(m);
      expect(keys[v]).toBe(k);
      seen.push(k);
    });
    expect(seen).toEqual(sorted);
  });

  it('keys sharing all but the last digit, prefix keys and dash variants', () => {
    let m = PersistentMap.empty<string>();
    for (const k of POOL) {
      m = m.set(k, `v:${k}`);
      checkInvariants(m);
    }
    expect(m.size).toBe(POOL.length);
    for (const k of POOL) expect(m.get(k)).toBe(`v:${k}`);
    expect(m.get('a--b')).toBeUndefined(); // same digits as 'ab' / 'a-b', not stored
    expect(m.get('abcd')).toBeUndefined();
    for (const k of POOL) {
      m = m.delete(k);
      checkInvariants(m);
      expect(m.has(k)).toBe(false);
    }
    expect(m.size).toBe(0);
  });

  it('the shape depends only on the set of keys, not on the order of operations', () => {
    const keys = [...POOL, ...Array.from({ length: 300 }, () => randomUUID())];
    const forward = PersistentMap.from(keys.map((k) => [k, 1] as [string, number]));
    let backward = PersistentMap.empty<number>();
    for (const k of [...keys].reverse()) backward = backward.set(k, 1).set(randomUUID(), 2);
    for (const [k, v] of backward) if (v === 2) backward = backward.delete(k);
    expect(shape(rootOf(backward))).toEqual(shape(rootOf(forward)));
  });
});

describe('PersistentMap key validation', () => {
  const m = PersistentMap.empty<number>().set('0123abcd-4567-89ab-cdef-0123456789ab', 1);
  const bad = ['0123ABCD-4567-89ab-cdef-0123456789ab', 'g', 'abc-xyz', '@0123abcd', ' 0123', 'é'];

  it.each(bad)('rejects %j in every method with a TypeError naming the key', (k) => {
    const message = new RegExp(`${JSON.stringify(k).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*UUID`);
    expect(() => m.set(k, 1)).toThrow(TypeError);
    expect(() => m.set(k, 1)).toThrow(message);
    expect(() => m.get(k)).toThrow(message);
    expect(() => m.has(k)).toThrow(message);
    expect(() => m.delete(k)).toThrow(message);
    expect(() => m.withMutations((t) => t.set(k, 1))).toThrow(message);
  });

  it('rejects non-string keys', () => {
    expect(() => m.get(42 as unknown as string)).toThrow(/42 \(number\).*UUID/);
    expect(() => m.set(null as unknown as string, 1)).toThrow(TypeError);
  });

  it('a key that only matches a stored prefix before the bad character is still rejected', () => {
    expect(() => m.get('0123abcd-4567-89ab-cdef-0123456789aX')).toThrow(TypeError);
  });
});

describe('PersistentMap.withMutations', () => {
  it('applies sets and deletes, reads its own writes, leaves the source unchanged', () => {
    const base = PersistentMap.from(POOL.map((k, i) => [k, i] as [string, number]));
    const next = base.withMutations((t) => {
      t.set(POOL[0], 100);
      t.delete(POOL[1]);
      t.set('cafebabe-0000-0000-0000-000000000000', 7);
      expect(t.get(POOL[0])).toBe(100);
      expect(t.has(POOL[1])).toBe(false);
      expect(t.size).toBe(POOL.length);
      t.delete('cafebabe-0000-0000-0000-000000000000');
      t.set('cafebabe-0000-0000-0000-000000000000', 8);
    });
    expect(next.size).toBe(POOL.length);
    expect(next.get(POOL[0])).toBe(100);
    expect(next.has(POOL[1])).toBe(false);
    expect(next.get('cafebabe-0000-0000-0000-000000000000')).toBe(8);
    POOL.forEach((k, i) => expect(base.get(k)).toBe(i));
    expect(base.size).toBe(POOL.length);
    checkInvariants(next);
    checkInvariants(base);
  });

  it('publishes nothing if the callback throws', () => {
    const base = PersistentMap.from(POOL.map((k, i) => [k, i] as [string, number]));
    const before = shape(rootOf(base));
    expect(() =>
      base.withMutations((t) => {
        t.set(POOL[0], -1);
        t.delete(POOL[2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(shape(rootOf(base))).toEqual(before);
  });

  it('the mutator cannot be used after the batch', () => {
    let leaked: { set(k: string, v: number): void } | undefined;
    const m = PersistentMap.empty<number>().withMutations((t) => {
      leaked = t;
    });
    expect(() => leaked!.set('ab', 1)).toThrow(/after the batch/);
    expect(m.size).toBe(0);
  });

  it('a later batch does not write into nodes published by an earlier one', () => {
    const k = Array.from({ length: 50 }, () => randomUUID());
    const m1 = PersistentMap.empty<number>().withMutations((t) => k.forEach((x, i) => t.set(x, i)));
    const snapshot = shape(rootOf(m1));
    const m2 = m1.withMutations((t) => k.forEach((x, i) => t.set(x, i + 1)));
    const m3 = m1.withMutations((t) => k.forEach((x) => t.delete(x)));
    expect(shape(rootOf(m1))).toEqual(snapshot);
    expect(m2.get(k[3])).toBe(4);
    expect(m3.size).toBe(0);
  });

  it('edits the nodes it already copied in place instead of copying them again', () => {
    const keys = Array.from({ length: 5000 }, () => randomUUID());
    const base = PersistentMap.from(keys.map((k) => [k, 0] as [string, number]));
    const draftRoot = (t: unknown): Node => (t as { root: Node }).root;
    /** The branch nodes on the path of `key`. */
    const pathOf = (root: Node, key: string): Node[] => {
      const out: Node[] = [];
      let node: unknown = root;
      for (const d of digits(key)) {
        if (!isBranch(node)) break;
        out.push(node);
        node = node[parseInt(d, 16)];
      }
      return out;
    };
    base.withMutations((t) => {
      t.set(keys[0], 1);
      const first = pathOf(draftRoot(t), keys[0]);
      expect(first.length).toBeGreaterThanOrEqual(3);
      const shared = new Set(branchesOf(rootOf(base)));
      for (const node of first) expect(shared.has(node)).toBe(false); // copied
      for (let v = 2; v < 10; v++) t.set(keys[0], v);
      t.set(keys[1], 1);
      t.delete(keys.find((k) => k[0] !== keys[0][0])!); // elsewhere: cannot collapse keys[0]'s path
      const again = pathOf(draftRoot(t), keys[0]);
      again.forEach((node, i) => expect(node).toBe(first[i])); // not copied again
    });
  });

  it('copies each node at most once per batch and shares the rest (100,000 entries)', () => {
    const keys = Array.from({ length: 100_000 }, () => randomUUID());
    const big = PersistentMap.empty<number>().withMutations((t) => keys.forEach((k, i) => t.set(k, i)));
    expect(big.size).toBe(100_000);
    checkInvariants(big);
    expect(keys.every((k, i) => big.get(k) === i)).toBe(true);

    // 4 keys, each set 10 times in one batch: at most one copy of each node on the 4 paths.
    const touched = [keys[1], keys[2], randomUUID(), randomUUID()];
    const next = big.withMutations((t) => {
      for (let round = 0; round < 10; round++) for (const k of touched) t.set(k, -round);
    });
    const copied = newNodes(big, next);
    // depth of a random trie of 100k keys is ~5 (a new key may add one or two levels)
    expect(copied).toBeLessThanOrEqual(1 + 4 * 7);
    const separately = touched.reduce((m, k) => m.set(k, -9), big);
    expect(sameShape(rootOf(separately), rootOf(next))).toBe(true);
    expect(next.size).toBe(100_002);
    expect(big.size).toBe(100_000);
    expect(big.get(keys[1])).toBe(1);
    expect(next.get(keys[1])).toBe(-9);
  });
});

// ---------------------------------------------------------------------------------------------
// Model-based property: random set / delete / batched updates against a plain Map.
// ---------------------------------------------------------------------------------------------
type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };
type Cmd = Op | { kind: 'batch'; ops: Op[] };

describe('PersistentMap property: behaves like an immutable Map', () => {
  const keyArb = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PREFIX_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_KEYS) },
    { weight: 2, arbitrary: fc.uuid() },
  );
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('delete' as const), key: keyArb }),
  );
  const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 3, arbitrary: opArb },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(opArb, { maxLength: 12 }) }) },
  );

  const apply = (ref: Map<string, number>, op: Op): void => {
    if (op.kind === 'set') ref.set(op.key, op.value);
    else ref.delete(op.key);
  };

  it('matches the reference after every step, and every earlier map stays unchanged', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 40 }), (cmds) => {
        let map = PersistentMap.empty<number>();
        const ref = new Map<string, number>();
        const history: [PersistentMap<number>, Map<string, number>][] = [[map, new Map()]];
        const probe = new Set<string>(POOL);
        for (const cmd of cmds) {
          const before = map;
          let changed = false;
          const applyTracked = (op: Op): void => {
            const had = ref.has(op.key);
            if (op.kind === 'set') changed ||= !had || !Object.is(ref.get(op.key), op.value);
            else changed ||= had;
            apply(ref, op);
          };
          if (cmd.kind === 'batch') {
            map = map.withMutations((t) => {
              for (const op of cmd.ops) {
                if (op.kind === 'set') t.set(op.key, op.value);
                else t.delete(op.key);
                applyTracked(op);
                probe.add(op.key);
              }
            });
          } else {
            map = cmd.kind === 'set' ? map.set(cmd.key, cmd.value) : map.delete(cmd.key);
            applyTracked(cmd);
            probe.add(cmd.key);
          }
          // An update in which no single set/delete changed anything returns the same instance.
          if (!changed && map !== before) throw new Error('no-op update returned a new map');
          expectSameAs(map, ref, [...probe]);
          checkInvariants(map);
          const ks = [...map.keys()].map(digits);
          for (let i = 1; i < ks.length; i++) if (ks[i - 1] > ks[i]) throw new Error(`keys out of order: ${ks}`);
          history.push([map, new Map(ref)]);
        }
        for (const [m, r] of history) expectSameAs(m, r, [...probe]);
      }),
      { numRuns: 1000 },
    );
  });
});
