/**
 * A DELIBERATELY NAIVE reference for trees, diffs and snapshots. No cleverness, no sharing, no
 * caching: every function walks the whole tree recursively through the public field accessors,
 * deep-copies what it sees into plain data and compares canonical strings. It is slow and obvious
 * on purpose, so the real implementation can be checked against it.
 *
 * It only uses the public surface (`ecsId`, `lineageId`, ... getters and field properties) and the
 * list of field names of a class.
 */
import { Entity } from '../../src';
import { classMetaOf } from '../../src/entity/decorators';

export function isEntity(v: unknown): v is Entity {
  return v instanceof Entity;
}

export function fieldNamesOf(e: object): string[] {
  return classMetaOf(e.constructor as never).fields.map((f) => f.name);
}

function fieldOf(e: object, name: string): unknown {
  return (e as Record<string, unknown>)[name];
}

/** One step inside a field value: an array index, a Map key, a Set member, a record key. */
type Step =
  { kind: 'index'; i: number } | { kind: 'key'; key: unknown } | { kind: 'member' } | { kind: 'prop'; key: string };

export interface NaiveNode {
  readonly id: string;
  readonly lineage: string;
  readonly className: string;
  readonly entity: Entity;
  readonly parentId: string | null;
  readonly parentLineage: string | null;
  readonly field: string | null;
  readonly steps: readonly Step[];
  /** Parent lineage + field + inner steps, the final array index left out (an index shift is no move). */
  readonly place: string;
  readonly depth: number;
  /** Per field, a canonical string of its value with entities replaced by their lineage. */
  readonly data: Record<string, string>;
}

function keyText(k: unknown): string {
  if (typeof k === 'string') return `s:${k}`;
  if (typeof k === 'number') return `n:${Object.is(k, -0) ? 0 : k}`;
  return `${typeof k}:${String(k)}`;
}

function stepText(s: Step): string {
  switch (s.kind) {
    case 'index':
      return `[${s.i}]`;
    case 'key':
      return `{${keyText(s.key)}}`;
    case 'member':
      return '<member>';
    case 'prop':
      return `.${s.key}`;
  }
}

function placeOf(parentLineage: string | null, field: string | null, steps: readonly Step[]): string {
  if (parentLineage === null) return '(root)';
  const parts = steps.map(stepText);
  if (steps.length > 0 && steps[steps.length - 1].kind === 'index') parts[parts.length - 1] = '[*]';
  return `${parentLineage}/${field}${parts.join('')}`;
}

// Read once: under Jest each lookup of a global costs ~150 ns (test modules run in a vm context).
const { isArray } = Array;
const { getPrototypeOf, keys } = Object;
const { stringify } = JSON;
const NDate = Date;
const NMap = Map;
const NSet = Set;

/**
 * A canonical text of a value: deep, order-insensitive for Maps, Sets and object keys, entities
 * by lineage (which entity, not which version).
 */
