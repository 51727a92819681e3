/**
 * Preparing the inputs (SPEC §5), the step between binding and the call: working entities become
 * stored versions (edited working trees are versioned, orphans promoted), and the stored root
 * versions of the call's input trees are found. The function receives stored versions
 * (copy-on-write inside the call), never the caller's objects.
 *
 * The caller's own working trees are versioned for real: that is what they passed, and it stays
 * even if the call then fails. A `ConfigEntity` built from loose arguments belongs to the call: it
 * is registered here too (the function may pass it on to a nested call, which must find it in the
 * registry), and the execution withdraws it again if the call fails (`withdrawConfigs`).
 */
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { describeValue } from '../metadata/describe-value';
import { containerKind, mapItemsInPlace } from '../metadata/containers';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import type { EntityRegistry } from '../store/entity-registry';
import { liveIndexOf, type RootVersion } from '../store/root-version';
import type { BindingPlan } from './binding-plan';
import type { BoundCall } from './bound-call';
import { ArgumentError } from './errors';

/** The call's input trees. */
export interface PreparedInputs {
  /** The stored root versions of the input trees, each once, in argument order. */
  readonly versions: readonly RootVersion[];
  /** Per entity of `bound.entities` (stored versions now), the version of the tree it is passed in. */
  readonly inputOf: readonly RootVersion[];
  /** Root ecsIds of the configs built and registered for the call (null: none). */
  readonly configs: readonly string[] | null;
}

/**
 * Working entities become stored versions, in `bound.entities` and in the function's arguments,
 * and each entity's input tree is found (see `inputVersionsOf`).
 * @throws ArgumentError for a working entity that is not part of its tree (any more); what
 * versioning a working tree throws (a malformed tree), before anything is versioned.
 */
export function prepareInputs(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): PreparedInputs {
  if (!bound.needsPrepare) return inputVersionsOf(bound.entities, registry, null);
  checkWorkingArguments(plan, bound, registry);
  const configs: string[] = [];
  try {
    storeWorkingArguments(plan, bound, registry, configs);
    return inputVersionsOf(bound.entities, registry, configs.length === 0 ? null : configs);
  } catch (error) {
    // An error before the call leaves nothing of the execution: configs built for it go again.
    withdrawConfigs(registry, configs);
    throw error;
  }
}

/**
 * The stored root version each (stored) entity is passed in: its own for a root. A child goes in
 * through the latest version of its tree if that still holds this very object (so changes build on
 * the present) and the call has it as an input, else through another input root version of the
 * call that holds it, else through the latest version if it holds it, else through the version
 * that first stored it.
 */
function inputVersionsOf(
  entities: readonly EntityObject[],
  registry: EntityRegistry,
  configs: readonly string[] | null,
): PreparedInputs {
  const inputOf = new Array<RootVersion>(entities.length);
  let children = false;
  for (let i = 0; i < entities.length; i++) {
    const m = metaOf(entities[i]);
    if (m.rootEcsId === m.ecsId) inputOf[i] = registry.getVersion(m.ecsId);
    else children = true;
  }
  if (children) {
    for (let i = 0; i < entities.length; i++) {
      if (inputOf[i] !== undefined) continue;
      const e = entities[i];
      const m = metaOf(e);
      const first = registry.getVersion(m.rootEcsId!);
      const latest = registry.latestVersion(first.lineageId);
      const inLatest = latest !== undefined && latest !== first && liveIndexOf(latest).get(m.lineageId) === e;
      if (inLatest && inputOf.includes(latest)) {
        inputOf[i] = latest;
        continue;
      }
      const held = inputOf.find((v) => v !== undefined && liveIndexOf(v).get(m.lineageId) === e);
      inputOf[i] = held ?? (inLatest ? latest : first);
    }
  }
  const versions: RootVersion[] = [];
  for (let i = 0; i < inputOf.length; i++) if (!versions.includes(inputOf[i])) versions.push(inputOf[i]);
  return { versions, inputOf, configs };
}

/** Withdraws the configs registered for a call (an execution that fails leaves none behind). */
export function withdrawConfigs(registry: EntityRegistry, configs: readonly string[] | null): void {
  if (configs !== null) for (const id of configs) registry.withdrawFirstVersion(id);
}

