/**
 * Edit scripts for the fuzz classes. A script is drawn (as numbers) before a call and applied
 * twice: to the model (checkouts, plain working objects) and inside the registered function (the
 * stored versions under the call's copy-on-write draft), through ordinary property access only.
 * Every choice is resolved against the tree as it is when the edit is applied (numbers modulo
 * what exists), in the trees' iteration order, so the same script does the same thing to both.
 *
 * `tags` (model side only) collects what an application exercised: the fuzzer's feature switches
 * (engine.ts) and its statistics use them.
 */
import { Entity } from '../../src';
import { FzLeaf, FzNode, FzRoot, type FzEntity } from './models';
import { Rng } from './rng';
import { MAP_KEYS, REC_KEYS, cloneData, dataValue, looseData, mutateField } from './values';
import { NMap, NSet, NDate, isArray, keys, defineProperty, ObjectProto, stringify } from './natives';

export function isEntity(v: unknown): v is FzEntity {
  return v instanceof Entity;
}

const LEAF_DATA = ['s', 'n', 'big', 'when', 'flag', 'tags', 'data', 'loose'];
const NODE_DATA = ['name', 'n', 'info', 'loose'];
const ROOT_DATA = [...NODE_DATA, 'title', 'big', 'stamp'];
const NODE_SITES = [
  'one',
  'two',
  'pair',
  'list',
  'byKey',
  'members',
  'rec',
  'grid',
  'mapOfLists',
  'recOfSets',
  'setOfLists',
  'loose',
];
const LEAF_SITES = ['loose'];

export function dataFieldsOf(e: FzEntity): readonly string[] {
  return e instanceof FzRoot ? ROOT_DATA : e instanceof FzNode ? NODE_DATA : LEAF_DATA;
}
function sitesOf(e: FzEntity): readonly string[] {
  return e instanceof FzNode ? NODE_SITES : LEAF_SITES;
}

function read(e: FzEntity, field: string): unknown {
  return (e as unknown as Record<string, unknown>)[field];
}
function write(e: FzEntity, field: string, value: unknown): void {
  (e as unknown as Record<string, unknown>)[field] = value;
}
function define(o: object, key: string, value: unknown): void {
  defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---- positions --------------------------------------------------------------------------------

/** Where an entity sits: a container and the key of its place there. */
export interface Slot {
  readonly kind: 'field' | 'tuple' | 'array' | 'map' | 'set' | 'record';
  /** The parent entity (field), the array, Map, Set or record. */
  readonly container: object;
  /** The field name, array index, Map key, the member itself (Set) or record key. */
  readonly key: unknown;
  /** The container sits (at some depth) inside a member of a Set. */
  readonly inSet: boolean;
}

export interface Pos {
  readonly e: FzEntity;
  readonly parent: FzEntity | null;
  readonly slot: Slot | null;
  /** Index of the tree (of the script's roots) it is in. */
  readonly tree: number;
}

/** Takes the entity out of its slot (a field is emptied, a tuple element set to null, an array spliced). */
export function removeAt(s: Slot): void {
  const c = s.container as never;
  switch (s.kind) {
    case 'field':
      write(c, s.key as string, s.key === 'two' ? undefined : null);
      return;
    case 'tuple':
      (c as unknown[])[s.key as number] = null;
      return;
    case 'array':
      (c as unknown[]).splice(s.key as number, 1);
      return;
    case 'map':
      (c as Map<unknown, unknown>).delete(s.key);
      return;
    case 'set':
      (c as Set<unknown>).delete(s.key);
      return;
    case 'record':
      delete (c as Record<string, unknown>)[s.key as string];
  }
}

/** Puts `z` where the slot's entity is. */
export function replaceAt(s: Slot, z: FzEntity): void {
  const c = s.container as never;
  switch (s.kind) {
    case 'field':
      write(c, s.key as string, z);
      return;
    case 'tuple':
    case 'array':
      (c as unknown[])[s.key as number] = z;
      return;
    case 'map':
      (c as Map<unknown, unknown>).set(s.key, z);
      return;
    case 'set':
      (c as Set<unknown>).delete(s.key);
      (c as Set<unknown>).add(z);
      return;
    case 'record':
      define(c, s.key as string, z);
  }
}

/** Puts `z` back where `removeAt` took the slot's entity from (a Map, Set or record appends it). */
export function reinsertAt(s: Slot, z: FzEntity): void {
  if (s.kind === 'array') (s.container as unknown[]).splice(s.key as number, 0, z);
  else if (s.kind === 'set') (s.container as Set<unknown>).add(z);
  else replaceAt(s, z);
}

type Visit = (e: FzEntity, slot: Slot) => void;

/**
 * Visits the entities inside value `v` held at (container, kind, key), containers in iteration
 * order. `inSet`: `container` sits inside a member of a Set.
 */
function walkValue(
  v: unknown,
  container: object,
  kind: Slot['kind'],
  key: unknown,
  tuple: boolean,
  inSet: boolean,
  visit: Visit,
): void {
  if (typeof v !== 'object' || v === null || v instanceof NDate) return;
  if (isEntity(v)) return visit(v, { kind, container, key, inSet });
  const under = inSet || kind === 'set';
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) walkValue(v[i], v, tuple ? 'tuple' : 'array', i, false, under, visit);
  } else if (v instanceof NMap) {
    for (const [k, x] of v) walkValue(x, v, 'map', k, false, under, visit);
  } else if (v instanceof NSet) {
    for (const x of v) walkValue(x, v, 'set', x, false, under, visit);
  } else {
    for (const k of keys(v)) walkValue((v as Record<string, unknown>)[k], v, 'record', k, false, under, visit);
  }
}

