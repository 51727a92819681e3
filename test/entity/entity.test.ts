/**
 * Entities (SPEC §1): typed init, inheritance, @transient, decorators, system fields and methods.
 */
import {
  Entity,
  EntityDefinitionError,
  EntityRegistry,
  EntityTree,
  TreeStructureError,
  VersioningError,
  entity,
  field,
  transient,
} from '../../src';
import { classMetaOf } from '../../src/entity/decorators';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@entity()
class Course extends Entity {
  title = '';
  credits = 0;
}

@entity()
class Transcript extends Entity {
  grades: Map<string, number> = new Map();
}

@entity()
class Student extends Entity {
  name = '';
  gpa = 0;
  transcript?: Transcript = undefined;
  courses: Course[] = [];
  @transient() cache: Map<string, unknown> = new Map();
}

@entity()
class Person extends Entity {
  name = 'nobody';
  born: Date = new Date(0);
}

@entity()
class Employee extends Person {
  salary = 100;
  override name = 'employee'; // overrides the base default, keeps the base position
}

@entity()
class Manager extends Employee {
  reports: Employee[] = [];
}

@entity()
class WithDeclared extends Entity {
  @field({ description: 'a declared field', optional: true }) note?: string = undefined;
  plain = 1;
}

beforeEach(() => {
  EntityRegistry.reset();
});

describe('typed init', () => {
  test('applies the init object after the field initialisers', () => {
    const s = new Student({ name: 'Alice', gpa: 3.5 });
    expect(s.name).toBe('Alice');
    expect(s.gpa).toBe(3.5);
    expect(s.courses).toEqual([]);
    expect(s.transcript).toBeUndefined();
  });

  test('fields not in the init keep their defaults; each instance gets its own containers', () => {
    const a = new Student();
    const b = new Student();
    a.courses.push(new Course());
    expect(b.courses).toEqual([]);
    expect(a.courses).not.toBe(b.courses);
  });

  test('Entity.create is typed construction', () => {
    const c = Course.create({ title: 'Math', credits: 5 });
    expect(c).toBeInstanceOf(Course);
    expect(c.title).toBe('Math');
    // @ts-expect-error unknown field is a type error too
    expect(() => Course.create({ nope: 1 })).toThrow(EntityDefinitionError);
  });

  test('an unknown field is an EntityDefinitionError naming it and the fields that exist', () => {
    expect(() => new Student({ nmae: 'x' } as object)).toThrow(EntityDefinitionError);
    expect(() => new Student({ nmae: 'x' } as object)).toThrow(/unknown field 'nmae'.*name, gpa, transcript, courses/);
  });

  test('a system field in the init is refused', () => {
    expect(() => new Student({ ecsId: 'x' } as object)).toThrow(/unknown field 'ecsId' \(it is a system field\)/);
  });

  test('a transient property is not a field and cannot be initialised', () => {
    expect(() => new Student({ cache: new Map() } as object)).toThrow(EntityDefinitionError);
  });

  test('init must be an object', () => {
    expect(() => new Student(5 as unknown as object)).toThrow(/init must be an object/);
  });

  test('@field() declares a field with options', () => {
    const meta = classMetaOf(WithDeclared as never);
    expect(meta.fields.map((f) => f.name)).toEqual(['note', 'plain']);
    expect(meta.fields[0].optional).toBe(true);
    expect(new WithDeclared({ note: 'n' }).note).toBe('n');
  });
});

