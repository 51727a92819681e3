/**
 * SPEC §5 signatures: the explicit form, ConfigEntity parameters, the @callable decorator, JSON
 * Schema (list / describe), function.execute events. The type helpers alone: type-spec.test.ts;
 * generated tables: generated-signatures.test.ts.
 */
import { Entity, EntityRegistry, entity, field } from '../../src';
import { EventBus } from '../../src/events';
import type { Event } from '../../src/events';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { ConfigEntity } from '../../src/callable/config-entity';
import { callable } from '../../src/callable/decorator';
import { ArgumentError, SignatureRequiredError, UnknownFunctionError } from '../../src/callable/errors';
import { arrayOf, mapOf, optional, recordOf, setOf, union } from '../../src/metadata/type-spec';
import { capture, expectUnchanged } from './dump-registry';
import { Course, RankingOptions, Student, Summary, makeStudent } from './models';

@entity()
class SigTaggedOptions extends ConfigEntity {
  tags: string[] = [];
  limit = 1;
}

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
  calls = new CallableRegistry({ entities: reg });
});

describe('signature forms', () => {
  test('optional parameters may be omitted; the function sees them undefined', () => {
    calls.register('opt', ({ a, b }: { a: number; b?: Student }) => (b === undefined ? `a=${a}` : `b=${b.name}`), {
      params: { a: Number, b: optional(Student) },
      returns: String,
    });
    expect(calls.execute<unknown>('opt', { a: 1 })).toBe('a=1');
    expect(calls.execute<unknown>('opt', { a: 1, b: undefined })).toBe('a=1');
    expect(calls.execute<unknown>('opt', { a: 1, b: makeStudent('Bo') })).toBe('b=Bo');
  });

  test('unions of entity classes, nullable values, Maps, Sets, records, Dates', () => {
    calls.register(
      'kinds',
      ({
        who,
        maybe,
        m,
        s,
        r,
        d,
      }: {
        who: Student | Course;
        maybe: string | null;
        m: Map<string, number>;
        s: Set<string>;
        r: Record<string, boolean>;
        d: Date;
      }) => {
        m.set('added', 1);
        d.setFullYear(1999);
        return [who.constructor.name, maybe, m.size, s.size, Object.keys(r).length, d.getFullYear()];
      },
      {
        params: {
          who: union(Student, Course),
          maybe: union(String, null),
          m: mapOf(Number),
          s: setOf(String),
          r: recordOf(Boolean),
          d: Date,
        },
      },
    );
    const st = reg.getStoredEntity<Student>(makeStudent().ecsId);
    const m = new Map([['x', 1]]);
    const d = new Date(2020, 1, 1);
    const out = calls.execute<unknown>('kinds', {
      who: st.courses[0],
      maybe: null,
      m,
      s: new Set(['a', 'b']),
      r: { a: true },
      d,
    });
    expect(out).toEqual(['Course', null, 2, 2, 1, 1999]);
    expect(m.size).toBe(1); // copied
    expect(d.getFullYear()).toBe(2020); // copied
    expect(() =>
      calls.execute<unknown>('kinds', { who: st, maybe: null, m: new Map([['x', 'no']]), s: new Set(), r: {}, d }),
    ).toThrow(/argument 'm.get\("x"\)': expected number/);
  });

  test('a string parameter keeps an address-looking string as text', () => {
    calls.register('echo', ({ text }: { text: string }) => text, { params: { text: String } });
    const s = makeStudent();
    expect(calls.execute<unknown>('echo', { text: `@${s.ecsId}.name` })).toBe(`@${s.ecsId}.name`);
  });

  test('entity addresses are checked against the declared class', () => {
    calls.register('only_students', ({ s }: { s: Student }) => s.name, { params: { s: Student } });
    const st = reg.getStoredEntity<Student>(makeStudent().ecsId);
    expect(calls.execute<unknown>('only_students', { s: `@${st.ecsId}` })).toBe('Alice');
    expect(() => calls.execute<unknown>('only_students', { s: `@${st.courses[0].ecsId}` })).toThrow(ArgumentError);
  });
});