/**
 * Every entity of the trees, pre-order (fields in declaration order). A second occurrence (a
 * shared reference or a cycle) is skipped, after telling `onRepeat`.
 */
export function positions(roots: readonly FzEntity[], onRepeat?: (e: FzEntity, tree: number) => void): Pos[] {
  const out: Pos[] = [];
  const seen = new NSet<FzEntity>();
  let parent: FzEntity | null = null;
  let tree = 0;
  const visit = (e: FzEntity, slot: Slot | null): void => {
    if (seen.has(e)) {
      onRepeat?.(e, tree);
      return;
    }
    seen.add(e);
    const owner = parent;
    out.push({ e, parent: owner, slot, tree });
    parent = e;
    const sites = sitesOf(e);
    for (let i = 0; i < sites.length; i++)
      walkValue(read(e, sites[i]), e, 'field', sites[i], sites[i] === 'pair', false, visit);
    parent = owner; // for e's next sibling
  };
  for (tree = 0; tree < roots.length; tree++) {
    parent = null;
    visit(roots[tree], null);
  }
  return out;
}

/** `within(e, a)`: `e` is `a` or below it, by the parent links of `all`. */
export function ancestry(all: readonly Pos[]): (e: FzEntity, a: FzEntity) => boolean {
  const parentOf = new NMap(all.map((p) => [p.e, p.parent]));
  return (e, a) => {
    for (let cur: FzEntity | null | undefined = e; cur; cur = parentOf.get(cur)) if (cur === a) return true;
    return false;
  };
}

// ---- insertion --------------------------------------------------------------------------------

/** Where and how to put an entity into a parent (numbers resolved against the parent). */
export interface Placement {
  site: number;
  pos: number;
  key: number;
  /** Seed of the nesting around it (the `loose` site). */
  wrap: number;
}

export function drawPlacement(r: Rng): Placement {
  return { site: r.next(), pos: r.next(), key: r.next(), wrap: r.next() };
}

/** Wraps `c` in 0-3 levels of containers, with data around it (for `loose`). */
function wrapInContainers(c: FzEntity, r: Rng, tags?: Set<string>): unknown {
  let v: unknown = c;
  for (let depth = r.int(4); depth > 0; depth--) {
    switch (r.int(4)) {
      case 0:
        v = r.chance(0.5) ? [v] : [looseData(r, 0), v];
        break;
      case 1:
        v = new NMap<unknown, unknown>([[r.pick(MAP_KEYS), v]]);
        break;
      case 2:
        if (typeof v === 'object' && v !== null && !isEntity(v)) tags?.add('loose.set-of-containers');
        v = new NSet([v]);
        break;
      default: {
        const o: Record<string, unknown> = r.chance(0.3) ? Object.create(null) : {};
        define(o, r.pick(REC_KEYS), v);
        v = o;
      }
    }
  }
  return v;
}

function getOrCreate<V>(o: Record<string, V>, k: string, make: () => V): V {
  if (!ObjectProto.hasOwnProperty.call(o, k)) define(o, k, make());
  return o[k];
}

/** The field `insert` puts an entity into. */
export function siteOf(parent: FzEntity, p: Placement): string {
  const sites = sitesOf(parent);
  return sites[p.site % sites.length];
}

