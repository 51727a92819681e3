/**
 * Built-ins for the fuzzer's hot code. Jest runs test modules inside a vm context where each
 * lookup of a global (`Map`, `Array`, `Object`, `JSON`, ...) costs about 150 ns instead of 5:
 * read once here, they are plain module bindings.
 */
export const NMap = Map;
export const NSet = Set;
export const NDate = Date;
export const { isArray } = Array;
export const { keys, getPrototypeOf, defineProperty, freeze, isFrozen, is: sameValue } = Object;
export const ObjectProto = Object.prototype;
export const { stringify } = JSON;