/** Replaces every working entity by its stored version (versioning or promoting its tree). */
function storeWorkingArguments(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry, configs: string[]): void {
  const { entities } = bound;
  const replaced = new Map<EntityObject, EntityObject>();
  const versioned = new Map<EntityObject, RootVersion>();
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    const m = metaOf(e);
    let stored: EntityObject;
    if (m.stored) {
      stored = e;
    } else if (replaced.has(e)) {
      stored = replaced.get(e)!;
    } else {
      let version: RootVersion;
      if (m.rootEcsId === null) {
        version = registry.promoteToRoot(e);
        if (bound.builtConfigs?.includes(e)) configs.push(version.ecsId);
      } else {
        const root = m.rootEcsId === m.ecsId ? e : registry.workingRootOf<EntityObject>(e)!; // checked above
        let v = versioned.get(root);
        if (v === undefined) {
          registry.version(root);
          v = registry.getVersion(metaOf(root).rootEcsId!);
          versioned.set(root, v);
        }
        version = v;
      }
      const inTree = version.index.get(m.lineageId);
      if (inTree === undefined || metaOf(inTree).ecsId !== metaOf(e).ecsId) {
        throw new ArgumentError(
          plan.functionName,
          bound.entityPaths[i],
          `${describeValue(e)} is not part of its tree's version ${version.ecsId} (was it removed from it?): detach() it or pass its root`,
        );
      }
      stored = inTree;
      replaced.set(e, stored);
    }
    entities[i] = stored;
  }
  substituteArguments(bound, replaced);
}

/**
 * Everything that can reject a working-tree argument, checked before any of them is versioned or
 * promoted: a bad second argument must not leave the first one's pre-call version behind.
 */
function checkWorkingArguments(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): void {
  const trees = new Map<EntityObject, EntityTree>();
  bound.entities.forEach((e, i) => {
    const m = metaOf(e);
    if (m.stored) return;
    const fail = (reason: string): never => {
      throw new ArgumentError(plan.functionName, bound.entityPaths[i], `${describeValue(e)} ${reason}`);
    };
    const root = m.rootEcsId === null || m.rootEcsId === m.ecsId ? e : registry.workingRootOf<EntityObject>(e);
    if (root === undefined)
      return fail('belongs to a working tree that is no longer available: pass its root, or a stored version');
    const rootVersion = metaOf(root).rootEcsId;
    if (rootVersion !== null && !registry.hasVersion(rootVersion)) {
      return fail(`comes from version ${rootVersion}, which this registry does not hold`);
    }
    let tree = trees.get(root);
    if (tree === undefined) trees.set(root, (tree = buildEntityTree(root))); // a malformed tree throws here
    if (tree.nodes.get(m.ecsId) !== e) {
      fail(`is not part of its tree's working root any more (was it removed from it?): detach() it or pass its root`);
    }
  });
}

/** Replaces entities in the function's arguments (and the address uses that point at them). */
function substituteArguments(bound: BoundCall, replaced: ReadonlyMap<EntityObject, EntityObject>): void {
  const args = bound.args;
  for (const k of Object.keys(args)) args[k] = substitute(args[k], replaced);
  if (bound.addresses) {
    bound.addresses = bound.addresses.map((a) =>
      isEntityObject(a.value) && replaced.has(a.value) ? { ...a, value: replaced.get(a.value) } : a,
    );
  }
}

/**
 * The entities the function receives, where some input trees are handed out as working copies
 * (`Draft`: a second version of a lineage). Substitutes them in the arguments and returns them in
 * the order of `bound.entities` (which keeps the stored versions, for the record).
 */
export function handOutInputs(
  bound: BoundCall,
  inputOf: readonly RootVersion[],
  handedOut: (e: EntityObject, input: RootVersion) => EntityObject,
): EntityObject[] {
  const replaced = new Map<EntityObject, EntityObject>();
  const handed = bound.entities.map((e, i) => {
    const h = handedOut(e, inputOf[i]);
    if (h !== e) replaced.set(e, h);
    return h;
  });
  substituteArguments(bound, replaced);
  return handed;
}

/** Replaces working entities by their stored versions inside our own (mutable) argument copies. */
function substitute(value: unknown, map: ReadonlyMap<EntityObject, EntityObject>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEntityObject(value)) return map.get(value) ?? value;
  const kind = containerKind(value);
  return kind === null ? value : mapItemsInPlace(value, kind, (item) => substitute(item, map));
}
