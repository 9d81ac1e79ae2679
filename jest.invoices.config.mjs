// `npm run test:invoices`: Factur-X documents against independent validators (Python's factur-x, the EN 16931
// Schematron on Saxon-HE, veraPDF: JVMs that take seconds to start); kept out of `npm test` (jest.config.js).
import base from './jest.config.js';

export default { ...base, roots: ['<rootDir>/tests/invoices'], testPathIgnorePatterns: ['/node_modules/'] };
