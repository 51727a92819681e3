/**
 * Which generated spec a class uses when several classes share a name (SPEC §8): the runtime picks
 * the spec whose field names (runtime order), transient names and kinds fit the loaded class; no
 * fitting spec, or several different ones, mean runtime metadata, never a wrong spec. And generated
 * function signatures resolve their classes lazily, by name and field list.
 *
 * Hand-written specs for classes outside the generated project (test/fixtures/codegen/selection),
 * so this file runs the same in both Jest projects.
 */
import { CallableRegistry } from '../../src/callable/callable-registry';
import {
  generatedSignatureOf,
  installGeneratedSignatures,
  pendingGeneratedSignature,
} from '../../src/callable/generated-signatures';
import { EntityDefinitionError, EntityRegistry } from '../../src';
import { readStored } from '../../src/entity/class-runtime';
import {
  classMetaOf,
  entityClassRecord,
  installGeneratedMetadata,
  metadataSourceOf,
  type GeneratedClassSpec,
} from '../../src/metadata/class-registry';
import { VALUES, fieldSlots, type EntityObject, type StoredSlots } from '../../src/metadata/object-model';
import type { ContainerShape, FieldKind, StoredLayout } from '../../src/metadata/types';
import { freezeValue, thawValue, valueEquals } from '../../src/metadata/values';
import {
  SelChild,
  SelKinds,
  SelLate,
  SelLayout,
  SelOne,
  SelSame,
  SelSingle,
  SelTransient,
  SelTwo,
} from '../fixtures/codegen/selection/models';
import { SelTwin as TwinA } from '../fixtures/codegen/selection/twin-a';
import { SelTwin as TwinB } from '../fixtures/codegen/selection/twin-b';

type FieldSpec = [name: string, kind?: FieldKind, shape?: ContainerShape | null, declaredType?: string];

/** A spec with the generic operations (what matters here is which one is chosen). */
function spec(fields: FieldSpec[], transient: string[] = []): GeneratedClassSpec {
  return {
    fields: fields.map(([name, kind = 'data', shape = { kind: 'data' }, declaredType = 'number']) => ({
      name,
      declaredType,
      kind,
      shape,
      optional: false,
    })),
    transient,
    forEachChild() {},
    fieldEquals: (_i, a, b) => valueEquals(a, b),
    thawField: (_i, v) => thawValue(v),
    freezeField: (_i, v, mapLeaf) => freezeValue(v, mapLeaf),
  };
}

const one = spec([['x'], ['y', 'data', { kind: 'data' }, 'string']]);
const child = { kind: 'entity', className: 'SelChild' } as const;

beforeAll(() => {
  installGeneratedMetadata({
    // One fits (x, y); the other has other fields.
    SelOne: [spec([['x']]), one],
    // Two different specs fit the names: ambiguous.
    SelTwo: [spec([['a'], ['b']]), spec([['a'], ['b', 'data', { kind: 'data' }, 'string']])],
    // Kinds against the class-field defaults (child = new SelChild(), list = []).
    SelKinds: [
      spec([
        ['count', 'entity', child],
        ['child', 'entity', child],
        ['list', 'entities', { kind: 'array', of: child }],
      ]), // count is a number
      spec([['count'], ['child', 'data'], ['list', 'entities', { kind: 'array', of: child }]]), // child is an entity
      spec([['count'], ['child', 'entity', child], ['list', 'entities', { kind: 'map', of: child }]]), // list is an array
      spec([['count'], ['child', 'entity', child], ['list', 'entities', { kind: 'array', of: child }]]), // fits
    ],
    SelTransient: [spec([['kept']]), spec([['kept'], ['scratch']])], // no transient 'scratch': does not fit
    SelSingle: spec([['s', 'data', { kind: 'data' }, 'string']]) as unknown as GeneratedClassSpec[], // one spec, not a list: accepted
    SelChild: [spec([['n']])],
  });
  // A second file with an identical description of SelSame, and the first one's: one spec.
  installGeneratedMetadata({ SelSame: [spec([['v']])] });
  installGeneratedMetadata({ SelSame: [spec([['v']])] });
});

