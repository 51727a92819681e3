/**
 * The optional peer dependencies (package.json `peerDependenciesMeta`): the PostgreSQL driver and
 * the NATS client, loaded when a store or transport that needs them is created, not when the
 * package is, so an application that uses neither does not install them.
 */
import { packageRequire } from '../util/module-format';
import { PeerDependencyError } from './errors';

/** The path of `name`'s entry module, or PeerDependencyError when it is not installed. */
export function resolvePeer(name: string, feature: string, install: readonly string[] = [name]): string {
  try {
    return packageRequire.resolve(name);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND')
      throw new PeerDependencyError(name, feature, install, { cause: error });
    throw error;
  }
}

/**
 * `name` itself, or PeerDependencyError when it is not installed. Resolved first, so a module
 * missing inside an installed package is that package's error, not this one.
 */
export function requirePeer<T>(name: string, feature: string, install: readonly string[] = [name]): T {
  return packageRequire(resolvePeer(name, feature, install)) as T;
}
