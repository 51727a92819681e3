import type { EntityObject } from '../metadata/object-model';

/**
 * Operations that entity methods offer but higher layers implement (the tree builder, the
 * registry). The higher layers install themselves here when loaded; `src/index.ts` loads them all,
 * so a user importing the package always has them.
 */
export interface EntityServices {
  getTree(root: EntityObject): unknown;
  promoteToRoot(entity: EntityObject): void;
  detach(entity: EntityObject): void;
  attach(entity: EntityObject, newParentRoot: EntityObject): void;
}

let installed: EntityServices | null = null;

export function installEntityServices(services: EntityServices): void {
  installed = services;
}

export function entityServices(): EntityServices {
  if (!installed) throw new Error('abstractions-ts: import entities through the package entry point (src/index.ts)');
  return installed;
}

let serializer: ((entity: EntityObject) => object) | null = null;

/** Installs what `entity.toJSON()` (and so `JSON.stringify(entity)`) gives: the serialize layer's `toJSON`. */
export function installEntitySerializer(toJSON: (entity: EntityObject) => object): void {
  serializer = toJSON;
}

export function entitySerializer(): (entity: EntityObject) => object {
  if (!serializer) throw new Error('abstractions-ts: import entities through the package entry point (src/index.ts)');
  return serializer;
}
