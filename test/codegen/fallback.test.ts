/**
 * What the generator leaves out still works. The CommonJS fixture of
 * test/fixtures/codegen/compiler-settings declares a class the generator cannot describe (Memo,
 * `payload: unknown`), a subclass inheriting that field (PinnedMemo) and a function without a
 * generated signature (node10_describe). With its generated file imported, those use runtime
 * metadata and run unchecked, next to generated classes (Deck holds Memos) and a generated
 * signature; and one scenario gives the same result with the generated file as without it.
 */
// The generated file must be imported before any entity is created.
import '../fixtures/codegen/compiler-settings/cjs-node10/abstractions.generated';
import * as runtime from '../../src';
import * as functions from '../fixtures/codegen/compiler-settings/cjs-node10/functions';
import * as model from '../fixtures/codegen/compiler-settings/cjs-node10/model';

type Api = typeof runtime & typeof model & typeof functions;

/** Builds a deck with memos, moves a ticket, describes things; the result as JSON with ids and times numbered. */
function scenario(api: Api): string {
  const { EntityRegistry, toJSON, Deck, Lane, Memo, PinnedMemo, Ticket, moveTicket, describeTicket } = api;
  EntityRegistry.reset();
  const ticket = new Ticket({ title: 'write docs', tags: ['docs'], points: { effort: 2 }, due: new Date(0) });
  const todo = new Lane({ name: 'todo', tickets: [ticket] });
  const done = new Lane({ name: 'done' });
  const memo = new Memo({ text: 'see', payload: { about: [new Ticket({ title: 'linked' })], note: 'nested' } });
  const pinned = new PinnedMemo({ text: 'pinned', payload: 42 });
  const deck = new Deck({ name: 'board', lanes: [todo, done], memos: [memo, pinned], pair: [new Ticket(), 1] });
  deck.promoteToRoot();
  const v1 = toJSON(EntityRegistry.getStoredEntity(deck.ecsId));
  const v2 = toJSON(moveTicket.execute({ deck, ticket, to: done }));
  const described = [
    describeTicket.execute({ what: ticket }),
    describeTicket.execute({ what: 'text' }),
    // No generated signature: a wrong argument is not checked, in either mode.
    describeTicket.execute({ what: 42 as unknown as string }),
  ];
  const ids = new Map<string, number>();
  return JSON.stringify({ v1, v2, described }, (key, value: unknown) => {
    if (key === 'createdAt' || key === 'forkedAt') return 'time';
    if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) return value;
    if (!ids.has(value)) ids.set(value, ids.size);
    return `id${ids.get(value)}`;
  });
}

test('the classes with an unsupported field use runtime metadata, the others the generated file', () => {
  const { Deck, Lane, Memo, PinnedMemo, Ticket } = model;
  expect(runtime.metadataSourceOf(Deck)).toBe('generated');
  expect(runtime.metadataSourceOf(Lane)).toBe('generated');
  expect(runtime.metadataSourceOf(Ticket)).toBe('generated');
  expect(runtime.metadataSourceOf(Memo)).toBe('runtime');
  expect(runtime.metadataSourceOf(PinnedMemo)).toBe('runtime');
  expect(runtime.classMetaOf(Memo).fields.find((f) => f.name === 'payload')?.kind).toBe('dynamic');
});

test('the function with an unsupported argument has no signature; the others the generated one', () => {
  expect(runtime.CallableRegistry.signatureOf('node10_move_ticket')?.source).toBe('generated');
  expect(runtime.CallableRegistry.signatureOf('node10_describe')).toBeNull();
});

test('a scenario over both gives the same result with the generated file as with runtime metadata only', () => {
  const generated = scenario({ ...runtime, ...model, ...functions });
  let runtimeOnly = '';
  jest.isolateModules(() => {
    // A fresh copy of the package and of the fixture's modules, without the generated file.
    const api = {
      ...(require('../../src') as typeof runtime),
      ...(require('../fixtures/codegen/compiler-settings/cjs-node10/model') as typeof model),
      ...(require('../fixtures/codegen/compiler-settings/cjs-node10/functions') as typeof functions),
    };
    expect(api.usingGeneratedMetadata()).toBe(false);
    runtimeOnly = scenario(api);
  });
  expect(generated).toContain('"$class":"PinnedMemo"');
  expect(generated).toContain('"described":["write docs","text",null]');
  expect(generated).toBe(runtimeOnly);
});
