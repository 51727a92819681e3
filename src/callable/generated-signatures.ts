/**
 * The generated signature table (SPEC §8): the parameter and result types abstractions-codegen
 * writes for registered functions, installed by the generated file when it is imported. Kept apart
 * from signatures because it is module state with a lifecycle of its own: entries are plain data
 * naming entity classes, resolved lazily when first used (a class may load after the table, or
 * never), and a generation counter tells the registry when compiled binding plans are stale.
 */
import {
  classMetaOf,
  entityClassesNamed,
  generatedSpecOf,
  onEntityClassRegistered,
  sameClassDescription,
  type AnyClass,
  type GeneratedClassSpec,
} from '../metadata/class-registry';
import { describeValue } from '../metadata/describe-value';
import { InvalidTypeError } from '../metadata/errors';
import { GeneratedSignatureError, RegistrationError } from './errors';
import type { FunctionSignature } from './signatures';
import { shapeFromGenerated, type GeneratedTypeShape } from '../metadata/generated-types';
import type { TypeShape } from '../metadata/type-spec';
import { sameItems } from '../util/arrays';

/** One function's entry in a generated signature table (emitted by abstractions-codegen). */
export interface GeneratedSignature {
  readonly params: ReadonlyArray<{
    readonly name: string;
    /** Entity types name their class (`{ kind: 'entity', className: 'Student' }`), resolved when first used. */
    readonly type: GeneratedTypeShape;
    readonly optional?: boolean;
    readonly description?: string;
    /** The type as written in source (informational). */
    readonly declaredType?: string;
  }>;
  readonly returns?: GeneratedTypeShape | null;
  readonly description?: string;
}

// ---- resolving entity classes -------------------------------------------------------------

/** A class a generated table names is not loaded, or more than one loaded class fits the name (retried later, never thrown out of here). */
class UnresolvedClassError extends InvalidTypeError {}

/** The loaded class a generated entity type names: by name, by field list, then by spec, as far as the table gives them. */
function resolveGeneratedClass(
  className: string,
  fields: readonly string[] | undefined,
  spec: GeneratedClassSpec | undefined,
): AnyClass {
  const named = entityClassesNamed(className);
  let fitting =
    fields === undefined
      ? named
      : named.filter((r) =>
          sameItems(
            classMetaOf(r.ctor).fields.map((f) => f.name),
            fields,
          ),
        );
  if (fitting.length > 1 && spec !== undefined) {
    fitting = fitting.filter((r) => {
      const used = generatedSpecOf(r.ctor);
      return used !== null && sameClassDescription(used, spec);
    });
  }
  if (fitting.length === 1) return fitting[0].ctor;
  if (named.length === 0)
    throw new UnresolvedClassError(className, `entity class ${className} is not loaded (import it before executing)`);
  throw new UnresolvedClassError(
    className,
    fitting.length === 0
      ? `no loaded entity class ${className} has the fields ${(fields ?? []).join(', ')} (import it before executing)`
      : `${fitting.length} loaded entity classes are named ${className}: the generated signature cannot tell which one it means`,
  );
}

/** A generated type with its entity classes resolved by name, field list and spec (retried later when not loaded). */
function shapeOf(raw: GeneratedTypeShape): TypeShape {
  return shapeFromGenerated(raw, (e) => ({
    kind: 'entity',
    className: e.className,
    ctor: resolveGeneratedClass(e.className, e.fields, e.spec),
  }));
}

// ---- the table ------------------------------------------------------------------------------

const generatedTable = new Map<string, GeneratedSignature>();
const generatedCompiled = new Map<string, FunctionSignature>();
/** Names whose entry names a class that is not loaded (yet): retried once more classes are. */
const pendingNames = new Set<string>();
let generation = 0;

// A class registered after a lookup failed may resolve it: functions recompile their plans
// (the registry compares generations) and look the entry up again.
onEntityClassRegistered(() => {
  if (pendingNames.size === 0) return;
  pendingNames.clear();
  generation++;
});

/**
 * Installs a generated signature table (called by the generated file when it is imported).
 * Functions registered without an explicit signature use the entry of their name; it may be
 * installed before or after they are registered. Later tables override earlier entries.
 * Throws a {@link GeneratedSignatureError} naming the first entry that is not a signature
 * (nothing of the table is installed then).
 */
export function installGeneratedSignatures(table: Readonly<Record<string, GeneratedSignature>>): void {
  const names = Object.keys(table);
  for (const name of names) {
    const entry = table[name];
    if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.params)) {
      throw new GeneratedSignatureError(name, `must be { params: [...], returns? }, got ${describeValue(entry)}`);
    }
  }
  for (const name of names) {
    generatedTable.set(name, table[name]);
    generatedCompiled.delete(name);
  }
  generation++;
}

/** Changes whenever a generated table is installed or a pending entry may now resolve (binding plans compare it to rebuild). */
export function generatedSignaturesGeneration(): number {
  return generation;
}

/**
 * The generated signature of `name`, normalised, or undefined. Lazy: entity classes are resolved
 * when the signature is first needed (registering, executing, describing), and an entry naming a
 * class that is not loaded yet (a parameter class imported as a type only) is undefined for now
 * and tried again once more classes are loaded. So `register` never fails on it; a function
 * whose class never loads runs without a signature, as without the generated file.
 */
export function generatedSignatureOf(functionName: string): FunctionSignature | undefined {
  const cached = generatedCompiled.get(functionName);
  if (cached) return cached;
  const entry = generatedTable.get(functionName);
  if (!entry) return undefined;
  let sig: FunctionSignature;
  try {
    sig = Object.freeze({
      params: Object.freeze(
        entry.params.map((p) => {
          const type = shapeOf(p.type);
          const isOptional = p.optional === true || type.kind === 'optional';
          return Object.freeze({
            name: p.name,
            type: type.kind === 'optional' ? (type as { of: TypeShape }).of : type,
            optional: isOptional,
            description: p.description,
          });
        }),
      ),
      returns: entry.returns ? shapeOf(entry.returns) : null,
      description: entry.description,
      source: 'generated' as const,
    });
  } catch (e) {
    if (e instanceof UnresolvedClassError) {
      pendingNames.add(functionName);
      return undefined;
    }
    if (e instanceof InvalidTypeError) throw new RegistrationError(functionName, `generated signature: ${e.message}`);
    throw e;
  }
  pendingNames.delete(functionName);
  generatedCompiled.set(functionName, sig);
  return sig;
}

/** Why the generated entry of `name` is not used now (a class it names is not loaded or ambiguous), or null. */
export function pendingGeneratedSignature(functionName: string): string | null {
  const entry = generatedTable.get(functionName);
  if (!entry || generatedCompiled.has(functionName)) return null;
  try {
    for (const p of entry.params) shapeOf(p.type);
    if (entry.returns) shapeOf(entry.returns);
    return null;
  } catch (e) {
    return e instanceof UnresolvedClassError ? e.message : null;
  }
}
