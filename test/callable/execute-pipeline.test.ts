/**
 * callable/execute.ts driven directly (`executeSync` / `executeAsync` on an `Execution` built from
 * a binding plan and a bound call): the order at the end of a call (versions published and the
 * record kept before any event), which failures leave a record, and the async path.
 */
import {
  AsyncFunctionError,
  EntityRegistry,
  EventBus,
  ImmutableVersionError,
  ResultError,
  type Event,
} from '../../src';
import { bindArguments } from '../../src/callable/bind-arguments';
import { compileBindingPlan } from '../../src/callable/binding-plan';
import { executeAsync, executeSync, type Execution } from '../../src/callable/execute';
import type { FunctionExecution } from '../../src/callable/execution-record';
import { compileSignature, type SignatureSpec } from '../../src/callable/signatures';
import { capture, expectUnchanged } from './dump-registry';
import { PpBox, PpOptions, PpRoot, buildRoot, storeRoot } from '../support/pipeline';

let bus: EventBus;
let registry: EntityRegistry;

beforeEach(() => {
  bus = new EventBus();
  registry = new EntityRegistry({ bus });
});

function execution(
  name: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any argument shape, as register() takes
  fn: (args: any) => unknown,
  args: Record<string, unknown>,
  spec: SignatureSpec | null = null,
): Execution {
  const plan = compileBindingPlan(name, spec === null ? null : compileSignature(name, spec));
  const bound = bindArguments(plan, args, registry);
  return { functionName: name, executionId: `${name}-id`, fn, plan, bound, registry, records: [], record: null };
}

test('a successful call: versions published and the record kept before the first event', () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const x = execution(
    'pp_exec_ok',
    ({ root }: { root: PpRoot }) => {
      root.boxes[0].items[0].n = 9;
      return root;
    },
    { root: stored },
  );
  const seen: { type: string; records: number; published: boolean }[] = [];
  bus.on('entity.version', (e: Event) => {
    if (e.phase !== 'completed') return;
    const id = (e.metadata as { rootEcsId: string }).rootEcsId;
    seen.push({ type: e.type, records: x.records.length, published: registry.hasVersion(id) });
  });
  const out = executeSync(x) as PpRoot;
  expect(out.boxes[0].items[0].n).toBe(9);
  expect(out.previousEcsId).toBe(stored.ecsId);
  expect(seen).toEqual([{ type: 'entity.version', records: 1, published: true }]);
  const record = x.record as FunctionExecution;
  expect(x.records).toEqual([record]);
  expect(record.status).toBe('succeeded');
  expect(record.id).toBe('pp_exec_ok-id');
  expect(record.semantics).toEqual(['mutation']);
  expect(record.versionIds).toEqual([out.ecsId]);
  expect(record.inputs.rootIds).toEqual([stored.ecsId]);
  expect(record.result).toBe(out);
  expect(out.derivedFromExecutionId).toBe('pp_exec_ok-id');
});

test("a built config is registered (promoted) before the call, and its events come before the call's versions", () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const order: string[] = [];
  bus.on('entity.*', (e: Event) => {
    if (e.phase === 'completed') order.push(`${e.type}:${e.subjectType}`);
  });
  const x = execution(
    'pp_exec_cfg',
    ({ root, options }: { root: PpRoot; options: PpOptions }) => {
      root.title = `limit ${options.limit}`;
      return root;
    },
    { root: stored, limit: 2 },
    { params: { root: PpRoot, options: PpOptions } },
  );
  const out = executeSync(x) as PpRoot;
  expect(out.title).toBe('limit 2');
  expect(order).toEqual(['entity.register:PpOptions', 'entity.promote:PpOptions', 'entity.version:PpRoot']);
  expect(x.record!.inputs.rootIds).toHaveLength(2);
  for (const id of x.record!.inputs.rootIds) expect(registry.hasVersion(id)).toBe(true);
});

