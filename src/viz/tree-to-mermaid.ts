import { describeValue } from '../metadata/describe-value';
import { isEntityObject } from '../metadata/object-model';
import { buildEntityTree } from '../tree/build-tree';
import { EntityTree } from '../tree/entity-tree';
import {
  fieldLine,
  formatPosition,
  headerLine,
  labelOptions,
  preorder,
  primitiveFields,
  quoted,
  type EntityLabelOptions,
} from './mermaid-text';

export type MermaidDirection = 'TD' | 'TB' | 'BT' | 'LR' | 'RL';

export interface TreeMermaidOptions extends EntityLabelOptions {
  /** Graph direction (default `TD`). */
  readonly direction?: MermaidDirection;
}

/**
 * A Mermaid flowchart of one entity tree: one node per entity, labelled with its class, the
 * first characters of its ecsId and up to `maxFields` primitive data fields (`name: Alice`);
 * one edge per parent -> child link, labelled with the position (`agents[3]`, `byName["k"]`).
 * Node ids are `n0, n1, ...` in depth-first pre-order, so the text depends only on the tree.
 * Accepts an `EntityTree` or a root entity (its tree is built).
 */
export function toMermaid(treeOrRoot: EntityTree | object, options: TreeMermaidOptions = {}): string {
  const tree =
    treeOrRoot instanceof EntityTree
      ? treeOrRoot
      : isEntityObject(treeOrRoot)
        ? buildEntityTree(treeOrRoot)
        : invalid(treeOrRoot);
  const o = labelOptions(options);
  const order = preorder(tree);
  const nodeId = new Map<string, string>();
  order.forEach((ecsId, i) => nodeId.set(ecsId, `n${i}`));
  const lines = [`graph ${options.direction ?? 'TD'}`];
  for (const ecsId of order) {
    const entity = tree.nodes.get(ecsId)!;
    const label = [headerLine(entity, o.shortIdLength)];
    for (const f of primitiveFields(entity).slice(0, o.maxFields))
      label.push(fieldLine(f.name, f.text, o.maxValueLength));
    lines.push(`  ${nodeId.get(ecsId)}[${quoted(label)}]`);
  }
  for (const ecsId of order) {
    const edge = tree.edgeTo.get(ecsId);
    if (edge)
      lines.push(`  ${nodeId.get(edge.parent)} -->|"${formatPosition(edge, o.shortIdLength)}"| ${nodeId.get(ecsId)}`);
  }
  return lines.join('\n') + '\n';
}

function invalid(value: unknown): never {
  throw new TypeError(`toMermaid: expected an EntityTree or an entity, got ${describeValue(value)}`);
}
