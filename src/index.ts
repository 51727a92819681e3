/**
 * abstractions-ts: versioned, traceable entity data.
 * This file is the package's only public entry point.
 */
export { Entity, type EntityInit } from './entity/entity';
export { entity, field, transient, type EntityOptions } from './entity/decorators';
export type { FieldOptions } from './metadata/class-registry';
export { installGeneratedMetadata, usingGeneratedMetadata } from './metadata/class-registry';
export type { ClassMeta, FieldMeta, FieldKind, ContainerShape, ContainerKind, PathSegment, StoredLayout } from './metadata/types';
export { FrozenDate, FrozenMap, FrozenSet } from './metadata/frozen-data';
export { EntityTree, type TreeEdge } from './tree/entity-tree';
export { buildEntityTree } from './tree/build-tree';
export { diffTrees, type TreeDiff } from './diff/diff-trees';
export { EntityRegistry, type VersionResult } from './store/entity-registry';
export type { RootVersion, LineageEntry } from './store/root-version';
export { AbstractionsError } from './errors';
export { EntityDefinitionError, ImmutableVersionError, UnsupportedValueError, DataDepthError, DataCycleError } from './metadata/errors';
export { MAX_DATA_DEPTH } from './metadata/data-kinds';
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
export { parseAddress, isAddress, formatAddress, type ParsedAddress } from './address/parse';
export { resolveAddress, type ResolvedAddress } from './address/resolve';
export { get } from './address/get';
export { put } from './address/put';
export { createComposite, type CompositeOptions } from './address/composite';
export { AddressSyntaxError, FieldPathError, StaleVersionError } from './address/errors';
export {
  CallableRegistry,
  callable,
  type CallableOptions,
  type CallableRegistryOptions,
  type RegisteredFunction,
} from './callable/callable-registry';
export { ConfigEntity } from './callable/config-entity';
export { optional, union, arrayOf, tupleOf, mapOf, setOf, recordOf, type TypeSpec } from './callable/type-spec';
export { installGeneratedSignatures, type GeneratedSignature } from './callable/generated-signatures';
export { type SignatureSpec, type FunctionSignature, type FunctionSignatures, type ArgsOf, type ResultOf, type Address } from './callable/signatures';
export { FunctionExecution, type ExecutionStatus, type OutputSemantic } from './callable/execution-record';
export {
  UnknownFunctionError,
  ArgumentError,
  ReturnTypeError,
  ResultError,
  AsyncFunctionError,
  RegistrationError,
  SignatureRequiredError,
  InvalidTypeError,
} from './callable/errors';
export type { FunctionDescription, JsonSchema } from './callable/json-schema';
export {
  Event,
  EventBus,
  events,
  CreatedEvent,
  ModifiedEvent,
  DeletedEvent,
  StateTransitionEvent,
  HandlerError,
  CascadeDepthError,
  EventBusError,
  DEFAULT_MAX_CASCADE_DEPTH,
  ofType,
  ofPattern,
  type EventPhase,
  type EventInit,
  type EventBusOptions,
  type EventSelector,
  type EventHandler,
  type OnOptions,
  type EventHistory,
} from './events';
export { runOperation, type OperationSpec } from './events';
export { diffByLineage } from './viz';
export { classMetaOf } from './metadata/class-registry';
export { toJSON, fromJSON, versionToJSON, versionFromJSON, SerializationError, VERSION_FORMAT } from './serialize';
export type { EntityJSON, EntityIdJSON, VersionJSON, JsonValue } from './serialize';
export { metadataSourceOf } from './metadata/class-registry';
// For generated files only (see generated-support.ts): not part of the documented API.
export * from './generated-support';
