// `npm run test:cluster`: tests/cluster, against the production topology of `npm run cluster` (the full Temporal
// server on PostgreSQL, 3 workers, 2 APIs behind a proxy). Kept out of `npm test` (jest.config.js) for its time
// budget; run by CI, followed by the chaos harness on the same topology.
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/tests/cluster/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/helpers/chaos-global-setup.ts',
};
