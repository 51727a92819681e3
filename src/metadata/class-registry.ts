// The process-wide state of the package starts here (and at the default event bus): load it
// beside the package's other build (ESM or CommonJS) and this throws.
import '../util/single-build';
import { containerKind } from './containers';
import { EntityDefinitionError } from './errors';
import type { GeneratedTypeShape } from './generated-types';
import { isEntityObject } from './object-model';
import { buildRuntimeMeta } from './runtime-provider';
import type { ClassMeta, ClassOps, ContainerShape, FieldKind, RowDataWriter, StoredLayout } from './types';
import { containsEntity } from './values';
import { excerpt } from '../util/excerpt';
import { sameItems } from '../util/arrays';

/**
 * The registry of entity classes and the single place where a class's metadata comes from:
 * generated tables when the generated file was imported, runtime inspection otherwise.
 * Neither reads compiler-emitted type metadata (emitDecoratorMetadata): it is not needed.
 */

export type AnyClass = abstract new (...args: never[]) => object;

export interface FieldOptions {
  /**
   * The field's type, as a signature type (`() => Course`, `() => [Course]`, `() => union(String,
   * null)`): `put` checks values against it in both metadata modes (see field-types.ts), and
   * runtime metadata reports its name as the declared type.
   */
  type?: () => unknown;
  optional?: boolean;
  description?: string;
}

interface MemberDecorations {
  transient: Set<string>;
  fields: Map<string, FieldOptions>;
}

/**
 * `@field()`/`@transient()` marks, by owner: the prototype under `experimentalDecorators` (a
 * property decorator sees only that), the class's decorator metadata object (`context.metadata`)
 * under standard decorators (a field decorator sees no class at all). Member decorators run
 * before the class decorator, which collects them (`registerEntityClass`).
 */
const decorations = new WeakMap<object, MemberDecorations>();

function decorationsOf(owner: object): MemberDecorations {
  let d = decorations.get(owner);
  if (!d) decorations.set(owner, (d = { transient: new Set(), fields: new Map() }));
  return d;
}

export function markTransient(owner: object, name: string): void {
  decorationsOf(owner).transient.add(name);
}

export function markField(owner: object, name: string, options: FieldOptions): void {
  decorationsOf(owner).fields.set(name, options);
}

/** `start` and its prototypes, base-first (Object.prototype and null-prototype ends excluded). */
function baseFirst(start: object | null | undefined): object[] {
  const chain: object[] = [];
  for (let p = start; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) chain.unshift(p);
  return chain;
}

/**
 * Generated metadata for one class, as emitted by the code generator. Several classes may share
 * a name (the generator describes them all): the runtime uses, for a loaded class, the spec whose
 * field list matches it (see `classMetaOf`).
 */
export interface GeneratedClassSpec extends ClassOps {
  readonly fields: ReadonlyArray<{
    name: string;
    declaredType: string;
    kind: FieldKind;
    shape: ContainerShape | null;
    optional: boolean;
    /** The declared type, which `put` checks values against (from generated files older than it: absent). */
    type?: GeneratedTypeShape;
  }>;
  readonly transient: readonly string[];
  /** Per-class stored objects (optional: without it the class uses the generic layout). */
  readonly stored?: StoredLayout;
  /** The class's row writer (optional: without it the durable store writes its rows generically). */
  readonly rowData?: RowDataWriter;
}

export interface EntityClassRecord {
  /** The class users see (the decorator's result). */
  readonly ctor: AnyClass;
  /** The class as written, before the decorator wrapped it. */
  readonly original: AnyClass;
  readonly name: string;
  /**
   * The name the JSON form (SPEC §9) writes as `$class` and reads back: `@entity({ name })`, or
   * the class name. Serialization refuses a type name that several registered classes share.
   */
  readonly typeName: string;
  /** True when `typeName` was given with `@entity({ name })`. */
  readonly explicitTypeName: boolean;
  readonly transient: ReadonlySet<string>;
  readonly fieldOptions: ReadonlyMap<string, FieldOptions>;
  meta: ClassMeta | null;
}

