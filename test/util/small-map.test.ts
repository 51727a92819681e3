import fc from 'fast-check';
import { SmallMap } from '../../src/util/small-map';

describe('SmallMap', () => {
  it('behaves like a Map for get, set and insertion-ordered forEach, below and above its linear limit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 30 }), fc.integer()), { maxLength: 60 }), (ops) => {
        const keys = Array.from({ length: 31 }, (_, i) => ({ i }));
        const small = new SmallMap<object, number>();
        const ref = new Map<object, number>();
        for (const [k, v] of ops) {
          expect(small.set(keys[k], v)).toBe(small);
          ref.set(keys[k], v);
          for (const key of keys) expect(small.get(key)).toBe(ref.get(key));
        }
        const seen: [object, number][] = [];
        small.forEach((v, k) => seen.push([k, v]));
        expect(seen).toEqual([...ref]);
      }),
      { numRuns: 300 },
    );
  });
});
