/**
 * Every decorator under both of TypeScript's decorator implementations: this file runs with
 * `experimentalDecorators` in the `runtime` and `generated` projects and with standard (TC39)
 * decorators, type-checked, in the `tc39` project (tsconfig.tc39.json, which has no
 * emitDecoratorMetadata either). The same classes give the same metadata and behave the same.
 */
import { Entity, EntityDefinitionError, EntityRegistry, entity, field, transient } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { callable } from '../../src/callable/decorator';
import { RegistrationError } from '../../src/callable/errors';
import { classMetaOf, entityClassRecord } from '../../src/metadata/class-registry';

declare const __METADATA_MODE__: 'runtime' | 'generated';
/** Set by the `tc39` project (jest.config.js); the others compile with experimentalDecorators. */
declare const __DECORATORS__: 'standard' | undefined;
const DECORATORS = typeof __DECORATORS__ === 'undefined' ? 'experimental' : __DECORATORS__;

@entity()
export class DCourse extends Entity {
  title = '';
  credits = 0;
}

@entity({ name: 'decorators.Student' })
export class DStudent extends Entity {
  name = '';
  @field({ description: 'grade point average', type: () => Number }) gpa = 0;
  courses: DCourse[] = [];
  @transient() cache = new Map<string, number>();
  @field({ optional: true }) nickname?: string;
}

@entity()
export class DGraduate extends DStudent {
  thesis = '';
  @transient() draft = '';
  @field({ description: 'redeclared' }) override name = 'graduate';
}

/** A class of registered functions (standard decorators evaluate a class's decorators before its name is bound, so not DStudent itself). */
export class Registrar {
  static prefix = '';
  @callable('decorators_rename', { params: { student: DStudent, to: String }, returns: DStudent })
  static rename({ student, to }: { student: DStudent; to: string }): DStudent {
    student.name = this.prefix + to;
    return student;
  }
}

let reg: EntityRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
});

test('the project compiles with the decorators it names', () => {
  // TypeScript gives a class a Symbol.metadata object under standard decorators only.
  const metadata = (Symbol as unknown as { metadata: symbol }).metadata;
  expect(Object.prototype.hasOwnProperty.call(DStudent, metadata)).toBe(DECORATORS === 'standard');
});

describe('metadata', () => {
  test('fields in declaration order, transient properties, @field() options', () => {
    const meta = classMetaOf(DStudent);
    expect(meta.fields.map((f) => f.name)).toEqual(['name', 'gpa', 'courses', 'nickname']);
    expect([...meta.transient]).toEqual(['cache']);
    const record = entityClassRecord(DStudent)!;
    expect(record.typeName).toBe('decorators.Student');
    expect([...record.transient]).toEqual(['cache']);
    expect([...record.fieldOptions.keys()]).toEqual(['gpa', 'nickname']);
    expect(record.fieldOptions.get('nickname')).toEqual({ optional: true });
    expect(record.fieldOptions.get('gpa')!.description).toBe('grade point average');
  });

  test('a subclass adds its fields and transient properties to its base class', () => {
    const meta = classMetaOf(DGraduate);
    expect(meta.fields.map((f) => f.name)).toEqual(['name', 'gpa', 'courses', 'nickname', 'thesis']);
    expect([...meta.transient].sort()).toEqual(['cache', 'draft']);
    const options = entityClassRecord(DGraduate)!.fieldOptions;
    expect(options.get('name')).toEqual({ description: 'redeclared' });
    expect(options.get('nickname')).toEqual({ optional: true });
    // The base keeps its own: the subclass's decorations are not its.
    expect(entityClassRecord(DStudent)!.fieldOptions.has('name')).toBe(false);
    expect(entityClassRecord(DStudent)!.transient.has('draft')).toBe(false);
  });

  test('runtime metadata takes declared types from @field({ type }) only (emitDecoratorMetadata is not read)', () => {
    const meta = classMetaOf(DStudent);
    expect(meta.source).toBe(__METADATA_MODE__);
    if (meta.source === 'runtime') {
      expect(meta.fields.map((f) => f.declaredType)).toEqual([null, 'Number', null, null]);
    } else {
      expect(meta.fields.map((f) => f.declaredType)).toEqual(['string', 'number', 'DCourse[]', 'string']);
    }
  });
});

