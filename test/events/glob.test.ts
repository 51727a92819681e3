import fc from 'fast-check';
import { compileGlob, globToRegExp, matchesGlob } from '../../src/events/glob';

describe('glob matching', () => {
  const table: [glob: string, type: string, expected: boolean][] = [
    // exact
    ['entity.version', 'entity.version', true],
    ['entity.version', 'entity.versions', false],
    ['entity.version', 'entity', false],
    // `*` stays inside one segment
    ['entity.*', 'entity.version', true],
    ['entity.*', 'entity.register', true],
    ['entity.*', 'entity', false],
    ['entity.*', 'entity.a.b', false],
    ['entity.*', 'entityx.version', false],
    ['*.version', 'entity.version', true],
    ['*.version', 'a.b.version', false],
    ['entity.ver*', 'entity.version', true],
    ['entity.*ion', 'entity.version', true],
    ['entity.*ion', 'entity.versions', false],
    ['*', 'entity', true],
    ['*', 'entity.version', false],
    ['*.*', 'entity.version', true],
    ['*.*', 'entity', false],
    // `**` spans zero or more segments
    ['function.**', 'function.execute', true],
    ['function.**', 'function.a.b.c', true],
    ['function.**', 'function', true],
    ['function.**', 'functions.execute', false],
    ['function.**', 'entity.version', false],
    ['**', 'entity.version', true],
    ['**', 'x', true],
    ['**', 'a.b.c.d', true],
    ['**.version', 'entity.version', true],
    ['**.version', 'version', true],
    ['**.version', 'a.b.version', true],
    ['**.version', 'entity.versions', false],
    ['a.**.b', 'a.b', true],
    ['a.**.b', 'a.x.b', true],
    ['a.**.b', 'a.x.y.b', true],
    ['a.**.b', 'a.x.y.c', false],
    ['a.**.*.c', 'a.b.c', true],
    ['a.**.*.c', 'a.c', false],
    // regex characters are literal
    ['a+b.(c)', 'a+b.(c)', true],
    ['a+b.*', 'aab.c', false],
    ['a?.*', 'a?.x', true],
    ['a?.*', 'ab.x', false],
  ];

  it.each(table)('%s matches %s: %s', (glob, type, expected) => {
    expect(matchesGlob(glob, type)).toBe(expected);
    expect(compileGlob(glob)(type)).toBe(expected);
  });

  it('memoised answers stay correct on repeated and many distinct types', () => {
    const matches = compileGlob('entity.*');
    for (let i = 0; i < 3000; i++) {
      expect(matches(`entity.t${i}`)).toBe(true);
      expect(matches(`other.t${i}`)).toBe(false);
    }
    expect(matches('entity.version')).toBe(true);
    expect(matches('entity.version')).toBe(true);
  });

  it('compiles to an anchored regex over type + "."', () => {
    expect(globToRegExp('a.*').test('a.b.')).toBe(true);
    expect(globToRegExp('a.*').test('xa.b.')).toBe(false);
  });
});

describe('glob matching (property)', () => {
  // A direct, slow reference: segments, `**` = zero or more segments, `*` = any run in a segment.
  function reference(glob: string[], type: string[]): boolean {
    if (glob.length === 0) return type.length === 0;
    const [head, ...rest] = glob;
    if (head === '**') {
      for (let skip = 0; skip <= type.length; skip++) if (reference(rest, type.slice(skip))) return true;
      return false;
    }
    if (type.length === 0) return false;
    const segment = new RegExp(
      '^' +
        head!
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    return segment.test(type[0]!) && reference(rest, type.slice(1));
  }

  it('agrees with a segment-by-segment reference', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', 'ba', 'x');
    const globSegment = fc.constantFrom('a', 'b', 'ab', '*', '**', 'a*', '*b', 'x');
    fc.assert(
      fc.property(
        fc.array(globSegment, { minLength: 1, maxLength: 5 }),
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        (glob, type) => {
          expect(matchesGlob(glob.join('.'), type.join('.'))).toBe(reference(glob, type));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
