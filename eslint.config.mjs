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
    // src/ is compiled to CommonJS and to ES modules (scripts/build.mjs): CommonJS's module-scope
    // names do not exist in the second. src/util/module-format.ts is the one module that differs.
    files: ['src/**/*.ts'],
    ignores: ['src/util/module-format.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['require', 'module', 'exports', '__dirname', '__filename'].map((name) => ({
          name,
          message: 'src/ is also built as ES modules, which have no such name: use src/util/module-format.ts',
        })),
      ],
    },
  },
  {
    // Tests and the benchmark load modules with require() on purpose (load order, fresh module
    // registries, lazily loaded baselines); so does the CommonJS launcher codegen/bin.js.
    files: ['test/**', 'bench/**', '**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain JavaScript (codegen/bin.js, the tool configs): Node globals, no type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