/** Puts `c` into `parent` (overwriting a single slot or a key drops its occupant). */
export function insert(parent: FzEntity, p: Placement, c: FzEntity, tags?: Set<string>): void {
  const site = siteOf(parent, p);
  tags?.add(`site.${site}`);
  const key = MAP_KEYS[p.key % MAP_KEYS.length];
  const rkey = REC_KEYS[p.key % REC_KEYS.length];
  if (site === 'loose') {
    const loose = read(parent, 'loose') as unknown[];
    loose.splice(p.pos % (loose.length + 1), 0, wrapInContainers(c, new Rng(p.wrap), tags));
    return;
  }
  const n = parent as FzNode;
  switch (site) {
    case 'one':
      n.one = c;
      return;
    case 'two':
      n.two = c;
      return;
    case 'pair':
      n.pair[p.pos % 2] = c;
      return;
    case 'list':
      n.list.splice(p.pos % (n.list.length + 1), 0, c);
      return;
    case 'byKey':
      n.byKey.set(key, c);
      return;
    case 'members':
      n.members.add(c);
      return;
    case 'rec':
      define(n.rec, rkey, c);
      return;
    case 'grid': {
      const row = p.pos % (n.grid.length + 1);
      if (row === n.grid.length) n.grid.push([c]);
      else n.grid[row].splice((p.pos >>> 8) % (n.grid[row].length + 1), 0, c);
      return;
    }
    case 'mapOfLists': {
      let list = n.mapOfLists.get(key);
      if (list === undefined) n.mapOfLists.set(key, (list = []));
      list.splice(p.pos % (list.length + 1), 0, c);
      return;
    }
    case 'recOfSets':
      getOrCreate(n.recOfSets, rkey, () => new NSet<FzEntity>()).add(c);
      return;
    case 'setOfLists': {
      const lists = [...n.setOfLists];
      const at = p.pos % (lists.length + 1);
      if (at === lists.length) n.setOfLists.add([c]);
      else lists[at].splice((p.pos >>> 8) % (lists[at].length + 1), 0, c);
      return;
    }
  }
}

/** A new entity (sometimes with new children), its data drawn from `r`. */
export function newEntity(r: Rng, size: number, tags?: Set<string>): FzEntity {
  const kind = r.int(10);
  const e: FzEntity = kind < 5 ? new FzLeaf() : kind < 9 ? new FzNode() : new FzRoot();
  for (const f of dataFieldsOf(e)) if (r.chance(0.4)) write(e, f, dataValue(f, r, tags));
  const made = [e];
  for (let i = 1; i < size; i++) {
    const parent = made[r.int(made.length)];
    const child = r.chance(0.5) ? new FzLeaf({ n: i }) : new FzNode({ name: `n${i}` });
    insert(parent, drawPlacement(r), child, tags);
    made.push(child);
  }
  return e;
}

/** A new tree for promoteToRoot. */
export function newTree(r: Rng, size: number, tags?: Set<string>): FzEntity {
  const kind = r.int(20);
  const root: FzEntity = kind === 0 ? new FzLeaf() : kind === 1 ? new FzNode() : new FzRoot();
  for (const f of dataFieldsOf(root)) if (r.chance(0.5)) write(root, f, dataValue(f, r, tags));
  const all: FzEntity[] = [root];
  while (all.length < size) {
    const parent = all[r.int(all.length)];
    const child = newEntity(r, 1 + r.int(3), tags);
    insert(parent, drawPlacement(r), child, tags);
    for (const p of positions([child])) all.push(p.e);
  }
  return root;
}

// ---- edits ------------------------------------------------------------------------------------

export type EditKind =
  | 'write'
  | 'same'
  | 'inplace'
  | 'add'
  | 'remove'
  | 'move'
  | 'reorder'
  | 'swap'
  | 'detachReturn'
  | 'replace'
  | 'share'
  | 'cycle';

export interface Edit {
  readonly k: EditKind;
  readonly a: number;
  readonly b: number;
  readonly seed: number;
  readonly at: Placement;
  readonly flag: boolean;
}

export function drawEdit(r: Rng, k: EditKind): Edit {
  return { k, a: r.next(), b: r.next(), seed: r.next(), at: drawPlacement(r), flag: r.chance(0.5) };
}

