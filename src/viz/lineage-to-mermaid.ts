import { metaOf, type EntityObject } from '../metadata/object-model';
import { EntityRegistry } from '../store/entity-registry';
import { classNameOf, escapeMermaid, quoted, shortId, DEFAULT_SHORT_ID_LENGTH } from './mermaid-text';
import type { MermaidDirection } from './tree-to-mermaid';

export interface LineageMermaidOptions {
  /** Graph direction (default `LR`). */
  readonly direction?: MermaidDirection;
  /** Characters of an ecsId shown (default 8). */
  readonly shortIdLength?: number;
}

/** Classes of the lineage diagram. */
export const LINEAGE_CLASS_DEFS: Readonly<Record<'branchPoint' | 'latest', string>> = {
  branchPoint: 'fill:#fff4c2,stroke:#b58900,color:#000',
  latest: 'fill:#d8f5d0,stroke:#2e7d32,color:#000,stroke-width:2px',
};

/**
 * A Mermaid flowchart (`graph LR`) of the versions `registry.lineage()` lists (a tree's root
 * versions, or a child entity's own versions), oldest first: one node per
 * version (`v1 ...`, class, short id, `via <function>` when a registered function derived it),
 * one link per parent -> child version, labelled with that function when there is one. A version
 * with two or more children is a branch point (class `branchPoint`); the lineage's newest version
 * has class `latest`. Node ids are `v0, v1, ...` in lineage order.
 * An unknown lineage gives a diagram with a comment saying so and no nodes.
 */
export function lineageToMermaid(
  lineageId: string,
  registry: EntityRegistry = EntityRegistry.default,
  options: LineageMermaidOptions = {},
): string {
  const idLength = Math.max(1, options.shortIdLength ?? DEFAULT_SHORT_ID_LENGTH);
  const entries = registry.lineage(lineageId);
  const lines = [`graph ${options.direction ?? 'LR'}`];
  if (entries.length === 0) {
    lines.push(`%% lineage ${escapeMermaid(lineageId)}: no stored versions`);
    return lines.join('\n') + '\n';
  }
  const nodeId = new Map<string, string>();
  entries.forEach((e, i) => nodeId.set(e.ecsId, `v${i}`));
  const children = new Map<string, number>();
  for (const e of entries)
    if (e.parentEcsId !== null && nodeId.has(e.parentEcsId))
      children.set(e.parentEcsId, (children.get(e.parentEcsId) ?? 0) + 1);
  const branchPoints = entries.filter((e) => (children.get(e.ecsId) ?? 0) > 1).map((e) => nodeId.get(e.ecsId)!);
  lines.push(
    `%% lineage ${metaOf(registry.getStoredEntity<EntityObject>(entries[0].ecsId)).lineageId}: ${entries.length} versions, ${branchPoints.length} branch points`,
  );
  lines.push('%% Legend: branchPoint = yellow (a version with several children), latest = green (newest version)');
  for (const [name, style] of Object.entries(LINEAGE_CLASS_DEFS)) lines.push(`  classDef ${name} ${style}`);

  const fnOf = new Map<string, string | null>();
  entries.forEach((e, i) => {
    // A root version's ecsId is its root's; a child entity's lineage lists that entity's versions.
    const entity = registry.getStoredEntity<EntityObject>(e.ecsId);
    const fn = metaOf(entity).derivedFromFunction;
    fnOf.set(e.ecsId, fn);
    const label = [`v${i + 1} ${escapeMermaid(classNameOf(entity))}`, escapeMermaid(shortId(e.ecsId, idLength))];
    if (fn) label.push(`via ${escapeMermaid(fn)}`);
    lines.push(`  ${nodeId.get(e.ecsId)}[${quoted(label)}]`);
  });
  for (const e of entries) {
    if (e.parentEcsId === null || !nodeId.has(e.parentEcsId)) continue;
    const fn = fnOf.get(e.ecsId);
    const arrow = fn ? `-->|"${escapeMermaid(fn)}"|` : '-->';
    lines.push(`  ${nodeId.get(e.parentEcsId)} ${arrow} ${nodeId.get(e.ecsId)}`);
  }
  if (branchPoints.length > 0) lines.push(`  class ${branchPoints.join(',')} branchPoint`);
  lines.push(`  class ${nodeId.get(entries[entries.length - 1].ecsId)} latest`);
  return lines.join('\n') + '\n';
}
