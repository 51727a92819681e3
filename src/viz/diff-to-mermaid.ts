import { describeValue } from '../metadata/describe-value';
import { metaOf, type EntityObject } from '../metadata/object-model';
import { EntityRegistry } from '../store/entity-registry';
import { EntityTree, type TreeEdge } from '../tree/entity-tree';
import { diffByLineage } from './lineage-diff';
import {
  classNameOf,
  escapeMermaid,
  fieldLine,
  formatPosition,
  labelOptions,
  preorder,
  primitiveFields,
  quoted,
  shortId,
  truncate,
} from './mermaid-text';
import type { TreeMermaidOptions } from './tree-to-mermaid';

export interface DiffMermaidOptions extends TreeMermaidOptions {
  /** Draw a dotted link from a moved entity's old parent, labelled `was <position>` (default true). */
  readonly showMoveOrigins?: boolean;
}

/** The Mermaid classes used for each kind of change (unchanged entities keep the default style). */
export const DIFF_CLASS_DEFS: Readonly<Record<'changed' | 'added' | 'moved' | 'removed', string>> = {
  changed: 'fill:#fff4c2,stroke:#b58900,color:#000',
  added: 'fill:#d8f5d0,stroke:#2e7d32,color:#000',
  moved: 'fill:#d6e8ff,stroke:#1565c0,color:#000',
  removed: 'fill:#fde0e0,stroke:#c62828,color:#000,stroke-dasharray:5 5',
};

const LEGEND =
  '%% Legend: changed = yellow (changed fields listed), added = green, moved = blue (dotted link from the old parent), ' +
  'removed = red, dashed border (dashed link from the old parent), unchanged = default style';

/**
 * A Mermaid flowchart of what changed between two versions of a tree: the union of both trees,
 * with entities matched by lineage (the versions of one entity are one node, `old → new` id when
 * it forked). Nodes get the classes `changed` (with their changed field names, and `old → new`
 * for changed primitive fields), `added`, `moved` (dotted link from the old parent) and `removed`
 * (shown under their old parent with a dashed link); unchanged nodes keep the default style.
 * Node ids: `n0, n1, ...` in pre-order of the new tree, then removed entities in pre-order of the old.
 */
export function diffToMermaid(oldTree: EntityTree, newTree: EntityTree, options?: DiffMermaidOptions): string;
/** The same, for two stored root versions (of `registry`, default `EntityRegistry.default`). */
export function diffToMermaid(
  oldVersionEcsId: string,
  newVersionEcsId: string,
  registry?: EntityRegistry,
  options?: DiffMermaidOptions,
): string;
/** The same, for two stored root versions of `EntityRegistry.default`, with options. */
export function diffToMermaid(oldVersionEcsId: string, newVersionEcsId: string, options: DiffMermaidOptions): string;
export function diffToMermaid(
  a: EntityTree | string,
  b: EntityTree | string,
  c?: EntityRegistry | DiffMermaidOptions,
  d?: DiffMermaidOptions,
): string {
  if (typeof a === 'string' && typeof b === 'string') {
    const registry = c instanceof EntityRegistry ? c : EntityRegistry.default;
    const options = c instanceof EntityRegistry || c === undefined ? d : c;
    return renderDiff(registry.getStoredTree(a), registry.getStoredTree(b), options ?? {});
  }
  if (a instanceof EntityTree && b instanceof EntityTree) {
    if (c instanceof EntityRegistry) throw new TypeError('diffToMermaid: a registry is only used with two version ids');
    return renderDiff(a, b, c ?? {});
  }
  throw new TypeError(
    `diffToMermaid: expected two EntityTrees or two root version ecsIds, got ${describeValue(a)} and ${describeValue(b)}`,
  );
}

