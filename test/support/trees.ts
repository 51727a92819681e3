/**
 * Random trees and random edit sequences for the property tests.
 *
 * A tree is generated as a flat list of entity specs, each naming (by number, modulo what exists)
 * an earlier node as its parent and a slot in it: this keeps sizes under control at any depth.
 * Edits are generated as numbers too and resolved against the tree as it is when they are applied,
 * through the ordinary field accessors only: the same edit list applied to two trees of the same
 * shape does the same thing to both, whether the trees are working objects or stored versions
 * inside a transaction's copy-on-write draft.
 */
import fc from 'fast-check';
import { EntityRegistry } from '../../src';
import { PLeaf, PNode, PRoot, type PChild } from './models';

// ---- slots ---------------------------------------------------------------------------------------

export type SlotRef =
  | { field: 'left' | 'right' }
  | { field: 'items'; index: number }
  | { field: 'byKey'; key: string }
  | { field: 'grid'; row: number; index: number };

export interface Listed {
  e: PChild | PRoot;
  parent: PNode | null;
  ref: SlotRef | null;
}

/** Every entity of the tree in a fixed pre-order (left, right, items, byKey, grid rows). */
export function listTree(root: PNode): Listed[] {
  const out: Listed[] = [];
  const visit = (e: PChild | PRoot, parent: PNode | null, ref: SlotRef | null): void => {
    out.push({ e, parent, ref });
    if (!(e instanceof PNode)) return;
    if (e.left) visit(e.left, e, { field: 'left' });
    if (e.right) visit(e.right, e, { field: 'right' });
    e.items.forEach((c, index) => visit(c, e, { field: 'items', index }));
    for (const [key, c] of e.byKey) visit(c, e, { field: 'byKey', key });
    e.grid.forEach((row, r) => row.forEach((c, index) => visit(c, e, { field: 'grid', row: r, index })));
  };
  visit(root as PRoot, null, null);
  return out;
}

export function removeAt(parent: PNode, ref: SlotRef): void {
  switch (ref.field) {
    case 'left':
      parent.left = null;
      return;
    case 'right':
      parent.right = null;
      return;
    case 'items':
      parent.items.splice(ref.index, 1);
      return;
    case 'byKey':
      parent.byKey.delete(ref.key);
      return;
    case 'grid':
      parent.grid[ref.row].splice(ref.index, 1);
      return;
  }
}

function setAt(parent: PNode, ref: SlotRef, child: PChild): void {
  switch (ref.field) {
    case 'left':
      parent.left = child;
      return;
    case 'right':
      parent.right = child;
      return;
    case 'items':
      parent.items[ref.index] = child;
      return;
    case 'byKey':
      parent.byKey.set(ref.key, child);
      return;
    case 'grid':
      parent.grid[ref.row][ref.index] = child;
      return;
  }
}

/**
 * Puts `child` into a slot of `parent`: 0 left, 1 right, 2 items, 3 byKey, 4/5 grid rows.
 * With `overwrite`, an occupied single slot or Map key drops its occupant; without, the child goes
 * to `items` instead.
 */
export function placeInto(
  parent: PNode,
  slot: number,
  key: string,
  pos: number,
  child: PChild,
  overwrite: boolean,
): void {
  switch (slot % 6) {
    case 0:
      if (parent.left === null || overwrite) parent.left = child;
      else parent.items.push(child);
      return;
    case 1:
      if (parent.right === null || overwrite) parent.right = child;
      else parent.items.push(child);
      return;
    case 2:
      parent.items.splice(pos % (parent.items.length + 1), 0, child);
      return;
    case 3:
      if (!parent.byKey.has(key) || overwrite) parent.byKey.set(key, child);
      else parent.items.push(child);
      return;
    default: {
      const row = parent.grid[(slot % 6) - 4];
      row.splice(pos % (row.length + 1), 0, child);
    }
  }
}

// ---- trees ---------------------------------------------------------------------------------------

export interface EntitySpec {
  node: boolean;
  label: string;
  n: number;
  parent: number;
  slot: number;
  key: string;
  pos: number;
}

export interface TreeSpec {
  title: string;
  entities: EntitySpec[];
}

const label = fc.constantFrom('a', 'b', 'c', 'd');
const key = fc.constantFrom('k1', 'k2', 'k3');
const small = fc.nat({ max: 50 });

export const entitySpecArb: fc.Arbitrary<EntitySpec> = fc.record({
  node: fc.boolean(),
  label,
  n: fc.nat({ max: 9 }),
  parent: small,
  slot: fc.nat({ max: 5 }),
  key,
  pos: small,
});

export function treeSpecArb(maxEntities = 16): fc.Arbitrary<TreeSpec> {
  return fc.record({ title: label, entities: fc.array(entitySpecArb, { maxLength: maxEntities, size: 'max' }) });
}

export function newChild(node: boolean, text: string, n: number): PChild {
  return node
    ? new PNode({ name: text, info: { k: n, xs: [n] }, items: [new PLeaf({ label: `${text}!`, n })] })
    : new PLeaf({ label: text, n, tags: [text], when: new Date(n * 1000) });
}

export function buildTree(spec: TreeSpec): PRoot {
  const root = new PRoot({ title: spec.title, name: 'root' });
  const nodes: PNode[] = [root];
  for (const s of spec.entities) {
    const parent = nodes[s.parent % nodes.length];
    const child = s.node
      ? new PNode({ name: s.label, info: { k: s.n, xs: [s.n] } })
      : new PLeaf({ label: s.label, n: s.n, tags: [s.label], when: new Date(s.n * 1000) });
    placeInto(parent, s.slot, s.key, s.pos, child, false);
    if (child instanceof PNode) nodes.push(child);
  }
  return root;
}

