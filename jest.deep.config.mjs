// `npm run test:deep`: the hostile-growth bound (tests/deep), and the property and fuzz tests at five and six times
// their size in `npm test`; kept out of `npm test` (jest.config.js) for its time budget, run by CI.
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/contract/'],
  testMatch: ['<rootDir>/tests/deep/**/*.test.ts', '<rootDir>/tests/property/**/*.test.ts', '<rootDir>/tests/security/fuzz.test.ts'],
};
