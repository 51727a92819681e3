/**
 * SPEC §5: executing registered functions — semantics of outputs, versioning of inputs,
 * provenance, addresses in arguments, records.
 */
import { EntityRegistry, ImmutableVersionError } from '../../src';
import { get } from '../../src/address/get';
import { CallableRegistry } from '../../src/callable/callable-registry';
import { AcademicRecord, Course, Student, Summary, makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset();
  calls = new CallableRegistry({ entities: reg });
});

function latestOf<T extends object>(e: { lineageId: string }): T {
  return reg.latest<T>(e.lineageId)!;
}

describe('mutation', () => {
  beforeEach(() => {
    calls.register(
      'update_gpa',
      ({ student, newGpa }: { student: Student; newGpa: number }) => {
        student.gpa = newGpa;
        return student;
      },
      { params: { student: Student, newGpa: Number }, returns: Student },
    );
  });

  test('updates a field: a new stored version, the input version and the caller untouched', () => {
    const s = makeStudent();
    const v1 = s.ecsId;
    const out = calls.execute<Student>('update_gpa', { student: s, newGpa: 3.8 });
    expect(out.gpa).toBe(3.8);
    expect(Object.isFrozen(out)).toBe(true);
    expect(() => {
      out.gpa = 1;
    }).toThrow(ImmutableVersionError);
    expect(out.ecsId).not.toBe(v1);
    expect(out.previousEcsId).toBe(v1);
    expect(out.oldIds).toEqual([v1]);
    expect(out.lineageId).toBe(s.lineageId);
    expect(out.derivedFromFunction).toBe('update_gpa');
    const [exec] = calls.executions();
    expect(out.derivedFromExecutionId).toBe(exec.id);
    expect(exec.semantics).toEqual(['mutation']);
    expect(exec.outputIds).toEqual([out.ecsId]);
    expect(exec.status).toBe('succeeded');
    // The caller's working tree and the stored input are unchanged.
    expect(s.gpa).toBe(3.5);
    expect(s.ecsId).toBe(v1);
    expect(reg.getStoredEntity<Student>(v1).gpa).toBe(3.5);
    expect(reg.lineage(s.lineageId).map((e) => e.ecsId)).toEqual([v1, out.ecsId]);
    // Unchanged children are shared with the previous version.
    expect(out.record).toBe(reg.getStoredEntity<Student>(v1).record);
  });

  test('a stored version can be passed again; the result chains', () => {
    const s = makeStudent();
    const a = calls.execute<Student>('update_gpa', { student: s, newGpa: 3.6 });
    const b = calls.execute<Student>('update_gpa', { student: a, newGpa: 3.7 });
    expect(b.previousEcsId).toBe(a.ecsId);
    expect(b.oldIds).toEqual([s.ecsId, a.ecsId]);
    expect(reg.lineage(s.lineageId).map((e) => e.parentEcsId)).toEqual([null, s.ecsId, a.ecsId]);
  });

  test('a mutation that changes nothing creates no version (semantic unchanged)', () => {
    const s = makeStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<Student>('update_gpa', { student: stored, newGpa: 3.5 });
    expect(out).toBe(stored);
    expect(reg.lineage(s.lineageId)).toHaveLength(1);
    const exec = calls.executions()[0];
    expect(exec.semantics).toEqual(['unchanged']);
    expect(exec.versionIds).toEqual([]);
    expect(exec.outputIds).toEqual([s.ecsId]);
  });

  // A child passed as the argument and returned is a mutation of its tree (as in the original:
  // the returned object is an input), not a detachment. Needs Transaction.commit to honour the
  // `arguments` option CallableRegistry passes (the entities handed to the function).
  test('a child mutation forks the child and its ancestors only', () => {
    calls.register('bump_course', ({ course }: { course: Course }) => {
      course.credits += 1;
      return course;
    });
    const s = makeStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<Course>('bump_course', { course: stored.courses[1] });
    expect(out.credits).toBe(4);
    expect(out.previousEcsId).toBe(stored.courses[1].ecsId);
    expect(calls.executions()[0].semantics).toEqual(['mutation']);
    const root = latestOf<Student>(s);
    expect(root.previousEcsId).toBe(stored.ecsId);
    expect(root.courses[1]).toBe(out);
    expect(root.courses[0]).toBe(stored.courses[0]); // not forked
    expect(root.record).toBe(stored.record);
  });

  test('a working tree edited since its stored version is versioned before the call', () => {
    const s = makeStudent();
    const v1 = s.ecsId;
    s.name = 'Alicia'; // an edit in place, not versioned yet
    const out = calls.execute<Student>('update_gpa', { student: s, newGpa: 3.9 });
    const lineage = reg.lineage(s.lineageId);
    expect(lineage).toHaveLength(3);
    const pre = reg.getStoredEntity<Student>(lineage[1].ecsId);
    expect(pre.name).toBe('Alicia');
    expect(pre.gpa).toBe(3.5);
    expect(pre.derivedFromFunction).toBeNull();
    expect(lineage[1].parentEcsId).toBe(v1);
    expect(out.name).toBe('Alicia');
    expect(out.gpa).toBe(3.9);
    expect(out.previousEcsId).toBe(pre.ecsId);
    expect(calls.executions()[0].inputs.entities).toEqual({ student: pre.ecsId });
    // The caller's tree now names the version its edit was stored as.
    expect(s.ecsId).toBe(pre.ecsId);
    expect(s.gpa).toBe(3.5);
  });

  test('an orphan argument is promoted first', () => {
    const s = new Student({ name: 'Orphan', gpa: 2 });
    expect(s.isOrphan()).toBe(true);
    const out = calls.execute<Student>('update_gpa', { student: s, newGpa: 2.5 });
    expect(s.isRoot()).toBe(true);
    expect(out.previousEcsId).toBe(s.ecsId);
    expect(reg.lineage(s.lineageId)).toHaveLength(2);
  });

  // Same as above: the returned child argument must stay in its tree (semantic mutation).
  test('a working child argument: its tree is versioned and the stored child passed', () => {
    calls.register('rename_course', ({ course, title }: { course: Course; title: string }) => {
      course.title = title;
      return course;
    });
    const s = makeStudent();
    s.courses[0].credits = 6; // an edit of the caller's working tree
    const out = calls.execute<Course>('rename_course', { course: s.courses[0], title: 'Algebra' });
    expect(out.title).toBe('Algebra');
    expect(out.credits).toBe(6);
    const root = latestOf<Student>(s);
    expect(root.courses[0]).toBe(out);
    expect(reg.lineage(s.lineageId)).toHaveLength(3);
  });

  test('what the function does never reaches the caller objects', () => {
    calls.register('scramble', ({ student }: { student: Student }) => {
      student.courses.push(new Course({ title: 'New' }));
      student.tags.push('x');
      student.record!.gpa = 0;
      return student;
    });
    const s = makeStudent();
    const storedBefore = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<Student>('scramble', { student: s });
    expect(out.courses.map((c) => c.title)).toEqual(['Math', 'Art', 'New']);
    expect(out.tags).toEqual(['a', 'x']);
    expect(out.record!.gpa).toBe(0);
    expect(s.courses).toHaveLength(2);
    expect(s.tags).toEqual(['a']);
    expect(s.record!.gpa).toBe(3.5);
    expect(storedBefore.courses).toHaveLength(2);
    expect(storedBefore.tags).toEqual(['a']);
    expect(storedBefore.record!.gpa).toBe(3.5);
  });
});