const byClass = new Map<AnyClass, EntityClassRecord>();
/** The first class registered under each name. */
const byName = new Map<string, EntityClassRecord>();
/** Every class registered under each name (tests and examples may reuse names). */
const allByName = new Map<string, EntityClassRecord[]>();
/** Every class registered under each type name (see `EntityClassRecord.typeName`). */
const allByTypeName = new Map<string, EntityClassRecord[]>();
/** Generated specs by class name: one per distinct class description of that name. */
const generated = new Map<string, GeneratedClassSpec[]>();
let generatedInstalled = false;
const registrationListeners: Array<(record: EntityClassRecord) => void> = [];

/** Calls `listener` whenever an entity class is registered (the callable layer resolves pending generated signatures). */
export function onEntityClassRegistered(listener: (record: EntityClassRecord) => void): void {
  registrationListeners.push(listener);
}

/**
 * Registers an `@entity()` class. `typeName` is the name given with `@entity({ name })`: two
 * classes giving the same one is an error here. Classes that merely share a class name are
 * allowed (tests and examples reuse names; the code generator tells them apart) until they are
 * serialized, where the name alone would confuse them. `metadata`: the class decorator's
 * `context.metadata` under standard decorators.
 */
export function registerEntityClass(
  ctor: AnyClass,
  original: AnyClass,
  typeName?: string,
  metadata?: object,
): EntityClassRecord {
  const sameType = typeName === undefined ? undefined : allByTypeName.get(typeName)?.find((r) => r.explicitTypeName);
  if (sameType) {
    throw new EntityDefinitionError(
      `@entity({ name: ${JSON.stringify(excerpt(typeName!))} }) on ${original.name}: ${sameType.name} is registered under that name already; entity type names must be unique`,
    );
  }
  const transient = new Set<string>();
  const fieldOptions = new Map<string, FieldOptions>();
  // Base-first, so subclasses override their bases' options. A standard-decorator class's
  // metadata object inherits from its base class's (TypeScript: Object.create(base[Symbol.metadata])).
  for (const owner of [...baseFirst(original.prototype as object), ...baseFirst(metadata)]) {
    const d = decorations.get(owner);
    if (!d) continue;
    d.transient.forEach((n) => transient.add(n));
    d.fields.forEach((o, n) => fieldOptions.set(n, o));
  }
  const record: EntityClassRecord = {
    ctor,
    original,
    name: original.name,
    typeName: typeName ?? original.name,
    explicitTypeName: typeName !== undefined,
    transient,
    fieldOptions,
    meta: null,
  };
  byClass.set(ctor, record);
  byClass.set(original, record);
  if (!byName.has(record.name)) byName.set(record.name, record);
  const named = allByName.get(record.name);
  if (named) named.push(record);
  else allByName.set(record.name, [record]);
  const typed = allByTypeName.get(record.typeName);
  if (typed) typed.push(record);
  else allByTypeName.set(record.typeName, [record]);
  for (const listener of registrationListeners) listener(record);
  return record;
}

export function entityClassRecord(ctor: unknown): EntityClassRecord | undefined {
  return byClass.get(ctor as AnyClass);
}

export function entityClassByName(name: string): EntityClassRecord | undefined {
  return byName.get(name);
}

/** Every registered class of that type name (see `EntityClassRecord.typeName`), in registration order. */
export function entityClassesOfType(typeName: string): readonly EntityClassRecord[] {
  return allByTypeName.get(typeName) ?? [];
}

/** Every registered class of that name, in registration order. */
export function entityClassesNamed(name: string): readonly EntityClassRecord[] {
  return allByName.get(name) ?? [];
}

/**
 * The metadata of an entity class. `sampleKeys` are the own keys of a freshly constructed
 * instance, when the caller has one (saves constructing a template).
 *
 * Generated metadata is used when exactly one generated description of the class's name fits
 * the class: the same field names in the same order as the runtime finds them (own keys of an
 * instance plus `@field()` declarations, minus transient properties), the same transient names,
 * and kinds consistent with the class-field defaults of a template instance. Several fitting
 * descriptions that differ only in the entity classes their fields name (same generated
 * operations) are told apart by which of those classes are loaded. Otherwise (no spec, none
 * fits, or several different ones fit) the class uses runtime metadata, never a wrong spec.
 */
