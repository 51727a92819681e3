/**
 * A ConfigEntity built from loose arguments is registered before the call (the function receives
 * a stored version of it). If the execution then fails, it is withdrawn again: a failed execution
 * leaves nothing but its record (SPEC §5).
 */
import { CallableRegistry } from '../../src/callable/callable-registry';
import { ArgumentError } from '../../src/callable/errors';
import { EntityRegistry } from '../../src/store/entity-registry';
import { capture, expectUnchanged } from './dump-registry';
import { RankingOptions, Student, Summary, makeStudent } from './models';

let reg: EntityRegistry;
let calls: CallableRegistry;

beforeEach(() => {
  reg = EntityRegistry.reset(); // makeStudent promotes into the default registry
  calls = new CallableRegistry({ entities: reg });
});

function register(body: (options: RankingOptions) => void): void {
  calls.register(
    'rank_or_fail',
    ({ students, options }: { students: Student[]; options: RankingOptions }) => {
      body(options);
      return new Summary({ name: `${options.limit}:${students.length}` });
    },
    { params: { students: [Student], options: RankingOptions }, returns: Summary },
  );
}

test('a throwing function: the config built for it is withdrawn, only the failed record remains', () => {
  register(() => {
    throw new Error('boom');
  });
  const s = makeStudent();
  const before = capture(reg);
  expect(() => calls.execute<unknown>('rank_or_fail', { students: [s], limit: 3 })).toThrow('boom');
  expectUnchanged(reg, before);
  const [record] = calls.executions();
  expect(record.status).toBe('failed');
  expect(record.error?.message).toBe('boom');
});

test('a bad argument after the config was built and registered: nothing remains at all', () => {
  register(() => undefined);
  const s = makeStudent();
  const before = capture(reg);
  expect(() => calls.execute<unknown>('rank_or_fail', { students: [s, 'not a student'], limit: 3 })).toThrow(
    ArgumentError,
  );
  expectUnchanged(reg, before);
  expect(calls.executions()).toHaveLength(0);
});

test('a successful call keeps the config it used', () => {
  register(() => undefined);
  const s = makeStudent();
  const out = calls.execute<Summary>('rank_or_fail', { students: [s], limit: 4 });
  expect(out.name).toBe('4:1');
  const configId = calls.executions()[0].inputs.entities.options;
  expect(reg.getStoredEntity<RankingOptions>(configId).limit).toBe(4);
});
