import fc from 'fast-check';
import { AbstractionsError } from '../../src/errors';
import { AddressSyntaxError, EntityNotFoundError, FieldPathError, StaleVersionError } from '../../src/address/errors';
import { formatAddress, formatSegment, isAddress, parseAddress, PathSegment } from '../../src/address/parse';

const U = '0123abcd-4567-89ab-cdef-0123456789ab';
const A = `@${U}`; // positions: '@' 0, uuid 1..36, next character 37

describe('parseAddress: valid addresses', () => {
  const valid: [string, PathSegment[]][] = [
    [A, []],
    [`${A}.name`, ['name']],
    [`${A}.items.0.key`, ['items', 0, 'key']],
    [`${A}.items[0]`, ['items', 0]],
    [`${A}.items.[0]`, ['items', 0]],
    [`${A}.a[1][2].b`, ['a', 1, 2, 'b']],
    [`${A}.byName["a.b"]`, ['byName', 'a.b']],
    [`${A}.codes.["007"]`, ['codes', '007']],
    [`${A}["x"]`, ['x']],
    [`${A}.[""]`, ['']],
    [`${A}.m["with space"]["q\\"uote"]`, ['m', 'with space', 'q"uote']],
    [`${A}["\\u00e9\\n\\t\\\\\\/"]`, ['é\n\t\\/']],
    [`${A}["[]"]`, ['[]']],
    [`${A}.$ref._x-y`, ['$ref', '_x-y']],
    [`${A}.0`, [0]],
    [`${A}.10`, [10]],
    [`${A}.9007199254740991`, [9007199254740991]],
    [`${A}.1a`, ['1a']],
    [`${A}.-1`, ['-1']],
    [`${A}.héllo.日本語.x\u0301`, ['héllo', '日本語', 'x\u0301']],
    [`@${U.toUpperCase()}.Field`, ['Field']],
  ];

  it.each(valid)('%s', (text, path) => {
    expect(parseAddress(text)).toEqual({ ecsId: U, path });
    expect(isAddress(text)).toBe(true);
  });

  it('lower-cases the ecsId', () => {
    expect(parseAddress('@0123ABCD-4567-89AB-CDEF-0123456789AB').ecsId).toBe(U);
  });
});