describe('inheritance', () => {
  test('fields of the base come first, then the subclass fields', () => {
    expect(classMetaOf(Employee as never).fields.map((f) => f.name)).toEqual(['name', 'born', 'salary']);
    expect(classMetaOf(Manager as never).fields.map((f) => f.name)).toEqual(['name', 'born', 'salary', 'reports']);
  });

  test('subclass defaults override base defaults; init sets fields of every level', () => {
    expect(new Employee().name).toBe('employee');
    expect(new Person().name).toBe('nobody');
    const m = new Manager({ name: 'Boss', salary: 5, born: new Date(10), reports: [new Employee({ name: 'E' })] });
    expect(m).toBeInstanceOf(Manager);
    expect(m).toBeInstanceOf(Employee);
    expect(m).toBeInstanceOf(Person);
    expect(m).toBeInstanceOf(Entity);
    expect([m.name, m.salary, m.born.getTime(), m.reports[0].name]).toEqual(['Boss', 5, 10, 'E']);
  });

  test('an undecorated subclass of an entity class is an EntityDefinitionError', () => {
    class Intern extends Employee {
      school = '';
    }
    expect(() => new Intern()).toThrow(EntityDefinitionError);
    expect(() => new Intern()).toThrow(/Intern .*not decorated with @entity\(\)/);
  });

  test('an undecorated direct subclass of Entity is an EntityDefinitionError', () => {
    class Loose extends Entity {
      x = 1;
    }
    expect(() => new Loose()).toThrow(EntityDefinitionError);
    expect(() => classMetaOf(Loose as never)).toThrow(EntityDefinitionError);
  });
});

describe('@transient', () => {
  test('is kept on the instance but is not a field', () => {
    const s = new Student();
    expect(s.cache).toBeInstanceOf(Map);
    expect(classMetaOf(Student as never).fields.map((f) => f.name)).not.toContain('cache');
    expect(classMetaOf(Student as never).transient.has('cache')).toBe(true);
  });

  test('is not versioned: changing it creates no version and it is not stored', () => {
    const reg = EntityRegistry.default;
    const s = new Student({ name: 'A' }).promoteToRoot();
    const v1 = s.ecsId;
    s.cache.set('x', 1);
    s.cache = new Map([['y', 2]]);
    const r = reg.version(s);
    expect(r.created).toBe(false);
    expect(s.ecsId).toBe(v1);
    expect(reg.getStoredEntity<Student>(v1).cache).toBeUndefined();
    expect(reg.lineage(s.lineageId)).toHaveLength(1);
  });
});