// ---- edits ---------------------------------------------------------------------------------------

export type Edit =
  | { kind: 'data'; a: number; v: number; s: string }
  | { kind: 'add'; a: number; slot: number; key: string; pos: number; node: boolean; s: string; v: number }
  | { kind: 'remove'; a: number }
  | { kind: 'move'; a: number; b: number; slot: number; key: string; pos: number }
  | { kind: 'reorder'; a: number; how: number }
  | { kind: 'swap'; a: number }
  | { kind: 'replace'; a: number; node: boolean; s: string; v: number }
  /** Two unrelated nodes trade their `items` arrays, or (`give`) one hands its array over and gets an empty one. */
  | { kind: 'trade'; a: number; b: number; give: boolean };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('data' as const), a: small, v: fc.nat({ max: 11 }), s: label }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      a: small,
      slot: fc.nat({ max: 5 }),
      key,
      pos: small,
      node: fc.boolean(),
      s: label,
      v: fc.nat({ max: 9 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), a: small }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      a: small,
      b: small,
      slot: fc.nat({ max: 5 }),
      key,
      pos: small,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reorder' as const), a: small, how: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: small }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      a: small,
      node: fc.boolean(),
      s: label,
      v: fc.nat({ max: 9 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trade' as const), a: small, b: small, give: fc.boolean() }) },
);

export function editsArb(max = 6): fc.Arbitrary<Edit[]> {
  return fc.array(editArb, { minLength: 0, maxLength: max, size: 'max' });
}

function subtreeOf(e: PChild | PRoot): Set<object> {
  return e instanceof PNode ? new Set(listTree(e).map((x) => x.e)) : new Set([e]);
}

/** Applies one edit through the ordinary accessors. */
export function applyEdit(root: PRoot, edit: Edit): void {
  const all = listTree(root);
  const nodes = all.filter((x) => x.e instanceof PNode) as Array<Listed & { e: PNode }>;
  const nonRoot = all.filter((x) => x.parent !== null);
  switch (edit.kind) {
    case 'data': {
      const x = all[edit.a % all.length].e;
      if (x instanceof PLeaf) {
        switch (edit.v % 6) {
          case 0:
            x.label = edit.s;
            break;
          case 1:
            x.n = edit.v;
            break;
          case 2:
            x.tags.push(edit.s);
            break;
          case 3:
            x.tags = [edit.s];
            break;
          case 4:
            x.when = new Date(edit.v * 1000);
            break;
          default:
            x.label = x.label; // eslint-disable-line no-self-assign -- a write that changes nothing
        }
      } else {
        switch (edit.v % 6) {
          case 0:
            x.name = edit.s;
            break;
          case 1:
            x.info.k = edit.v;
            break;
          case 2:
            x.info.xs.push(edit.v);
            break;
          case 3:
            x.info = { k: edit.v, xs: [] };
            break;
          case 4:
            x.name = x.name; // eslint-disable-line no-self-assign -- a write that changes nothing
            break;
          default:
            if (x instanceof PRoot) x.title = edit.s;
            else x.info = { k: x.info.k, xs: [...x.info.xs] }; // equal value, new object
        }
      }
      return;
    }
    case 'add': {
      const parent = nodes[edit.a % nodes.length].e;
      placeInto(parent, edit.slot, edit.key, edit.pos, newChild(edit.node, edit.s, edit.v), true);
      return;
    }
    case 'remove': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[edit.a % nonRoot.length];
      removeAt(x.parent!, x.ref!);
      return;
    }
    case 'move': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[edit.a % nonRoot.length];
      const inside = subtreeOf(x.e);
      const targets = nodes.filter((t) => !inside.has(t.e));
      const target = targets[edit.b % targets.length].e;
      removeAt(x.parent!, x.ref!);
      placeInto(target, edit.slot, edit.key, edit.pos, x.e as PChild, true);
      return;
    }
    case 'reorder': {
      const node = nodes[edit.a % nodes.length].e;
      const containers = [node.items, node.grid[0], node.grid[1]].filter((c) => c.length >= 2);
      if (containers.length === 0) return;
      const c = containers[edit.how % containers.length];
      if ((edit.how >> 2) % 2 === 0) c.reverse();
      else c.push(c.shift()!);
      return;
    }
    case 'swap': {
      const node = nodes[edit.a % nodes.length].e;
      const l = node.left;
      node.left = node.right;
      node.right = l;
      return;
    }
    case 'replace': {
      if (nonRoot.length === 0) return;
      const x = nonRoot[edit.a % nonRoot.length];
      setAt(x.parent!, x.ref!, newChild(edit.node, edit.s, edit.v));
      return;
    }
    case 'trade': {
      // The arrays are moved as they are: inside a function call they are the draft's copies.
      const x = nodes[edit.a % nodes.length].e;
      const unrelated = nodes.filter((t) => t.e !== x && !subtreeOf(x).has(t.e) && !subtreeOf(t.e).has(x));
      if (unrelated.length === 0) return;
      const y = unrelated[edit.b % unrelated.length].e;
      const xs = x.items;
      x.items = y.items;
      y.items = edit.give ? [] : xs;
      return;
    }
  }
}

export function applyEdits(root: PRoot, edits: readonly Edit[]): void {
  for (const e of edits) applyEdit(root, e);
}

/** A registry holding the tree of `spec`, promoted, then one version per round of edits (the working root). */
export function versionedTree(
  spec: TreeSpec,
  rounds: ReadonlyArray<readonly Edit[]>,
): { reg: EntityRegistry; root: PRoot } {
  const reg = new EntityRegistry();
  const root = buildTree(spec);
  reg.promoteToRoot(root);
  for (const edits of rounds) {
    applyEdits(root, edits);
    reg.version(root);
  }
  return { reg, root };
}
