/**
 * What differs between the package's two builds (package.json `exports`): this file is the
 * CommonJS build's; the ES module build (scripts/build.mjs) compiles another text in its place,
 * since an ES module has no `require`. Nothing else in src/ depends on the module format.
 */

/** Which build this copy of the package is. */
export const BUILD_FORMAT: 'commonjs' | 'esm' = 'commonjs';

/**
 * `require` as seen from this package: what it loads only when asked (its SQLite driver, the
 * optional peer dependencies) and the drivers its writer threads load by path are resolved from
 * the package's own location, as its static imports are.
 */
export const packageRequire: NodeJS.Require = require;
