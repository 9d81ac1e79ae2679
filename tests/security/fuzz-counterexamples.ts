import type { Role } from '../../domain/parties';

/**
 * Every counterexample the fuzz test ever found, kept as a fixed case that runs on every run, so that a random run
 * may find a new one but never the same one twice. Add each new one here, with what answers it now.
 */
export interface Counterexample {
  /** the run that found it */
  found: string;
  role: Role;
  sub: string;
  method: string;
  path: string;
  contentType?: string;
  /** latin1, so that any byte can be written */
  body?: string;
  /** the status it answers since the fix */
  expect: number;
}

export const FUZZ_COUNTEREXAMPLES: Counterexample[] = [
  // A NUL in a path parameter reached PostgreSQL, which refuses the byte: 503 (issue 9).
  { found: 'seed 64302776', role: 'platform', sub: 'plat-1', method: 'POST', path: '/v1/refunds/%00/retry', body: '\u0000', expect: 400 },
  { found: 'seed -1257290580', role: 'platform', sub: 'plat-1', method: 'POST', path: '/v1/refunds/%00/retry', expect: 400 },
  { found: 'seed -2067892665', role: 'platform', sub: 'plat-1', method: 'POST', path: '/v1/refunds/%00/retry', contentType: 'application/json', body: '{"zz_a":true}', expect: 400 },
];
