import { escapeMermaid } from '../../src/viz';
import { formatPosition, truncate, shortId, primitiveText } from '../../src/viz/mermaid-text';
import { decode } from './fixtures';

describe('escapeMermaid', () => {
  test('quotes, hash, ampersand, angle brackets, brackets, braces, pipes and backticks become entity codes', () => {
    const nasty = 'a"b#c&d<e>f[g]h{i}j|k`l';
    const escaped = escapeMermaid(nasty);
    expect(escaped).toBe('a#34;b#35;c#38;d#60;e#62;f#91;g#93;h#123;i#125;j#124;k#96;l');
    expect(escaped).not.toMatch(/["<>[\]{}|`&]/);
    expect(decode(escaped)).toBe(nasty);
  });

  test('line breaks, tabs and control characters never reach the output', () => {
    const escaped = escapeMermaid('one\ntwo\r\nthree\tfour\u0000five\u2028six');
    expect(escaped).toBe('one\\ntwo\\r\\nthree\\tfour\\u0000five\\u2028six');
    // eslint-disable-next-line no-control-regex -- NUL must not reach the output
    expect(escaped).not.toMatch(/[\n\r\t\u0000\u2028]/);
  });

  test('text that looks like an entity code or HTML stays literal', () => {
    expect(decode(escapeMermaid('#quot; <br/> &amp;'))).toBe('#quot; <br/> &amp;');
    expect(escapeMermaid('#quot;')).toBe('#35;quot;');
  });

  test('plain text and non-ASCII are kept', () => {
    expect(escapeMermaid('Alice (42) é 🚀 → ok;')).toBe('Alice (42) é 🚀 → ok;');
  });
});

describe('helpers', () => {
  test('truncate counts code points and marks the cut', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(truncate('🚀🚀🚀', 2)).toBe('🚀…');
    expect(truncate('abc', 1)).toBe('…');
  });

  test('shortId keeps the first characters', () => {
    expect(shortId('0123456789abcdef')).toBe('01234567');
    expect(shortId('0123456789abcdef', 4)).toBe('0123');
  });

  test('primitive values as text', () => {
    expect(primitiveText('Alice')).toBe('Alice');
    expect(primitiveText('')).toBe('""');
    expect(primitiveText(3.5)).toBe('3.5');
    expect(primitiveText(false)).toBe('false');
    expect(primitiveText(10n)).toBe('10n');
    expect(primitiveText(null)).toBe('null');
    expect(primitiveText(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(primitiveText(undefined)).toBeUndefined();
    expect(primitiveText([1, 2])).toBeUndefined();
    expect(primitiveText({ a: 1 })).toBeUndefined();
  });

  test('positions', () => {
    expect(formatPosition({ path: ['lead'], container: 'field' })).toBe('lead');
    expect(formatPosition({ path: ['agents', 3], container: 'array' })).toBe('agents[3]');
    expect(formatPosition({ path: ['grid', 1, 0], container: 'array' })).toBe('grid[1][0]');
    expect(decode(formatPosition({ path: ['byName', 'k'], container: 'map' }))).toBe('byName["k"]');
    expect(formatPosition({ path: ['byName', 'k'], container: 'map' })).toBe('byName[#34;k#34;]');
    expect(formatPosition({ path: ['byName', 7], container: 'map' })).toBe('byName[7]');
    expect(decode(formatPosition({ path: ['byKey', 'x]"y'], container: 'record' }))).toBe('byKey["x]\\"y"]');
    expect(formatPosition({ path: ['members', '0123456789abcdef'], container: 'set' })).toBe('members{01234567}');
  });
});
