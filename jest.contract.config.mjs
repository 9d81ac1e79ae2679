// `npm run test:contract`: schemathesis against the real system, one run per role; kept out of `npm test` (jest.config.js).
import base from './jest.config.js';

export default { ...base, roots: ['<rootDir>/tests/contract'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 300000 };
