/**
 * callable/binding-plan.ts: how each parameter of a registered function binds, compiled once
 * from its signature (`ParamMode`s, scalar kinds, entity classes, a config's field names and the
 * loose arguments it takes).
 */
import { Entity, entity } from '../../src';
import { ConfigEntity } from '../../src/callable/config-entity';
import { compileBindingPlan } from '../../src/callable/binding-plan';
import { compileSignature } from '../../src/callable/signatures';
import { optional, union } from '../../src/metadata/type-spec';
import { PpItem, PpOptions } from '../support/pipeline';

@entity()
class PpLooseConfig extends ConfigEntity {
  threshold = 0.5;
  name = 'n';
  enabled = false;
  note: string | null = null;
}

@entity()
class PpPlainEntity extends Entity {
  v = 0;
}

test('no signature: no parameters, arguments are recognised by value', () => {
  const plan = compileBindingPlan('pp_untyped', null);
  expect(plan).toMatchObject({ functionName: 'pp_untyped', signature: null, params: [], paramList: '(none)' });
  expect(plan.byName.size).toBe(0);
  expect(plan.looseFields.size).toBe(0);
});

test('each parameter gets its mode', () => {
  const signature = compileSignature('pp_modes', {
    params: {
      item: PpItem,
      plain: PpPlainEntity,
      s: String,
      n: 'number',
      b: Boolean,
      big: 'bigint',
      when: Date,
      anything: 'unknown',
      list: [PpItem],
      either: union(Number, String),
      maybe: optional(Number),
      options: PpOptions,
    },
  });
  const plan = compileBindingPlan('pp_modes', signature);
  const modes = Object.fromEntries(plan.params.map((p) => [p.name, p.mode]));
  expect(modes).toEqual({
    item: 'entity',
    plain: 'entity',
    s: 'scalar',
    n: 'scalar',
    b: 'scalar',
    big: 'scalar',
    when: 'typed',
    anything: 'dynamic',
    list: 'typed',
    either: 'typed',
    maybe: 'scalar',
    options: 'config',
  });
  expect(plan.byName.get('s')!.scalar).toBe('string');
  expect(plan.byName.get('n')!.scalar).toBe('number');
  expect(plan.byName.get('b')!.scalar).toBe('boolean');
  expect(plan.byName.get('big')!.scalar).toBe('bigint');
  expect(plan.byName.get('list')!.scalar).toBe('');
  expect(plan.byName.get('item')!.ctor).toBe(PpItem);
  expect(plan.byName.get('options')!.ctor).toBe(PpOptions);
  expect(plan.byName.get('n')!.ctor).toBeNull();
  expect(plan.byName.get('maybe')!.optional).toBe(true);
  expect(plan.byName.get('n')!.optional).toBe(false);
  expect(plan.byName.get('item')!.configFields).toBeNull();
  expect(plan.paramList).toBe('item, plain, s, n, b, big, when, anything, list, either, maybe, options');
  expect(plan.signature).toBe(signature);
  // plans are frozen: compiled once, shared by every call
  for (const p of plan.params) expect(Object.isFrozen(p)).toBe(true);
  expect(plan.params.map((p) => p.name)).toEqual([...plan.byName.keys()]);
});

test('a config parameter: its field names (their types: fieldTypesOf, test/metadata/field-types.test.ts)', () => {
  const plan = compileBindingPlan('pp_config', compileSignature('pp_config', { params: { cfg: PpLooseConfig } }));
  expect(plan.byName.get('cfg')!.configFields).toEqual(['threshold', 'name', 'enabled', 'note']);
});

test("a config's fields are loose arguments, except names taken by a parameter or an earlier config", () => {
  const signature = compileSignature('pp_loose', {
    params: { name: String, cfg: PpLooseConfig, options: PpOptions, limit: optional(Number) },
  });
  const plan = compileBindingPlan('pp_loose', signature);
  const cfg = plan.byName.get('cfg')!;
  const options = plan.byName.get('options')!;
  expect([...plan.looseFields.keys()].sort()).toEqual(['enabled', 'label', 'note', 'threshold']);
  expect(plan.looseFields.get('threshold')).toBe(cfg);
  expect(plan.looseFields.get('label')).toBe(options);
  expect(plan.looseFields.has('name')).toBe(false); // a parameter of its own
  expect(plan.looseFields.has('limit')).toBe(false);

  const twoConfigs = compileBindingPlan(
    'pp_two',
    compileSignature('pp_two', { params: { a: PpOptions, b: PpOptions } }),
  );
  expect(twoConfigs.looseFields.get('limit')!.name).toBe('a'); // the first config takes it
});
