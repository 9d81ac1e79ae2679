// `npm run test:chaos` (with the chaos harness's CI-sized run, scripts/chaos): tests/chaos, where each crash window
// of issue 12 is opened on purpose — claims of killed API processes, outages of PostgreSQL and Temporal, processes
// started before their dependencies. Kept out of `npm test` (jest.config.js) for its time budget; run by CI.
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/tests/chaos/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/helpers/chaos-global-setup.ts',
};