describe('choosing a generated spec', () => {
  test('the spec whose field names are the runtime field list is used', () => {
    expect(metadataSourceOf(SelOne)).toBe('generated');
    expect(classMetaOf(SelOne).fields.map((f) => [f.name, f.declaredType])).toEqual([
      ['x', 'number'],
      ['y', 'string'],
    ]);
    const o = new SelOne({ x: 1, y: 'a' });
    expect([o.x, o.y]).toEqual([1, 'a']);
  });

  test('two different fitting specs: runtime metadata', () => {
    expect(metadataSourceOf(SelTwo)).toBe('runtime');
    expect(classMetaOf(SelTwo).fields.map((f) => f.kind)).toEqual(['dynamic', 'dynamic']);
  });

  test('identical descriptions from several files count once', () => {
    expect(metadataSourceOf(SelSame)).toBe('generated');
  });

  test('kinds must fit the class-field defaults of a template instance', () => {
    expect(metadataSourceOf(SelKinds)).toBe('generated');
    expect(classMetaOf(SelKinds).fields.map((f) => [f.name, f.kind, f.shape?.kind])).toEqual([
      ['count', 'data', 'data'],
      ['child', 'entity', 'entity'],
      ['list', 'entities', 'array'],
    ]);
    expect(metadataSourceOf(SelChild)).toBe('generated');
  });

  test('transient names must be the same', () => {
    expect(metadataSourceOf(SelTransient)).toBe('runtime');
  });

  test('a single spec instead of a list is accepted', () => {
    expect(metadataSourceOf(SelSingle)).toBe('generated');
  });

  test('no spec for the name: runtime metadata', () => {
    expect(metadataSourceOf(SelLate)).toBe('runtime');
  });

  test('a spec that fits a class whose runtime metadata exists already is refused; one that does not fit is not', () => {
    expect(metadataSourceOf(SelLate)).toBe('runtime'); // built
    expect(() => installGeneratedMetadata({ SelLate: [spec([['other']])] })).not.toThrow();
    expect(() => installGeneratedMetadata({ SelLate: [spec([['z']])] })).toThrow(EntityDefinitionError);
    expect(() => installGeneratedMetadata({ SelLate: [{ fields: 'nope' } as unknown as GeneratedClassSpec] })).toThrow(
      TypeError,
    );
  });

  test('the registry keeps every class of a name', () => {
    expect(entityClassRecord(TwinA)!.name).toBe(entityClassRecord(TwinB)!.name);
    expect(TwinA).not.toBe(TwinB);
  });
});

describe('stored layouts', () => {
  /** A layout like the generator's, counting what the runtime asks of it. */
  function countingLayout(): StoredLayout & { prototypes: object[]; reads: number } {
    const [p, q] = fieldSlots(2);
    const layout = {
      prototypes: [] as object[],
      reads: 0,
      storedConstructor(prototype: object) {
        layout.prototypes.push(prototype);
        function StoredSelLayout(this: StoredSlots, values: readonly unknown[]) {
          this[VALUES] = values as unknown[];
          this[p] = values[0];
          this[q] = values[1];
        }
        StoredSelLayout.prototype = prototype;
        return StoredSelLayout as unknown as new (values: readonly unknown[]) => EntityObject;
      },
      getters: [
        function (this: StoredSlots) {
          layout.reads++;
          return readStored(this, 0, this[p]);
        },
        function (this: StoredSlots) {
          layout.reads++;
          return readStored(this, 1, this[q]);
        },
      ],
    };
    return layout;
  }

  test('a spec with a malformed layout is refused, and nothing of that file is installed', () => {
    const bad = {
      ...spec([['v']]),
      stored: { storedConstructor: () => Object, getters: [] },
    } as unknown as GeneratedClassSpec;
    // SelLayout's spec comes first and is valid; the next test shows it was not installed.
    expect(() => installGeneratedMetadata({ SelLayout: [spec([['p'], ['q']])], SelSame: [bad] })).toThrow(
      /the stored layout of SelSame must be \{ storedConstructor, getters \} with one getter per field \(1\)/,
    );
    expect(() =>
      installGeneratedMetadata({ SelLayout: [{ ...spec([['p']]), stored: null } as unknown as GeneratedClassSpec] }),
    ).toThrow(TypeError);
  });

  test("a spec's layout builds and reads the class's stored objects", () => {
    // Had the refused file's SelLayout spec been installed, two different specs would fit: runtime metadata.
    const layout = countingLayout();
    installGeneratedMetadata({
      SelLayout: [{ ...spec([['p'], ['q', 'data', { kind: 'data' }, 'string']]), stored: layout }],
    });
    expect(classMetaOf(SelLayout).storedLayout).toBe(layout);
    const stored = new EntityRegistry().promoteToRoot(new SelLayout({ p: 1, q: 'a' })).root as unknown as SelLayout;
    expect(layout.prototypes).toHaveLength(1);
    expect(Object.getPrototypeOf(stored)).toBe(layout.prototypes[0]);
    expect([stored.p, stored.q]).toEqual([1, 'a']);
    expect(layout.reads).toBe(2);
  });
});

