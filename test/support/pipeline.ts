/**
 * Entity classes and helpers for the unit tests of the execute pipeline's modules (the draft, the
 * draft diff, the output plan, the commit of a call, result shapes, input preparation): a root
 * holding boxes holding items, with a flat array, a Map, a single-entity field and record data.
 */
import { Entity, entity } from '../../src';
import { ConfigEntity } from '../../src/callable/config-entity';
import { metaOf, type EntityObject } from '../../src/metadata/object-model';
import { Draft } from '../../src/store/draft';
import type { EntityRegistry } from '../../src/store/entity-registry';
import { liveIndexOf, type RootVersion } from '../../src/store/root-version';
import { diffDraft, type DraftChanges } from '../../src/diff/draft-diff';

@entity()
export class PpItem extends Entity {
  name = '';
  n = 0;
  tags: string[] = [];
}

@entity()
export class PpBox extends Entity {
  name = '';
  items: PpItem[] = [];
  byKey: Map<string, PpItem> = new Map();
  best: PpItem | null = null;
  info: { k: number; xs: number[] } = { k: 0, xs: [] };
}

@entity()
export class PpRoot extends Entity {
  title = '';
  boxes: PpBox[] = [];
}

@entity()
export class PpOptions extends ConfigEntity {
  limit = 10;
  label = 'default';
}

/** A working root with boxes `b0`, `b1`, ... each holding `items` items named `<box>-<k>`. */
export function buildRoot(boxes = 2, items = 2): PpRoot {
  return new PpRoot({
    title: 'root',
    boxes: Array.from(
      { length: boxes },
      (_, b) =>
        new PpBox({
          name: `b${b}`,
          items: Array.from({ length: items }, (_, k) => new PpItem({ name: `b${b}-${k}`, n: k, tags: ['t'] })),
        }),
    ),
  });
}

/** Promotes `root` into `registry`; returns its stored root and version. */
export function storeRoot<T extends object>(registry: EntityRegistry, root: T): { stored: T; version: RootVersion } {
  const version = registry.promoteToRoot(root);
  return { stored: version.root as unknown as T, version };
}

/** Shorthand: a typed entity as the store's EntityObject. */
export function eo(e: object): EntityObject {
  return e as unknown as EntityObject;
}

/** Runs `edit` in a fresh draft over `version` and diffs the draft (the draft diff of one tree). */
export function editAndDiff(
  version: RootVersion,
  edit: () => void,
): { draft: Draft; changes: DraftChanges<RootVersion> } {
  const draft = new Draft([version]);
  draft.run(edit);
  draft.close();
  return { draft, changes: diffDraft(draft, version, version.root, liveIndexOf(version)) };
}

/** The ecsIds of `entities`, sorted (order-free comparisons). */
export function idsOf(entities: Iterable<object>): string[] {
  return [...entities].map((e) => metaOf(e).ecsId).sort();
}