/** A short name of an entity and, with the tree's positions, its path from the root (logs: FUZZ_TRACE). */
export function describePos(p: Pos | FzEntity, all?: readonly Pos[]): string {
  const name = (e: FzEntity): string => `${e.constructor.name}#${e.lineageId.slice(0, 6)}`;
  if (isEntity(p)) return name(p);
  const step = (q: Pos): string => {
    if (q.slot === null) return `tree ${q.tree}: ${name(q.e)}`;
    const key = typeof q.slot.key === 'object' ? '<member>' : stringify(q.slot.key);
    return `${q.slot.kind}${q.slot.kind === 'field' ? ' ' : ' '}${key}${q.slot.inSet ? ' (in a Set member)' : ''} ${name(q.e)}`;
  };
  const steps = [step(p)];
  for (let cur = p.parent; cur !== null && all !== undefined;) {
    const q = all.find((x) => x.e === cur);
    if (q === undefined) break;
    steps.unshift(step(q));
    cur = q.parent;
  }
  return steps.join(' > ');
}

/** Applies one edit to the trees of `roots`; `log` hears what it did (debugging). */
export function applyEdit(
  roots: readonly FzEntity[],
  ed: Edit,
  tags?: Set<string>,
  log?: (line: string) => void,
): void {
  const all = positions(roots);
  const nonRoot = all.filter((p) => p.slot !== null);
  const r = new Rng(ed.seed);
  switch (ed.k) {
    case 'write':
    case 'same':
    case 'inplace': {
      const at = all[ed.a % all.length];
      const x = at.e;
      const fields = dataFieldsOf(x);
      const f = fields[ed.b % fields.length];
      if (ed.k === 'inplace' && mutateField(f, read(x, f), r, tags, isEntity)) {
        tags?.add('edit.inplace');
        log?.(`inplace ${describePos(at, all)}.${f}`);
        return;
      }
      log?.(`${ed.k === 'inplace' ? 'write' : ed.k} ${describePos(at, all)}.${f}`);
      tags?.add(ed.k === 'same' ? 'edit.same' : 'edit.write');
      write(x, f, ed.k === 'same' ? cloneData(read(x, f)) : dataValue(f, r, tags));
      return;
    }
    case 'add': {
      tags?.add('edit.add');
      const t = all[ed.a % all.length];
      const c = newEntity(r, 1 + r.int(3), tags);
      insert(t.e, ed.at, c, tags);
      log?.(`add ${describePos(c)} into ${describePos(t, all)} .${siteOf(t.e, ed.at)}`);
      return;
    }
    case 'remove': {
      if (nonRoot.length === 0) return;
      tags?.add('edit.remove');
      log?.(`remove ${describePos(nonRoot[ed.a % nonRoot.length], all)}`);
      removeAt(nonRoot[ed.a % nonRoot.length].slot!);
      return;
    }
    case 'move':
    case 'share': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[ed.a % nonRoot.length];
      const within = ancestry(all);
      const targets = all.filter((p) => !within(p.e, x.e));
      const t = targets[ed.b % targets.length];
      tags?.add(`edit.${ed.k}`);
      if (t.tree !== x.tree) tags?.add(`${ed.k}.cross-tree`);
      if (ed.k === 'move') removeAt(x.slot!);
      insert(t.e, ed.at, x.e, tags);
      if (tags || log) {
        const now = positions(roots).find((q) => q.e === x.e);
        if (x.slot!.inSet || now?.slot?.inSet) tags?.add('edit.in-set-member');
        log?.(`${ed.k} ${describePos(x, all)} into ${describePos(t, all)} .${siteOf(t.e, ed.at)}`);
      }
      return;
    }
    case 'reorder': {
      const x = all[ed.a % all.length].e;
      const found: Array<{ c: object; kind: string }> = [];
      for (const f of sitesOf(x)) collectReorderable(read(x, f), f === 'pair', found);
      if (found.length === 0) return;
      const { c, kind } = found[ed.b % found.length];
      tags?.add('edit.reorder');
      tags?.add(`reorder.${kind}`);
      reorder(c, ed.flag);
      log?.(`reorder a ${kind} in ${describePos(all[ed.a % all.length], all)}`);
      return;
    }
    case 'swap': {
      if (nonRoot.length < 2) return;
      const x = nonRoot[ed.a % nonRoot.length];
      const within = ancestry(all);
      // Two members of one Set have no places to trade.
      const others = nonRoot.filter(
        (p) =>
          !within(p.e, x.e) &&
          !within(x.e, p.e) &&
          !(p.slot!.kind === 'set' && p.slot!.container === x.slot!.container),
      );
      if (others.length === 0) return;
      const y = others[ed.b % others.length];
      tags?.add('edit.swap');
      if (x.slot!.inSet || y.slot!.inSet) tags?.add('edit.in-set-member');
      log?.(`swap ${describePos(x, all)} with ${describePos(y, all)}`);
      replaceAt(x.slot!, y.e);
      replaceAt(y.slot!, x.e);
      return;
    }
    case 'detachReturn': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[ed.a % nonRoot.length];
      tags?.add('edit.detachReturn');
      log?.(`take out and put back ${describePos(x, all)}`);
      removeAt(x.slot!);
      reinsertAt(x.slot!, x.e);
      return;
    }
    case 'replace': {
      if (nonRoot.length === 0) return;
      tags?.add('edit.replace');
      log?.(`replace ${describePos(nonRoot[ed.a % nonRoot.length], all)} by a new entity`);
      replaceAt(nonRoot[ed.a % nonRoot.length].slot!, newEntity(r, 1 + r.int(2), tags));
      return;
    }
    case 'cycle': {
      // An entity put under its own descendant: reachable (flag false, a cycle in the tree) or,
      // taken out of its place first, an island no root reaches.
      const parents = new NSet(all.map((p) => p.parent));
      const candidates = nonRoot.filter((p) => parents.has(p.e));
      if (candidates.length === 0) return;
      const x = candidates[ed.a % candidates.length];
      const within = ancestry(all);
      const below = all.filter((p) => p.e !== x.e && within(p.e, x.e));
      const d = below[ed.b % below.length].e;
      tags?.add(ed.flag ? 'edit.cycle-island' : 'edit.cycle-reachable');
      log?.(
        `${ed.flag ? 'take out and ' : ''}put ${describePos(x, all)} under its descendant ${describePos(below[ed.b % below.length], all)} .${siteOf(d, ed.at)}`,
      );
      if (ed.flag) removeAt(x.slot!);
      insert(d, ed.at, x.e, tags);
      return;
    }
  }
}

