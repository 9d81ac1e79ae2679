// `npm run test:deep`: tests/deep (the hostile-growth bound, a worker killed mid-call to Stripe, the OpenAPI linter's
// own checks), the property and fuzz tests at 12.5 and 15 times their default size, and the system with encrypted
// payloads; kept out of `npm test` (jest.config.js) for its time budget, run by CI.
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/contract/', '<rootDir>/tests/chaos/'],
  testMatch: [
    '<rootDir>/tests/deep/**/*.test.ts', '<rootDir>/tests/property/**/*.test.ts', '<rootDir>/tests/security/fuzz.test.ts',
    '<rootDir>/tests/api/private-payloads.test.ts',
  ],
};
