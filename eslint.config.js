// The lint gate (`npm run lint`): typed typescript-eslint rules, the dashboard's Vue rules, and the
// package boundaries (common <- core <- {ingester, sinks, query} <- cli; web -> common only).
// Formatting belongs to Prettier, so every rule that would argue with it is off (eslint-config-prettier, last).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The packages that run a role (cli/ wires them all): none may import another.
const ROLE_PACKAGES = ['ingester', 'sinks', 'query', 'cli'];

// Only a package's entry is public; the named entries a package declares in its `exports` are the
// exception: `@logflow/core/db-schema` (drizzle-kit reads it) and `@logflow/<pkg>/testing`.
const NO_DEEP_IMPORT = {
  regex: '^@logflow/(?!core/db-schema$)(?![^/]+/testing$)[^/]+/.+',
  message: "Import the package's entry (`@logflow/<pkg>`), not a file inside it.",
};
// A relative path into another package's sources skips its entry just like a deep import does.
const NO_RELATIVE_INTO_PACKAGE = {
  regex: '^\\.{1,2}/(.*/)?(common|core|ingester|sinks|query|web)/src(/|$)',
  message: 'Import the package by name (`@logflow/<pkg>`), not by a relative path into its sources.',
};
const forbidPackages = (packages, why) => ({
  regex: `^@logflow/(${packages.join('|')})(/|$)`,
  message: why,
});
// no-restricted-imports is configured once per file (a later block replaces, not merges, the
// options), so every folder's block lists the shared patterns too.
const boundaries = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: [NO_DEEP_IMPORT, NO_RELATIVE_INTO_PACKAGE, ...patterns] }],
});
const roleBoundaries = (self, ...patterns) =>
  boundaries(
    forbidPackages([...ROLE_PACKAGES.filter((p) => p !== self), 'web'], 'A role imports only @logflow/core and @logflow/common; move what two roles share into core (or common).'),
    ...patterns,
  );
// sinks/ holds three roles (es-sink, pg-sink, reconciler) that share modules of the package; the
// module that starts a role is imported by the package entry only, never by another role's code.
const NO_SINK_ROLE_MODULE = {
  regex: '^\\.{1,2}/(.*/)?(es-sink|pg-sink|reconciler)\\.ts$',
  message: "A role's start module is imported by the package entry only; move what the roles share into a module of its own.",
};

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', 'web/dist/', 'migrations/', 'stack/data/', 'test-results/', 'test/screenshots/', '.scratch/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          // JavaScript outside any tsconfig (the .mjs launchers in cli/, the engine stack, this file)
          // gets an inferred project. The globs may not hold `**`: one folder deep is what there is.
          allowDefaultProject: ['*.js', '*.mjs', '*/*.js', '*/*.mjs'],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 30,
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Named in the issue: a promise nobody awaits loses its error; a promise where a callback
      // returning void is expected (an event listener, setInterval) does too.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A `let` read in a closure before its one assignment (a metric reading an object built
      // after it) cannot be a const: the closure would meet the temporal dead zone.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Off: an async function with no await is how this code meets a promise contract: fastify
      // treats a non-async hook as callback-style (it waits for `done`), and fakes of kafkajs,
      // Elasticsearch or Redis clients implement async methods. A forgotten await is caught by
      // no-floating-promises instead.
      '@typescript-eslint/require-await': 'off',
      // URLSearchParams prints as the query string it holds; that is what the URLs here want.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            // Node's globals are declared in @types/node's url module.
            { from: 'package', package: 'url', name: ['URL', 'URLSearchParams'] },
          ],
        },
      ],
    },
  },
  {
    // Tests read the services' JSON answers (`await res.json()` is `any`) and assert on them with
    // expect, which is their type check; typing every answer would only restate the assertions.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript: its types are inferred, so the rules about `any` only repeat that.
    files: ['**/*.mjs', '**/*.js'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // The dashboard: Vue single-file components with TypeScript in <script setup lang="ts">.
  ...vue.configs['flat/recommended'].map((config) => ({ ...config, files: ['web/src/**/*.vue'] })),
  {
    files: ['web/src/**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], projectService: true },
    },
  },
  {
    files: ['web/src/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // Package boundaries (LAYOUT17: common <- core <- {ingester, sinks, query} <- cli; web -> common only).
  { files: ['**/*.{ts,mts,mjs,js,vue}'], rules: boundaries() },
  {
    files: ['common/**/*.ts'],
    rules: boundaries(
      forbidPackages(['[^/]+'], '@logflow/common is the bottom: it imports no other @logflow package.'),
      {
        regex: '^node:',
        message: '@logflow/common runs in the browser too: no Node built-ins.',
      },
      {
        regex: `^(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$)`,
        message: '@logflow/common runs in the browser too: no Node built-ins.',
      },
    ),
  },
  {
    files: ['core/**/*.ts'],
    rules: boundaries(forbidPackages([...ROLE_PACKAGES, 'web'], '@logflow/core is the bottom of the server side: it imports no role and not the dashboard.')),
  },
  // cli/ is the wiring place: it takes every package's entry, so only the shared rules apply there.
  ...['ingester', 'query'].map((role) => ({ files: [`${role}/**/*.ts`], rules: roleBoundaries(role) })),
  { files: ['sinks/**/*.ts'], rules: roleBoundaries('sinks', NO_SINK_ROLE_MODULE) },
  { files: ['sinks/src/index.ts'], rules: roleBoundaries('sinks') },
  {
    files: ['web/src/**/*.{ts,vue}'],
    rules: boundaries({
      regex: '^@logflow/(?!common$)',
      message: 'The dashboard imports only @logflow/common (browser-safe); never a server package.',
    }),
  },

  prettier,
);