test('a failure while preparing the inputs leaves no record', () => {
  const root = buildRoot(1, 2);
  registry.promoteToRoot(root);
  const removed = root.boxes[0].items.pop()!;
  const x = execution('pp_exec_prep', () => 'never called', { item: removed });
  const before = capture(registry);
  expect(() => executeSync(x)).toThrow(/is not part of its tree's working root any more/);
  expect(x.records).toEqual([]);
  expect(x.record).toBeNull();
  expectUnchanged(registry, before);
});

test('a sync function that returns a promise: AsyncFunctionError, a failed record, its edits dropped', async () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  let lateWrite: Promise<void> | undefined;
  const x = execution(
    'pp_exec_promise',
    ({ root }: { root: PpRoot }) => {
      root.title = 'before the promise';
      lateWrite = Promise.resolve().then(() => {
        root.title = 'late';
      });
      return lateWrite;
    },
    { root: stored },
  );
  const before = capture(registry);
  expect(() => executeSync(x)).toThrow(AsyncFunctionError);
  expect(x.records).toHaveLength(1);
  expect(x.record!.status).toBe('failed');
  expect(x.record!.error).toEqual({
    name: 'AsyncFunctionError',
    message: expect.stringContaining('returned a promise'),
  });
  await expect(lateWrite).rejects.toThrow(ImmutableVersionError);
  expectUnchanged(registry, before);
});

test('executeAsync: edits after awaits are committed; the result is the stored version', async () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const x = execution(
    'pp_exec_async',
    async ({ root }: { root: PpRoot }) => {
      await new Promise((r) => setTimeout(r, 1));
      root.boxes[0].name = 'after await';
      return [root, new PpBox({ name: 'made' })];
    },
    { root: stored },
  );
  const [r, made] = (await executeAsync(x)) as [PpRoot, PpBox];
  expect(r.boxes[0].name).toBe('after await');
  expect(made.name).toBe('made');
  expect(x.record!.semantics).toEqual(['mutation', 'creation']);
  expect(made.siblingOutputEntities).toEqual([r.ecsId]);
  expect(made.outputIndex).toBe(1);
  expect(registry.latest<PpRoot>(stored.lineageId)).toBe(r);
});

test('executeAsync: a rejection keeps a failed record and changes nothing', async () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const x = execution(
    'pp_exec_reject',
    async ({ root }: { root: PpRoot }) => {
      root.title = 'x';
      await Promise.resolve();
      throw new RangeError('nope');
    },
    { root: stored },
  );
  const before = capture(registry);
  await expect(executeAsync(x)).rejects.toThrow(RangeError);
  expect(x.record!.status).toBe('failed');
  expect(x.record!.error).toEqual({ name: 'RangeError', message: 'nope' });
  expectUnchanged(registry, before);
});

test('values read through an address are attributed to the entity that held them', () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const item = stored.boxes[0].items[0];
  const x = execution('pp_exec_sources', ({ name }: { name: string }) => new PpBox({ name }), {
    name: `@${item.ecsId}.name`,
  });
  const out = executeSync(x) as PpBox;
  expect(out.name).toBe('b0-0');
  expect(out.attributeSource).toEqual({ name: item.ecsId });
  expect(x.record!.inputs.addresses).toEqual({ name: `@${item.ecsId}.name` });
});

// With an address among the arguments, `attributeSources` walks the result inside the call, before
// `readResult`: what it throws is a ResultError too, as without an address
// (test/callable/execution-atomicity.test.ts).
test('an unreadable result is a ResultError also when an address was used', () => {
  const { stored } = storeRoot(registry, buildRoot(1, 1));
  const hostile = (name: string): object =>
    new Proxy(
      { name },
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
  const plain = execution('pp_exec_unreadable', ({ name }: { name: string }) => hostile(name), { name: 'x' });
  expect(() => executeSync(plain)).toThrow(ResultError);
  const addressed = execution('pp_exec_unreadable_addressed', ({ name }: { name: string }) => hostile(name), {
    name: `@${stored.ecsId}.title`,
  });
  expect(() => executeSync(addressed)).toThrow(ResultError);
  expect(addressed.record!.error!.name).toBe('ResultError');
});
