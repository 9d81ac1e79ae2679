/**
 * npm run ledger:check — verifies the ledger's invariants over the whole database and names the offending rows.
 * DATABASE_URL, or the embedded PostgreSQL of `npm start`. Exit 0: every cent accounted for; 1: violations; 2: error.
 */
import { checkLedger, LEDGER_RULES, ledgerSize } from '../db/ledger-check';
import { createPool } from '../db/pool';
import { fail, oneLine } from './fail';

async function main() {
  const url = process.env.DATABASE_URL || `postgres://postgres:postgres@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 5433}/escrow`;
  const db = createPool(url, 2);
  try {
    const { entries, lines } = await ledgerSize(db);
    const violations = await checkLedger(db);
    console.log(`ledger: ${entries} entries, ${lines} lines, ${LEDGER_RULES.length} rules`);
    for (const rule of LEDGER_RULES) {
      const broken = violations.filter((v) => v.rule === rule);
      console.log(`${broken.length ? 'FAIL' : 'ok  '} ${rule}`);
      for (const v of broken) console.log(`     ${v.subject}: ${v.detail}`);
    }
    process.exitCode = violations.length ? 1 : 0;
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => fail(`ledger check could not run: ${oneLine(err)}`, 2));
