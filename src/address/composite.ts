/**
 * `createComposite` (SPEC §6): an entity built from addresses and values.
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { EntityDefinitionError } from '../metadata/errors';
import { metaOf } from '../metadata/object-model';
import { EntityRegistry } from '../store/entity-registry';
import { excerpt } from '../util/excerpt';
import { errorText } from '../errors';
import { copyOut } from './copy';
import { AddressSyntaxError } from './errors';
import { resolveAddress } from './resolve';

export interface CompositeOptions {
  /** The registry addresses are resolved against (default `EntityRegistry.default`). */
  readonly registry?: EntityRegistry;
  /** Promote the result to the root of a new lineage in that registry (default false). */
  readonly promote?: boolean;
}

/** A value `createComposite` stores as it is (see `literal`). */
class Literal {
  constructor(readonly value: unknown) {}
}

/**
 * A value for `createComposite` to store as it is: a string that starts with `@`, which it
 * otherwise reads as an address (`createComposite(Post, { handle: literal('@ada') })`).
 */
export function literal(value: unknown): unknown {
  return new Literal(value);
}

/**
 * Builds a new entity of `cls` whose fields come from addresses (`'@<uuid>.path'`, read as
 * deep copies; entities as working copies that fork when stored) or from plain values; fields
 * not mentioned keep the class defaults. A field's value that is a string starting with `@` is
 * an address: a malformed one is an `AddressSyntaxError`, never silently text; `literal('@ada')`
 * stores such a string as it is (strings inside arrays or objects are values, never addresses).
 * `attributeSource` names, per field given, the ecsId of the entity that held the value (for
 * `@S.record.gpa`, the record), or null for a value.
 *
 * ```ts
 * const card = createComposite(ReportCard, { name: `@${s.ecsId}.name`, gpa: `@${s.ecsId}.record.gpa`, term: 'fall' });
 * card.attributeSource; // { name: s.ecsId, gpa: record.ecsId, term: null }
 * ```
 * The result is a working orphan (promote it, or pass `{ promote: true }`).
 * @throws EntityDefinitionError for a field the class does not have; AddressSyntaxError,
 * EntityNotFoundError, FieldPathError for an address that does not resolve.
 */
export function createComposite<T extends object>(
  cls: (abstract new (...args: never[]) => T) | (new (init?: never) => T),
  spec: Readonly<Record<string, unknown>>,
  options: EntityRegistry | CompositeOptions = {},
): T {
  const { registry = EntityRegistry.default, promote = false } =
    options instanceof EntityRegistry ? { registry: options } : options;
  const meta = classMetaOf(cls as AnyClass);
  const init: Record<string, unknown> = {};
  const sources: Record<string, string | null> = {};
  for (const field of specKeys(meta.name, spec)) {
    if (!meta.fieldIndex.has(field)) {
      throw new EntityDefinitionError(
        `createComposite(${meta.name}): unknown field '${excerpt(field)}' (fields: ${meta.fields.map((f) => f.name).join(', ') || '(none)'})`,
      );
    }
    const given = readSpec(meta.name, spec, field);
    if (given instanceof Literal) {
      init[field] = given.value;
      sources[field] = null;
    } else if (typeof given === 'string' && given.startsWith('@')) {
      const r = resolveSpecAddress(given, registry);
      init[field] = copyOut(r.value);
      sources[field] = metaOf(r.holder).ecsId;
    } else {
      init[field] = given;
      sources[field] = null;
    }
  }
  const composite = new (meta.ctor as unknown as new (init: object) => T)(init);
  const m = metaOf(composite);
  m.attributeSource = { ...m.attributeSource, ...sources };
  if (promote) registry.promoteToRoot(composite);
  return composite;
}

/** Up to this length, the syntax error spells out the `literal(...)` call for the string itself. */
const LITERAL_SHOWN = 40;

/** `resolveAddress`, its syntax error saying how to store such a string as text instead. */
function resolveSpecAddress(address: string, registry: EntityRegistry): ReturnType<typeof resolveAddress> {
  try {
    return resolveAddress(address, registry);
  } catch (error) {
    if (!(error instanceof AddressSyntaxError)) throw error;
    throw new AddressSyntaxError(
      error.address,
      error.position,
      `${error.reason} (createComposite reads a string that starts with '@' as an address; ` +
        `${address.length <= LITERAL_SHOWN ? `literal(${JSON.stringify(address)})` : 'literal(text)'} stores it as text)`,
    );
  }
}

// The spec is user data: a revoked Proxy or a throwing getter is bad input, named as such.
function specKeys(className: string, spec: object): string[] {
  try {
    return Object.keys(spec);
  } catch (error) {
    throw new EntityDefinitionError(`createComposite(${className}): the spec cannot be read: ${errorText(error)}`, {
      cause: error,
    });
  }
}

function readSpec(className: string, spec: Readonly<Record<string, unknown>>, field: string): unknown {
  try {
    return spec[field];
  } catch (error) {
    throw new EntityDefinitionError(
      `createComposite(${className}): field '${excerpt(field)}' of the spec cannot be read: ${errorText(error)}`,
      { cause: error },
    );
  }
}
