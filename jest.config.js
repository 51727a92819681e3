/**
 * The whole suite runs twice (SPEC §8: behaviour is identical with and without generated code):
 *  - `runtime`: metadata by inspection (no generated file imported);
 *  - `generated`: every test file first imports examples/generated/abstractions.generated.ts
 *    (npm run codegen), so entity classes described there use generated metadata and registered
 *    functions the generated signatures. Classes no spec fits (test-local variants, excluded
 *    files) fall back to runtime metadata, as in any program.
 *  - `sqlite` and `sqlite-generated`: the same two metadata modes with every registry created
 *    without a `store` option over an SQLite store in a temporary file, each checked after every
 *    test by reopening its file (test/support/sqlite-mode.ts; README "Durable history"); `sqlite`
 *    writes on the writer thread, `sqlite-generated` inline (`__SQLITE_WRITER__`) and with no
 *    cache of stored versions (`__SQLITE_CACHE__`: whatever the test does not hold is read back
 *    from the rows). Test
 *    files where the store means nothing (no registry: codegen, tooling, pure unit tests) and the
 *    SQLite store's own tests are left out there (`STORE_FREE`), and so is the fuzz test (over
 *    SQLite it takes about a minute longer per project): `SQLITE_FUZZ=1` runs it there too. The
 *    property tests run fewer cases there (the setup file sets PROP_RUNS).
 * `npx jest --selectProjects runtime` (or `generated`, `sqlite`, `sqlite-generated`) runs one
 * mode; `--selectProjects runtime generated` the two in-memory ones.
 *
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** Test files that create no registry (or test the SQLite store directly): not run in the SQLite modes. */
const STORE_FREE = [
  '<rootDir>/test/codegen/',
  '<rootDir>/test/tooling/',
  '<rootDir>/test/util/',
  '<rootDir>/test/metadata/',
  '<rootDir>/test/durable/',
  '<rootDir>/test/address/parse\\.test\\.ts$',
  '<rootDir>/test/callable/(binding-plan|result-shape|type-spec)\\.test\\.ts$',
  '<rootDir>/test/events/(cascade|event-bus|event|glob|history|operation|operators|subscriber-errors|types)\\.test\\.ts$',
  '<rootDir>/test/serialize/(class-names|depth)\\.test\\.ts$',
  '<rootDir>/test/store/(memory-budget|version-store|working-tree)\\.test\\.ts$',
  '<rootDir>/test/viz/mermaid-text\\.test\\.ts$',
];
/**
 * Test files whose entity classes a durable store cannot hold: test/viz/fixtures.ts declares a
 * second `GridMap` (the example's type name) on purpose (test/codegen/metadata-mode.test.ts), and
 * rows name a class by its type name only, so a store refuses to write either (fail-stop, naming
 * the name) and these tests, which read their versions back, cannot run over one.
 */
const TYPE_NAME_COLLISION = ['<rootDir>/test/viz/(diff|lineage|tree)-to-mermaid\\.test\\.ts$'];
/** Not run in the SQLite modes: `STORE_FREE`, the above, and the fuzz test unless SQLITE_FUZZ is set. */
const NOT_OVER_SQLITE = [
  '/node_modules/',
  ...STORE_FREE,
  ...TYPE_NAME_COLLISION,
  ...(process.env.SQLITE_FUZZ ? [] : ['<rootDir>/test/fuzz/']),
];
const GENERATED = '<rootDir>/examples/generated/abstractions.generated.ts';
const SQLITE_MODE = '<rootDir>/test/support/sqlite-mode.ts';

module.exports = {
  projects: [
    // `globals.__METADATA_MODE__` tells test/codegen/metadata-mode.test.ts which mode to assert.
    { ...common, displayName: 'runtime', globals: { __METADATA_MODE__: 'runtime' } },
    {
      ...common,
      displayName: 'generated',
      globals: { __METADATA_MODE__: 'generated' },
      setupFiles: [GENERATED],
    },
    {
      ...common,
      displayName: 'sqlite',
      globals: { __METADATA_MODE__: 'runtime', __SQLITE_WRITER__: 'thread' },
      testPathIgnorePatterns: NOT_OVER_SQLITE,
      setupFilesAfterEnv: [SQLITE_MODE],
    },
    {
      ...common,
      displayName: 'sqlite-generated',
      globals: { __METADATA_MODE__: 'generated', __SQLITE_WRITER__: 'inline', __SQLITE_CACHE__: 0 },
      testPathIgnorePatterns: NOT_OVER_SQLITE,
      setupFiles: [GENERATED],
      setupFilesAfterEnv: [SQLITE_MODE],
    },
  ],
};
