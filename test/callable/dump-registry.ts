/**
 * Test helper: a full, deterministic dump of an EntityRegistry (every root version with its
 * index, every stored entity with its identity and field values, every lineage), so a test can
 * assert that an operation left the registry exactly as it was.
 */
import { EntityRegistry } from '../../src';
import { VALUES, chainToArray, isEntityObject, metaOf, type EntityObject } from '../../src/metadata/object-model';
import type { LineageEntry, RootVersion } from '../../src/store/root-version';

interface RegistryInternals {
  versions: Map<string, RootVersion>;
  entities: Map<string, EntityObject>;
  lineages: Map<string, LineageEntry[]>;
}

function internals(registry: EntityRegistry): RegistryInternals {
  if (registry.keepsRecords) return throughReads(registry);
  void registry.stats; // brings the ecsId index up to date (publishing queues new entities)
  return (registry as unknown as { store: RegistryInternals }).store; // the registry's VersionStore
}

/**
 * The same maps for a registry over a durable store, whose own maps are a cache (what they hold
 * depends on what was read lately): every version the store holds, every entity of their trees,
 * every lineage, read through the registry.
 */
function throughReads(registry: EntityRegistry): RegistryInternals {
  const versions = new Map<string, RootVersion>();
  const entities = new Map<string, EntityObject>();
  const lineages = new Map<string, LineageEntry[]>();
  for (const v of registry.allVersions()) {
    versions.set(v.ecsId, v);
    for (const e of v.index.values()) entities.set(metaOf(e).ecsId, e);
    if (!lineages.has(v.lineageId)) lineages.set(v.lineageId, registry.lineage(v.lineageId));
  }
  return { versions, entities, lineages };
}

/** A JSON-like, order-stable image of a field value (entities by ecsId). */
export function serialise(v: unknown): unknown {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'bigint') return { $bigint: String(v) };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (typeof v !== 'object' || v === null) return v;
  if (isEntityObject(v)) return { $entity: metaOf(v).ecsId };
  if (Array.isArray(v)) return v.map(serialise);
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [serialise(k), serialise(x)]) };
  if (v instanceof Set) return { $set: [...v].map(serialise) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = serialise((v as Record<string, unknown>)[k]);
  return out;
}

function dumpEntity(e: EntityObject): unknown {
  const m = metaOf(e);
  return {
    class: e.constructor.name,
    frozen: Object.isFrozen(e) && Object.isFrozen(e[VALUES]),
    meta: {
      ecsId: m.ecsId,
      liveId: m.liveId,
      lineageId: m.lineageId,
      rootEcsId: m.rootEcsId,
      rootLiveId: m.rootLiveId,
      previousEcsId: m.previousEcsId,
      oldIds: chainToArray(m.history),
      createdAt: m.createdAt,
      forkedAt: m.forkedAt,
      derivedFromFunction: m.derivedFromFunction,
      derivedFromExecutionId: m.derivedFromExecutionId,
      siblingOutputEntities: [...m.siblingOutputEntities],
      outputIndex: m.outputIndex,
      attributeSource: { ...m.attributeSource },
      stored: m.stored,
      parentLineageId: m.parentLineageId,
      place: m.place,
    },
    values: e[VALUES].map(serialise),
  };
}

export interface RegistryDump {
  versions: Record<string, unknown>;
  entities: Record<string, unknown>;
  lineages: Record<string, unknown>;
  stats: { versions: number; entities: number; lineages: number };
}

/** Serialises every version, entity and lineage of `registry`. */
export function dumpRegistry(registry: EntityRegistry = EntityRegistry.default): RegistryDump {
  const r = internals(registry);
  const versions: Record<string, unknown> = {};
  for (const id of [...r.versions.keys()].sort()) {
    const v = r.versions.get(id)!;
    versions[id] = {
      ecsId: v.ecsId,
      lineageId: v.lineageId,
      root: metaOf(v.root).ecsId,
      parentEcsId: v.parentEcsId,
      createdAt: v.createdAt,
      index: [...v.index.entries()].map(([lineage, e]) => [lineage, metaOf(e).ecsId]),
    };
  }
  const entities: Record<string, unknown> = {};
  for (const id of [...r.entities.keys()].sort()) entities[id] = dumpEntity(r.entities.get(id)!);
  const lineages: Record<string, unknown> = {};
  for (const id of [...r.lineages.keys()].sort()) lineages[id] = r.lineages.get(id)!.map((e) => ({ ...e }));
  return { versions, entities, lineages, stats: registry.stats };
}

/** The stored objects by ecsId (to check identity, not only equality, before and after). */
export function storedObjects(registry: EntityRegistry = EntityRegistry.default): Map<string, EntityObject> {
  return new Map(internals(registry).entities);
}

/** Every root version of `registry`, in the order they were stored. */
export function rootVersions(registry: EntityRegistry = EntityRegistry.default): RootVersion[] {
  return [...internals(registry).versions.values()];
}

/** Asserts `registry` is exactly as captured by `before` (same dump, same stored objects). */
export function expectUnchanged(
  registry: EntityRegistry,
  before: { dump: RegistryDump; objects: Map<string, EntityObject> },
): void {
  expect(dumpRegistry(registry)).toEqual(before.dump);
  const now = storedObjects(registry);
  expect(now.size).toBe(before.objects.size);
  for (const [id, obj] of before.objects) expect(now.get(id)).toBe(obj);
}

export function capture(registry: EntityRegistry): { dump: RegistryDump; objects: Map<string, EntityObject> } {
  return { dump: dumpRegistry(registry), objects: storedObjects(registry) };
}

/** ecsIds under which the registry's versions hold more than one stored object (should be none). */
export function duplicateEcsIds(registry: EntityRegistry = EntityRegistry.default): string[] {
  const r = internals(registry);
  const seen = new Map<string, EntityObject>();
  const duplicates = new Set<string>();
  for (const v of r.versions.values()) {
    for (const e of registry.getStoredTree(v.ecsId).nodes.values()) {
      const id = metaOf(e).ecsId;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, e);
      else if (first !== e) duplicates.add(id);
    }
  }
  for (const [id, e] of r.entities) if (seen.get(id) !== e) duplicates.add(id);
  return [...duplicates];
}
