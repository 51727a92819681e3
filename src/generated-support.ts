/**
 * What files written by abstractions-codegen import besides the public API: the value helpers,
 * identity accessors and stored-object layout their specialised code calls. Exported from the
 * package root so that a generated file imports everything from `abstractions-ts`; not meant for
 * hand-written code, and hidden from the API reference.
 * @internal
 * @module
 */
/** @internal */
export { valueEquals, thawValue, freezeValue, forEachEntityIn, freezeFlatArray, isPlainArray } from './metadata/values';
/** @internal */
export { lineageOf, metaOf, fieldSlots, VALUES, type EntityObject, type StoredSlots } from './metadata/object-model';
/** @internal */
export { readStored } from './entity/class-runtime';
/** @internal */
export type { GeneratedClassSpec } from './metadata/class-registry';
/** @internal */
export type { ChildVisitor, LeafMapper } from './metadata/types';
