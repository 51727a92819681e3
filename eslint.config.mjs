// @ts-check
/**
 * ESLint (flat config): `npm run lint` (with the layer check, .dependency-cruiser.cjs).
 *
 * typescript-eslint's `recommended` plus a few type-aware rules that catch real mistakes
 * (non-exhaustive switches, promises nobody awaits). Formatting is Prettier's job (`npm run
 * format:check`), not ESLint's. Generated files and the code generator's fixtures are not linted.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'docs/',
    // Generated (npm run codegen); never edited by hand.
    'examples/generated/',
    // The code generator's input projects and their golden output: their bytes and line numbers
    // are what the codegen tests compare, and some declarations are deliberately unsupported.
    'test/fixtures/',
  ]),
  {
    linterOptions: {
      // A disable comment must name a rule that is on and would fire there.
      reportUnusedDisableDirectives: 'error',
    },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A switch over a union must name every member or have a default.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    rules: {
      // The tests match column-aligned output; literal runs of spaces read better there than {4}.
      'no-regex-spaces': 'off',
    },
  },
  {
    // Tests and the benchmark load modules with require() on purpose (load order, fresh module
    // registries, lazily loaded baselines); so does the CommonJS launcher codegen/bin.js.
    files: ['test/**', 'bench/**', '**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Findings in files that were being refactored on other branches when the linter came in
    // (src/callable/, src/store/, codegen/), left untouched there to avoid conflicts: warnings
    // until fixed. Remove each entry with its fix.
    files: ['codegen/bin.js', 'src/callable/class-defaults.ts'],
    rules: { 'no-useless-assignment': 'warn' },
  },
  {
    files: ['codegen/bin.js', 'src/callable/type-check.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'warn' },
  },
  {
    // `interface FunctionSignatures {}` (augmented by generated files): its disable comment names
    // no-empty-interface, which typescript-eslint 8 replaced by no-empty-object-type.
    files: ['src/callable/signatures.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: { '@typescript-eslint/no-empty-object-type': 'warn' },
  },
  {
    files: ['src/store/lineage-index.ts'],
    rules: { '@typescript-eslint/no-this-alias': 'warn' },
  },
  {
    files: ['src/store/transaction.ts'],
    rules: { 'prefer-const': 'warn' },
  },
  {
    // Plain JavaScript (codegen/bin.js, the tool configs): Node globals, no type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
