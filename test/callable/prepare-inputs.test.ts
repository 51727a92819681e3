/**
 * callable/prepare-inputs.ts: working entities become stored versions (edited working trees
 * versioned, orphans promoted) and the input root versions are found; a ConfigEntity built from
 * loose arguments is only prepared (published with the call's commits, so a failed call leaves
 * nothing of it); `handOutInputs` substitutes the working copies a draft hands out.
 */
import { ArgumentError, CallableRegistry, EntityRegistry, ReturnTypeError } from '../../src';
import { bindArguments } from '../../src/callable/bind-arguments';
import { compileBindingPlan, type BindingPlan } from '../../src/callable/binding-plan';
import { handOutInputs, prepareInputs, withdrawConfigs } from '../../src/callable/prepare-inputs';
import { compileSignature, type SignatureSpec } from '../../src/callable/signatures';
import { metaOf, type EntityObject } from '../../src/metadata/object-model';
import { capture, expectUnchanged } from './dump-registry';
import { PpBox, PpItem, PpOptions, PpRoot, buildRoot, eo, storeRoot } from '../support/pipeline';

let registry: EntityRegistry;

beforeEach(() => {
  registry = new EntityRegistry();
});

function planFor(name: string, spec: SignatureSpec | null): BindingPlan {
  return compileBindingPlan(name, spec === null ? null : compileSignature(name, spec));
}

describe('prepareInputs', () => {
  test('stored arguments: nothing to prepare; the input versions, each once, in argument order', () => {
    const a = storeRoot(registry, buildRoot(1, 1));
    const b = storeRoot(registry, buildRoot(1, 1));
    const plan = planFor('pp_stored', null);
    const bound = bindArguments(plan, { x: b.stored, y: a.stored.boxes[0], z: b.stored.boxes[0] }, registry);
    expect(bound.needsPrepare).toBe(false);
    const before = capture(registry);
    const prepared = prepareInputs(plan, bound, registry);
    expectUnchanged(registry, before);
    expect(prepared.versions).toEqual([b.version, a.version]);
    expect(prepared.inputOf).toEqual([b.version, a.version, b.version]);
    expect(prepared.configs).toBeNull();
  });

  test('a stored child of an older version: the latest version of its tree when that still holds it, else its own', () => {
    const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(2, 1));
    const co = registry.checkout<PpRoot>(v1.ecsId);
    co.boxes[1].name = 'changed';
    registry.version(co);
    const ver2 = registry.latestVersion(v1.lineageId)!;
    const plan = planFor('pp_child', null);
    // boxes[0] is shared by both versions: it is passed in the latest one
    const kept = prepareInputs(plan, bindArguments(plan, { c: v1.boxes[0] }, registry), registry);
    expect(kept.versions).toEqual([ver2]);
    // boxes[1] changed in version 2: the version that stored it
    const old = prepareInputs(plan, bindArguments(plan, { c: v1.boxes[1] }, registry), registry);
    expect(old.versions).toEqual([ver1]);
  });

  // A stored child passed next to its own root version goes in through that version (it used to go
  // in through the latest version sharing it: two input trees, `a.boxes[0] !== b` inside the call).
  test('a stored child passed next to its own root version is passed in that version', () => {
    const { stored: v1, version: ver1 } = storeRoot(registry, buildRoot(2, 1));
    const co = registry.checkout<PpRoot>(v1.ecsId);
    co.title = 'later';
    registry.version(co);
    const plan = planFor('pp_root_and_child', null);
    const prepared = prepareInputs(plan, bindArguments(plan, { a: v1, b: v1.boxes[0] }, registry), registry);
    // (compared by id: RootVersion objects have private fields)
    expect(prepared.inputOf.map((v) => v.ecsId)).toEqual([ver1.ecsId, ver1.ecsId]);
    expect(prepared.versions.map((v) => v.ecsId)).toEqual([ver1.ecsId]);
  });

  test('an edited working tree is versioned for real, and its stored version replaces it in the arguments', () => {
    const root = buildRoot(1, 1);
    registry.promoteToRoot(root);
    root.title = 'edited';
    const plan = planFor('pp_working', null);
    const bound = bindArguments(plan, { r: root, list: [root.boxes[0]] }, registry);
    expect(bound.needsPrepare).toBe(true);
    const prepared = prepareInputs(plan, bound, registry);
    expect(registry.lineage(root.lineageId)).toHaveLength(2);
    const v2 = registry.latestVersion(root.lineageId)!;
    expect(prepared.versions).toEqual([v2]);
    expect(bound.args.r).toBe(v2.root);
    expect((bound.args.list as unknown[])[0]).toBe((v2.root as unknown as PpRoot).boxes[0]);
    expect(bound.entities).toEqual([v2.root, (v2.root as unknown as PpRoot).boxes[0]]);
    expect(prepared.configs).toBeNull();
  });

  test('an orphan is promoted to a root of its own', () => {
    const orphan = new PpItem({ name: 'orphan' });
    const plan = planFor('pp_orphan', null);
    const bound = bindArguments(plan, { i: orphan }, registry);
    const prepared = prepareInputs(plan, bound, registry);
    expect(prepared.versions).toHaveLength(1);
    expect(registry.hasVersion(prepared.versions[0].ecsId)).toBe(true);
    expect(metaOf(bound.args.i as object).stored).toBe(true);
    expect((bound.args.i as PpItem).name).toBe('orphan');
  });

  test('a config built from loose arguments is registered, named in configs, and withdrawConfigs takes it back', () => {
    const { stored } = storeRoot(registry, buildRoot(1, 1));
    const plan = planFor('pp_cfg', { params: { r: PpRoot, options: PpOptions } });
    const bound = bindArguments(plan, { r: stored, limit: 3 }, registry);
    expect(bound.builtConfigs).toHaveLength(1);
    const before = capture(registry);
    const prepared = prepareInputs(plan, bound, registry);
    expect(prepared.configs).toHaveLength(1);
    const configId = prepared.configs![0];
    expect(registry.hasVersion(configId)).toBe(true);
    expect(prepared.versions).toHaveLength(2);
    expect(prepared.versions[1].ecsId).toBe(configId);
    const options = bound.args.options as PpOptions;
    expect(options).toBe(prepared.versions[1].root);
    expect(metaOf(options).stored).toBe(true);
    expect(options.limit).toBe(3);
    expect(options.label).toBe('default');
    expect(prepared.inputOf[bound.entities.indexOf(eo(options))]).toBe(prepared.versions[1]);
    withdrawConfigs(registry, prepared.configs);
    expectUnchanged(registry, before);
  });

  test('a working entity removed from its tree is refused before anything is versioned', () => {
    const good = buildRoot(1, 1);
    registry.promoteToRoot(good);
    good.title = 'edited, would be versioned';
    const other = buildRoot(1, 2);
    registry.promoteToRoot(other);
    const removed = other.boxes[0].items.pop()!;
    const plan = planFor('pp_removed', null);
    const bound = bindArguments(plan, { a: good, b: removed }, registry);
    const before = capture(registry);
    expect(() => prepareInputs(plan, bound, registry)).toThrow(ArgumentError);
    expect(() => prepareInputs(plan, bound, registry)).toThrow(
      /pp_removed: argument 'b'.*is not part of its tree's working root any more/,
    );
    expectUnchanged(registry, before);
  });
});

