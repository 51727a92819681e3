/**
 * Error messages quote an excerpt of the offending input, never all of it: a 10 MB address (or
 * key, path, name) gives a message of a few hundred characters that still shows where the problem
 * is. The full input stays on the error's properties.
 */
import { Entity, EntityDefinitionError, EntityNotFoundError, EntityRegistry, entity } from '../../src';
import { AddressSyntaxError, FieldPathError } from '../../src/address/errors';
import { get } from '../../src/address/get';
import { parseAddress } from '../../src/address/parse';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { ArgumentError, UnknownFunctionError } from '../../src/callable/errors';
import { describeValue } from '../../src/metadata/describe-value';
import { SerializationError, fromJSON, toJSON } from '../../src/serialize';
import { EXCERPT_LENGTH, excerpt, excerptAt } from '../../src/util/excerpt';
import { thrown } from '../support/thrown';

@entity()
class LongKeys extends Entity {
  data: Record<string, number> = {};
}

const U = '0123abcd-4567-89ab-cdef-0123456789ab';
const A = `@${U}`;
const MB10 = 10_000_000;
/** Short enough for a log line, long enough for the reason, the excerpt and the caret. */
const SHORT = 400;

describe('excerpt', () => {
  test('short text is itself; long text keeps both ends and says how long it was', () => {
    expect(excerpt('abc')).toBe('abc');
    const long = `${'a'.repeat(100)}${'z'.repeat(100)}`;
    expect(excerpt(long, 10)).toBe('aaaaa…[200 characters]…zzzzz');
    expect(excerpt('x'.repeat(EXCERPT_LENGTH))).toBe('x'.repeat(EXCERPT_LENGTH));
  });

  test('never splits a surrogate pair', () => {
    const text = '😀'.repeat(100);
    const cut = excerpt(text, 11);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    const w = excerptAt(text, 101, 11);
    expect(w.text).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  test('a window around a position, with the position inside it', () => {
    const text = `${'a'.repeat(1000)}X${'b'.repeat(1000)}`;
    const w = excerptAt(text, 1000, 20);
    expect(w.cut).toBe(true);
    expect(w.text[w.offset]).toBe('X');
    expect(w.text.startsWith('…') && w.text.endsWith('…')).toBe(true);
    expect(excerptAt('short', 2)).toEqual({ text: 'short', offset: 2, cut: false });
    const end = excerptAt(text, text.length, 20);
    expect(end.offset).toBe(end.text.length);
  });
});

describe('AddressSyntaxError of a 10 MB address', () => {
  test('the error at the end: a short message with the position, the total length and a caret under it', () => {
    const text = `${A}.${'a'.repeat(MB10)} `;
    const e = thrown(() => parseAddress(text)) as AddressSyntaxError;
    expect(e).toBeInstanceOf(AddressSyntaxError);
    expect(e.position).toBe(text.length - 1);
    expect(e.address).toBe(text); // the whole input stays on the error
    expect(e.message.length).toBeLessThan(SHORT);
    expect(e.message).toContain(`position ${text.length - 1} of ${text.length} characters`);
    const [, shown, caret] = e.message.split('\n');
    expect(shown.endsWith('aaa ')).toBe(true);
    expect(shown.startsWith('  …')).toBe(true);
    // The caret sits under the offending character of the excerpt.
    expect(caret.length - 1).toBe(shown.length - 1);
  });

  test('the error near the start of a long address: the start is shown, the rest cut', () => {
    const text = `${A}.a b${'x'.repeat(MB10)}`;
    const e = thrown(() => parseAddress(text)) as AddressSyntaxError;
    expect(e.position).toBe(39);
    expect(e.message.length).toBeLessThan(SHORT);
    const [, shown, caret] = e.message.split('\n');
    expect(shown.startsWith(`  ${A}.a b`)).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    expect(caret).toBe(`  ${' '.repeat(39)}^`);
  });

  test('a huge index is quoted as an excerpt in the reason', () => {
    const e1 = thrown(() => parseAddress(`${A}.0${'1'.repeat(MB10)}`)) as AddressSyntaxError;
    expect(e1.reason).toMatch(/leading zero/);
    expect(e1.message.length).toBeLessThan(SHORT + 3 * EXCERPT_LENGTH);
    const e2 = thrown(() => parseAddress(`${A}.${'9'.repeat(MB10)}`)) as AddressSyntaxError;
    expect(e2.reason).toMatch(/MAX_SAFE_INTEGER/);
    expect(e2.message.length).toBeLessThan(SHORT);
  });
});

describe('other errors quoting input', () => {
  let reg: EntityRegistry;
  beforeEach(() => {
    reg = EntityRegistry.reset();
  });

  test('FieldPathError: a huge missing key and huge available keys', () => {
    const big = 'k'.repeat(1_000_000);
    const holder = new LongKeys({ data: { [`${big}1`]: 1, [`${big}2`]: 2 } });
    reg.promoteToRoot(holder);
    const e = thrown(() => get(`@${holder.ecsId}.data.${big}3`, reg)) as FieldPathError;
    expect(e).toBeInstanceOf(FieldPathError);
    expect(e.segment).toBe(`${big}3`);
    expect(e.available).toEqual([`${big}1`, `${big}2`]);
    expect(e.message.length).toBeLessThan(SHORT);
  });

  test('EntityNotFoundError, UnknownFunctionError, ArgumentError', () => {
    const big = 'z'.repeat(MB10);
    const notFound = thrown(() => reg.getStoredEntity(big));
    expect(notFound).toBeInstanceOf(EntityNotFoundError);
    expect(notFound.message.length).toBeLessThan(SHORT);

    const calls = new CallableRegistry({ entities: reg });
    const unknown = thrown(() => calls.execute(big, {}));
    expect(unknown).toBeInstanceOf(UnknownFunctionError);
    expect(unknown.message.length).toBeLessThan(SHORT);

    calls.register('takes_n', ({ n }: { n: number }) => n, { params: { n: Number }, returns: Number });
    const arg = thrown(() => calls.execute<unknown>('takes_n', { n: 1, [big]: 2 }));
    expect(arg).toBeInstanceOf(ArgumentError);
    expect((arg as ArgumentError).argument).toBe(big);
    expect(arg.message.length).toBeLessThan(SHORT);
  });

  test('fromJSON: a huge unknown key, class name or field name', () => {
    const big = 'q'.repeat(MB10);
    const json = toJSON(new LongKeys()) as unknown as Record<string, unknown>;
    for (const bad of [
      { ...json, [big]: 1 },
      { ...json, $class: big },
      { ...json, fields: { [big]: 1 } },
    ]) {
      const e = thrown(() => fromJSON(bad));
      expect(e).toBeInstanceOf(SerializationError);
      expect(e.message.length).toBeLessThan(SHORT);
    }
  });

  test('entity init with a huge unknown field name; describeValue of a huge string', () => {
    const big = 'f'.repeat(MB10);
    const e = thrown(() => new LongKeys({ [big]: 1 } as never));
    expect(e).toBeInstanceOf(EntityDefinitionError);
    expect(e.message.length).toBeLessThan(SHORT);
    expect(describeValue(big).length).toBeLessThan(100);
    expect(describeValue(big)).toContain(`${MB10} characters`);
  });
});
