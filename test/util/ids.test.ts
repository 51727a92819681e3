import { newId } from '../../src/util/ids';

describe('newId', () => {
  it('produces RFC 9562 version-7 UUIDs in lower case', () => {
    for (let i = 0; i < 2000; i++) {
      expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('carries the current millisecond in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    // At most a few ms ahead: a counter overflow borrows the next millisecond.
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 5);
  });

  it('is strictly increasing within a process, also past 4,096 ids in one millisecond', () => {
    let previous = newId();
    let outOfOrder = 0;
    for (let i = 0; i < 50_000; i++) {
      const id = newId();
      if (id <= previous) outOfOrder++;
      previous = id;
    }
    expect(outOfOrder).toBe(0);
  });

  it('stays increasing when the clock goes back', () => {
    const realNow = Date.now;
    const first = newId();
    try {
      Date.now = () => realNow() - 60_000;
      const second = newId();
      expect(second > first).toBe(true);
    } finally {
      Date.now = realNow;
    }
  });

  it('does not repeat across refills of its random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newId());
    expect(seen.size).toBe(20_000);
  });

  it('uses every hex digit in every random position (no stuck nibble)', () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) [...newId()].forEach((c, k) => digits[k].add(c));
    for (let k = 20; k < 36; k++) if (k !== 23) expect(digits[k].size).toBe(16);
    expect([...digits[14]]).toEqual(['7']);
    expect([...digits[19]].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
