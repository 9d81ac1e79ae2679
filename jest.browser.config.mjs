// `npm run test:browser`: the pages the API serves, in headless Chromium; kept out of `npm test` (jest.config.js).
import base from './jest.config.js';

export default { ...base, roots: ['<rootDir>/tests/browser'], testPathIgnorePatterns: ['/node_modules/'] };