describe('creation', () => {
  test('derives a new entity: registered as the root of a new lineage', () => {
    calls.register(
      'summarize',
      ({ student }: { student: Student }) =>
        new Summary({ name: student.name, gpa: student.gpa, tags: [...student.tags] }),
      { params: { student: Student }, returns: Summary },
    );
    const s = makeStudent();
    const out = calls.execute<Summary>('summarize', { student: s });
    expect(out).toBeInstanceOf(Summary);
    expect(Object.isFrozen(out)).toBe(true);
    expect(out.isRoot()).toBe(true);
    expect(reg.lineage(out.lineageId)).toEqual([{ ecsId: out.ecsId, parentEcsId: null }]);
    expect(out.name).toBe('Alice');
    expect(out.derivedFromFunction).toBe('summarize');
    const exec = calls.executions()[0];
    expect(out.derivedFromExecutionId).toBe(exec.id);
    expect(exec.semantics).toEqual(['creation']);
    // The input was not changed: no new version of it.
    expect(reg.lineage(s.lineageId)).toHaveLength(1);
    expect(exec.versionIds).toEqual([out.ecsId]);
  });

  test('a function that mutates an input and returns a new entity versions the input and registers the new one', () => {
    calls.register('enroll_summary', ({ student }: { student: Student }) => {
      student.tags.push('summarized');
      return new Summary({ name: student.name });
    });
    const s = makeStudent();
    const out = calls.execute<Summary>('enroll_summary', { student: s });
    const exec = calls.executions()[0];
    expect(exec.semantics).toEqual(['creation']);
    const latest = latestOf<Student>(s);
    expect(latest.ecsId).not.toBe(s.ecsId);
    expect(latest.tags).toEqual(['a', 'summarized']);
    expect(latest.derivedFromExecutionId).toBe(exec.id);
    expect(reg.lineage(out.lineageId)).toHaveLength(1);
    expect(new Set(exec.versionIds)).toEqual(new Set([latest.ecsId, out.ecsId]));
  });

  test('an input changed but not returned is still versioned (non-entity result)', () => {
    calls.register('count_and_tag', ({ student }: { student: Student }) => {
      student.tags.push('counted');
      return student.courses.length;
    });
    const s = makeStudent();
    const n = calls.execute<number>('count_and_tag', { student: s });
    expect(n).toBe(2);
    expect(latestOf<Student>(s).tags).toEqual(['a', 'counted']);
    const exec = calls.executions()[0];
    expect(exec.result).toBe(2);
    expect(exec.outputIds).toEqual([]);
    expect(exec.versionIds).toHaveLength(1);
  });
});

