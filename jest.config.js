/**
 * The whole suite runs twice (SPEC §8: behaviour is identical with and without generated code):
 *  - `runtime`: metadata by inspection (no generated file imported);
 *  - `generated`: every test file first imports examples/generated/abstractions.generated.ts
 *    (npm run codegen), so entity classes described there use generated metadata and registered
 *    functions the generated signatures. Classes no spec fits (test-local variants, excluded
 *    files) fall back to runtime metadata, as in any program.
 *  - `sqlite` and `sqlite-generated`: the same two metadata modes with every registry created
 *    without a `store` option over an SQLite store in a temporary file, each checked after every
 *    test by reopening its file (test/support/store-mode.ts; README "Durable history"); `sqlite`
 *    writes on the writer thread, `sqlite-generated` inline (`__SQLITE_WRITER__`) and with no
 *    cache of stored versions (`__SQLITE_CACHE__`: whatever the test does not hold is read back
 *    from the rows). Test
 *    files where the store means nothing (no registry: codegen, tooling, pure unit tests) and the
 *    SQLite store's own tests are left out there (`STORE_FREE`), and so is the fuzz test (over
 *    SQLite it takes about a minute longer per project): `SQLITE_FUZZ=1` runs it there too. The
 *    property tests run fewer cases there (the setup file sets PROP_RUNS).
 *  - `postgres`: the same over PostgreSQL (SPEC §13; each registry in a schema of its own in
 *    $DATABASE_URL's database, reopened and compared after each test like the SQLite ones), when
 *    the server answers (see `services` below). The property tests are left out there too: each
 *    run makes a registry, and each registry over PostgreSQL is a writer thread and two connections.
 *  - `tc39`: test/decorators/ only, compiled with standard decorators (see below).
 * `npx jest --selectProjects runtime` (or `generated`, `sqlite`, `sqlite-generated`, `postgres`) runs one
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
  '<rootDir>/test/scale-out/',
  '<rootDir>/test/address/parse\\.test\\.ts$',
  '<rootDir>/test/callable/(binding-plan|result-shape|type-spec)\\.test\\.ts$',
  '<rootDir>/test/decorators/(class-fields|types)\\.test\\.ts$',
  '<rootDir>/test/events/(cascade|event-bus|event|glob|history|operation|operators|subscriber-errors|types)\\.test\\.ts$',
  '<rootDir>/test/serialize/(class-names|depth)\\.test\\.ts$',
  '<rootDir>/test/store/(memory-budget|version-store|working-tree)\\.test\\.ts$',
  '<rootDir>/test/store/child-lineage\\.test\\.ts$', // runs itself over memory and over an SQLite file
  '<rootDir>/test/viz/mermaid-text\\.test\\.ts$',
];
/**
 * Test files whose entity classes a durable store cannot hold: test/viz/fixtures.ts declares a
 * second `GridMap` (the example's type name) on purpose (test/codegen/metadata-mode.test.ts), and
 * rows name a class by its type name only, so a store refuses to write either (fail-stop, naming
 * the name) and these tests, which read their versions back, cannot run over one.
 */
const TYPE_NAME_COLLISION = ['<rootDir>/test/viz/(diff|lineage|tree)-to-mermaid\\.test\\.ts$'];
/**
 * Test files that load the library themselves (a fresh copy per docs/guide snippet; the packed
 * package in consumer projects): the metadata mode and the store mode a project sets up never
 * reach them, so they run once, in `runtime`.
 */
const RUNTIME_ONLY = ['<rootDir>/test/docs/guide-snippets\\.test\\.ts$', '<rootDir>/test/packaging/'];
/** Not run in the SQLite modes: `STORE_FREE`, the above, and the fuzz test unless SQLITE_FUZZ is set. */
const NOT_OVER_SQLITE = [
  '/node_modules/',
  ...STORE_FREE,
  ...TYPE_NAME_COLLISION,
  ...RUNTIME_ONLY,
  ...(process.env.SQLITE_FUZZ ? [] : ['<rootDir>/test/fuzz/']),
];
const GENERATED = '<rootDir>/examples/generated/abstractions.generated.ts';
const STORE_MODE = '<rootDir>/test/support/store-mode.ts';

