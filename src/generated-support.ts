/**
 * `abstractions-ts/generated-support`: what files written by abstractions-codegen import, and
 * nothing else. The install calls that hand the runtime a generated file's tables, and the value
 * helpers, identity accessors, stored-object layout and row text its specialised code calls.
 *
 * A separate entry point (package.json `exports`) so that the package root stays the user API:
 * these names follow the generator, not a stability promise, and may change in any release
 * together with the code it emits (regenerate the file after upgrading). Not for hand-written
 * code; hidden from the API reference. Inside this repository generated files import the defining
 * modules of src/ directly; a `--runtime` path module re-exports the package root and this entry.
 * @internal
 * @module
 */
/** @internal */
export { installGeneratedMetadata, type GeneratedClassSpec } from './metadata/class-registry';
/** @internal */
export { installGeneratedSignatures, type GeneratedSignature } from './callable/generated-signatures';
/** @internal */
export type { GeneratedTypeShape } from './metadata/generated-types';
/** @internal */
export { GeneratedSignatureError } from './callable/errors';
/** @internal */
export { valueEquals, thawValue, freezeValue, forEachEntityIn, freezeFlatArray, isPlainArray } from './metadata/values';
/** @internal */
export { lineageOf, metaOf, fieldSlots, VALUES, type EntityObject, type StoredSlots } from './metadata/object-model';
/** @internal */
export { readStored } from './entity/class-runtime';
/** @internal */
export type { ChildVisitor, LeafMapper, PathSegment, RowFieldWriter, StoredLayout } from './metadata/types';
/** @internal */
export { numberText, refText, simpleText, stringText } from './durable/row-text';