describe('several outputs', () => {
  test('split into two outputs: order, outputIndex, siblingOutputEntities, one execution id', () => {
    calls.register(
      'split',
      ({ student }: { student: Student }): [Summary, Summary] => [
        new Summary({ name: `${student.name}-1`, gpa: student.gpa }),
        new Summary({ name: `${student.name}-2`, gpa: student.gpa }),
      ],
      { params: { student: Student }, returns: [Summary, Summary] },
    );
    const s = makeStudent();
    const out = calls.execute<[Summary, Summary]>('split', { student: s });
    expect(Array.isArray(out)).toBe(true);
    const [a, b] = out;
    expect(a.name).toBe('Alice-1');
    expect(b.name).toBe('Alice-2');
    expect(a.outputIndex).toBe(0);
    expect(b.outputIndex).toBe(1);
    expect(a.siblingOutputEntities).toEqual([b.ecsId]);
    expect(b.siblingOutputEntities).toEqual([a.ecsId]);
    expect(a.derivedFromExecutionId).toBe(b.derivedFromExecutionId);
    const exec = calls.executions()[0];
    expect(a.derivedFromExecutionId).toBe(exec.id);
    expect(exec.outputIds).toEqual([a.ecsId, b.ecsId]);
    expect(exec.semantics).toEqual(['creation', 'creation']);
    expect(reg.lineage(a.lineageId)).toHaveLength(1);
    expect(reg.lineage(b.lineageId)).toHaveLength(1);
  });

  test('mixed outputs: a mutated input and a new entity, in order', () => {
    calls.register('pair', ({ student }: { student: Student }) => {
      student.gpa = 4;
      return [student, new Summary({ name: student.name, gpa: 4 })];
    });
    const s = makeStudent();
    const [st, sum] = calls.execute<[Student, Summary]>('pair', { student: s });
    expect(st).toBeInstanceOf(Student);
    expect(st.gpa).toBe(4);
    expect(st.previousEcsId).toBe(s.ecsId);
    expect(sum).toBeInstanceOf(Summary);
    expect(calls.executions()[0].semantics).toEqual(['mutation', 'creation']);
    expect(st.outputIndex).toBe(0);
    expect(sum.outputIndex).toBe(1);
    expect(st.siblingOutputEntities).toEqual([sum.ecsId]);
  });

  test('non-entity elements of an array result are returned in place', () => {
    calls.register('with_count', ({ student }: { student: Student }) => [new Summary({ name: student.name }), 42, 'x']);
    const s = makeStudent();
    const out = calls.execute<[Summary, number, string]>('with_count', { student: s });
    expect(out[0]).toBeInstanceOf(Summary);
    expect(Object.isFrozen(out[0])).toBe(true);
    expect(out.slice(1)).toEqual([42, 'x']);
  });

  test('entities nested in an object result are committed and replaced by their stored versions', () => {
    calls.register('boxed', () => ({ summary: new Summary({ name: 'boxed' }), n: 1 }));
    const out = calls.execute<{ summary: Summary; n: number }>('boxed', {});
    expect(out.n).toBe(1);
    expect(Object.isFrozen(out.summary)).toBe(true);
    expect(reg.lineage(out.summary.lineageId)).toHaveLength(1);
  });
});