function renderDiff(oldTree: EntityTree, newTree: EntityTree, options: DiffMermaidOptions): string {
  const o = labelOptions(options);
  const { diff, oldTree: oldL, newTree: newL } = diffByLineage(oldTree, newTree);

  // Union node ids: the new tree in pre-order, then removed lineages in the old tree's pre-order.
  const nodeId = new Map<string, string>();
  const newOrder = preorder(newL);
  const removedOrder = preorder(oldL).filter((l) => diff.removed.has(l));
  for (const l of [...newOrder, ...removedOrder]) nodeId.set(l, `n${nodeId.size}`);
  const id = (lineage: string): string => nodeId.get(lineage)!;
  const header = (e: EntityObject): string =>
    `${escapeMermaid(classNameOf(e))} ${escapeMermaid(shortId(metaOf(e).ecsId, o.shortIdLength))}`;

  const unchanged = newOrder.filter((l) => !diff.added.has(l) && !diff.moved.has(l) && !diff.changed.has(l)).length;
  const lines = [
    `graph ${options.direction ?? 'TD'}`,
    `%% diff ${metaOf(oldTree.root).ecsId} -> ${metaOf(newTree.root).ecsId} (matched by lineage): ` +
      `${diff.changed.size} changed, ${diff.added.size} added, ${diff.moved.size} moved, ${diff.removed.size} removed, ${unchanged} unchanged`,
    LEGEND,
  ];
  for (const [name, style] of Object.entries(DIFF_CLASS_DEFS)) lines.push(`  classDef ${name} ${style}`);

  for (const l of newOrder) {
    const now = newL.nodes.get(l)!;
    const before = oldL.nodes.get(l);
    const label: string[] = [];
    const nowId = metaOf(now).ecsId;
    label.push(
      before && metaOf(before).ecsId !== nowId
        ? `${escapeMermaid(classNameOf(now))} ${escapeMermaid(shortId(metaOf(before).ecsId, o.shortIdLength))} → ${escapeMermaid(shortId(nowId, o.shortIdLength))}`
        : header(now),
    );
    const changedNames = diff.changedFields.get(l) ?? [];
    const changedSet = new Set(changedNames);
    const oldValues = new Map(before ? primitiveFields(before).map((f) => [f.name, f.text] as const) : []);
    let shown = 0;
    for (const f of primitiveFields(now)) {
      const isChanged = changedSet.has(f.name);
      if (shown >= o.maxFields && !isChanged) continue;
      const was = oldValues.get(f.name);
      if (isChanged && was !== undefined && was !== f.text) {
        label.push(
          `${fieldLine(f.name, was, o.maxValueLength)} → ${escapeMermaid(truncate(f.text, o.maxValueLength))}`,
        );
      } else label.push(fieldLine(f.name, f.text, o.maxValueLength));
      shown++;
    }
    if (changedNames.length > 0) label.push(`changed: ${changedNames.map(escapeMermaid).join(', ')}`);
    if (diff.added.has(l)) label.push('added');
    if (diff.moved.has(l)) {
      const from = oldL.edgeTo.get(l);
      label.push(
        from
          ? `moved from: ${header(oldL.nodes.get(from.parent)!)} ${formatPosition(from, o.shortIdLength)}`
          : 'moved from: root',
      );
    }
    lines.push(`  ${id(l)}[${quoted(label)}]`);
  }
  for (const l of removedOrder) {
    const was = oldL.nodes.get(l)!;
    const label = [header(was)];
    for (const f of primitiveFields(was).slice(0, o.maxFields)) label.push(fieldLine(f.name, f.text, o.maxValueLength));
    label.push('removed');
    lines.push(`  ${id(l)}[${quoted(label)}]`);
  }

  let linkCount = 0;
  const removedLinks: number[] = [];
  const moveLinks: number[] = [];
  const link = (edge: TreeEdge, arrow: string, text: string): void => {
    lines.push(`  ${id(edge.parent)} ${arrow}|"${text}"| ${id(edge.child)}`);
    linkCount++;
  };
  for (const l of newOrder) {
    const edge = newL.edgeTo.get(l);
    if (edge) link(edge, '-->', formatPosition(edge, o.shortIdLength));
  }
  if (options.showMoveOrigins ?? true) {
    for (const l of newOrder) {
      const from = diff.moved.has(l) ? oldL.edgeTo.get(l) : undefined;
      if (!from) continue;
      moveLinks.push(linkCount);
      link(from, '-.-', `was ${formatPosition(from, o.shortIdLength)}`);
    }
  }
  for (const l of removedOrder) {
    const edge = oldL.edgeTo.get(l);
    if (!edge) continue;
    removedLinks.push(linkCount);
    link(edge, '-.->', formatPosition(edge, o.shortIdLength));
  }
  if (moveLinks.length > 0) lines.push(`  linkStyle ${moveLinks.join(',')} stroke:#1565c0`);
  if (removedLinks.length > 0) lines.push(`  linkStyle ${removedLinks.join(',')} stroke:#c62828`);

  const members: Record<keyof typeof DIFF_CLASS_DEFS, string[]> = { changed: [], added: [], moved: [], removed: [] };
  for (const l of newOrder) {
    if (diff.changed.has(l)) members.changed.push(id(l));
    if (diff.added.has(l)) members.added.push(id(l));
    if (diff.moved.has(l)) members.moved.push(id(l));
  }
  for (const l of removedOrder) members.removed.push(id(l));
  for (const [name, ids] of Object.entries(members)) if (ids.length > 0) lines.push(`  class ${ids.join(',')} ${name}`);
  return lines.join('\n') + '\n';
}
