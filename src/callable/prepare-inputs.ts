/**
 * Preparing the inputs (SPEC §5), the step between binding and the call: working entities become
 * stored versions (edited working trees are versioned, orphans promoted), and the stored root
 * versions of the call's input trees are found. The function receives stored versions
 * (copy-on-write inside the call), never the caller's objects.
 *
 * The caller's own working trees are versioned for real: that is what they passed, and it stays
 * even if the call then fails. A `ConfigEntity` built from loose arguments belongs to the call:
 * its first version is only prepared here, and published with the call's commits, so a failed
 * call leaves nothing of it.
 */
import { isEntityObject, metaOf, type EntityObject } from '../metadata/object-model';
import { describeValue } from '../metadata/describe-value';
import { containerKind, mapItemsInPlace } from '../metadata/containers';
import { buildEntityTree } from '../tree/build-tree';
import type { EntityTree } from '../tree/entity-tree';
import type { CommitResult } from '../store/commit';
import type { EntityRegistry } from '../store/entity-registry';
import type { RootVersion } from '../store/root-version';
import type { BindingPlan } from './binding-plan';
import type { BoundCall } from './bound-call';
import { ArgumentError } from './errors';

/** The call's input trees. */
export interface PreparedInputs {
  /** The stored root versions of the input trees, each once, in argument order. */
  readonly versions: readonly RootVersion[];
  /** Per entity of `bound.entities` (stored versions now), the version of the tree it is passed in. */
  readonly inputOf: readonly RootVersion[];
  /** First versions of the configs built for the call: prepared, not yet published (null: none). */
  readonly configs: readonly CommitResult[] | null;
}

/**
 * The stored root version a stored entity is passed in: its own for a root; for a child, the
 * latest version of its tree if that still contains this very version (so changes build on the
 * present), else the version that first stored it.
 */
function inputVersionOf(registry: EntityRegistry, e: EntityObject): RootVersion {
  const m = metaOf(e);
  const first = registry.getVersion(m.rootEcsId!);
  if (m.rootEcsId === m.ecsId) return first;
  const latest = registry.latestVersion(first.lineageId);
  if (latest !== undefined && latest !== first && latest.index.get(m.lineageId) === e) return latest;
  return first;
}

/**
 * Working entities become stored versions, in `bound.entities` and in the function's arguments.
 * @throws ArgumentError for a working entity that is not part of its tree (any more); what
 * versioning a working tree throws (a malformed tree), before anything is versioned.
 */
export function prepareInputs(plan: BindingPlan, bound: BoundCall, registry: EntityRegistry): PreparedInputs {
  const { entities } = bound;
  const versions: RootVersion[] = [];
  const inputOf = new Array<RootVersion>(entities.length);
  if (!bound.needsPrepare) {
    for (let i = 0; i < entities.length; i++) {
      const v = inputVersionOf(registry, entities[i]);
      inputOf[i] = v;
      if (!versions.includes(v)) versions.push(v);
    }
    return { versions, inputOf, configs: null };
  }
  checkWorkingArguments(plan, bound, registry);
  let configs: CommitResult[] | null = null;
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
      if (m.rootEcsId === null && bound.builtConfigs?.includes(e)) {
        const config = registry.prepareFirstVersion(buildEntityTree(e));
        (configs ??= []).push(config);
        version = config.version;
      } else if (m.rootEcsId === null) {
        version = registry.promoteToRoot(e);
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
    // A built config's version is not published yet: it is its own input tree.
    const config = configs?.find((c) => c.version.root === stored);
    const version = config !== undefined ? config.version : inputVersionOf(registry, stored);
    inputOf[i] = version;
    if (!versions.includes(version)) versions.push(version);
  }
  substituteArguments(bound, replaced);
  return { versions, inputOf, configs };
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
    if (root === undefined) return fail('belongs to a working tree that is no longer available: pass its root, or a stored version');
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
    bound.addresses = bound.addresses.map((a) => (isEntityObject(a.value) && replaced.has(a.value) ? { ...a, value: replaced.get(a.value) } : a));
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
