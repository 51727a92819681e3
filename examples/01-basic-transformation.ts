/**
 * 01 · Basic transformation: update one field through a registered function.
 *
 * Shows: an @entity() class; promoteToRoot() (version 1); a registered function that is plain
 * TypeScript; execute() returning a new stored (frozen) version with previousEcsId / oldIds /
 * derivedFromFunction; the old version still readable; the lineage with parents; and the other way
 * to make a version: checkout() a working copy, edit it, EntityRegistry.version().
 *
 * Run: npx tsx examples/01-basic-transformation.ts
 */
import { CallableRegistry, Entity, EntityRegistry, entity } from '../src';

@entity()
export class Student extends Entity {
  name = '';
  gpa = 0;
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset(); // a fresh world (the static API uses the defaults)
  CallableRegistry.reset();
  const short = (id: string | null) => (id ?? '—').slice(0, 8);

  // The function sees a copy-on-write view of the stored version: it just assigns.
  CallableRegistry.register(
    'update_gpa',
    ({ student, newGpa }: { student: Student; newGpa: number }): Student => {
      student.gpa = newGpa;
      return student;
    },
    { params: { student: Student, newGpa: Number }, returns: Student }, // optional: enables checks
  );

  const alice = Student.create({ name: 'Alice', gpa: 3.5 }); // typed init (new Student({...}) works too)
  alice.promoteToRoot();
  log(`v1 ${short(alice.ecsId)}  ${alice.name} gpa ${alice.gpa}  (lineage ${short(alice.lineageId)})`);

  const v2 = CallableRegistry.execute<Student>('update_gpa', { student: alice, newGpa: 3.8 });
  const v3 = CallableRegistry.execute<Student>('update_gpa', { student: v2, newGpa: 3.9 });
  log(`v2 ${short(v2.ecsId)}  gpa ${v2.gpa}  previousEcsId ${short(v2.previousEcsId)}  via ${v2.derivedFromFunction}`);
  log(
    `v3 ${short(v3.ecsId)}  gpa ${v3.gpa}  oldIds [${v3.oldIds.map(short).join(', ')}]  same lineage: ${v3.lineageId === alice.lineageId}`,
  );

  // Nothing was overwritten: v1 is still stored, and the caller's object never changed.
  const v1 = registry.getStoredEntity<Student>(alice.ecsId);
  log(`v1 still reads gpa ${v1.gpa}; the caller's object too: ${alice.gpa}; v3 is frozen: ${Object.isFrozen(v3)}`);

  // Without a registered function: check out a working copy, edit it, version it.
  const draft = registry.checkout<Student>(v3.ecsId);
  draft.name = 'Alicia';
  const result = registry.version(draft);
  log(
    `checkout + edit + version(): created ${result.created}, ${result.idMap.size} entity forked → v4 ${short(result.rootEcsId)}`,
  );

  // The lineage: every root version, oldest first, with its parent.
  const lineage = registry.lineage(alice.lineageId);
  log(
    `lineage: ${lineage.map((e, i) => `v${i + 1}${e.parentEcsId ? `←v${lineage.findIndex((p) => p.ecsId === e.parentEcsId) + 1}` : ''}`).join('  ')}`,
  );
  return { lineage, v1, v2, v3, latest: registry.latest<Student>(alice.lineageId)! };
}

if (require.main === module) void main();