describe('entities', () => {
  test('init, defaults, a field without an initialiser, transient properties', () => {
    const s = new DStudent({ name: 'Ada', nickname: 'A', courses: [new DCourse({ title: 'Logic' })] });
    expect([s.name, s.gpa, s.nickname, s.courses[0].title]).toEqual(['Ada', 0, 'A', 'Logic']);
    expect(new DStudent().nickname).toBeUndefined();
    expect(s.cache).toBeInstanceOf(Map);
    expect(() => new DStudent({ cache: new Map() } as object)).toThrow(/unknown field 'cache'/);
    const g = new DGraduate({ thesis: 'T', gpa: 4 });
    expect([g.name, g.thesis, g.gpa, g.draft]).toEqual(['graduate', 'T', 4, '']);
  });

  test('versions: a field change makes a version, a transient change does not', () => {
    const s = new DGraduate({ name: 'Bo' }).promoteToRoot();
    const v1 = s.ecsId;
    s.cache.set('x', 1);
    s.draft = 'changed';
    expect(reg.version(s).created).toBe(false);
    s.nickname = 'b';
    expect(reg.version(s).created).toBe(true);
    const stored = reg.getStoredEntity<DGraduate>(s.ecsId);
    expect([stored.nickname, stored.draft, stored.cache]).toEqual(['b', undefined, undefined]);
    expect(reg.lineage(s.lineageId).map((e) => e.ecsId)).toEqual([v1, s.ecsId]);
  });
});

describe('@callable()', () => {
  test('a static method, registered on the default registry, this bound to its class', () => {
    const student = new DStudent({ name: 'Cy' }).promoteToRoot();
    Registrar.prefix = 'Dr ';
    const out = CallableRegistry.execute<DStudent>('decorators_rename', { student, to: 'Cyd' });
    expect(out.name).toBe('Dr Cyd');
    expect(out.derivedFromFunction).toBe('decorators_rename');
    expect(reg.lineage(student.lineageId)).toHaveLength(2);
  });
});

describe('misplaced decorators are EntityDefinitionErrors / RegistrationErrors', () => {
  // Called directly with each implementation's arguments: the type checker refuses these uses
  // under standard decorators, but plain JavaScript (or tsx, which does not type-check) can make them.
  const asFunction = (decorator: unknown) => decorator as (...args: unknown[]) => unknown;
  const context = (kind: string, more: object = {}) => ({
    kind,
    name: 'm',
    static: false,
    private: false,
    metadata: {},
    addInitializer: () => undefined,
    ...more,
  });

  test('@field() and @transient() decorate public instance fields only', () => {
    for (const [decorator, what] of [
      [field(), '@field()'],
      [transient(), '@transient()'],
    ] as const) {
      const d = asFunction(decorator);
      expect(() => d(undefined, context('method'))).toThrow(`${what} on method m: it decorates public instance fields`);
      expect(() => d(undefined, context('field', { static: true }))).toThrow(`${what} on static field m`);
      expect(() => d(undefined, context('field', { private: true }))).toThrow(`${what} on private field m`);
      expect(() => d(DStudent, 'count')).toThrow(`${what} on static member count`);
      expect(() => d(DStudent.prototype, 'rename', { value: () => 0 })).toThrow(`${what} on member rename`);
    }
    expect(() => asFunction(field())(undefined, context('field', { metadata: undefined }))).toThrow(
      /no decorator metadata \(context.metadata\); use TypeScript 5.2 or later/,
    );
    expect(() => asFunction(field())(undefined, context('field', { metadata: undefined }))).toThrow(
      EntityDefinitionError,
    );
  });

  test('@entity() decorates classes', () => {
    const d = asFunction(entity());
    expect(() => d(() => 0, context('method'))).toThrow('@entity() decorates classes');
    expect(() => d(DStudent.prototype, 'rename', {})).toThrow('@entity() decorates classes');
  });

  test('@callable() decorates static methods', () => {
    const d = asFunction(callable({ registry: new CallableRegistry({ entities: reg }) }));
    expect(() => d(() => 0, context('method'))).toThrow(RegistrationError);
    expect(() => d(DStudent.prototype, 'rename', { value: () => 0 })).toThrow('@callable() decorates static methods');
  });
});
