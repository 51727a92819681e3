/**
 * The fuzzer's oracles that do not depend on the operation: exact texts of trees and values, and
 * the registry's shape before and after an operation.
 *
 * `exactText` is a deterministic, canonical and exact serialization (unlike the naive snapshot,
 * which is order-insensitive on purpose): Map, Set and record key order, -0, NaN, bigint, invalid
 * Dates, null-prototype objects, every identity and provenance field, frozenness. A stored version
 * must read byte-identically at the end of a run to what it read when it was created.
 */
import { Entity, EntityRegistry } from '../../src';
import { canonical, fieldNamesOf } from '../support/naive';
import { rootVersions, storedObjects } from '../callable/dump-registry';
import type { RootVersion } from '../../src/store/root-version';
import { positions } from './edits';
import type { FzEntity } from './models';
import {
  NMap,
  NSet,
  NDate,
  isArray,
  keys,
  getPrototypeOf,
  isFrozen,
  sameValue,
  ObjectProto,
  stringify,
} from './natives';

type Label = (e: Entity) => string | null;

/** The exact text of a value; entities through `entity`. */
export function valueText(v: unknown, entity: (e: Entity) => string): string {
  if (v === undefined) return 'u';
  if (v === null) return 'N';
  switch (typeof v) {
    case 'number':
      return sameValue(v, -0) ? 'n:-0' : `n:${v}`;
    case 'bigint':
      return `b:${v}`;
    case 'string':
      return `s:${stringify(v)}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'object':
      break;
    default:
      return `?${typeof v}`;
  }
  if (v instanceof Entity) return entity(v);
  if (isArray(v)) {
    const parts: string[] = [];
    for (let i = 0; i < v.length; i++) parts.push(i in v ? valueText(v[i], entity) : 'hole');
    return `[${parts.join(',')}]`;
  }
  if (v instanceof NDate) return `D:${v.getTime()}`;
  if (v instanceof NMap)
    return `M{${[...v].map(([k, x]) => `${valueText(k, entity)}=>${valueText(x, entity)}`).join(',')}}`;
  if (v instanceof NSet) return `S{${[...v].map((x) => valueText(x, entity)).join(',')}}`;
  const proto = getPrototypeOf(v);
  const tag = proto === null ? 'O0' : proto === ObjectProto ? 'O' : `X(${proto.constructor?.name ?? '?'})`;
  return `${tag}{${keys(v)
    .map((k) => `${stringify(k)}:${valueText((v as Record<string, unknown>)[k], entity)}`)
    .join(',')}}`;
}

/** Reads field `f` of `e` (the default), or what a comparison should show there instead. */
type FieldValue = (e: Entity, f: string) => unknown;
const readField: FieldValue = (e, f) => (e as unknown as Record<string, unknown>)[f];

function fieldsText(e: Entity, entity: (e: Entity) => string, value: FieldValue = readField): string {
  return fieldNamesOf(e)
    .map((f) => `${f}=${valueText(value(e, f), entity)}`)
    .join(';');
}

/**
 * The exact text of a stored tree: identity, provenance, frozenness and data of every entity.
 * `cache` (entity -> its text) saves re-reading entities shared with earlier versions.
 */
export function exactText(root: Entity, cache?: WeakMap<Entity, string>): string {
  const seen = new NSet<Entity>();
  const entity = (e: Entity): string => {
    if (seen.has(e)) return `<again ${e.ecsId}>`;
    seen.add(e);
    const cached = cache?.get(e);
    if (cached !== undefined) return cached;
    const text = entityText(e);
    cache?.set(e, text);
    return text;
  };
  const entityText = (e: Entity): string => {
    const id = [
      e.ecsId,
      e.liveId,
      e.lineageId,
      e.rootEcsId,
      e.previousEcsId,
      e.oldIds.join(' '),
      e.createdAt.getTime(),
      e.forkedAt?.getTime() ?? null,
      e.derivedFromFunction,
      e.derivedFromExecutionId,
      e.outputIndex,
      e.siblingOutputEntities.join(' '),
      stringify(e.attributeSource),
      isFrozen(e) ? 'frozen' : 'MUTABLE',
    ].join('|');
    return `${e.constructor.name}<${id}>{${fieldsText(e, entity)}}`;
  };
  return entity(root);
}

/**
 * The text of a tree relative to the ids stored before an operation: each entity is labelled
 * (`label`), an entity labelled `old:...` is not descended into (it is the stored object itself,
 * checked by identity), every other one shows its class and exact data (`value`: what to show
 * for a field; `resolve`: the entity to show for one met inside such a value). Two trees with
 * equal texts hold the same data in the same order, with the same entities forked, kept and new.
 */
export function relativeText(
  root: Entity,
  label: Label,
  value?: FieldValue,
  resolve: (e: Entity) => Entity = (e) => e,
): string {
  const seen = new NSet<Entity>();
  const entity = (found: Entity): string => {
    const e = resolve(found);
    if (seen.has(e)) return '<again>';
    seen.add(e);
    const l = label(e) ?? 'new';
    if (l.startsWith('old:')) return l;
    return `${l}:${e.constructor.name}{${fieldsText(e, entity, value)}}`;
  };
  return entity(root);
}

/** The exact data of a tree with entities named by their ecsIds (a copy next to its stored source). */
export function contentText(root: Entity): string {
  return relativeText(root, (e) => `id:${e.ecsId}`);
}

/**
 * The data of a tree as the naive diff sees it (per entity: ecsId, class and the canonical text of
 * each field: Map, Set and key order, -0 and +0 not told apart). A working tree after version()
 * reads like its stored version this way; exactly, only where a field changed (an unchanged field
 * keeps its stored value).
 */
export function canonicalContent(root: FzEntity): string {
  return positions([root])
    .map(
      ({ e }) =>
        `${e.ecsId}:${e.constructor.name}{${fieldNamesOf(e)
          .map((f) => `${f}=${canonical((e as unknown as Record<string, unknown>)[f])}`)
          .join(';')}}`,
    )
    .sort()
    .join('\n');
}

/** The first difference of two texts, for messages. */
export function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 120);
  return `at ${i}:\n  expected …${a.slice(from, i + 200)}\n  actual   …${b.slice(from, i + 200)}`;
}

// ---- registry shape -----------------------------------------------------------------------------

export interface RegistryShape {
  readonly versions: readonly RootVersion[];
  /** ecsId -> stored object; only in a full shape (operations that may fail: nothing may change). */
  readonly entities: ReadonlyMap<string, object> | null;
  readonly stats: { versions: number; entities: number; lineages: number };
}

export function registryShape(reg: EntityRegistry, full: boolean): RegistryShape {
  return { versions: rootVersions(reg), entities: full ? storedObjects(reg) : null, stats: reg.stats };
}

/**
 * Compares the registry now with `before`: exactly the versions in `allowed` are new, each
 * appended to its lineage, and the stored entities grew by exactly the entities first stored in
 * them (`known`: the ecsIds stored before). With a full `before`, every entity stored before is
 * still the same object under the same id. Returns the problems found.
 */
export function registryDelta(
  reg: EntityRegistry,
  before: RegistryShape,
  allowed: readonly RootVersion[],
  known: (ecsId: string) => boolean,
): string[] {
  const problems: string[] = [];
  const after = registryShape(reg, before.entities !== null);
  const allowedIds = new NSet(allowed.map((v) => v.ecsId));
  for (let i = 0; i < before.versions.length; i++) {
    if (after.versions[i] !== before.versions[i])
      problems.push(`version ${before.versions[i].ecsId} is no longer the same record at position ${i}`);
  }
  const added = after.versions.slice(before.versions.length);
  for (const v of added)
    if (!allowedIds.has(v.ecsId))
      problems.push(`unexpected new version ${v.ecsId} of lineage ${v.lineageId} (parent ${v.parentEcsId})`);
  for (const v of allowed) {
    if (!added.includes(v)) problems.push(`expected new version ${v.ecsId} is not a new version of the registry`);
    const entries = reg.lineage(v.lineageId);
    const at = entries.findIndex((e) => e.ecsId === v.ecsId);
    if (at < 0 || entries[at].parentEcsId !== v.parentEcsId)
      problems.push(`version ${v.ecsId} is not in its lineage ${v.lineageId} with its parent`);
  }
  const fresh = new NSet<string>();
  for (const v of allowed)
    for (const p of positions([v.root as unknown as FzEntity])) if (!known(p.e.ecsId)) fresh.add(p.e.ecsId);
  if (after.stats.entities !== before.stats.entities + fresh.size) {
    problems.push(
      `${after.stats.entities - before.stats.entities} new stored entities, but the new versions hold ${fresh.size}`,
    );
    for (const line of strayEntities(reg)) problems.push(line);
  }
  if (before.entities !== null && after.entities !== null) {
    for (const [id, e] of before.entities) {
      const now = after.entities.get(id);
      if (now !== e) problems.push(`stored entity ${id} ${now === undefined ? 'is gone' : 'is another object now'}`);
    }
  }
  return problems;
}

/** Stored entities (in the ecsId index) that no stored version holds, described. */
export function strayEntities(reg: EntityRegistry): string[] {
  const held = new NSet<object>();
  for (const v of rootVersions(reg)) for (const p of positions([v.root as unknown as FzEntity])) held.add(p.e);
  const out: string[] = [];
  for (const [id, e] of storedObjects(reg)) {
    if (held.has(e)) continue;
    const x = e as unknown as Entity;
    out.push(
      `stored entity ${id} (${x.constructor.name}, rootEcsId ${x.rootEcsId}, previousEcsId ${x.previousEcsId}, execution ${x.derivedFromExecutionId}) is in no stored version`,
    );
  }
  return out;
}

/** Every lineage lists exactly its versions, each once, with its parent. */
export function lineageProblems(reg: EntityRegistry): string[] {
  const problems: string[] = [];
  const versions = rootVersions(reg);
  const listed = new NMap<string, string | null>();
  for (const lineage of new NSet(versions.map((v) => v.lineageId))) {
    for (const e of reg.lineage(lineage)) {
      if (listed.has(e.ecsId)) problems.push(`version ${e.ecsId} is listed twice`);
      listed.set(e.ecsId, e.parentEcsId);
    }
  }
  for (const v of versions)
    if (listed.get(v.ecsId) !== v.parentEcsId)
      problems.push(`version ${v.ecsId} is not in its lineage with its parent`);
  if (listed.size !== versions.length)
    problems.push(`the lineages list ${listed.size} versions, the registry holds ${versions.length}`);
  if (reg.stats.versions !== versions.length)
    problems.push(`stats.versions ${reg.stats.versions}, ${versions.length} versions`);
  return problems;
}
