import type { EntityObject, StoredSlots } from './object-model';

/** One step of a position path: a field name, an array index, a Map key or a record key. */
export type PathSegment = string | number;

/** The container an entity sits in, as seen from its parent. */
export type ContainerKind = 'field' | 'array' | 'map' | 'set' | 'record';

/**
 * What a field may hold, as far as metadata knows:
 * - `data`: never an entity (primitives, Dates, data containers);
 * - `entity`: one entity or null/undefined;
 * - `entities`: a container (any nesting) whose leaves may be entities;
 * - `dynamic`: unknown until the value is inspected (runtime metadata without type information).
 */
export type FieldKind = 'data' | 'entity' | 'entities' | 'dynamic';

/** The shape of an entity container, outermost first, e.g. `array > array > entity`. */
export type ContainerShape =
  | { kind: 'entity'; className: string }
  | { kind: 'array' | 'set'; of: ContainerShape }
  | { kind: 'tuple'; of: ContainerShape[] }
  | { kind: 'map' | 'record'; of: ContainerShape }
  | { kind: 'data' };

export interface FieldMeta {
  readonly name: string;
  readonly index: number;
  /** The declared type as written in source (generated metadata), or the class `@field({ type })` names (runtime metadata). */
  readonly declaredType: string | null;
  readonly kind: FieldKind;
  readonly shape: ContainerShape | null;
  readonly optional: boolean;
}

/**
 * Visits one child entity. `path` starts with the field name; `place` identifies the slot
 * ignoring the final array index (see §3: an index shift inside the same array is not a move) and
 * any position in a Set (sets are unordered).
 */
export type ChildVisitor = (child: EntityObject, path: PathSegment[], container: ContainerKind, place: string) => void;

/**
 * Maps an entity leaf while copying a value (used to swap working children for stored ones).
 * `depth`: how many containers deep inside its field the leaf sits, when the caller counts.
 */
export type LeafMapper = (leaf: EntityObject, depth?: number) => EntityObject;

/**
 * The operations the algorithms need per class. The runtime provider implements them generically
 * by inspecting values; generated code implements them per class without inspection.
 */
export interface ClassOps {
  /** Every child entity of one entity, with positions, in field order. */
  forEachChild(values: readonly unknown[], visit: ChildVisitor): void;
  /** Field equality with entity leaves compared by lineage (data deep, structure exact). */
  fieldEquals(index: number, a: unknown, b: unknown): boolean;
  /** A mutable copy of a stored field value: containers and data copied, entity leaves kept. */
  thawField(index: number, value: unknown): unknown;
  /**
   * A frozen copy of a field value with entity leaves mapped. Throws UnsupportedValueError (also
   * DataDepthError) or DataCycleError for a value that is not field data.
   */
  freezeField(index: number, value: unknown, mapLeaf: LeafMapper): unknown;
}

/**
 * How one class's stored objects are built and read (see object-model). Generated code gives
 * each class its own constructor and one getter per field, so every read site sees one object
 * shape and one slot; the runtime provider builds them generically (shared, hence slower, code).
 */
export interface StoredLayout {
  /** The constructor of the class's stored objects, whose instances get `prototype`: `VALUES` and every slot set. */
  storedConstructor(prototype: object): new (values: readonly unknown[]) => EntityObject;
  /** One getter per field, in field order: the field's slot, seen through the active draft (`readStored`). */
  readonly getters: ReadonlyArray<(this: StoredSlots) => unknown>;
}

/** Writes an item of a row's array without the general encoder: its JSON text, or null (not such an item). */
export type ItemText = (item: unknown) => string | null;

/**
 * What a generated row writer calls for the fields it does not write itself (implemented by the
 * durable store, which owns the row rules: splices of long arrays, the general encoder). Both
 * give a field's text exactly as the generic writer would.
 */
export interface RowFieldWriter {
  /** Field `index` holding `value`, as the generic writer writes it. */
  value(index: number, value: unknown): string;
  /** An array field: a splice where the rules allow, else the items by `item` (any it refuses: as `value`). */
  array(index: number, value: unknown, item: ItemText): string;
}

/**
 * Writes the `data` column of a stored object of one class from its field values (generated per
 * class): the same text as the durable store's generic writer, for any values.
 */
export type RowDataWriter = (values: readonly unknown[], fields: RowFieldWriter) => string;

export interface ClassMeta extends ClassOps {
  readonly ctor: abstract new (...args: never[]) => object;
  readonly name: string;
  readonly fields: readonly FieldMeta[];
  readonly fieldIndex: ReadonlyMap<string, number>;
  readonly transient: ReadonlySet<string>;
  readonly source: 'runtime' | 'generated';
  /** Null: the generic layout (runtime metadata, or a generated file older than layouts). */
  readonly storedLayout: StoredLayout | null;
  /** Null: rows are written by the generic writer (runtime metadata, or a generated file older than row writers). */
  readonly rowData: RowDataWriter | null;
}