describe('ConfigEntity parameters', () => {
  function registerRank(): void {
    calls.register(
      'rank',
      ({ students, options }: { students: Student[]; options: RankingOptions }) =>
        new Summary({ name: `${options.label}:${options.limit}:${options.threshold}:${students.length}` }),
      { params: { students: [Student], options: RankingOptions }, returns: Summary },
    );
  }

  test('built from loose arguments, defaults applied, registered for provenance', () => {
    registerRank();
    const s = makeStudent();
    const out = calls.execute<Summary>('rank', { students: [s], limit: 3 });
    expect(out.name).toBe('default:3:0.5:1');
    const exec = calls.executions()[0];
    const configId = exec.inputs.entities.options;
    expect(configId).toBeDefined();
    const config = reg.getStoredEntity<RankingOptions>(configId);
    expect(config).toBeInstanceOf(RankingOptions);
    expect(config.limit).toBe(3);
    expect(config.threshold).toBe(0.5);
    expect(config.isRoot()).toBe(true);
    expect(exec.inputs.entities['students[0]']).toBe(s.ecsId);
  });

  test('no loose arguments: all defaults', () => {
    registerRank();
    expect(calls.execute<Summary>('rank', { students: [] }).name).toBe('default:10:0.5:0');
  });

  test('given as an instance or as a plain object', () => {
    registerRank();
    expect(calls.execute<Summary>('rank', { students: [], options: new RankingOptions({ limit: 2 }) }).name).toBe(
      'default:2:0.5:0',
    );
    expect(calls.execute<Summary>('rank', { students: [], options: { label: 'obj' } }).name).toBe('obj:10:0.5:0');
  });

  test('loose fields from addresses carry attributeSource', () => {
    registerRank();
    const s = makeStudent();
    calls.execute<unknown>('rank', { students: [], threshold: `@${s.ecsId}.record.gpa` });
    const config = reg.getStoredEntity<RankingOptions>(calls.executions()[0].inputs.entities.options);
    expect(config.threshold).toBe(3.5);
    expect(config.attributeSource.threshold).toBe(s.record!.ecsId);
  });

  test('errors: wrong field type, unknown field in an object, loose fields next to the instance', () => {
    registerRank();
    const before = capture(reg);
    expect(() => calls.execute<unknown>('rank', { students: [], limit: 'ten' })).toThrow(
      /rank: argument 'limit': RankingOptions.limit expects number/,
    );
    expect(() => calls.execute<unknown>('rank', { students: [], options: { limitt: 1 } })).toThrow(
      /argument 'options.limitt'/,
    );
    expect(() => calls.execute<unknown>('rank', { students: [], options: new RankingOptions(), limit: 1 })).toThrow(
      ArgumentError,
    );
    expect(() => calls.execute<unknown>('rank', { students: [], bogus: 1 })).toThrow(/unknown argument/);
    expectUnchanged(reg, before);
    expect(calls.executions()).toEqual([]);
  });

  test("config fields are checked against the field's type, containers too (fieldTypesOf); null passes", () => {
    const tagged = calls.register('tagged', ({ options }: { options: SigTaggedOptions }) => options.tags.length, {
      params: { options: SigTaggedOptions },
    });
    const before = capture(reg);
    expect(() => tagged.untyped.execute({ tags: 'a,b' })).toThrow(
      /tagged: argument 'tags': SigTaggedOptions.tags expects (string|unknown)\[\], got string "a,b"/,
    );
    expectUnchanged(reg, before);
    expect(tagged.execute({ tags: ['a', 'b'] })).toBe(2);
    expect(tagged.untyped.execute({ options: { limit: null } })).toBe(0);
  });
});

describe('@callable decorator', () => {
  test('registers static methods with this bound to the class', () => {
    const local = new CallableRegistry({ entities: reg });
    class Grades {
      static factor = 2;
      @callable({ name: 'double_gpa', registry: local, signature: { params: { student: Student }, returns: Student } })
      static doubleGpa({ student }: { student: Student }): Student {
        student.gpa *= this.factor;
        return student;
      }
      @callable({ registry: local })
      static plain(): number {
        return 1;
      }
    }
    void Grades;
    expect(local.names()).toEqual(['double_gpa', 'plain']);
    expect(local.execute<Student>('double_gpa', { student: makeStudent('D', 1.5) }).gpa).toBe(3);
    expect(local.execute<unknown>('plain', {})).toBe(1);
  });

  test('the default registry and a name string', () => {
    class Ops {
      @callable('default_registry_op')
      static op(): string {
        return 'ok';
      }
    }
    void Ops;
    try {
      expect(CallableRegistry.execute('default_registry_op', {})).toBe('ok');
    } finally {
      CallableRegistry.reset();
    }
  });
});