/** Containers with two or more entries inside a field value, with what they hold. */
function collectReorderable(v: unknown, tuple: boolean, out: Array<{ c: object; kind: string }>): void {
  if (typeof v !== 'object' || v === null || v instanceof NDate || isEntity(v)) return;
  const items: unknown[] = isArray(v)
    ? v
    : v instanceof NMap || v instanceof NSet
      ? [...v.values()]
      : keys(v).map((k) => (v as Record<string, unknown>)[k]);
  if (items.length >= 2) {
    const base = tuple
      ? 'tuple'
      : isArray(v)
        ? 'array'
        : v instanceof NMap
          ? 'map'
          : v instanceof NSet
            ? 'set'
            : 'record';
    const nested = items.some((x) => typeof x === 'object' && x !== null && !isEntity(x) && containsEntity(x));
    out.push({ c: v, kind: nested ? `${base}-of-containers` : base });
  }
  for (const x of items) collectReorderable(x, false, out);
}

function containsEntity(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || v instanceof NDate) return false;
  if (isEntity(v)) return true;
  const items = isArray(v)
    ? v
    : v instanceof NMap || v instanceof NSet
      ? [...v.values()]
      : keys(v).map((k) => (v as Record<string, unknown>)[k]);
  return items.some(containsEntity);
}

function reorder(c: object, rotate: boolean): void {
  if (isArray(c)) {
    if (rotate) c.push(c.shift());
    else c.reverse();
  } else if (c instanceof NMap) {
    const entries = [...c];
    c.clear();
    for (const [k, v] of rotate ? [...entries.slice(1), entries[0]] : entries.reverse()) c.set(k, v);
  } else if (c instanceof NSet) {
    const items = [...c];
    c.clear();
    for (const v of rotate ? [...items.slice(1), items[0]] : items.reverse()) c.add(v);
  } else {
    const o = c as Record<string, unknown>;
    const entries = keys(o).map((k): [string, unknown] => [k, o[k]]);
    for (const [k] of entries) delete o[k];
    for (const [k, v] of rotate ? [...entries.slice(1), entries[0]] : entries.reverse()) define(o, k, v);
  }
}

// ---- scripts ----------------------------------------------------------------------------------