export function canonical(v: unknown): string {
  if (v === undefined) return 'undef';
  if (v === null) return 'null';
  if (typeof v === 'number') return v !== v ? 'NaN' : `n:${v === 0 ? 0 : v}`; // -0 reads as 0
  if (typeof v === 'string') return `s:${stringify(v)}`;
  if (typeof v === 'boolean') return `b:${v}`;
  if (typeof v === 'bigint') return `big:${v}`;
  if (isEntity(v)) return `E(${v.lineageId})`;
  if (isArray(v)) {
    const parts: string[] = [];
    for (let i = 0; i < v.length; i++) parts.push(canonical(v[i]));
    return `[${parts.join(',')}]`;
  }
  if (v instanceof NDate) return `D(${v.getTime()})`;
  if (v instanceof NMap)
    return `M{${[...v]
      .map(([k, x]) => `${canonical(k)}=>${canonical(x)}`)
      .sort()
      .join(',')}}`;
  if (v instanceof NSet) return `S{${[...v].map(canonical).sort().join(',')}}`;
  const proto = getPrototypeOf(v);
  const tag = proto === null ? 'O0' : 'O';
  return `${tag}{${keys(v as object)
    .sort()
    .map((k) => `${stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Every entity of the tree, by ecsId, found by a plain recursive walk. Throws on a second occurrence. */
export function naiveIndex(root: Entity): Map<string, NaiveNode> {
  const out = new Map<string, NaiveNode>();
  const seen = new Set<Entity>();
  const visit = (e: Entity, parent: Entity | null, field: string | null, steps: Step[], depth: number): void => {
    if (seen.has(e) || out.has(e.ecsId)) throw new Error(`naive: ${e.ecsId} occurs twice`);
    seen.add(e);
    const data: Record<string, string> = {};
    for (const name of fieldNamesOf(e)) data[name] = canonical(fieldOf(e, name));
    out.set(e.ecsId, {
      id: e.ecsId,
      lineage: e.lineageId,
      className: e.constructor.name,
      entity: e,
      parentId: parent ? parent.ecsId : null,
      parentLineage: parent ? parent.lineageId : null,
      field,
      steps,
      place: placeOf(parent ? parent.lineageId : null, field, steps),
      depth,
      data,
    });
    for (const name of fieldNamesOf(e))
      findChildren(fieldOf(e, name), [], (child, st) => visit(child, e, name, st, depth + 1));
  };
  visit(root, null, null, [], 0);
  return out;
}

function findChildren(v: unknown, steps: Step[], found: (e: Entity, steps: Step[]) => void): void {
  if (typeof v !== 'object' || v === null) return;
  if (isEntity(v)) return found(v, steps);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) findChildren(v[i], [...steps, { kind: 'index', i }], found);
  } else if (v instanceof Map) {
    for (const [k, x] of v) findChildren(x, [...steps, { kind: 'key', key: k }], found);
  } else if (v instanceof Set) {
    // Sets are unordered (SPEC §2): being in a Set, at any depth, names no position.
    for (const x of v) findChildren(x, [...steps, { kind: 'member' }], found);
  } else if (!(v instanceof Date)) {
    for (const k of Object.keys(v))
      findChildren((v as Record<string, unknown>)[k], [...steps, { kind: 'prop', key: k }], found);
  }
}

export interface NaiveDiff {
  added: string[];
  removed: string[];
  moved: string[];
  changed: string[];
  modified: string[];
  changedFields: Record<string, string[]>;
}

/**
 * The diff of SPEC §3, straight from its definitions. All id lists sorted. `indexOf` may serve
 * the index of an immutable `before` from a cache.
 */
export function naiveDiff(
  before: Entity,
  after: Entity,
  indexOf: (root: Entity) => Map<string, NaiveNode> = naiveIndex,
): NaiveDiff {
  const a = indexOf(before);
  const b = naiveIndex(after);
  const added = [...b.keys()].filter((id) => !a.has(id));
  const removed = [...a.keys()].filter((id) => !b.has(id));
  const moved: string[] = [];
  const changed: string[] = [];
  const changedFields: Record<string, string[]> = {};
  for (const [id, nb] of b) {
    const na = a.get(id);
    if (!na) continue;
    if (na.place !== nb.place) moved.push(id);
    const names =
      na.className !== nb.className
        ? Object.keys(nb.data)
        : Object.keys(nb.data).filter((f) => na.data[f] !== nb.data[f]);
    if (names.length > 0) {
      changed.push(id);
      changedFields[id] = names;
    }
  }
  const modified = new Set<string>();
  for (const id of [...added, ...moved, ...changed]) {
    for (let cur: string | null = id; cur !== null; cur = b.get(cur)!.parentId) modified.add(cur);
  }
  return {
    added: added.sort(),
    removed: removed.sort(),
    moved: moved.sort(),
    changed: changed.sort(),
    modified: [...modified].sort(),
    changedFields,
  };
}

/** A TreeDiff in the same plain shape as NaiveDiff. */
export function plainDiff(d: {
  added: Set<string>;
  removed: Set<string>;
  moved: Set<string>;
  changed: Set<string>;
  modified: Set<string>;
  changedFields: Map<string, string[]>;
}): NaiveDiff {
  const s = (x: Set<string>): string[] => [...x].sort();
  return {
    added: s(d.added),
    removed: s(d.removed),
    moved: s(d.moved),
    changed: s(d.changed),
    modified: s(d.modified),
    changedFields: Object.fromEntries([...d.changedFields]),
  };
}

// ---- deep snapshots -----------------------------------------------------------------------------

