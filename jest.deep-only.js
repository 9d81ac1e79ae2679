/** Test files run by `npm run test:deep` only (jest.deep.config.mjs), kept out of `npm test` (jest.config.js) for its time budget. */
module.exports = [
  '<rootDir>/tests/property/',
  '<rootDir>/tests/security/fuzz.test.ts',
  '<rootDir>/tests/security/authorization-matrix.test.ts',
  '<rootDir>/tests/security/authorization-matrix-jwks.test.ts',
  '<rootDir>/tests/security/hardening.test.ts',
  '<rootDir>/tests/e2e/faq-story.test.ts',
  '<rootDir>/tests/api/private-payloads.test.ts',
];