describe('handOutInputs', () => {
  test('substitutes handed-out entities everywhere in the arguments, returns them in entity order', () => {
    const { stored, version } = storeRoot(registry, buildRoot(1, 2));
    const [i0, i1] = stored.boxes[0].items;
    const plan = planFor('pp_handout', null);
    const bound = bindArguments(
      plan,
      { list: [i0, 1], map: new Map([['k', i1]]), set: new Set([i0]), rec: { deep: [i1] }, root: stored },
      registry,
    );
    const replacement = new Map<EntityObject, EntityObject>([
      [eo(i0), eo(new PpItem({ name: 'copy0' }))],
      [eo(i1), eo(new PpItem({ name: 'copy1' }))],
    ]);
    const calls: [EntityObject, unknown][] = [];
    const inputOf = bound.entities.map(() => version);
    const handed = handOutInputs(bound, inputOf, (e, input) => {
      calls.push([e, input]);
      return replacement.get(e) ?? e;
    });
    expect(calls).toHaveLength(bound.entities.length);
    expect(calls.every(([, input]) => input === version)).toBe(true);
    const c0 = replacement.get(eo(i0));
    const c1 = replacement.get(eo(i1));
    expect((bound.args.list as unknown[])[0]).toBe(c0);
    expect((bound.args.list as unknown[])[1]).toBe(1);
    expect((bound.args.map as Map<string, unknown>).get('k')).toBe(c1);
    expect([...(bound.args.set as Set<unknown>)][0]).toBe(c0);
    expect((bound.args.rec as { deep: unknown[] }).deep[0]).toBe(c1);
    expect(bound.args.root).toBe(stored);
    expect(handed).toHaveLength(bound.entities.length);
    handed.forEach((h, i) => expect(h).toBe(replacement.get(bound.entities[i]) ?? bound.entities[i]));
    // bound.entities keeps the stored versions (for the record)
    expect(bound.entities).toContain(eo(i0));
  });
});

