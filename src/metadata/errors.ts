import { AbstractionsError } from '../errors';

/** A class is not usable as an entity (missing decorator, unknown field, unsupported value). */
export class EntityDefinitionError extends AbstractionsError {}

/** Someone tried to change a stored version (or data inside one). */
export class ImmutableVersionError extends AbstractionsError {}
