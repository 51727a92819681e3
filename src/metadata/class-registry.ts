import { EntityDefinitionError } from './errors';
import { buildRuntimeMeta } from './runtime-provider';
import type { ClassMeta, ClassOps, ContainerShape, FieldKind } from './types';

/**
 * The registry of entity classes and the single place where a class's metadata comes from:
 * generated tables when the generated file was imported, runtime inspection otherwise.
 * Nothing else in the library reads reflect-metadata.
 */

export type AnyClass = abstract new (...args: never[]) => object;

export interface FieldOptions {
  /** Declared type for runtime metadata where reflection cannot see it (e.g. `() => Course`). */
  type?: () => unknown;
  optional?: boolean;
  description?: string;
}

interface PrototypeDecorations {
  transient: Set<string>;
  fields: Map<string, FieldOptions>;
}

/** Property decorators run before the class decorator and see only the prototype. */
const decorations = new WeakMap<object, PrototypeDecorations>();

function decorationsOf(proto: object): PrototypeDecorations {
  let d = decorations.get(proto);
  if (!d) decorations.set(proto, (d = { transient: new Set(), fields: new Map() }));
  return d;
}

export function markTransient(proto: object, name: string): void {
  decorationsOf(proto).transient.add(name);
}

export function markField(proto: object, name: string, options: FieldOptions): void {
  decorationsOf(proto).fields.set(name, options);
}

/** Generated metadata for one class, as emitted by the code generator. */
export interface GeneratedClassSpec extends ClassOps {
  readonly fields: ReadonlyArray<{
    name: string;
    declaredType: string;
    kind: FieldKind;
    shape: ContainerShape | null;
    optional: boolean;
  }>;
  readonly transient: readonly string[];
}

export interface EntityClassRecord {
  /** The class users see (the decorator's result). */
  readonly ctor: AnyClass;
  /** The class as written, before the decorator wrapped it. */
  readonly original: AnyClass;
  readonly name: string;
  readonly transient: ReadonlySet<string>;
  readonly fieldOptions: ReadonlyMap<string, FieldOptions>;
  meta: ClassMeta | null;
}

const byClass = new Map<AnyClass, EntityClassRecord>();
const byName = new Map<string, EntityClassRecord>();
const generated = new Map<string, GeneratedClassSpec>();
let generatedInstalled = false;

export function registerEntityClass(ctor: AnyClass, original: AnyClass): EntityClassRecord {
  const transient = new Set<string>();
  const fieldOptions = new Map<string, FieldOptions>();
  // Walk the prototype chain base-first so subclasses override their bases' options.
  const chain: object[] = [];
  for (let p: object | null = original.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) chain.unshift(p);
  for (const proto of chain) {
    const d = decorations.get(proto);
    if (!d) continue;
    d.transient.forEach((n) => transient.add(n));
    d.fields.forEach((o, n) => fieldOptions.set(n, o));
  }
  const record: EntityClassRecord = { ctor, original, name: original.name, transient, fieldOptions, meta: null };
  byClass.set(ctor, record);
  byClass.set(original, record);
  if (!byName.has(record.name)) byName.set(record.name, record);
  return record;
}

export function entityClassRecord(ctor: unknown): EntityClassRecord | undefined {
  return byClass.get(ctor as AnyClass);
}

export function entityClassByName(name: string): EntityClassRecord | undefined {
  return byName.get(name);
}

export function allEntityClasses(): EntityClassRecord[] {
  return [...new Set(byClass.values())];
}

/**
 * The metadata of an entity class. `sampleKeys` are the own keys of a freshly constructed
 * instance, when the caller has one (saves constructing a template).
 */
export function classMetaOf(ctor: AnyClass, sampleKeys?: readonly string[]): ClassMeta {
  const record = byClass.get(ctor);
  if (!record) {
    throw new EntityDefinitionError(`${ctor.name || 'anonymous class'} is not an entity class: decorate it with @entity()`);
  }
  if (record.meta) return record.meta;
  const spec = generated.get(record.name);
  record.meta = spec ? metaFromGenerated(record, spec) : buildRuntimeMeta(record, sampleKeys);
  return record.meta;
}

function metaFromGenerated(record: EntityClassRecord, spec: GeneratedClassSpec): ClassMeta {
  const fields = spec.fields.map((f, index) => ({ ...f, index }));
  return {
    ctor: record.ctor,
    name: record.name,
    fields,
    fieldIndex: new Map(fields.map((f) => [f.name, f.index])),
    transient: new Set(spec.transient),
    source: 'generated',
    forEachChild: spec.forEachChild,
    fieldEquals: spec.fieldEquals,
    thawField: spec.thawField,
    freezeField: spec.freezeField,
  };
}

/**
 * Called by the generated file when it is imported. Must run before the first instance of a
 * class is created (import the generated file first); a class whose runtime metadata was already
 * built is an error, because objects built with one field order must not meet the other.
 */
export function installGeneratedMetadata(specs: Record<string, GeneratedClassSpec>): void {
  for (const [name, spec] of Object.entries(specs)) {
    const record = byName.get(name);
    if (record?.meta && record.meta.source === 'runtime') {
      throw new EntityDefinitionError(
        `generated metadata for ${name} arrived after its runtime metadata was built: import the generated file before creating entities`,
      );
    }
    generated.set(name, spec);
  }
  generatedInstalled = true;
}

/** True once a generated metadata file has been imported. */
export function usingGeneratedMetadata(): boolean {
  return generatedInstalled;
}