describe('parseAddress: invalid addresses', () => {
  const invalid: [string, number, RegExp][] = [
    ['', 0, /empty/],
    ['x', 0, /starts with '@'/],
    [U, 0, /starts with '@'/],
    [` ${A}`, 0, /starts with '@'/],
    ['@', 1, /ends inside the UUID/],
    ['@0123abcd', 9, /ends inside the UUID/],
    ['@0123abcg-4567-89ab-cdef-0123456789ab', 8, /hex digit.*'g'/],
    ['@0123abcd_4567-89ab-cdef-0123456789ab', 9, /expected '-'.*'_'/],
    ['@0123abc-d4567-89ab-cdef-0123456789ab', 8, /hex digit.*'-'/],
    [`${A}0`, 37, /too long/],
    [`${A}x`, 37, /after the UUID/],
    [`${A} `, 37, /U\+0020/],
    [`${A}.`, 37, /trailing '\.'/],
    [`${A}..a`, 38, /empty path segment/],
    [`${A}.a.`, 39, /trailing '\.'/],
    [`${A}.a..b`, 40, /empty path segment/],
    [`${A}.a b`, 39, /U\+0020.*quote the key/],
    [`${A}.a@b`, 39, /'@' cannot appear/],
    [`${A}.a]`, 39, /']' cannot appear/],
    [`${A}.@`, 38, /expected a path segment/],
    [`${A}.["abc`, 39, /unterminated quoted key/],
    [`${A}["abc\\"]`, 38, /unterminated quoted key/],
    [`${A}.[`, 38, /never closed/],
    [`${A}.["a"`, 38, /never closed/],
    [`${A}.["a"x`, 42, /expected '\]', found 'x'/],
    [`${A}.[]`, 39, /empty brackets/],
    [`${A}.['a']`, 39, /double quotes/],
    [`${A}.[a]`, 39, /expected a quoted key/],
    [`${A}.["a\\x"]`, 42, /invalid escape \\x/],
    [`${A}.["\u0001"]`, 40, /control character U\+0001/],
    [`${A}.["\\u12g4"]`, 44, /invalid \\u escape/],
    [`${A}.007`, 38, /leading zero; write 7 for the index or \["007"\] for the key/],
    [`${A}[007]`, 38, /leading zero/],
    [`${A}.99999999999999999`, 38, /MAX_SAFE_INTEGER/],
  ];

  it.each(invalid)('%j fails at position %i', (text, position, reason) => {
    let error: unknown;
    try {
      parseAddress(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AddressSyntaxError);
    const e = error as AddressSyntaxError;
    expect(e.address).toBe(text);
    expect(e.position).toBe(position);
    expect(e.reason).toMatch(reason);
    // The message shows the address and a caret under the offending character.
    const [head, shown, caret] = e.message.split('\n');
    expect(head).toContain(`position ${position}`);
    // eslint-disable-next-line no-control-regex -- the control characters the message shows as glyphs
    expect(shown).toBe(`  ${text.replace(/[\u0000-\u001f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))}`);
    expect(caret).toBe(`  ${' '.repeat(position)}^`);
    expect(isAddress(text)).toBe(false);
  });

  it('rejects non-strings with an AddressSyntaxError naming what it got', () => {
    expect(() => parseAddress(42 as unknown as string)).toThrow(AddressSyntaxError);
    expect(() => parseAddress(null as unknown as string)).toThrow(/expected an address string, got null/);
  });

  it('the caret counts code points, so astral characters before it do not shift it', () => {
    const text = `${A}["😀"] `;
    const e = (() => {
      try {
        parseAddress(text);
      } catch (err) {
        return err as AddressSyntaxError;
      }
      throw new Error('expected a failure');
    })();
    expect(e.position).toBe(text.length - 1);
    expect(e.message.split('\n')[2]).toBe(`  ${' '.repeat(Array.from(text).length - 1)}^`);
  });
});

describe('isAddress', () => {
  it.each([null, undefined, 42, {}, [], Symbol('x')])('is false for a non-string (%p)', (v) => {
    expect(isAddress(v)).toBe(false);
  });
  it('is false for plain text that merely starts with @', () => {
    expect(isAddress('@alice')).toBe(false);
    expect(isAddress(`${A} and more`)).toBe(false);
  });
});

describe('formatAddress', () => {
  it('writes the canonical form', () => {
    expect(formatAddress(U.toUpperCase())).toBe(A);
    expect(formatAddress(U, ['items', 0, 'name'])).toBe(`${A}.items.0.name`);
    expect(formatAddress(U, ['byName', 'a.b', '007', '', 'with space', 'q"', 'é', '1a'])).toBe(
      `${A}.byName["a.b"]["007"][""]["with space"]["q\\""].é.1a`,
    );
    expect(formatSegment('x')).toBe('.x');
    expect(formatSegment(3)).toBe('.3');
    expect(formatSegment('3')).toBe('["3"]');
  });

  it.each([-1, 1.5, NaN, Infinity, -0, 2 ** 53])('rejects the index %p', (n) => {
    expect(() => formatAddress(U, [n])).toThrow(AddressSyntaxError);
  });

  it('rejects an ecsId that is not a UUID', () => {
    expect(() => formatAddress('not-a-uuid', [])).toThrow(/must be a UUID/);
    expect(() => formatAddress(`${U}0`, [])).toThrow(AddressSyntaxError);
  });
});

describe('address properties', () => {
  const uuidAnyCase = fc
    .tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }))
    .map(([u, up]) => Array.from(u, (c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
  const segment: fc.Arbitrary<PathSegment> = fc.oneof(
    fc.nat(),
    fc.maxSafeNat(),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.stringMatching(/^[A-Za-z_$][\w$-]{0,8}$/),
    fc.stringMatching(/^[0-9]{1,4}$/),
    fc.constantFrom('a.b', '007', '', '[', ']', '"', '\\', '.', '..', '["x"]', ' ', '\n', '😀', 'e\u0301', '\u2028'),
  );

  it('parseAddress(formatAddress(id, path)) gives back the lower-cased id and the path', () => {
    fc.assert(
      fc.property(uuidAnyCase, fc.array(segment, { maxLength: 6 }), (id, path) => {
        const text = formatAddress(id, path);
        expect(isAddress(text)).toBe(true);
        const parsed = parseAddress(text);
        expect(parsed).toEqual({ ecsId: id.toLowerCase(), path });
        expect(formatAddress(parsed.ecsId, parsed.path)).toBe(text); // canonical: a fixed point
      }),
      { numRuns: 2000 },
    );
  });

  it('any text either parses or fails with an AddressSyntaxError at a position inside it', () => {
    const suffix = fc.array(
      fc.oneof(
        fc.constantFrom('.', '[', ']', '"', '\\', '0', '7', 'a', 'Z', '_', ' ', '@', "'", 'u', '-', '😀', '\u0001'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 3 }),
      ),
      { maxLength: 12 },
    );
    const text = fc.oneof(
      fc.tuple(uuidAnyCase, suffix).map(([u, s]) => `@${u}${s.join('')}`),
      fc.tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), suffix).map(([a, s]) => a + s.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        let ok = true;
        try {
          const parsed = parseAddress(s);
          // Whatever parses re-formats to an address that parses to the same thing.
          expect(parseAddress(formatAddress(parsed.ecsId, parsed.path))).toEqual(parsed);
        } catch (e) {
          ok = false;
          expect(e).toBeInstanceOf(AddressSyntaxError);
          const { position } = e as AddressSyntaxError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(s.length);
        }
        expect(isAddress(s)).toBe(ok);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('typed errors', () => {
  it('share AbstractionsError, carry their class name and fields', () => {
    const errors = [
      new AddressSyntaxError('@x', 1, 'bad'),
      new EntityNotFoundError(U),
      new FieldPathError(`${A}.a.b`, 'b', 1, ['x', 'y']),
      new StaleVersionError(`${A}.a`, 'lineage-1', 'latest-1'),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(AbstractionsError);
      expect(e.name).toBe(e.constructor.name);
      expect(String(e)).toMatch(new RegExp(`^${e.constructor.name}: `));
      expect(e.stack).toContain(e.constructor.name);
      expect(Object.keys(e)).not.toContain('name');
    }
    expect(new AbstractionsError('x').name).toBe('AbstractionsError');
  });

  it("EntityNotFoundError (the store's class, re-exported)", () => {
    const e = new EntityNotFoundError(U);
    expect(e.ecsId).toBe(U);
    expect(e.message).toContain(U);
    expect(new EntityNotFoundError(U, 'while resolving an address').message).toContain('while resolving an address');
  });

  it('FieldPathError names the failing segment and lists what exists there', () => {
    const e = new FieldPathError(`${A}.scores.nme`, 'nme', 1, ['name', 'gpa']);
    expect([e.address, e.segment, e.index, e.available]).toEqual([`${A}.scores.nme`, 'nme', 1, ['name', 'gpa']]);
    expect(e.message).toContain(`${A}.scores.nme`);
    expect(e.message).toContain('"nme"');
    expect(e.message).toContain('"name", "gpa"');
    const many = new FieldPathError(
      `${A}.list.500`,
      500,
      1,
      Array.from({ length: 30 }, (_, i) => String(i)),
      'out of range',
    );
    expect(many.message).toContain('index 500');
    expect(many.message).toContain('out of range');
    expect(many.message).toContain('and 10 more');
    expect(many.available).toHaveLength(30);
    expect(new FieldPathError(`${A}.n.x`, 'x', 1, []).message).toContain('nothing can be looked up there');
  });

  it('StaleVersionError names the lineage and its latest version', () => {
    const e = new StaleVersionError(`${A}.a`, 'lin', 'abc');
    expect([e.address, e.lineageId, e.latestEcsId]).toEqual([`${A}.a`, 'lin', 'abc']);
    expect(e.message).toContain('lin');
    expect(e.message).toContain('@abc');
  });
});
