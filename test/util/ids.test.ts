import { newId } from '../../src/util/ids';

describe('newId', () => {
  it('produces RFC 4122 version-4 UUIDs in lower case', () => {
    for (let i = 0; i < 2000; i++) {
      expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('does not repeat across refills of its random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newId());
    expect(seen.size).toBe(20_000);
  });

  it('uses every hex digit in every free position (no stuck nibble)', () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) [...newId()].forEach((c, k) => digits[k].add(c));
    const free = [...Array(36).keys()].filter((k) => ![8, 13, 14, 18, 19, 23].includes(k));
    for (const k of free) expect(digits[k].size).toBe(16);
    expect([...digits[14]]).toEqual(['4']);
    expect([...digits[19]].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
