/**
 * # The JSON form of entities, trees and versions (SPEC §9)
 *
 * Everything `toJSON` returns is plain JSON (`JSON.stringify` / `JSON.parse` keep it exactly), so it
 * can be stored or sent anywhere. `fromJSON` reads it back.
 *
 * ## An entity
 * ```json
 * { "$class": "Student",
 *   "$id": { "ecsId": "…", "lineageId": "…", "rootEcsId": "…", "previousEcsId": "…",
 *            "oldIds": ["…"], "createdAt": "2024-01-01T00:00:00.000Z", "forkedAt": null,
 *            "derivedFromFunction": null, "derivedFromExecutionId": null,
 *            "siblingOutputEntities": [], "outputIndex": null, "attributeSource": { "gpa": "…" } },
 *   "fields": { "name": "Alice", "gpa": 3.5, "courses": [ { "$class": "Course", … } ] } }
 * ```
 * - `$class` is the entity class's type name: `@entity({ name })`, or the class name. Writing or
 *   reading a type name that several registered classes share is a `SerializationError` (never
 *   the wrong class); `@entity({ name: 'billing.Invoice' })` tells such classes apart.
 * - `$id` holds the identity and provenance fields of §1: everything except `liveId` and
 *   `rootLiveId`, which name in-memory objects (reading gives fresh ones). Dates are ISO strings,
 *   ids lower-case UUIDs. When reading, only `ecsId` and `lineageId` are required; the rest default
 *   to the values of a new entity (null, `[]`, `{}`; `createdAt`: now).
 * - `fields` holds every field (never transient properties) by name. When reading, a field missing
 *   from `fields` gets the class's default (its initialiser), a name the class does not have is an error.
 * - Child entities are written inline where they occur, in the same form. An entity occurs at most
 *   once in a tree (§2), so there are no references.
 *
 * ## Field values
 * | value                              | JSON                                              |
 * |------------------------------------|---------------------------------------------------|
 * | string, boolean, null, finite number | itself                                          |
 * | `NaN`, `Infinity`, `-Infinity`, `-0` | `{ "$num": "NaN" }` (the name as a string)      |
 * | `undefined` (also array holes)     | `{ "$undefined": true }`                          |
 * | bigint                             | `{ "$bigint": "12345678901234567890" }`           |
 * | Date                               | `{ "$date": "2024-01-01T00:00:00.000Z" }` (`null` for an invalid Date) |
 * | array / tuple                      | a JSON array of encoded items                     |
 * | Map                                | `{ "$map": [[key, value], …] }` (keys and values encoded, insertion order) |
 * | Set                                | `{ "$set": [member, …] }` (insertion order)       |
 * | plain object, no key starting `$`  | a JSON object of encoded values                   |
 * | other plain objects                | `{ "$object": { …raw keys… } }`, plus `"$proto": null` for a null-prototype object |
 * | entity                             | the entity form above                             |
 *
 * Any other value (functions, symbols, class instances that are not entities, entities used as Map
 * keys) cannot be written: `SerializationError` naming its path.
 *
 * ## A stored version
 * ```json
 * { "$format": "abstractions-ts/version@1",
 *   "$version": { "ecsId": "…", "lineageId": "…", "parentEcsId": "…" | null, "createdAt": "…" },
 *   "root": { "$class": "GridMap", … } }
 * ```
 * Its entities keep the ids they have in the store (a child unchanged since an earlier version keeps
 * that version's `rootEcsId`, see §2). `versionFromJSON` returns a **working copy**, exactly like
 * `checkout()`: every entity's `rootEcsId` is the version's, so `registry.version(copy)` diffs against it.
 *
 * ## Into another registry or process
 * A registry that does not hold the version loads it with `promoteToRoot(copy)`: stored as that
 * version, every entity it does not hold keeping its ids and provenance; as a child of the root's
 * `previousEcsId` if it holds that version (load a lineage oldest first and its versions link up
 * and share what did not change), else as a first version of its lineage there. A registry that
 * holds the version returns it. The copy is then a working copy of the version there.
 */

/** Plain JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The `$id` block of an entity. */
export interface EntityIdJSON {
  ecsId: string;
  lineageId: string;
  rootEcsId: string | null;
  previousEcsId: string | null;
  oldIds: string[];
  createdAt: string;
  forkedAt: string | null;
  derivedFromFunction: string | null;
  derivedFromExecutionId: string | null;
  siblingOutputEntities: string[];
  outputIndex: number | null;
  attributeSource: Record<string, string | null>;
}

/** One entity with its subtree. */
export interface EntityJSON {
  $class: string;
  $id: EntityIdJSON;
  fields: Record<string, JsonValue>;
}

export const VERSION_FORMAT = 'abstractions-ts/version@1';

/** One stored version of a tree. */
export interface VersionJSON {
  $format: typeof VERSION_FORMAT;
  $version: {
    ecsId: string;
    lineageId: string;
    parentEcsId: string | null;
    createdAt: string;
  };
  root: EntityJSON;
}
