/** Mermaid renderers for trees, diffs and lineages, and a Markdown wrapper. */
export { toMermaid, type TreeMermaidOptions, type MermaidDirection } from './tree-to-mermaid';
export { diffToMermaid, DIFF_CLASS_DEFS, type DiffMermaidOptions } from './diff-to-mermaid';
export { lineageToMermaid, LINEAGE_CLASS_DEFS, type LineageMermaidOptions } from './lineage-to-mermaid';
export { toMarkdown, type MarkdownSection, type MarkdownOptions } from './markdown';
export { diffByLineage, rekeyByLineage, type LineageDiff } from './lineage-diff';
export { escapeMermaid, type EntityLabelOptions } from './mermaid-text';
