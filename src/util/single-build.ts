/**
 * One build of the package per process. The package ships a CommonJS and an ES module build;
 * a program that `import`s it in one place and `require`s it in another would load both, and
 * each copy has its own entity classes (`instanceof Entity` fails across them), class registry,
 * default registries and event bus. Sharing the registries cannot make the two sets of classes
 * one, so the second build loaded throws instead of splitting the program's state silently.
 * The modules where that state starts (the class registry, the default event bus) import this
 * one, so it is in every program and bundle that uses the package (package.json `sideEffects`).
 */
import { AbstractionsError } from '../errors';
import { BUILD_FORMAT } from './module-format';

/** The first build loaded in this process, on `globalThis` under a key every copy shares. */
export const LOADED_BUILD = Symbol.for('abstractions-ts.build');

const DESCRIPTION = { commonjs: 'CommonJS build (require)', esm: 'ES module build (import)' } as const;

/** The package's other build was loaded first in this process (see the module comment). */
export class DualPackageError extends AbstractionsError {
  constructor(
    readonly loaded: 'commonjs' | 'esm',
    readonly loading: 'commonjs' | 'esm',
  ) {
    super(
      `abstractions-ts: its ${DESCRIPTION[loading]} is being loaded after its ${DESCRIPTION[loaded]} in this ` +
        `process; two copies would keep separate entity classes, registries and event buses. Load the ` +
        `package one way throughout (all import or all require, including generated files and bundles)`,
    );
  }
}

/** Records `format` as the process's build of the package, or throws if the other one is. */
export function claimBuild(
  format: 'commonjs' | 'esm',
  scope: Record<symbol, unknown> = globalThis as unknown as Record<symbol, unknown>,
): void {
  const loaded = scope[LOADED_BUILD];
  if (loaded === undefined) scope[LOADED_BUILD] = format;
  else if (loaded !== format) throw new DualPackageError(loaded as 'commonjs' | 'esm', format);
}

claimBuild(BUILD_FORMAT);
