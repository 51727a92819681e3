/**
 * Type tests (not run: `tsc -p tsconfig.json --noEmit` checks them, and every `@ts-expect-error`
 * below fails the check if its line stops being an error): a handle from `register` types its
 * arguments by the implementation; `handle.untyped` is the opt-in for unchecked arguments.
 * The functions are registered on a registry of their own, so the code generator (which reads
 * `CallableRegistry.register` calls) does not add them to the generated signatures.
 */
import { CallableRegistry } from '../../src';
import { Course, RankingOptions, Student } from '../callable/models';

const calls = new CallableRegistry();

export function typedArguments(student: Student, courses: Course[]): void {
  const setGpa = calls.register('types_set_gpa', ({ student, gpa }: { student: Student; gpa: number }) => {
    student.gpa = gpa;
    return student;
  });
  const s: Student = setGpa.execute({ student, gpa: 3.5 }); // the result is typed too
  setGpa.execute({ student: `@${s.ecsId}`, gpa: 3.6 }); // an address in place of an entity
  // @ts-expect-error a wrong type
  setGpa.execute({ student, gpa: 'first' });
  // @ts-expect-error a misspelled argument
  setGpa.execute({ student, gap: 3.5 });
  // @ts-expect-error a missing argument
  setGpa.execute({ student });
  // @ts-expect-error the arguments object is required
  setGpa.execute();
  // @ts-expect-error an entity of another class
  setGpa.execute({ student: courses[0], gpa: 1 });
  void setGpa.aexecute({ student, gpa: 1 }, { expect: 'latest' });
  // @ts-expect-error aexecute checks the same way
  void setGpa.aexecute({ student, gpa: '1' });

  const enroll = calls.register('types_enroll', ({ courses }: { courses: Course[] }) => courses.length);
  enroll.execute({ courses: [courses[0], `@${courses[1].ecsId}`] }); // addresses inside an array
  // @ts-expect-error a string that is not an address
  enroll.execute({ courses: ['math'] });
}

export function noArgumentsAndOptionalOnes(student: Student): void {
  const count = calls.register('types_count', () => 1);
  const n: number = count.execute();
  count.execute({});
  // @ts-expect-error the function takes no arguments
  count.execute({ student });

  const note = calls.register('types_note', ({ text }: { text?: string }) => text ?? '');
  note.execute();
  note.execute({ text: 'x' });
  // @ts-expect-error optional, but typed
  note.execute({ text: 1 });
  void n;
}

export function configArguments(students: Student[], options: RankingOptions): void {
  const rank = calls.register('types_rank', ({ students, options }: { students: Student[]; options: RankingOptions }) =>
    students.slice(0, options.limit),
  );
  rank.execute({ students, options }); // an instance
  rank.execute({ students, options: { limit: 3 } }); // a plain object of its fields
  rank.execute({ students, limit: 3, label: 'top' }); // loose fields next to the others
  rank.execute({ students }); // defaults
  // @ts-expect-error a loose field of the wrong type
  rank.execute({ students, limit: 'three' });
  // @ts-expect-error not a field of the config
  rank.execute({ students, limt: 3 });
  // @ts-expect-error a field of the wrong type in the plain object
  rank.execute({ students, options: { threshold: 'high' } });
}

export function untypedOnPurpose(student: Student, args: Record<string, unknown>): void {
  const setGpa = calls.register('types_set_gpa_2', ({ student, gpa }: { student: Student; gpa: number }) => {
    student.gpa = gpa;
    return student;
  });
  const s: Student = setGpa.untyped.execute(args); // arguments built at run time: checked at run time only
  void setGpa.untyped.aexecute({ student, gpa: '3.5' }, { expect: 'latest' });
  void s;
}