/**
 * The local services (SPEC §13): PostgreSQL ($DATABASE_URL, default postgres://127.0.0.1:5432/test)
 * and NATS ($NATS_URL, default nats://127.0.0.1:4222). Suites that need one run only where it
 * answers; otherwise they are left out, with one line saying which and how to run them, unless
 * ABSTRACTIONS_REQUIRE_SERVICES=1 (set by .ci/run), which makes a missing service an error.
 */
const services = require('./test/support/services.js');
const missing = services.missingServices();
if (missing.length > 0) {
  const text =
    `services not reachable: ${missing.map((m) => `${m.name} at ${m.url}`).join(', ')}; ` +
    `skipping ${missing.map((m) => m.suites).join(' and ')} ` +
    `(start the services, or set ${missing.map((m) => m.variable).join(' / ')}; .ci/run requires them)`;
  if (process.env.ABSTRACTIONS_REQUIRE_SERVICES === '1') throw new Error(text);
  process.stderr.write(`${text}\n`);
}
const NEEDS = services.suitesNeeding(missing);

module.exports = {
  projects: [
    // `globals.__METADATA_MODE__` tells test/codegen/metadata-mode.test.ts which mode to assert.
    {
      ...common,
      displayName: 'runtime',
      globals: { __METADATA_MODE__: 'runtime' },
      testPathIgnorePatterns: ['/node_modules/', ...NEEDS],
    },
    {
      ...common,
      displayName: 'generated',
      globals: { __METADATA_MODE__: 'generated' },
      setupFiles: [GENERATED],
      // The scale-out suites and the JetStream transport test processes and services, not
      // metadata: once, in `runtime`.
      testPathIgnorePatterns: [
        '/node_modules/',
        ...NEEDS,
        ...RUNTIME_ONLY,
        '<rootDir>/test/scale-out/',
        '<rootDir>/test/durable/nats-',
      ],
    },
    {
      ...common,
      displayName: 'sqlite',
      globals: { __METADATA_MODE__: 'runtime', __SQLITE_WRITER__: 'thread' },
      testPathIgnorePatterns: NOT_OVER_SQLITE,
      setupFilesAfterEnv: [STORE_MODE],
    },
    {
      ...common,
      displayName: 'sqlite-generated',
      globals: { __METADATA_MODE__: 'generated', __SQLITE_WRITER__: 'inline', __SQLITE_CACHE__: 0 },
      testPathIgnorePatterns: NOT_OVER_SQLITE,
      setupFiles: [GENERATED],
      setupFilesAfterEnv: [STORE_MODE],
    },
    // Standard (TC39) decorators: the decorator tests compiled with tsconfig.tc39.json (no
    // experimentalDecorators, no emitDecoratorMetadata), the library as built (tsconfig.json).
    // The other projects run the same files with experimentalDecorators.
    {
      ...common,
      displayName: 'tc39',
      globals: { __METADATA_MODE__: 'runtime', __DECORATORS__: 'standard' },
      testMatch: ['<rootDir>/test/decorators/**/*.test.ts'],
      transform: { '/test/decorators/.+\\.ts$': '<rootDir>/test/decorators/tc39-transform.js', ...common.transform },
    },
    // PostgreSQL: the runtime metadata mode, the default cache, reads through the writer thread.
    ...(missing.some((m) => m.name === 'PostgreSQL')
      ? []
      : [
          {
            ...common,
            displayName: 'postgres',
            globals: { __METADATA_MODE__: 'runtime', __STORE_ENGINE__: 'postgres' },
            testPathIgnorePatterns: [...NOT_OVER_SQLITE, '<rootDir>/test/property/'],
            setupFilesAfterEnv: [STORE_MODE],
          },
        ]),
  ],
};
