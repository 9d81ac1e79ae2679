import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers of the house and what each may import: every arrow points down, so no two folders import each other.
 *
 *   domain      pure: amounts, fees, ledger rules, states, parties, notices; imports nothing, not even a package
 *   lib         settings, logging, ids
 *   db          PostgreSQL: migrations, ledger, read models
 *   dev         embedded services for `npm start` and the tests
 *   workflows   deterministic workflow code: domain and the workflow SDK only. Its `contract.ts` files (messages,
 *               ids, the activities' interface) are all that the layers above may import of it
 *   activities  every I/O of the workflows: db, mail, payment provider; workflow contracts (to implement, to update)
 *   api         HTTP: workflow contracts (to start, update, query), db (read models); never activities
 *   worker      wires activities and the workflow bundle
 *   scripts     command-line tools; tests: anything
 *
 * Type-only imports count like any other.
 */
export const LAYER_ELEMENTS = ['domain', 'lib', 'db', 'dev', 'workflows', 'activities', 'api', 'worker', 'scripts', 'tests'].map(
  (type) => ({ type, pattern: `${type}/**`, partialMatch: false }),
);

export const LAYER_FILES = [{ category: 'contract', pattern: 'workflows/**/contract.ts' }];

const CONTRACTS = { element: { type: 'workflows' }, file: { categories: 'contract' } };

/** For each layer, the layers it may import; `contracts` means only the workflows' contract.ts files. */
export const LAYERS = {
  domain: [],
  lib: ['domain'],
  db: ['lib', 'domain'],
  dev: ['lib', 'domain'],
  workflows: ['domain'],
  activities: ['contracts', 'db', 'lib', 'domain'],
  api: ['contracts', 'db', 'lib', 'domain'],
  worker: ['activities', 'contracts', 'db', 'lib', 'domain'],
  scripts: ['api', 'worker', 'activities', 'contracts', 'db', 'lib', 'dev', 'domain'],
  tests: ['scripts', 'api', 'worker', 'activities', 'workflows', 'db', 'lib', 'dev', 'domain'],
};

/** Packages and Node built-ins: any for the I/O layers, the workflow SDK and its common package for workflow code, none for domain. */
const PACKAGES = {
  domain: undefined,
  // the workflow SDK, and the shared package it is built on (its UpdateDefinition type is not re-exported)
  workflows: { origin: 'external', source: ['@temporalio/workflow', '@temporalio/common'] },
};

export const LAYER_POLICIES = Object.entries(LAYERS).map(([from, layers]) => {
  const packages = from in PACKAGES ? PACKAGES[from] : { origin: ['external', 'core'] };
  return {
    from: { element: { type: from } },
    allow: {
      to: [
        { element: { type: [from, ...layers.filter((l) => l !== 'contracts')] } },
        ...(layers.includes('contracts') ? [CONTRACTS] : []),
        ...(packages ? [{ module: packages }] : []),
      ],
    },
  };
});

/** The layer rules alone: the project's config uses them, and `tests/unit/layers.test.ts` lints fixtures with them. */
export const layersConfig = {
  files: ['**/*.ts'],
  languageOptions: { parser: tseslint.parser },
  plugins: { boundaries },
  settings: {
    'boundaries/elements': LAYER_ELEMENTS,
    'boundaries/files': LAYER_FILES,
    'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
    'import/resolver': { typescript: { alwaysTryTypes: true } },
  },
  rules: {
    'boundaries/dependencies': ['error', { default: 'disallow', checkAllOrigins: true, policies: LAYER_POLICIES }],
  },
};

export default [layersConfig];
