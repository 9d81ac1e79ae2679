/** Real servers (PostgreSQL, Temporal, SMTP) back every test: run them in band on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // heavier suites have their own scripts: `npm run test:browser`, `test:contract`, `test:deep`, `test:chaos`, `test:cluster`,
  // `test:invoices` (jest.browser.config.mjs, jest.contract.config.mjs, jest.deep.config.mjs, jest.chaos.config.mjs, …)
  // the longest sweeps (property and fuzz tests, the authorisation matrix, hardening, the FAQ story, the encrypted-payload
  // system) run in `test:deep` only, which CI runs too: `npm test` keeps its five-minute budget
  testPathIgnorePatterns: [
    '/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/contract/', '<rootDir>/tests/deep/', '<rootDir>/tests/chaos/',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads this file as CommonJS
    '<rootDir>/tests/cluster/', '<rootDir>/tests/invoices/', ...require('./jest.deep-only.js'),
  ],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/helpers/quiet-sdk-logs.ts'],
  testTimeout: 60000,
};
