import type { EntityClassRecord } from './class-registry';
import { EntityDefinitionError } from './errors';
import { forEachEntityIn, freezeValue, thawValue, valueEquals } from './values';
import type { ClassMeta, FieldMeta } from './types';

/** Set by the entity layer: constructs a template instance of a class to read its own keys. */
let templateKeys: ((record: EntityClassRecord) => string[]) | null = null;

export function setTemplateKeyReader(reader: (record: EntityClassRecord) => string[]): void {
  templateKeys = reader;
}

/**
 * Metadata by inspection: field names from a constructed instance (class-field initialisers
 * define them) plus `@field()` declarations; kinds stay `dynamic`, so every operation inspects values.
 */
export function buildRuntimeMeta(record: EntityClassRecord, sampleKeys?: readonly string[]): ClassMeta {
  const keys = sampleKeys ?? templateKeys?.(record);
  if (!keys) throw new EntityDefinitionError(`cannot inspect ${record.name}: the entity layer is not loaded`);
  const names: string[] = [];
  for (const k of keys) if (!record.transient.has(k)) names.push(k);
  for (const k of record.fieldOptions.keys()) if (!names.includes(k) && !record.transient.has(k)) names.push(k);
  const fields: FieldMeta[] = names.map((name, index) => {
    const opts = record.fieldOptions.get(name);
    // Only `@field({ type })` declares a type: standard decorators have no design:type, and
    // experimentalDecorators' (emitDecoratorMetadata) would make the two modes differ.
    const declared = opts?.type ? ((opts.type() as { name?: string })?.name ?? null) : null;
    return { name, index, declaredType: declared, kind: 'dynamic', shape: null, optional: opts?.optional ?? false };
  });
  const fieldNames = fields.map((f) => f.name);
  return {
    ctor: record.ctor,
    name: record.name,
    fields,
    fieldIndex: new Map(fields.map((f) => [f.name, f.index])),
    transient: record.transient,
    source: 'runtime',
    storedLayout: null,
    rowData: null,
    forEachChild(values, visit) {
      for (let i = 0; i < fieldNames.length; i++) {
        const v = values[i];
        if (typeof v === 'object' && v !== null) forEachEntityIn(v, [fieldNames[i]], fieldNames[i], 'field', visit);
      }
    },
    fieldEquals: (_i, a, b) => valueEquals(a, b),
    thawField: (_i, v) => thawValue(v),
    freezeField: (_i, v, mapLeaf) => freezeValue(v, mapLeaf),
  };
}