describe('detachment', () => {
  test('a child returned on its own, still in its parent: a new root, the parent unchanged', () => {
    calls.register('take_record', ({ student }: { student: Student }) => student.record!);
    const s = makeStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<AcademicRecord>('take_record', { student: s });
    expect(out).toBeInstanceOf(AcademicRecord);
    expect(out.isRoot()).toBe(true);
    expect(out.ecsId).not.toBe(stored.record!.ecsId);
    expect(out.previousEcsId).toBe(stored.record!.ecsId);
    expect(out.lineageId).toBe(stored.record!.lineageId);
    expect(calls.executions()[0].semantics).toEqual(['detachment']);
    expect(reg.lineage(out.lineageId)).toEqual([{ ecsId: out.ecsId, parentEcsId: null }]);
    // The parent did not change: no new version of it.
    expect(reg.lineage(s.lineageId)).toHaveLength(1);
    expect(stored.record!.gpa).toBe(3.5);
  });

  test('a child removed from its parent and returned: the parent is versioned too', () => {
    calls.register('drop_course', ({ student }: { student: Student }) => {
      const c = student.courses.shift()!;
      return c;
    });
    const s = makeStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<Course>('drop_course', { student: s });
    expect(out.title).toBe('Math');
    expect(out.isRoot()).toBe(true);
    expect(out.previousEcsId).toBe(stored.courses[0].ecsId);
    expect(calls.executions()[0].semantics).toEqual(['detachment']);
    const parent = latestOf<Student>(s);
    expect(parent.courses.map((c) => c.title)).toEqual(['Art']);
    expect(parent.previousEcsId).toBe(stored.ecsId);
    expect(stored.courses).toHaveLength(2);
  });
});

