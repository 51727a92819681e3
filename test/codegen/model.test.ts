import { readProject } from '../../codegen/reader';
import type { CodegenModel, EntityClassModel, FunctionModel } from '../../codegen/model';
import { GOLDEN, PROJECT_TSCONFIG, ROOT, tempProject } from './helpers';

jest.setTimeout(120_000);

/** The reader's model of the fixture project: kinds, shapes, order, inheritance, functions. */
let model: CodegenModel;
const cls = (name: string): EntityClassModel => model.classes.find((c) => c.name === name)!;
const fn = (name: string): FunctionModel => model.functions.find((f) => f.name === name)!;

beforeAll(() => {
  model = readProject({ tsconfig: PROJECT_TSCONFIG, skipFiles: [GOLDEN] }).model;
});

test('finds every @entity() class (named, renamed and namespace imports), sorted by name, and no others', () => {
  expect(model.diagnostics).toEqual([]);
  expect(model.classes.map((c) => c.name)).toEqual([
    'AllTypes',
    'Course',
    'Note',
    'Person',
    'Room',
    'RunConfig',
    'Student',
    'Teacher',
    'Transcript',
  ]);
});

test('inherited fields first, in declaration order; @transient() excluded; redeclared fields keep their place', () => {
  expect(cls('Student').fields.map((f) => f.name)).toEqual([
    'name',
    'birthDate',
    'nickname',
    'gpa',
    'transcript',
    'courses',
    'advisor',
  ]);
  expect(cls('Student').transient).toEqual(['cache']);
  expect(cls('Student').bases).toEqual(['Person']);
  expect(cls('Student').fields[0].declaredIn).toBe('Person');
  expect(cls('Teacher').fields.map((f) => f.name)).toEqual(['name', 'birthDate', 'nickname', 'subjects', 'office']);
  expect(cls('Teacher').transient).toEqual(['scratch']);
  // Undecorated abstract base between Entity and the class; `override revision` stays second.
  expect(cls('Note').fields.map((f) => f.name)).toEqual(['updatedAt', 'revision', 'text', 'internalCode']);
  expect(cls('Note').bases).toEqual(['Timestamped']);
});

test('ConfigEntity subclasses are config classes', () => {
  expect(cls('RunConfig').isConfig).toBe(true);
  expect(cls('RunConfig').bases).toEqual(['ConfigEntity']);
  expect(cls('Student').isConfig).toBe(false);
});

test('kinds, shapes and optionality per field type', () => {
  const f = (name: string) => cls('AllTypes').fields.find((x) => x.name === name)!;
  const data = { kind: 'data', shape: { kind: 'data' } };
  for (const name of [
    'str',
    'num',
    'flag',
    'big',
    'nullable',
    'literal',
    'level',
    'color',
    'id',
    'numOrStr',
    'when',
    'tags',
    'matrix',
    'pair',
    'dates',
    'meta',
    'point',
    'dict',
    'ids',
    'frozenTags',
    'callback',
  ]) {
    expect([name, f(name)]).toMatchObject([name, data]);
  }
  expect(f('maybe').optional).toBe(true);
  expect(f('nullable').optional).toBe(false);
  expect(f('optionalWhen')).toMatchObject({ kind: 'data', optional: true, type: { t: 'date' } });
  expect(f('num').type).toEqual({ t: 'prim', nan: true, json: 'number' });
  expect(f('str').type).toEqual({ t: 'prim', nan: false, json: 'string' });
  expect(f('point').type).toEqual({ t: 'opaque' });
  expect(f('first')).toMatchObject({ kind: 'entity', shape: { kind: 'entity', className: 'Course' }, optional: false });
  expect(f('second')).toMatchObject({ kind: 'entity', optional: true });
  expect(f('someone').shape).toEqual({ kind: 'entity', className: 'Student | Teacher' });
  const E = (className: string) => ({ kind: 'entity', className });
  expect(f('list').shape).toEqual({ kind: 'array', of: E('Course') });
  expect(f('readonlyList').shape).toEqual({ kind: 'array', of: E('Course') });
  expect(f('duo').shape).toEqual({ kind: 'tuple', of: [E('Course'), E('Course')] });
  expect(f('mixedTuple').shape).toEqual({ kind: 'tuple', of: [E('Course'), { kind: 'data' }] });
  expect(f('headAndRest')).toMatchObject({
    kind: 'entities',
    shape: null,
    type: { t: 'tuple', rest: { t: 'entity' } },
  });
  expect(f('byName').shape).toEqual({ kind: 'map', of: E('Course') });
  expect(f('byNumber').type).toMatchObject({ t: 'map', key: 'number' });
  expect(f('byAnyKey').type).toMatchObject({ t: 'map', key: 'other' });
  expect(f('courseSet').shape).toEqual({ kind: 'set', of: E('Course') });
  expect(f('byKey').shape).toEqual({ kind: 'record', of: E('Course') });
  expect(f('indexed').shape).toEqual({ kind: 'record', of: E('Room') });
  expect(f('grid').shape).toEqual({ kind: 'array', of: { kind: 'array', of: E('Course') } });
  expect(f('people').shape).toEqual({ kind: 'array', of: E('Student | Teacher') });
  expect(f('nestedMap').shape).toEqual({ kind: 'map', of: { kind: 'array', of: E('Course') } });
  expect(f('recordOfArrays').shape).toEqual({ kind: 'record', of: { kind: 'array', of: E('Room') } });
  expect(f('setOfArrays').shape).toEqual({ kind: 'set', of: { kind: 'array', of: E('Course') } });
  expect(f('listOfMaps').shape).toEqual({ kind: 'array', of: { kind: 'map', of: E('Course') } });
  expect(f('withLead')).toMatchObject({ kind: 'entities', shape: null, type: { t: 'dynamic' } });
  expect(f('literal').declaredType).toBe("'a' | 'b'");
});

