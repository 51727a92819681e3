/**
 * One build of the package per process (src/util/single-build.ts): the first build loaded is
 * recorded on globalThis; loading the other one afterwards throws instead of splitting the
 * program's classes and registries. test/packaging/consumers.test.ts loads both real builds.
 */
import '../../src';
import { claimBuild, DualPackageError, LOADED_BUILD } from '../../src/util/single-build';

test('loading the package records its build (here CommonJS) on globalThis', () => {
  expect((globalThis as unknown as Record<symbol, unknown>)[LOADED_BUILD]).toBe('commonjs');
});

test('the same build loaded again (a fresh module registry, another install of it) is accepted', () => {
  const scope: Record<symbol, unknown> = {};
  claimBuild('esm', scope);
  claimBuild('esm', scope);
  expect(scope[LOADED_BUILD]).toBe('esm');
});

test('the other build loaded after it throws DualPackageError naming both, and the first stays recorded', () => {
  const scope: Record<symbol, unknown> = {};
  claimBuild('commonjs', scope);
  let error: unknown;
  try {
    claimBuild('esm', scope);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DualPackageError);
  expect(error).toMatchObject({ loaded: 'commonjs', loading: 'esm' });
  expect((error as Error).message).toMatch(
    /^abstractions-ts: its ES module build \(import\) is being loaded after its CommonJS build \(require\) in this process; .* Load the package one way throughout/,
  );
  expect(scope[LOADED_BUILD]).toBe('commonjs');
});
