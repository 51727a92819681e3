export {
  Event,
  CreatedEvent,
  ModifiedEvent,
  DeletedEvent,
  StateTransitionEvent,
  type EventPhase,
  type EventError,
  type EventInit,
  type EventClass,
  type SubjectClass,
  type SubjectEventInit,
  type ModifiedEventInit,
  type StateTransitionInit,
} from './event';
export {
  EventBus,
  DEFAULT_MAX_CASCADE_DEPTH,
  type EventBusOptions,
  type OnOptions,
  type EventHandler,
  type Selected,
} from './event-bus';
export { events } from './default-bus';
export { HandlerError } from './handler-error';
export { CascadeDepthError, EventBusError } from './errors';
export { DEFAULT_HISTORY_SIZE, type EventHistory } from './history';
export { compileGlob, matchesGlob, type TypeMatcher } from './glob';
export type { EventSelector } from './selector';
export { ofType, ofPattern } from './operators';
export { runOperation, type OperationSpec } from './operation';
export type {
  FrameworkEvent,
  FrameworkEventType,
  FrameworkEventPhase,
  FrameworkEventPhases,
  FrameworkEventMetadata,
  FrameworkPhaseEvent,
  NoMetadata,
  OutputSemantic,
  EntityPromoteMetadata,
  EntityRegisterMetadata,
  EntityVersionMetadata,
  EntityDetachMetadata,
  EntityAttachStartMetadata,
  EntityAttachMetadata,
  FunctionExecuteStartMetadata,
  FunctionExecuteMetadata,
  LineageBranchMetadata,
} from './framework-events';
