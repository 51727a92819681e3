/** Entity classes for the callable and address tests. */
import { Entity, entity } from '../../src';
import { ConfigEntity } from '../../src/callable/config-entity';

@entity()
export class AcademicRecord extends Entity {
  gpa = 0;
  term = '';
}

@entity()
export class Course extends Entity {
  title = '';
  credits = 0;
}

@entity()
export class Student extends Entity {
  name = '';
  gpa = 0;
  record: AcademicRecord | null = null;
  courses: Course[] = [];
  tags: string[] = [];
  byCode: Map<string | number, Course> = new Map();
  extra: Record<string, unknown> = {};
}

@entity()
export class Summary extends Entity {
  name = '';
  gpa = 0;
  tags: string[] = [];
  note = '';
}

@entity()
export class RankingOptions extends ConfigEntity {
  limit = 10;
  threshold = 0.5;
  label = 'default';
}

/** A promoted student with a record and two courses; returns the working root. */
export function makeStudent(name = 'Alice', gpa = 3.5): Student {
  const s = new Student({
    name,
    gpa,
    record: new AcademicRecord({ gpa, term: 'fall' }),
    courses: [new Course({ title: 'Math', credits: 5 }), new Course({ title: 'Art', credits: 3 })],
    tags: ['a'],
  });
  s.promoteToRoot();
  return s;
}