describe('concurrency', () => {
  test('two aexecute from the same version both succeed; the lineage holds both with the same parent', async () => {
    calls.register('slow_update', async ({ student, newGpa }: { student: Student; newGpa: number }) => {
      await new Promise((r) => setTimeout(r, 5));
      student.gpa = newGpa;
      await Promise.resolve();
      return student;
    });
    const s = makeStudent();
    const base = reg.getStoredEntity<Student>(s.ecsId);
    const [a, b] = await Promise.all([
      calls.aexecute<Student>('slow_update', { student: base, newGpa: 3.1 }),
      calls.aexecute<Student>('slow_update', { student: base, newGpa: 3.2 }),
    ]);
    expect(a.gpa).toBe(3.1);
    expect(b.gpa).toBe(3.2);
    expect(a.previousEcsId).toBe(base.ecsId);
    expect(b.previousEcsId).toBe(base.ecsId);
    const lineage = reg.lineage(s.lineageId);
    expect(lineage).toHaveLength(3);
    expect(
      lineage
        .filter((e) => e.parentEcsId === base.ecsId)
        .map((e) => e.ecsId)
        .sort(),
    ).toEqual([a.ecsId, b.ecsId].sort());
    expect(base.gpa).toBe(3.5);
  });

  test('aexecute runs sync functions too', async () => {
    calls.register('sync_gpa', ({ student }: { student: Student }) => {
      student.gpa = 1;
      return student;
    });
    const out = await calls.aexecute<Student>('sync_gpa', { student: makeStudent() });
    expect(out.gpa).toBe(1);
  });
});

describe('addresses in arguments', () => {
  beforeEach(() => {
    calls.register('update_gpa', ({ student, newGpa }: { student: Student; newGpa: number }) => {
      student.gpa = newGpa;
      return student;
    });
  });

  test('an entity address; old and new versions stay readable through addresses', async () => {
    const s = makeStudent();
    const v1 = s.ecsId;
    const out = await calls.aexecute<Student>('update_gpa', { student: `@${v1}`, newGpa: 3.9 });
    expect(out.gpa).toBe(3.9);
    expect(get<Student>(`@${v1}`).gpa).toBe(3.5);
    expect(get<number>(`@${out.ecsId}.gpa`)).toBe(3.9);
    expect(get<number>(`@${v1}.gpa`)).toBe(3.5);
    expect(calls.executions()[0].inputs.addresses).toEqual({ student: `@${v1}` });
    expect(calls.executions()[0].inputs.entities).toEqual({ student: v1 });
  });

  test('upper-case UUIDs are accepted', () => {
    const s = makeStudent();
    const out = calls.execute<Student>('update_gpa', { student: `@${s.ecsId.toUpperCase()}`, newGpa: 2 });
    expect(out.previousEcsId).toBe(s.ecsId);
  });

  test('a value address next to an entity argument is resolved', () => {
    const s = makeStudent();
    const other = makeStudent('Bob', 2.2);
    const out = calls.execute<Student>('update_gpa', { student: s, newGpa: `@${other.ecsId}.record.gpa` });
    expect(out.gpa).toBe(2.2);
    expect(calls.executions()[0].inputs.addresses).toEqual({ newGpa: `@${other.ecsId}.record.gpa` });
    // The field filled from the address names the entity that held the value: the record.
    expect(out.attributeSource.gpa).toBe(other.record!.ecsId);
  });

  test('addresses nested in arrays and objects are resolved (untyped function)', () => {
    calls.register('collect', ({ items, opts }: { items: unknown[]; opts: { who: Student; n: number } }) => {
      return new Summary({ name: `${(items[0] as Course).title}/${items[1]}/${opts.who.name}`, gpa: opts.n });
    });
    const s = makeStudent();
    const stored = reg.getStoredEntity<Student>(s.ecsId);
    const out = calls.execute<Summary>('collect', {
      items: [`@${stored.courses[0].ecsId}`, `@${s.ecsId}.courses.1.title`],
      opts: { who: `@${s.ecsId}`, n: `@${s.ecsId}.record.gpa` },
    });
    expect(out.name).toBe('Math/Art/Alice');
    expect(out.gpa).toBe(3.5);
    const exec = calls.executions()[0];
    expect(exec.inputs.addresses).toEqual({
      'items[0]': `@${stored.courses[0].ecsId}`,
      'items[1]': `@${s.ecsId}.courses.1.title`,
      'opts.who': `@${s.ecsId}`,
      'opts.n': `@${s.ecsId}.record.gpa`,
    });
    expect(exec.inputs.entities).toEqual({ 'items[0]': stored.courses[0].ecsId, 'opts.who': s.ecsId });
    expect(exec.inputs.rootIds).toEqual([s.ecsId]);
  });

  test('array indices and Map keys in argument addresses', () => {
    calls.register('title_of', ({ title }: { title: string }) => title.toUpperCase());
    const s = new Student({
      name: 'M',
      byCode: new Map<string | number, Course>([
        ['c1', new Course({ title: 'Keyed' })],
        [7, new Course({ title: 'Seven' })],
      ]),
    });
    s.promoteToRoot();
    expect(calls.execute<unknown>('title_of', { title: `@${s.ecsId}.byCode.c1.title` })).toBe('KEYED');
    expect(calls.execute<unknown>('title_of', { title: `@${s.ecsId}.byCode.7.title` })).toBe('SEVEN');
    expect(calls.execute<unknown>('title_of', { title: `@${s.ecsId}.byCode["c1"].title` })).toBe('KEYED');
  });

  test('data read through an address is a copy: the function cannot change the stored value', () => {
    calls.register('mutate_list', ({ list }: { list: string[] }) => {
      list.push('changed');
      return list.length;
    });
    const s = makeStudent();
    expect(calls.execute<unknown>('mutate_list', { list: `@${s.ecsId}.tags` })).toBe(2);
    expect(reg.getStoredEntity<Student>(s.ecsId).tags).toEqual(['a']);
    expect(reg.lineage(s.lineageId)).toHaveLength(1);
  });

  test('stored strings that read like addresses are data: read through an address, they stay strings', () => {
    calls.register('first_tag', ({ list }: { list: string[] }) => list[0]);
    const other = makeStudent('Bob', 2.2);
    const s = new Student({ name: 'T', tags: [`@${other.ecsId}`] });
    s.promoteToRoot();
    expect(calls.execute<unknown>('first_tag', { list: `@${s.ecsId}.tags` })).toBe(`@${other.ecsId}`);
    expect(calls.executions().at(-1)!.inputs.entities).toEqual({});
  });

  test('attributeSource of a created entity whose fields came from addresses', () => {
    calls.register(
      'card',
      ({ name, gpa, tags }: { name: string; gpa: number; tags: string[] }) =>
        new Summary({ name, gpa, tags, note: 'n' }),
    );
    const s = makeStudent();
    const out = calls.execute<Summary>('card', {
      name: `@${s.ecsId}.name`,
      gpa: `@${s.ecsId}.record.gpa`,
      tags: `@${s.ecsId}.tags`,
    });
    expect(out.attributeSource).toEqual({ name: s.ecsId, gpa: s.record!.ecsId, tags: s.ecsId });
  });
});