export function classMetaOf(ctor: AnyClass, sampleKeys?: readonly string[]): ClassMeta {
  const record = byClass.get(ctor);
  if (!record) {
    throw new EntityDefinitionError(
      `${ctor.name || 'anonymous class'} is not an entity class: decorate it with @entity()`,
    );
  }
  if (record.meta) return record.meta;
  const specs = generated.get(record.name);
  // One template instance serves both the field names (when no sample was given) and the kinds.
  let template: Record<string, unknown> | null | undefined;
  const templateOf = (): Record<string, unknown> | null =>
    template === undefined ? (template = constructTemplate(record)) : template;
  let keys = sampleKeys;
  if (keys === undefined && specs) keys = templateOf() === null ? undefined : Object.keys(templateOf()!);
  const runtime = buildRuntimeMeta(record, keys);
  const spec = specs
    ? fittingSpec(
        record,
        specs,
        runtime.fields.map((f) => f.name),
        templateOf,
      )
    : null;
  if (spec) chosenSpecs.set(record, spec);
  record.meta = spec ? metaFromGenerated(record, spec) : runtime;
  return record.meta;
}

/** The generated spec a class's metadata was built from. */
const chosenSpecs = new WeakMap<EntityClassRecord, GeneratedClassSpec>();

/** Where a class's metadata comes from: the generated file, or runtime inspection. */
export function metadataSourceOf(ctor: AnyClass): 'generated' | 'runtime' {
  return classMetaOf(ctor).source;
}

/** The generated spec a class uses (its metadata is built on first use), or null for runtime metadata. */
export function generatedSpecOf(ctor: AnyClass): GeneratedClassSpec | null {
  classMetaOf(ctor);
  return chosenSpecs.get(byClass.get(ctor)!) ?? null;
}

/** True when two specs describe a class the same way (identical descriptions from two generated files count as one). */
export function sameClassDescription(a: GeneratedClassSpec, b: GeneratedClassSpec): boolean {
  return a === b || specKey(a) === specKey(b);
}

/** The spec's field names and transient names are those of the class as the runtime sees it. */
function namesFit(record: EntityClassRecord, spec: GeneratedClassSpec, fieldNames: readonly string[]): boolean {
  if (
    !sameItems(
      spec.fields.map((f) => f.name),
      fieldNames,
    )
  )
    return false;
  const transient = new Set(spec.transient);
  return transient.size === record.transient.size && [...transient].every((n) => record.transient.has(n));
}

/** Same description (fields, kinds, shapes, declared types, transient names): the same generated code. */
function specKey(spec: GeneratedClassSpec): string {
  return JSON.stringify([
    spec.fields.map((f) => [f.name, f.declaredType, f.kind, f.shape, f.optional]),
    [...spec.transient].sort(),
  ]);
}

/** The one spec that fits the class, or null (none fits, or several different ones do). */
function fittingSpec(
  record: EntityClassRecord,
  specs: readonly GeneratedClassSpec[],
  fieldNames: readonly string[],
  templateOf: () => Record<string, unknown> | null,
): GeneratedClassSpec | null {
  const named = specs.filter((s) => namesFit(record, s, fieldNames));
  if (named.length === 0) return null;
  const template = templateOf();
  // A class that cannot be constructed without arguments: its kinds cannot be checked.
  const defaults =
    template === null ? null : fieldNames.map((n) => Object.getOwnPropertyDescriptor(template, n)?.value);
  const fitting =
    defaults === null ? named : named.filter((s) => s.fields.every((f, i) => kindFits(f.kind, f.shape, defaults[i])));
  const distinct = [...new Map(fitting.map((s) => [specKey(s), s] as const)).values()];
  if (distinct.length === 1) return distinct[0];
  // Specs that differ only in the entity classes their fields name (the generator then emits the
  // same operations for them): the one whose classes are all loaded, if only one is.
  if (distinct.length > 1 && distinct.every((s) => sameOperations(s, distinct[0]))) {
    const loaded = distinct.filter(namedClassesLoaded);
    if (loaded.length === 1) return loaded[0];
  }
  return null;
}

function sameOperations(a: GeneratedClassSpec, b: GeneratedClassSpec): boolean {
  return (
    a.forEachChild === b.forEachChild &&
    a.fieldEquals === b.fieldEquals &&
    a.thawField === b.thawField &&
    a.freezeField === b.freezeField
  );
}

/** Every entity class the spec's field shapes name is a registered class. */
function namedClassesLoaded(spec: GeneratedClassSpec): boolean {
  const loaded = (shape: ContainerShape | null): boolean => {
    if (shape === null || shape.kind === 'data') return true;
    if (shape.kind === 'entity') return shape.className.split(' | ').every((n) => allByName.has(n));
    if (shape.kind === 'tuple') return shape.of.every(loaded);
    return loaded(shape.of);
  };
  return spec.fields.every((f) => loaded(f.shape));
}

