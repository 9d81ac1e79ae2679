/** Real servers (PostgreSQL, Temporal, SMTP) back every test: run them in band on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // the browser suite and the contract fuzzer are heavier: `npm run test:browser`, `npm run test:contract`
  // (jest.browser.config.mjs, jest.contract.config.mjs)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/contract/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/helpers/quiet-sdk-logs.ts'],
  testTimeout: 60000,
};
