/**
 * abstractions-ts: versioned, traceable entity data.
 * This file is the package's only public entry point.
 */
export { Entity, type EntityInit } from './entity/entity';
export { entity, field, transient } from './entity/decorators';
export type { FieldOptions } from './metadata/class-registry';
export { installGeneratedMetadata, usingGeneratedMetadata } from './metadata/class-registry';
export type { ClassMeta, FieldMeta, FieldKind, ContainerShape, ContainerKind, PathSegment } from './metadata/types';
export { FrozenDate, FrozenMap, FrozenSet } from './metadata/frozen-data';
export { EntityTree, type TreeEdge } from './tree/entity-tree';
export { buildEntityTree } from './tree/build-tree';
export { diffTrees, type TreeDiff } from './diff/diff-trees';
export { EntityRegistry, type VersionResult } from './store/entity-registry';
export type { RootVersion, LineageEntry } from './store/root-version';
export { AbstractionsError } from './errors';
export { EntityDefinitionError, ImmutableVersionError } from './metadata/errors';
export { TreeStructureError } from './tree/errors';
export { VersioningError, EntityNotFoundError } from './store/errors';
export {
  toMermaid,
  diffToMermaid,
  lineageToMermaid,
  toMarkdown,
  type TreeMermaidOptions,
  type DiffMermaidOptions,
  type LineageMermaidOptions,
  type MarkdownSection,
} from './viz';