/** What a script's function returns. */
export type ReturnMode =
  /** the first input root */
  | 'root'
  /** every input root, as an array */
  | 'roots'
  /** a non-entity value */
  | 'value'
  /** a child of the first tree, alone (it stays in the tree): detachment */
  | 'child'
  /** a child taken out of its tree first, alone: detachment, the tree changed */
  | 'removed'
  /** [root, child] */
  | 'rootAndChild'
  /** a new entity: creation */
  | 'new'
  /** a new entity holding a child taken out of the first tree */
  | 'newWrap'
  /** [root, new entity] */
  | 'rootAndNew'
  /** { main: root, more: [new entity] } (entities inside a plain result) */
  | 'nested';

export interface Script {
  readonly edits: readonly Edit[];
  readonly ret: ReturnMode;
  readonly retPick: number;
  readonly retSeed: number;
  readonly retAt: Placement;
  /** Throw after the edits (and after building the result). */
  readonly throwAfter: boolean;
  /** Async scripts: what to await before each edit (0 nothing, 1 a microtask, 2 a macrotask). */
  readonly awaits: readonly number[];
}

/** The error a script throws on purpose. */
export class FuzzThrow extends Error {
  constructor(readonly op: number) {
    super(`fuzz: thrown on purpose after the edits (op ${op})`);
    this.name = 'FuzzThrow';
  }
}

export interface ScriptContext {
  readonly op: number;
  readonly tags?: Set<string>;
  /** Debugging (FUZZ_TRACE=1): called after each edit, to compare the model's steps with the function's. */
  readonly trace?: (roots: readonly FzEntity[]) => void;
  /** Debugging: what each edit did. */
  readonly log?: (line: string) => void;
}

/** Builds the script's result after its edits (the result may take a child out of its tree). */
export function scriptResult(s: Script, roots: readonly FzEntity[], ctx: ScriptContext): unknown {
  const r = new Rng(s.retSeed);
  const nonRoot = (): Pos[] => positions([roots[0]]).filter((p) => p.slot !== null);
  let mode = s.ret;
  const children =
    mode === 'child' || mode === 'removed' || mode === 'rootAndChild' || mode === 'newWrap' ? nonRoot() : [];
  if (children.length === 0 && (mode === 'child' || mode === 'removed' || mode === 'rootAndChild')) mode = 'root';
  if (children.length === 0 && mode === 'newWrap') mode = 'new';
  ctx.tags?.add(`ret.${mode}`);
  const pick = (): Pos => children[s.retPick % children.length];
  switch (mode) {
    case 'root':
      return roots[0];
    case 'roots':
      return [...roots];
    case 'value':
      return r.pick([42, undefined, null, 'text', { n: -0, xs: [NaN, 1n] }, [1, [2, 'x']]]);
    case 'child':
      return pick().e;
    case 'removed': {
      const x = pick();
      removeAt(x.slot!);
      return x.e;
    }
    case 'rootAndChild':
      return [roots[0], pick().e];
    case 'new':
      return newEntity(r, 1 + r.int(3));
    case 'newWrap': {
      const x = pick();
      const holder = new FzNode({ name: 'wrap' });
      removeAt(x.slot!);
      insert(holder, s.retAt, x.e, ctx.tags);
      return holder;
    }
    case 'rootAndNew':
      return [roots[0], newEntity(r, 1 + r.int(2))];
    case 'nested':
      return { main: roots[0], more: [newEntity(r, 1)], note: 'nested' };
  }
}

/** Runs a script synchronously: the edits, then the result (or the planned throw). */
export function runScript(s: Script, roots: readonly FzEntity[], ctx: ScriptContext): unknown {
  for (const ed of s.edits) {
    applyEdit(roots, ed, ctx.tags, ctx.log);
    ctx.trace?.(roots);
  }
  const result = scriptResult(s, roots, ctx);
  if (s.throwAfter) throw new FuzzThrow(ctx.op);
  return result;
}

/** The same, awaiting between edits as the script says. */
export async function runScriptAsync(s: Script, roots: readonly FzEntity[], ctx: ScriptContext): Promise<unknown> {
  for (let i = 0; i < s.edits.length; i++) {
    const w = s.awaits[i] ?? 0;
    if (w === 1) await Promise.resolve();
    else if (w === 2) await new Promise<void>((resolve) => setImmediate(resolve));
    applyEdit(roots, s.edits[i], ctx.tags, ctx.log);
    ctx.trace?.(roots);
  }
  if ((s.awaits[s.edits.length] ?? 0) > 0) await Promise.resolve();
  const result = scriptResult(s, roots, ctx);
  if (s.throwAfter) throw new FuzzThrow(ctx.op);
  return result;
}