describe('plain values', () => {
  test('plain values are deep-copied: the function cannot change the caller data', () => {
    calls.register('mangle', ({ data }: { data: { xs: number[]; m: Map<string, number[]> } }) => {
      data.xs.push(99);
      data.m.get('a')!.push(99);
      return data.xs.length;
    });
    const data = { xs: [1], m: new Map([['a', [1]]]) };
    expect(calls.execute<unknown>('mangle', { data })).toBe(2);
    expect(data.xs).toEqual([1]);
    expect(data.m.get('a')).toEqual([1]);
    const recorded = calls.executions()[0].inputs.values.data as { xs: number[] };
    expect(recorded.xs).toEqual([1]);
    expect(Object.isFrozen(recorded)).toBe(true);
  });

  test('non-entity results are returned as they are and kept in the record', () => {
    const result = { total: 3, names: ['a'] };
    calls.register('stats', () => result);
    expect(calls.execute<unknown>('stats', {})).toBe(result);
    expect(calls.executions()[0].result).toBe(result);
    expect(calls.executions()[0].semantics).toEqual([]);
  });
});

describe('records', () => {
  test('executions(), execution(id), executionOf(entity | ecsId)', () => {
    calls.register('bump', ({ student }: { student: Student }) => {
      student.gpa += 0.1;
      return student;
    });
    const s = makeStudent();
    const a = calls.execute<Student>('bump', { student: s });
    const b = calls.execute<Student>('bump', { student: a });
    const [ea, eb] = calls.executions();
    expect(calls.executions()).toHaveLength(2);
    expect(calls.execution(ea.id)).toBe(ea);
    expect(calls.execution(ea.id.toUpperCase())).toBe(ea);
    expect(calls.executionOf(a)).toBe(ea);
    expect(calls.executionOf(b.ecsId)).toBe(eb);
    expect(calls.executionOf(b.ecsId.toUpperCase())).toBe(eb);
    expect(calls.executionOf(s.ecsId)).toBeUndefined();
    expect(calls.executionOf('not-an-id')).toBeUndefined();
    expect(ea.functionName).toBe('bump');
    expect(ea.inputs.rootIds).toEqual([s.ecsId]);
    expect(ea.startedAt).toBeGreaterThan(0);
    expect(ea.durationMs).toBeGreaterThanOrEqual(0);
    expect(Object.isFrozen(ea)).toBe(true);
    expect(Object.isFrozen(ea.inputs)).toBe(true);
    expect(ea.error).toBeNull();
    calls.clearExecutions();
    expect(calls.executions()).toEqual([]);
    expect(calls.has('bump')).toBe(true);
    calls.reset();
    expect(calls.has('bump')).toBe(false);
  });

  test('an execution with several input trees records each root once', () => {
    calls.register(
      'merge',
      ({ a, b, again }: { a: Student; b: Student; again: Course }) =>
        new Summary({ name: a.name + b.name + again.title }),
    );
    const s1 = makeStudent('A');
    const s2 = makeStudent('B');
    const out = calls.execute<Summary>('merge', {
      a: s1,
      b: s2,
      again: reg.getStoredEntity<Student>(s1.ecsId).courses[0],
    });
    expect(out.name).toBe('ABMath');
    expect(calls.executions()[0].inputs.rootIds).toEqual([s1.ecsId, s2.ecsId]);
  });
});

