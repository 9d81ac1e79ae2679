// npm run lint: typescript-eslint's recommended type-checked rules, and the layers of the house (docs/overview.md).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { layersConfig } from './eslint.layers.mjs';

export default defineConfig(
  { ignores: ['node_modules/', '.tools/', '.data/', 'coverage/', 'tests/unit/layers-fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Response bodies read through supertest and fetch are `any` by design; the tests validate them against the
    // OpenAPI document instead of typing them.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  layersConfig,
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // the mediation console runs in the browser
    files: ['api/console/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['document', 'window', 'location', 'sessionStorage', 'fetch', 'crypto', 'FormData', 'Intl'].map((name) => [name, 'readonly'])),
    },
  },
);