describe('JSON Schema', () => {
  @entity()
  class Tagged extends Entity {
    @field({ description: 'display name' })
    title = '';
    count = 0;
    flags: boolean[] = [];
  }

  test('describe(name): parameters and result', () => {
    calls.register('enroll', () => null, {
      params: {
        student: Student,
        course: optional(Course),
        credits: Number,
        tags: [String],
        pair: [Student, Course],
        options: RankingOptions,
      },
      returns: Summary,
      description: 'Enrolls a student.',
      paramDescriptions: { credits: 'how many' },
    });
    const d = calls.describe('enroll');
    expect(d.name).toBe('enroll');
    expect(d.description).toBe('Enrolls a student.');
    expect(d.typed).toBe(true);
    const p = d.parameters as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      $defs: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(p.required).toEqual(['student', 'credits', 'tags', 'pair']);
    expect(p.additionalProperties).toBe(false);
    expect(p.properties.student).toMatchObject({ type: 'string', title: 'Student' });
    expect(new RegExp(p.properties.student.pattern as string).test(`@${makeStudent().ecsId}.name`)).toBe(true);
    expect(p.properties.credits).toEqual({ type: 'number', description: 'how many' });
    expect(p.properties.tags).toEqual({ type: 'array', items: { type: 'string' } });
    expect(p.properties.pair).toMatchObject({ type: 'array', minItems: 2, maxItems: 2 });
    expect(p.properties.options).toEqual({ $ref: '#/$defs/RankingOptions' });
    expect(p.$defs.RankingOptions).toEqual({
      type: 'object',
      title: 'RankingOptions',
      properties: {
        limit: { type: 'number', default: 10 },
        threshold: { type: 'number', default: 0.5 },
        label: { type: 'string', default: 'default' },
      },
      additionalProperties: false,
    });
    const r = d.returns as { $ref: string; $defs: Record<string, { properties: Record<string, unknown> }> };
    expect(r.$ref).toBe('#/$defs/Summary');
    expect(Object.keys(r.$defs.Summary.properties)).toEqual(['name', 'gpa', 'tags', 'note']);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  test('entity class schemas: fields from metadata, nested entities as refs', () => {
    calls.register('make_student', () => null, { params: {}, returns: arrayOf(union(Student, Tagged)) });
    const r = calls.describe('make_student').returns as {
      type: string;
      items: { anyOf: unknown[] };
      $defs: Record<string, { properties: Record<string, Record<string, unknown>> }>;
    };
    expect(r.type).toBe('array');
    expect(r.items.anyOf).toEqual([{ $ref: '#/$defs/Student' }, { $ref: '#/$defs/Tagged' }]);
    expect(r.$defs.Tagged.properties.title).toMatchObject({ type: 'string' });
    expect(r.$defs.Tagged.properties.flags).toMatchObject({ type: 'array' });
    expect(r.$defs.Student.properties.courses).toMatchObject({ type: 'array' });
  });

  test('list() covers every function; untyped ones are flagged; describe() of one says it needs a signature', () => {
    calls.register('typed_fn', () => 1, { params: { a: Number }, returns: Number });
    calls.register('untyped_fn', () => 1);
    const list = calls.list();
    expect(list.map((f) => [f.name, f.typed])).toEqual([
      ['typed_fn', true],
      ['untyped_fn', false],
    ]);
    expect(() => calls.describe('untyped_fn')).toThrow(SignatureRequiredError);
    expect(() => calls.describe('untyped_fn')).toThrow(/untyped_fn: describe\(\) needs the function's signature/);
    expect(() => calls.describe('nope')).toThrow(UnknownFunctionError);
  });

  test('signatureOf: the signature, null for a function without one, UnknownFunctionError for an unknown name', () => {
    calls.register('typed_fn', () => 1, { params: { a: Number }, returns: Number });
    calls.register('untyped_fn', () => 1);
    expect(calls.signatureOf('typed_fn')!.params.map((p) => p.name)).toEqual(['a']);
    expect(calls.signatureOf('untyped_fn')).toBeNull();
    expect(() => calls.signatureOf('typed_fm')).toThrow(UnknownFunctionError);
    expect(() => calls.signatureOf('typed_fm')).toThrow(/'typed_fm'.*typed_fn/);
  });
});

describe('events', () => {
  test('function.execute started / completed with the execution id, outputs and semantics', () => {
    const bus = new EventBus();
    const seen: Event[] = [];
    bus.on('function.*', (e) => {
      seen.push(e);
    });
    const local = new CallableRegistry({ entities: reg, events: bus });
    local.register('ev', ({ student }: { student: Student }) => {
      student.gpa = 1;
      return student;
    });
    const out = local.execute<Student>('ev', { student: makeStudent() });
    expect(seen.map((e) => [e.type, e.phase])).toEqual([
      ['function.execute', 'started'],
      ['function.execute', 'completed'],
    ]);
    const [start, end] = seen;
    const exec = local.executions()[0];
    expect(start.metadata.executionId).toBe(exec.id);
    expect(start.subjectId).toBe('ev');
    expect(end.startId).toBe(start.id);
    expect(end.metadata.outputIds).toEqual([out.ecsId]);
    expect(end.metadata.semantics).toEqual(['mutation']);
  });

  test('a failing function emits failed; an error before the call emits nothing', async () => {
    const bus = new EventBus();
    const seen: Event[] = [];
    bus.on('function.execute', (e) => {
      seen.push(e);
    });
    const local = new CallableRegistry({ entities: reg, events: bus });
    local.register(
      'ev_fail',
      async () => {
        throw new Error('nope');
      },
      { params: {} },
    );
    await expect(local.aexecute<unknown>('ev_fail', {})).rejects.toThrow('nope');
    expect(seen.map((e) => e.phase)).toEqual(['started', 'failed']);
    expect(seen[1].error).toEqual({ name: 'Error', message: 'nope' });
    seen.length = 0;
    await expect(local.aexecute<unknown>('ev_fail', { x: 1 })).rejects.toThrow(ArgumentError);
    expect(seen).toEqual([]);
  });
});
