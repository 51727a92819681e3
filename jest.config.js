/**
 * The whole suite runs twice (SPEC §8: behaviour is identical with and without generated code):
 *  - `runtime`: metadata by inspection (no generated file imported);
 *  - `generated`: every test file first imports examples/generated/abstractions.generated.ts
 *    (npm run codegen), so entity classes described there use generated metadata and registered
 *    functions the generated signatures. Classes no spec fits (test-local variants, excluded
 *    files) fall back to runtime metadata, as in any program.
 * `npx jest --selectProjects runtime` (or `generated`) runs one mode.
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

module.exports = {
  projects: [
    // `globals.__METADATA_MODE__` tells test/codegen/metadata-mode.test.ts which mode to assert.
    { ...common, displayName: 'runtime', globals: { __METADATA_MODE__: 'runtime' } },
    {
      ...common,
      displayName: 'generated',
      globals: { __METADATA_MODE__: 'generated' },
      setupFiles: ['<rootDir>/examples/generated/abstractions.generated.ts'],
    },
  ],
};
