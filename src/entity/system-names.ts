/**
 * The system getters of `Entity`: a field with one of these names would shadow one. Shared by the
 * runtime (construction rejects them as init keys) and the code generator (reports such fields).
 * No imports: the generator loads this file on its own.
 */
export const SYSTEM_NAMES: ReadonlySet<string> = new Set([
  'ecsId',
  'liveId',
  'lineageId',
  'rootEcsId',
  'rootLiveId',
  'previousEcsId',
  'oldIds',
  'createdAt',
  'forkedAt',
  'derivedFromFunction',
  'derivedFromExecutionId',
  'siblingOutputEntities',
  'outputIndex',
  'attributeSource',
]);
