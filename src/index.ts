/**
 * abstractions-ts: versioned, traceable entity data.
 *
 * The package root and its stable API, grouped by layer (ARCHITECTURE.md). What only files
 * written by abstractions-codegen use is the separate entry `abstractions-ts/generated-support`
 * (src/generated-support.ts), with no stability promise.
 */

// Entity & metadata: entity classes, their fields, and the frozen values stored versions hold.
export { Entity, type EntityInit } from './entity/entity';
export { entity, field, transient, type EntityOptions } from './entity/decorators';
export { classMetaOf, metadataSourceOf, usingGeneratedMetadata, type FieldOptions } from './metadata/class-registry';
export type { ClassMeta, FieldMeta, FieldKind, ContainerShape, ContainerKind, PathSegment } from './metadata/types';
export { FrozenDate, FrozenMap, FrozenSet } from './metadata/frozen-data';
export { MAX_DATA_DEPTH } from './metadata/data-kinds';

// Tree & diff: an entity and everything below it, and exact differences between two trees.
export { EntityTree, type TreeEdge } from './tree/entity-tree';
export { buildEntityTree } from './tree/build-tree';
export { diffTrees, type TreeDiff } from './diff/diff-trees';

// Store: immutable versions, lineages and the registry that holds them.
export { EntityRegistry, type VersionResult } from './store/entity-registry';
export type { RootVersion, LineageEntry } from './store/root-version';
export type { PruneKeep, PruneReport } from './store/retention';

// Address: `@<ecsId>.path` strings, resolved against a registry; reading, writing, composing.
export { parseAddress, isAddress, formatAddress, type ParsedAddress } from './address/parse';
export { resolveAddress, type ResolvedAddress } from './address/resolve';
export { get } from './address/get';
export { aput, put, type PutOptions } from './address/put';
export { createComposite, literal, type CompositeOptions } from './address/composite';

// Callable: registered functions, their signatures and types, execution records, JSON Schema.
export {
  CallableRegistry,
  type CallableRegistryOptions,
  type ExecuteOptions,
  type RegisteredFunction,
} from './callable/callable-registry';
export { callable, type CallableOptions } from './callable/decorator';
export { ConfigEntity } from './callable/config-entity';
export { optional, union, arrayOf, tupleOf, mapOf, setOf, recordOf, type TypeSpec } from './metadata/type-spec';
export type {
  SignatureSpec,
  FunctionSignature,
  FunctionSignatures,
  ArgsOf,
  CallArgs,
  ResultOf,
  Address,
} from './callable/signatures';
export { FunctionExecution, type ExecutionStatus, type OutputSemantic } from './callable/execution-record';
export type { FunctionDescription, JsonSchema } from './callable/json-schema';

// Events: what the framework does, as RxJS streams on an event bus.
export {
  Event,
  EventBus,
  events,
  CreatedEvent,
  ModifiedEvent,
  DeletedEvent,
  StateTransitionEvent,
  DEFAULT_MAX_CASCADE_DEPTH,
  ofType,
  ofPattern,
  runOperation,
  type EventPhase,
  type EventInit,
  type EventBusOptions,
  type EventSelector,
  type EventHandler,
  type OnOptions,
  type EventHistory,
  type OperationSpec,
  // The framework's own events, typed by type name and phase (what `on('function.execute', ...)` gives).
  type FrameworkEvent,
  type FrameworkEventType,
  type FrameworkEventPhase,
  type FrameworkEventPhases,
  type FrameworkEventMetadata,
  type FrameworkPhaseEvent,
  type NoMetadata,
  type EntityPromoteMetadata,
  type EntityRegisterMetadata,
  type EntityVersionMetadata,
  type EntityDetachMetadata,
  type EntityAttachStartMetadata,
  type EntityAttachMetadata,
  type FunctionExecuteStartMetadata,
  type FunctionExecuteMetadata,
  type LineageBranchMetadata,
} from './events';

// Serialize: entities and versions to and from JSON.
export { toJSON, fromJSON, versionToJSON, versionFromJSON, VERSION_FORMAT } from './serialize';
export type { EntityJSON, EntityIdJSON, VersionJSON, JsonValue } from './serialize';

// Durable history: stores that keep a registry's history across restarts (SPEC §12).
export { sqliteStore, type HistoryStoreOptions } from './durable/engine-store';
export { memoryStore, type HistoryStore } from './store/history-store';
// Scale-out (SPEC §13): a history shared by several processes.
export { postgresStore, type PostgresStoreOptions } from './durable/postgres-store';
export { natsEvents, type NatsRelayOptions } from './durable/event-relay';
export type { ConnectOptions, RegistryEvents } from './store/entity-registry';
export type { Durability } from './durable/sqlite-engine';
export {
  exportHistory,
  importHistory,
  HISTORY_FORMAT,
  HISTORY_FORMAT_VERSION,
  type ExportOptions,
  type ImportOptions,
  type ImportSummary,
} from './durable/history-transfer';

// Viz: Mermaid diagrams and Markdown of trees, diffs and lineages.
export {
  toMermaid,
  diffToMermaid,
  lineageToMermaid,
  toMarkdown,
  diffByLineage,
  type TreeMermaidOptions,
  type DiffMermaidOptions,
  type LineageMermaidOptions,
  type MarkdownSection,
} from './viz';

// Errors: every typed error, by layer; all extend AbstractionsError except HandlerError.
export { AbstractionsError } from './errors';
export {
  EntityDefinitionError,
  ImmutableVersionError,
  UnsupportedValueError,
  DataDepthError,
  DataCycleError,
  InvalidTypeError,
} from './metadata/errors';
export { TreeStructureError } from './tree/errors';
export { VersioningError, EntityNotFoundError } from './store/errors';
export { AddressSyntaxError, FieldPathError, FieldTypeError, StaleVersionError } from './address/errors';
export {
  UnknownFunctionError,
  ArgumentError,
  ReturnTypeError,
  ResultError,
  AsyncFunctionError,
  RegistrationError,
  SignatureRequiredError,
} from './callable/errors';
export { HandlerError, CascadeDepthError, EventBusError } from './events';
export { SerializationError } from './serialize';
export {
  StoreWriteError,
  StoreFormatError,
  StoreConflictError,
  StoreClosedError,
  StoreCorruptError,
  StoreOptionError,
  HistoryFormatError,
  ImportConflictError,
  PeerDependencyError,
} from './durable/errors';