describe('through execute: a built config is registered for the call, and withdrawn if it fails', () => {
  let calls: CallableRegistry;
  beforeEach(() => {
    calls = new CallableRegistry({ entities: registry });
  });

  test('while the function runs its config is registered already; after it completes, it stays', () => {
    const { stored } = storeRoot(registry, buildRoot(1, 1));
    let inside: { registered: boolean; limit: number } | undefined;
    calls.register(
      'pp_cfg_visible',
      ({ root, options }: { root: PpRoot; options: PpOptions }) => {
        inside = { registered: registry.hasVersion(options.ecsId), limit: options.limit };
        return new PpBox({ name: `${root.title}:${options.limit}` });
      },
      { params: { root: PpRoot, options: PpOptions }, returns: PpBox },
    );
    const out = calls.execute<PpBox>('pp_cfg_visible', { root: stored, limit: 4 });
    expect(inside).toEqual({ registered: true, limit: 4 });
    expect(out.name).toBe('root:4');
    const configId = calls.executions()[0].inputs.entities.options as string;
    expect(registry.hasVersion(configId)).toBe(true);
    expect(registry.getStoredEntity<PpOptions>(configId).limit).toBe(4);
    expect(calls.executions()[0].inputs.rootIds).toContain(configId);
  });

  test('a built config the function edits: its first version and the edited one are both published, in order', () => {
    const { stored } = storeRoot(registry, buildRoot(1, 1));
    calls.register(
      'pp_cfg_edit',
      ({ options }: { root: PpRoot; options: PpOptions }) => {
        options.label = 'edited';
        return options;
      },
      { params: { root: PpRoot, options: PpOptions }, returns: PpOptions },
    );
    const out = calls.execute<PpOptions>('pp_cfg_edit', { root: stored, limit: 6 });
    expect(out.label).toBe('edited');
    expect(out.limit).toBe(6);
    const record = calls.executions()[0];
    expect(record.semantics).toEqual(['mutation']);
    const first = record.inputs.entities.options as string;
    expect(out.previousEcsId).toBe(first);
    expect(registry.lineage(out.lineageId)).toEqual([
      { ecsId: first, parentEcsId: null },
      { ecsId: out.ecsId, parentEcsId: first },
    ]);
    expect(registry.latest(out.lineageId)).toBe(out);
    expect(registry.getStoredEntity<PpOptions>(first).label).toBe('default');
  });

  // Why a built config is registered before the call rather than published with its commits: the
  // function may forward it to a nested execute(), which must find it in the registry.
  test('a built config can be forwarded to a nested execute, like a stored one', () => {
    const { stored } = storeRoot(registry, buildRoot(1, 1));
    calls.register(
      'pp_cfg_inner',
      ({ options, r }: { options: PpOptions; r: PpRoot }) => new PpBox({ name: `${options.limit}-${r.title}` }),
      {
        params: { options: PpOptions, r: PpRoot },
        returns: PpBox,
      },
    );
    calls.register(
      'pp_cfg_outer',
      ({ options }: { options: PpOptions; root: PpRoot }) =>
        calls.execute<PpBox>('pp_cfg_inner', { options, r: stored }),
      {
        params: { options: PpOptions, root: PpRoot },
        returns: PpBox,
      },
    );
    const published = registry.promoteToRoot(new PpOptions({ limit: 5 })).root;
    expect(calls.execute<PpBox>('pp_cfg_outer', { root: stored, options: published }).name).toBe('5-root');
    expect(calls.execute<PpBox>('pp_cfg_outer', { root: stored, limit: 3 }).name).toBe('3-root');
  });

  test('a call that throws, or fails after returning, leaves nothing but its failed record', () => {
    const { stored } = storeRoot(registry, buildRoot(1, 1));
    calls.register(
      'pp_cfg_throws',
      ({ options }: { root: PpRoot; options: PpOptions }) => {
        if (options.limit === 1) throw new Error('boom');
        return 'not a box';
      },
      { params: { root: PpRoot, options: PpOptions }, returns: PpBox },
    );
    const before = capture(registry);
    expect(() => calls.execute<unknown>('pp_cfg_throws', { root: stored, limit: 1 })).toThrow('boom');
    expectUnchanged(registry, before);
    expect(() => calls.execute<unknown>('pp_cfg_throws', { root: stored, limit: 2 })).toThrow(ReturnTypeError);
    expectUnchanged(registry, before);
    expect(calls.executions().map((r) => r.status)).toEqual(['failed', 'failed']);
  });
});
