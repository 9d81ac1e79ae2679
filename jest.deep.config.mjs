// `npm run test:deep`: tests/deep (the hostile-growth bound, a worker killed mid-call to Stripe, npm start stopped by
// one SIGTERM, the OpenAPI linter's own checks), the property and fuzz tests at 12.5 and 15 times their default size, and the other sweeps listed in
// jest.deep-only.js; kept out of `npm test` (jest.config.js) for its time budget, run by CI.
import base from './jest.config.js';
import deepOnly from './jest.deep-only.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/contract/', '<rootDir>/tests/chaos/'],
  testMatch: ['<rootDir>/tests/deep/**/*.test.ts', ...deepOnly.map((p) => (p.endsWith('/') ? `${p}**/*.test.ts` : p))],
};