/**
 * A template instance: the class as written (not the decorated class, so no entity is created
 * for it), constructed without arguments; its own properties are the class-field defaults. Null
 * when the class cannot be constructed without arguments.
 */
function constructTemplate(record: EntityClassRecord): Record<string, unknown> | null {
  try {
    return new (record.original as unknown as new () => Record<string, unknown>)();
  } catch {
    return null;
  }
}

/** Whether a default value can be a value of a field of this kind and shape (nullish always can). */
function kindFits(kind: FieldKind, shape: ContainerShape | null, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  switch (kind) {
    case 'entity':
      return isEntityObject(value);
    case 'data':
      return !containsEntity(value);
    case 'entities':
      return typeof value === 'object' && !isEntityObject(value) && shapeFits(shape, value);
    default:
      return true;
  }
}

/** `value`: an object, not an entity. A record is any object but an array, Map, Set or Date. */
function shapeFits(shape: ContainerShape | null, value: object): boolean {
  switch (shape?.kind) {
    case 'array':
    case 'tuple':
      return containerKind(value, 'any') === 'array';
    case 'map':
    case 'set':
    case 'record':
      return containerKind(value, 'any') === shape.kind;
    default:
      return true;
  }
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
    storedLayout: spec.stored ?? null,
    rowData: spec.rowData ?? null,
  };
}

/**
 * Called by the generated file when it is imported: the specs of every entity class, by class
 * name (a list per name; a single spec is accepted too). Must run before the first instance of a
 * class is created (import the generated file first); a class whose runtime metadata was already
 * built and that one of these specs fits is an error, because objects built with one field order
 * must not meet the other. Specs add to those of earlier files; an identical description
 * replaces the earlier one.
 */
export function installGeneratedMetadata(
  specs: Readonly<Record<string, GeneratedClassSpec | readonly GeneratedClassSpec[]>>,
): void {
  // Every spec is checked before any is installed: a bad file installs nothing.
  const lists = Object.keys(specs).map((name) => {
    const entry = specs[name];
    const list: readonly GeneratedClassSpec[] = Array.isArray(entry) ? entry : [entry as GeneratedClassSpec];
    list.forEach((spec) => checkSpec(name, spec));
    for (const record of allByName.get(name) ?? []) {
      const meta = record.meta;
      if (
        meta &&
        meta.source === 'runtime' &&
        list.some((spec) =>
          namesFit(
            record,
            spec,
            meta.fields.map((f) => f.name),
          ),
        )
      ) {
        throw new EntityDefinitionError(
          `generated metadata for ${name} arrived after its runtime metadata was built: import the generated file before creating entities`,
        );
      }
    }
    return [name, list] as const;
  });
  for (const [name, list] of lists) {
    const known = [...(generated.get(name) ?? [])];
    for (const spec of list) {
      const key = specKey(spec);
      const same = known.findIndex((k) => specKey(k) === key);
      if (same >= 0) known[same] = spec;
      else known.push(spec);
    }
    generated.set(name, known);
  }
  generatedInstalled = true;
}

function checkSpec(name: string, spec: GeneratedClassSpec): void {
  if (
    typeof spec !== 'object' ||
    spec === null ||
    !Array.isArray(spec.fields) ||
    typeof spec.forEachChild !== 'function'
  ) {
    throw new TypeError(
      `installGeneratedMetadata: the spec of ${name} must be { fields: [...], transient: [...], forEachChild, fieldEquals, thawField, freezeField }`,
    );
  }
  const stored = spec.stored;
  if (
    stored !== undefined &&
    (typeof stored.storedConstructor !== 'function' ||
      !Array.isArray(stored.getters) ||
      stored.getters.length !== spec.fields.length)
  ) {
    throw new TypeError(
      `installGeneratedMetadata: the stored layout of ${name} must be { storedConstructor, getters } with one getter per field (${spec.fields.length})`,
    );
  }
  if (spec.rowData !== undefined && typeof spec.rowData !== 'function')
    throw new TypeError(`installGeneratedMetadata: the row writer (rowData) of ${name} must be a function`);
}

/** True once a generated metadata file has been imported. */
export function usingGeneratedMetadata(): boolean {
  return generatedInstalled;
}
