/**
 * One entity class compiled with each combination of the compiler options that change what the
 * runtime sees (decorator implementation, useDefineForClassFields, emitDecoratorMetadata), then
 * loaded against the library: the metadata depends on class-field semantics only, and where
 * those leave a field without an initialiser out, `@field()` brings it back and the unknown-field
 * error names useDefineForClassFields.
 */
import * as ts from 'typescript';
import * as library from '../../src';
import { EntityDefinitionError, type ClassMeta } from '../../src';

const TICKET = `
import { Entity, entity, field, transient } from 'abstractions-ts';
@entity()
export class Ticket extends Entity {
  title = '';
  @field() assignee?: string;
  points = 0;
  estimate!: number;
  @transient() cache?: Map<string, number>;
}
`;

type TicketClass = (new (init?: object) => library.Entity & Record<string, unknown>) & { name: string };

/** Compiles TICKET with `options` (CommonJS) and evaluates it with this library as 'abstractions-ts'. */
function compileTicket(options: ts.CompilerOptions): TicketClass {
  const { outputText } = ts.transpileModule(TICKET, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, strict: true, ...options },
  });
  const module = { exports: {} as { Ticket: TicketClass } };
  const require = (id: string): unknown => {
    if (id !== 'abstractions-ts') throw new Error(`unexpected import ${id}`);
    return library;
  };
  // Evaluated in this test's context, whose Symbol (and Symbol.metadata) the library set up.
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports.Ticket;
}

const names = (meta: ClassMeta) => meta.fields.map((f) => f.name);

const EXPERIMENTAL = { experimentalDecorators: true };
const STANDARD = { experimentalDecorators: false };
/** Class fields defined (the default from target ES2022) or assigned (below ES2022: useDefineForClassFields off). */
const DEFINED = { target: ts.ScriptTarget.ES2022 };
const ASSIGNED = { target: ts.ScriptTarget.ES2020 };

describe('class fields defined (useDefineForClassFields, the default from ES2022)', () => {
  const variants = {
    experimentalDecorators: compileTicket({ ...DEFINED, ...EXPERIMENTAL }),
    'experimentalDecorators with emitDecoratorMetadata': compileTicket({
      ...DEFINED,
      ...EXPERIMENTAL,
      emitDecoratorMetadata: true,
    }),
    'standard decorators': compileTicket({ ...DEFINED, ...STANDARD }),
  };

  test.each(Object.entries(variants))('%s: every declared field, in declaration order', (_variant, Ticket) => {
    const meta = library.classMetaOf(Ticket);
    expect(names(meta)).toEqual(['title', 'assignee', 'points', 'estimate']);
    expect([...meta.transient]).toEqual(['cache']);
    const t = new Ticket({ assignee: 'bob', estimate: 3 });
    expect([t.assignee, t.estimate]).toEqual(['bob', 3]);
  });

  test('the same metadata whatever the decorators and emitDecoratorMetadata', () => {
    const [first, ...rest] = Object.values(variants).map((Ticket) => {
      const { fields, transient } = library.classMetaOf(Ticket);
      return { fields, transient };
    });
    for (const other of rest) expect(other).toEqual(first);
  });

  test('an unknown field is just that', () => {
    const Ticket = variants['standard decorators'];
    expect(() => new Ticket({ titel: 'x' })).toThrow(
      "new Ticket(init): unknown field 'titel' (fields: title, assignee, points, estimate)",
    );
  });
});

describe('class fields assigned (useDefineForClassFields off, the default below ES2022)', () => {
  test.each([
    // experimentalDecorators: an instance has no property for a field without an initialiser;
    // @field() names it (after the fields an instance has).
    ['experimentalDecorators', EXPERIMENTAL, ['title', 'points', 'assignee']],
    // Standard decorators assign the decorated field (its initialisers run) and no other.
    ['standard decorators', STANDARD, ['title', 'assignee', 'points']],
  ])('%s: a field without an initialiser is a field with @field()', (_variant, decorators, fields) => {
    const Ticket = compileTicket({ ...ASSIGNED, ...decorators });
    expect(names(library.classMetaOf(Ticket))).toEqual(fields);
    expect(new Ticket({ assignee: 'bob' }).assignee).toBe('bob');
  });

  test.each([
    ['experimentalDecorators', EXPERIMENTAL, 'title, points, assignee'],
    ['standard decorators', STANDARD, 'title, assignee, points'],
  ])('%s: without @field(), the unknown-field error names useDefineForClassFields', (_variant, decorators, fields) => {
    const Ticket = compileTicket({ ...ASSIGNED, ...decorators });
    expect(() => new Ticket({ estimate: 3 })).toThrow(EntityDefinitionError);
    expect(() => new Ticket({ estimate: 3 })).toThrow(
      `new Ticket(init): unknown field 'estimate' (fields: ${fields}; Ticket is compiled with useDefineForClassFields off, ` +
        `where a field declared without an initialiser is not a field: if 'estimate' is one, turn the option on, ` +
        `give it an initialiser, or decorate it with @field())`,
    );
  });
});