describe('system fields of a new entity', () => {
  test('an orphan with fresh lower-case UUIDs and empty provenance', () => {
    const before = Date.now();
    const s = new Student();
    const after = Date.now();
    for (const id of [s.ecsId, s.liveId, s.lineageId]) expect(id).toMatch(UUID);
    expect(new Set([s.ecsId, s.liveId, s.lineageId]).size).toBe(3);
    expect(s.rootEcsId).toBeNull();
    expect(s.rootLiveId).toBeNull();
    expect(s.previousEcsId).toBeNull();
    expect(s.oldIds).toEqual([]);
    expect(s.createdAt).toBeInstanceOf(Date);
    expect(s.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(s.createdAt.getTime()).toBeLessThanOrEqual(after);
    expect(s.forkedAt).toBeNull();
    expect(s.derivedFromFunction).toBeNull();
    expect(s.derivedFromExecutionId).toBeNull();
    expect(s.siblingOutputEntities).toEqual([]);
    expect(s.outputIndex).toBeNull();
    expect(s.attributeSource).toEqual({});
    expect(s.isOrphan()).toBe(true);
    expect(s.isRoot()).toBe(false);
  });

  test('every entity has its own ids', () => {
    const a = new Course();
    const b = new Course();
    expect(a.ecsId).not.toBe(b.ecsId);
    expect(a.lineageId).not.toBe(b.lineageId);
    expect(a.liveId).not.toBe(b.liveId);
  });

  test('system fields are read-only', () => {
    const s = new Student();
    for (const name of [
      'ecsId',
      'liveId',
      'lineageId',
      'rootEcsId',
      'previousEcsId',
      'oldIds',
      'createdAt',
      'forkedAt',
      'outputIndex',
      'attributeSource',
    ]) {
      expect(() => {
        (s as unknown as Record<string, unknown>)[name] = 'x';
      }).toThrow(TypeError);
    }
    expect(s.ecsId).toMatch(UUID);
  });

  test('system fields are not enumerable data: no own string keys, field accessors only', () => {
    const s = new Student({ name: 'A' });
    expect(Object.keys(s)).toEqual(['cache']);
    const enumerated: string[] = [];
    for (const k in s) enumerated.push(k);
    expect(enumerated.sort()).toEqual(['cache', 'courses', 'gpa', 'name', 'transcript']);
  });
});

describe('methods', () => {
  function tree() {
    return new Student({
      name: 'S',
      transcript: new Transcript(),
      courses: [new Course({ title: 'A' }), new Course({ title: 'B' })],
    });
  }

  test('promoteToRoot registers version 1 and gives every entity its root ids', () => {
    const s = tree();
    const ecsBefore = s.ecsId;
    expect(s.promoteToRoot()).toBe(s);
    expect(s.ecsId).toBe(ecsBefore); // never stored before: keeps its id
    expect(s.isRoot()).toBe(true);
    expect(s.isOrphan()).toBe(false);
    for (const e of [s, s.transcript!, ...s.courses]) {
      expect(e.rootEcsId).toBe(s.ecsId);
      expect(e.rootLiveId).toBe(s.liveId);
    }
    expect(s.courses[0].isRoot()).toBe(false);
    expect(s.courses[0].isOrphan()).toBe(false);
    const reg = EntityRegistry.default;
    expect(reg.lineage(s.lineageId)).toEqual([{ ecsId: s.ecsId, parentEcsId: null }]);
    expect(reg.getStoredEntity<Course>(s.courses[1].ecsId).title).toBe('B');
  });

  test('promoteToRoot twice is the same version', () => {
    const s = tree().promoteToRoot();
    const stats = EntityRegistry.default.stats;
    s.promoteToRoot();
    expect(EntityRegistry.default.stats).toEqual(stats);
  });

  test('promoteToRoot of a child of a tree is a VersioningError', () => {
    const s = tree().promoteToRoot();
    expect(() => s.courses[0].promoteToRoot()).toThrow(VersioningError);
  });

  test('getTree returns the EntityTree of the entity', () => {
    const s = tree();
    const t = s.getTree();
    expect(t).toBeInstanceOf(EntityTree);
    expect(t.nodeCount).toBe(4);
    expect(t.root).toBe(s);
  });

  test('getTree of a tree with a shared reference is a TreeStructureError', () => {
    const c = new Course();
    const s = new Student({ courses: [c, c] });
    expect(() => s.getTree()).toThrow(TreeStructureError);
  });

  test('detach: the parent tree is versioned without it and it becomes a root of its own', () => {
    const reg = EntityRegistry.default;
    const s = tree().promoteToRoot();
    const v1 = s.ecsId;
    const course = s.courses[1];
    const idInParent = course.ecsId;
    const lineage = course.lineageId;
    course.detach();
    expect(s.courses.map((c) => c.title)).toEqual(['A']); // removed from its parent
    expect(s.ecsId).not.toBe(v1);
    expect(s.previousEcsId).toBe(v1);
    expect(course.isRoot()).toBe(true);
    expect(course.previousEcsId).toBe(idInParent);
    expect(course.ecsId).not.toBe(idInParent);
    expect(course.lineageId).toBe(lineage);
    expect(reg.lineage(lineage)).toEqual([{ ecsId: course.ecsId, parentEcsId: null }]);
    // history: the old version still holds it
    expect(reg.getStoredEntity<Student>(v1).courses.map((c) => c.ecsId)).toContain(idInParent);
    expect(reg.getStoredTree(s.ecsId).nodes.has(idInParent)).toBe(false);
  });

  test('detach after the caller removed it from its parent', () => {
    const s = tree().promoteToRoot();
    const course = s.courses.pop()!;
    course.detach();
    expect(course.isRoot()).toBe(true);
    expect(s.courses).toHaveLength(1);
    expect(EntityRegistry.default.getStoredEntity<Student>(s.ecsId).courses).toHaveLength(1);
  });

  test('detach of an orphan or a root is a VersioningError', () => {
    expect(() => new Course().detach()).toThrow(VersioningError);
    const s = tree().promoteToRoot();
    expect(() => s.detach()).toThrow(VersioningError);
  });

  test('attach: the new parent tree is versioned with the root inside, forked; its old versions stay readable', () => {
    const reg = EntityRegistry.default;
    const s = tree().promoteToRoot();
    const c = new Course({ title: 'Solo' }).promoteToRoot();
    const cOld = c.ecsId;
    s.courses.push(c);
    c.attach(s);
    expect(c.previousEcsId).toBe(cOld);
    expect(c.ecsId).not.toBe(cOld);
    expect(c.rootEcsId).toBe(s.ecsId);
    expect(c.isRoot()).toBe(false);
    expect(reg.getStoredEntity<Student>(s.ecsId).courses.map((x) => x.title)).toEqual(['A', 'B', 'Solo']);
    expect(reg.getStoredEntity<Course>(cOld).title).toBe('Solo');
    expect(reg.getStoredEntity<Course>(cOld).isRoot()).toBe(true);
  });

  test('attach before putting it into the tree is a VersioningError', () => {
    const s = tree().promoteToRoot();
    const c = new Course().promoteToRoot();
    expect(() => c.attach(s)).toThrow(VersioningError);
  });

  test('borrowAttributeFrom copies the value and records the source', () => {
    const a = new Student({ name: 'Alice', gpa: 3.9 });
    const b = new Student();
    expect(b.borrowAttributeFrom(a, 'gpa', 'gpa')).toBe(b);
    expect(b.gpa).toBe(3.9);
    expect(b.attributeSource).toEqual({ gpa: a.ecsId });
    b.borrowAttributeFrom(a, 'name', 'name');
    expect(b.attributeSource).toEqual({ gpa: a.ecsId, name: a.ecsId });
  });

  test('borrowAttributeFrom with an unknown field is an EntityDefinitionError', () => {
    const a = new Student();
    const b = new Student();
    expect(() => b.borrowAttributeFrom(a, 'nope', 'gpa')).toThrow(EntityDefinitionError);
    expect(() => b.borrowAttributeFrom(a, 'gpa', 'nope')).toThrow(EntityDefinitionError);
  });

  test('borrowAttributeFrom refuses methods, system fields and transient properties (they are not fields)', () => {
    const a = new Student({ name: 'A' });
    const b = new Student({ name: 'B' });
    expect(() => b.borrowAttributeFrom(a, 'name', 'isRoot')).toThrow(EntityDefinitionError);
    expect(typeof b.isRoot).toBe('function');
    expect(() => b.borrowAttributeFrom(a, 'promoteToRoot', 'name')).toThrow(EntityDefinitionError);
    expect(() => b.borrowAttributeFrom(a, 'ecsId', 'name')).toThrow(EntityDefinitionError);
    expect(() => b.borrowAttributeFrom(a, 'cache', 'name')).toThrow(EntityDefinitionError);
    expect(b.name).toBe('B');
    expect(b.attributeSource).toEqual({});
  });

  test('borrowAttributeFrom copies data containers: no aliasing between the two entities', () => {
    const a = new Transcript({ grades: new Map([['math', 1]]) });
    const b = new Transcript();
    b.borrowAttributeFrom(a, 'grades', 'grades');
    expect(b.grades).toEqual(new Map([['math', 1]]));
    expect(b.grades).not.toBe(a.grades);
    a.grades.set('art', 2);
    expect(b.grades.has('art')).toBe(false);
  });

  test('borrowAttributeFrom a stored entity gives a mutable value', () => {
    const a = new Transcript({ grades: new Map([['math', 1]]) }).promoteToRoot();
    const stored = EntityRegistry.default.getStoredEntity<Transcript>(a.ecsId);
    const b = new Transcript();
    b.borrowAttributeFrom(stored, 'grades', 'grades');
    expect(b.attributeSource).toEqual({ grades: stored.ecsId });
    expect(() => b.grades.set('art', 2)).not.toThrow();
    expect(stored.grades.has('art')).toBe(false);
  });
});