export interface SnapshotOptions {
  /** Include rootEcsId (differs legitimately between a working tree and a stored one, §2). */
  rootIds?: boolean;
  /**
   * Replace ids by their relation to an earlier version: `old:<id>` for an entity of that version,
   * `fork:<id>` for a fork of one, `new` otherwise. Compares two trees built separately from one base.
   */
  relativeTo?: ReadonlySet<string>;
  /** With `relativeTo`: entities of a not-yet-versioned tree that should fork (shown as `fork:<id>`). */
  forking?: ReadonlySet<string>;
}

/**
 * A deep, plain, JSON-comparable copy of a whole tree: classes, ids, provenance and every field
 * value (Maps/Sets as sorted entries, Dates as times, entities inline).
 */
export function snapshot(root: Entity, opts: SnapshotOptions = {}): unknown {
  const seen = new Set<Entity>();
  const snapEntity = (e: Entity): unknown => {
    if (seen.has(e)) throw new Error(`naive snapshot: ${e.ecsId} occurs twice`);
    seen.add(e);
    const fields: Record<string, unknown> = {};
    for (const name of fieldNamesOf(e)) fields[name] = snapValue(fieldOf(e, name));
    const ids: Record<string, unknown> = opts.relativeTo
      ? {
          origin: opts.relativeTo.has(e.ecsId)
            ? opts.forking?.has(e.ecsId)
              ? `fork:${e.ecsId}`
              : `old:${e.ecsId}`
            : e.previousEcsId !== null && opts.relativeTo.has(e.previousEcsId)
              ? `fork:${e.previousEcsId}`
              : 'new',
        }
      : {
          ecsId: e.ecsId,
          lineageId: e.lineageId,
          previousEcsId: e.previousEcsId,
          oldIds: [...e.oldIds],
          derivedFromFunction: e.derivedFromFunction,
          derivedFromExecutionId: e.derivedFromExecutionId,
          attributeSource: { ...e.attributeSource },
          outputIndex: e.outputIndex,
          siblingOutputEntities: [...e.siblingOutputEntities],
          createdAt: e.createdAt.getTime(),
          forkedAt: e.forkedAt === null ? null : e.forkedAt.getTime(),
          ...(opts.rootIds ? { rootEcsId: e.rootEcsId } : {}),
        };
    return { $class: e.constructor.name, ...ids, fields };
  };
  const snapValue = (v: unknown): unknown => {
    if (v === undefined) return { $undefined: true };
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    if (typeof v === 'bigint') return { $bigint: String(v) };
    if (typeof v !== 'object' || v === null) return v;
    if (isEntity(v)) return snapEntity(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) out.push(snapValue(v[i]));
      return out;
    }
    if (v instanceof Date) return { $date: v.getTime() };
    if (v instanceof Map) {
      return {
        $map: [...v]
          .map(([k, x]) => [snapValue(k), snapValue(x)])
          .sort((p, q) => cmp(JSON.stringify(p[0]), JSON.stringify(q[0]))),
      };
    }
    if (v instanceof Set)
      return { $set: [...v].map(snapValue).sort((p, q) => cmp(JSON.stringify(p), JSON.stringify(q))) };
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      Object.defineProperty(out, k, {
        value: snapValue((v as Record<string, unknown>)[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const proto = Object.getPrototypeOf(v);
    return proto === null
      ? { $nullProto: out }
      : proto === Object.prototype
        ? out
        : { $proto: proto.constructor?.name ?? '?', out };
  };
  return snapEntity(root);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ecsIds of every entity of a tree (naive walk). */
export function idsOf(root: Entity): Set<string> {
  return new Set(naiveIndex(root).keys());
}

/** lineageId -> ecsId of every entity of a tree, sorted (to compare with a version's index). */
export function lineageTable(root: Entity): Array<[string, string]> {
  return [...naiveIndex(root).values()].map((n): [string, string] => [n.lineage, n.id]).sort((a, b) => cmp(a[0], b[0]));
}

/** A version's index as the same table. */
export function indexTable(index: Iterable<[string, unknown]>): Array<[string, string]> {
  return [...index].map(([l, e]): [string, string] => [l, (e as Entity).ecsId]).sort((a, b) => cmp(a[0], b[0]));
}