test('registered functions: register() with inline, declared and const-named functions, and @callable() static methods', () => {
  expect(model.functions.map((f) => [f.name, f.via])).toEqual([
    ['fixture_average', 'callable'],
    ['fixture_enrol', 'register'],
    ['fixture_find_rooms', 'register'],
    ['fixture_ping', 'register'],
    ['fixture_rename_person', 'callable'],
    ['fixture_run_sim', 'register'],
    ['fixture_update_gpa', 'register'],
  ]);
});

test('parameters: names, kinds (entity / entities / data / config), class names, types, optionality', () => {
  expect(fn('fixture_update_gpa').params).toEqual([
    {
      name: 'student',
      declaredType: 'Student',
      // The class's field names and declaration: the runtime resolves 'Student' to the loaded class
      // with these fields (and, when several have them, to the one using this class's spec).
      type: {
        kind: 'entity',
        className: 'Student',
        fields: ['name', 'birthDate', 'nickname', 'gpa', 'transcript', 'courses', 'advisor'],
        declaredAt: cls('Student').location,
      },
      kind: 'entity',
      classNames: ['Student'],
      shape: { kind: 'entity', className: 'Student' },
      optional: false,
    },
    {
      name: 'newGpa',
      declaredType: 'number',
      type: { kind: 'number' },
      kind: 'data',
      classNames: [],
      shape: { kind: 'data' },
      optional: false,
    },
  ]);
  expect(fn('fixture_run_sim').params.map((p) => [p.name, p.kind, p.optional])).toEqual([
    ['config', 'config', false],
    ['students', 'entities', false],
    ['note', 'data', true],
  ]);
  expect(fn('fixture_find_rooms').params.map((p) => [p.name, p.type, p.optional])).toEqual([
    ['building', { kind: 'string' }, false],
    ['limit', { kind: 'number' }, true],
  ]);
  expect(fn('fixture_average').params[1]).toMatchObject({
    name: 'weights',
    type: { kind: 'map', of: { kind: 'number' } },
    optional: true,
  });
  expect(fn('fixture_ping').params).toEqual([]);
});

test('results: entity, tuple of entities, Promise of entities, data', () => {
  expect(fn('fixture_update_gpa')).toMatchObject({
    async: false,
    result: { kind: 'entity', type: { kind: 'entity', className: 'Student' } },
  });
  expect(fn('fixture_enrol').result).toMatchObject({
    kind: 'entities',
    classNames: ['Course', 'Student'],
    type: {
      kind: 'tuple',
      of: [
        { kind: 'entity', className: 'Student' },
        { kind: 'entity', className: 'Course' },
      ],
    },
  });
  expect(fn('fixture_find_rooms')).toMatchObject({
    async: true,
    result: {
      kind: 'entities',
      declaredType: 'Promise<Room[]>',
      type: { kind: 'array', of: { kind: 'entity', className: 'Room' } },
    },
  });
  expect(fn('fixture_run_sim').result).toMatchObject({ kind: 'data', type: { kind: 'number' } });
  expect(fn('fixture_ping').result).toMatchObject({ kind: 'data', type: { kind: 'string' } });
});

test('without useDefineForClassFields, properties without an initialiser are not fields (warning)', () => {
  const path = require('path') as typeof import('path');
  const src = path.join(ROOT, 'src').split(path.sep).join('/');
  const dir = tempProject(
    'nodefine',
    {
      'm.ts': `import { Entity, entity } from '${src}';\n@entity()\nexport class Legacy extends Entity {\n  a = 1;\n  b?: string;\n  c: number[] = [];\n}\n`,
    },
    { target: 'ES2020', useDefineForClassFields: false },
  );
  const { model: legacy } = readProject({ tsconfig: path.join(dir, 'tsconfig.json') });
  expect(legacy.classes[0].fields.map((f) => f.name)).toEqual(['a', 'c']);
  expect(legacy.diagnostics.map((d) => [d.severity, d.location.line])).toEqual([['warning', 5]]);
});
