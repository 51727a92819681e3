/**
 * Shared text helpers of the Mermaid renderers: escaping, short ids, positions, field summaries
 * and a deterministic tree order. Nothing here knows about diffs or registries.
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { metaOf, type EntityObject } from '../metadata/object-model';
import type { PathSegment } from '../metadata/types';
import type { EntityTree, TreeEdge } from '../tree/entity-tree';

/** Options shared by every renderer that draws entity nodes. */
export interface EntityLabelOptions {
  /** Most primitive data fields shown per node (default 3; 0 hides them). */
  readonly maxFields?: number;
  /** Longest shown value, in characters, before it is cut with `…` (default 32). */
  readonly maxValueLength?: number;
  /** Characters of an ecsId shown (default 8). */
  readonly shortIdLength?: number;
}

export const DEFAULT_MAX_FIELDS = 3;
export const DEFAULT_MAX_VALUE_LENGTH = 32;
export const DEFAULT_SHORT_ID_LENGTH = 8;

/** Mermaid entity codes (`#<decimal>;`) for characters that could end or alter a quoted label. */
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '#34;',
  '#': '#35;',
  '&': '#38;',
  '<': '#60;',
  '>': '#62;',
  '[': '#91;',
  ']': '#93;',
  '{': '#123;',
  '}': '#125;',
  '|': '#124;',
  '`': '#96;',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Makes arbitrary text safe inside a quoted Mermaid label (`n0["..."]`, `-->|"..."|`): quotes,
 * `#`, `&`, `<`, `>`, brackets, braces, pipes and backticks become Mermaid entity codes (they
 * render as the original character); line breaks and tabs become the visible `\n`, `\r`, `\t`;
 * other control characters become `\uXXXX`. The result never contains a line break.
 */
export function escapeMermaid(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = ESCAPES[ch];
    if (mapped !== undefined) out += mapped;
    else {
      const code = ch.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029)
        out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += ch;
    }
  }
  return out;
}

/** Cuts `text` to `max` characters (code points), ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return max <= 1 ? '…' : `${chars.slice(0, max - 1).join('')}…`;
}

export function shortId(id: string, length = DEFAULT_SHORT_ID_LENGTH): string {
  return id.slice(0, Math.max(1, length));
}

function keyText(key: PathSegment): string {
  return typeof key === 'number' ? `[${key}]` : `[${escapeMermaid(JSON.stringify(key))}]`;
}

/**
 * An edge's position from its parent, escaped for a label: `agents[3]`, `grid[1][0]`,
 * `byName["k"]` (Map and record keys, quoted), `tags{1a2b3c4d}` (Set members, by short ecsId).
 */
export function formatPosition(
  edge: Pick<TreeEdge, 'path' | 'container'>,
  shortIdLength = DEFAULT_SHORT_ID_LENGTH,
): string {
  const [field, ...rest] = edge.path;
  let s = escapeMermaid(String(field));
  rest.forEach((seg, i) => {
    const last = i === rest.length - 1;
    if (last && edge.container === 'set') s += `{${escapeMermaid(shortId(String(seg), shortIdLength))}}`;
    else if (last && edge.container === 'array' && typeof seg === 'number') s += `[${seg}]`;
    else s += keyText(seg);
  });
  return s;
}

/** The class name of an entity object. */
export function classNameOf(entity: EntityObject): string {
  return (entity as unknown as { constructor: { name: string } }).constructor.name || 'Entity';
}

/** A primitive value shown raw (not escaped); undefined when the value is not shown as data. */
export function primitiveText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? '""' : value;
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      return undefined;
    default:
      return undefined;
  }
}

export interface DataField {
  readonly name: string;
  /** The value as text, not escaped, not cut. */
  readonly text: string;
}

/** The fields of `entity` holding a primitive (string, number, boolean, bigint, null, Date), in field order. */
export function primitiveFields(entity: EntityObject): DataField[] {
  const meta = classMetaOf((entity as unknown as { constructor: AnyClass }).constructor);
  const out: DataField[] = [];
  for (const f of meta.fields) {
    const value = (entity as unknown as Record<string, unknown>)[f.name];
    // null in an entity slot is an empty child, not data.
    if (value === null && (f.kind === 'entity' || f.kind === 'entities')) continue;
    const text = primitiveText(value);
    if (text !== undefined) out.push({ name: f.name, text });
  }
  return out;
}

/** One `name: value` line, escaped and cut. */
export function fieldLine(name: string, text: string, maxValueLength: number): string {
  return `${escapeMermaid(name)}: ${escapeMermaid(truncate(text, maxValueLength))}`;
}

/** The first line of a node: `ClassName 1a2b3c4d`. */
export function headerLine(entity: EntityObject, shortIdLength: number): string {
  return `${escapeMermaid(classNameOf(entity))} ${escapeMermaid(shortId(metaOf(entity).ecsId, shortIdLength))}`;
}

/** Joins already escaped label lines into a quoted Mermaid label. */
export function quoted(lines: readonly string[]): string {
  return `"${lines.join('<br/>')}"`;
}

/** Edges grouped by parent, each group in the tree's field order. */
export function childEdges(tree: EntityTree): Map<string, TreeEdge[]> {
  const byParent = new Map<string, TreeEdge[]>();
  for (const e of tree.edges) {
    let list = byParent.get(e.parent);
    if (!list) byParent.set(e.parent, (list = []));
    list.push(e);
  }
  return byParent;
}

/**
 * The tree's ecsIds in depth-first pre-order (root first, children in field and index order).
 * Depends only on the tree's structure, so two renderings of one tree name their nodes alike.
 */
export function preorder(tree: EntityTree): string[] {
  const byParent = childEdges(tree);
  const out: string[] = [];
  const stack = [tree.rootEcsId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    out.push(id);
    const kids = byParent.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i].child);
  }
  return out;
}

/** Resolved label options. */
export function labelOptions(o: EntityLabelOptions | undefined): Required<EntityLabelOptions> {
  return {
    maxFields: Math.max(0, o?.maxFields ?? DEFAULT_MAX_FIELDS),
    maxValueLength: Math.max(1, o?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH),
    shortIdLength: Math.max(1, o?.shortIdLength ?? DEFAULT_SHORT_ID_LENGTH),
  };
}