describe('generated signatures resolve their classes lazily, by name and field list', () => {
  test('register does not fail when a parameter class is not loaded; the first lookup after it loads uses the signature', async () => {
    installGeneratedSignatures({
      sel_lazy: {
        params: [{ name: 'item', type: { kind: 'entity', className: 'SelLater', fields: ['v', 'w'] } }],
        returns: { kind: 'number' },
      },
    });
    const calls = new CallableRegistry();
    expect(() => calls.register('sel_lazy', ({ item }: { item: { v: number } }) => item.v)).not.toThrow();
    expect(calls.signatureOf('sel_lazy')).toBeNull(); // not loaded: as without the generated file
    expect(pendingGeneratedSignature('sel_lazy')).toMatch(/SelLater is not loaded/);

    const { SelLater } = await import('../fixtures/codegen/selection/later');
    const sig = calls.signatureOf('sel_lazy')!;
    expect(sig.source).toBe('generated');
    expect(sig.params[0].type).toMatchObject({ kind: 'entity', className: 'SelLater', ctor: SelLater });
    expect(calls.execute<unknown>('sel_lazy', { item: new SelLater({ v: 7 }) })).toBe(7);
    expect(pendingGeneratedSignature('sel_lazy')).toBeNull();
  });

  test('a field list no loaded class of that name has: not resolved (never a wrong class)', () => {
    installGeneratedSignatures({
      sel_wrong: { params: [{ name: 'o', type: { kind: 'entity', className: 'SelOne', fields: ['x', 'z'] } }] },
    });
    expect(generatedSignatureOf('sel_wrong')).toBeUndefined();
    expect(pendingGeneratedSignature('sel_wrong')).toMatch(/no loaded entity class SelOne has the fields x, z/);
    installGeneratedSignatures({
      sel_right: { params: [{ name: 'o', type: { kind: 'entity', className: 'SelOne', fields: ['x', 'y'] } }] },
    });
    expect(generatedSignatureOf('sel_right')!.params[0].type).toMatchObject({ ctor: SelOne });
  });

  test('two loaded classes fit: not resolved; without a field list the name alone must be unique', () => {
    installGeneratedSignatures({
      sel_twin: { params: [{ name: 't', type: { kind: 'entity', className: 'SelTwin', fields: ['t'] } }] },
      sel_twin_unnamed: { params: [{ name: 't', type: { kind: 'entity', className: 'SelTwin' } }] },
      sel_one_unnamed: { params: [{ name: 'o', type: { kind: 'entity', className: 'SelOne' } }] },
    });
    expect(generatedSignatureOf('sel_twin')).toBeUndefined();
    expect(pendingGeneratedSignature('sel_twin')).toMatch(/2 loaded entity classes are named SelTwin/);
    expect(generatedSignatureOf('sel_twin_unnamed')).toBeUndefined();
    expect(generatedSignatureOf('sel_one_unnamed')!.params[0].type).toMatchObject({ ctor: SelOne });
  });
});