describe('static facade', () => {
  afterEach(() => CallableRegistry.reset());

  test('CallableRegistry.register / execute / aexecute use the default registries', async () => {
    CallableRegistry.register('static_update', ({ student, newGpa }: { student: Student; newGpa: number }) => {
      student.gpa = newGpa;
      return student;
    });
    const s = makeStudent();
    const out = CallableRegistry.execute<Student>('static_update', { student: s, newGpa: 3.8 });
    expect(out.gpa).toBe(3.8);
    const again = await CallableRegistry.aexecute<Student>('static_update', { student: `@${out.ecsId}`, newGpa: 3.9 });
    expect(again.previousEcsId).toBe(out.ecsId);
    expect(EntityRegistry.default.lineage(s.lineageId)).toHaveLength(3);
    expect(CallableRegistry.executions()).toHaveLength(2);
    expect(CallableRegistry.executionOf(again)!.functionName).toBe('static_update');
    expect(CallableRegistry.names()).toEqual(['static_update']);
  });

  test('the default registry follows EntityRegistry.reset()', () => {
    CallableRegistry.register('noop_static', ({ student }: { student: Student }) => student);
    const r2 = EntityRegistry.reset();
    const s = makeStudent();
    CallableRegistry.execute('noop_static', { student: s });
    expect(r2.hasVersion(s.ecsId)).toBe(true);
  });

  test('register returns a typed handle', () => {
    const handle = CallableRegistry.register(
      'handle_fn',
      ({ student }: { student: Student }) => new Summary({ name: student.name }),
    );
    const out = handle.execute({ student: makeStudent('H') });
    expect(out.name).toBe('H');
  });
});
