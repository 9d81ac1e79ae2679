import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { checkLedger } from '../../db/ledger-check';
import { postMovement } from '../../db/ledger';
import type { Db } from '../../db/pool';
import { freshDatabase } from '../helpers/db';
import { seedProject } from '../helpers/fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const runCli = (url: string) =>
  spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/ledger-check.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });

let db: Db;
let url: string;
beforeAll(async () => {
  ({ db, url } = await freshDatabase());
});
afterAll(() => db?.end());

test('a consistent ledger passes, and the command says so with exit 0', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  const post = (key: string, movement: Parameters<typeof postMovement>[1]['movement']) =>
    postMovement(db, { idempotencyKey: `${milestoneId}:${key}`, projectId: project.id, milestoneId, currency: 'EUR', movement });
  await post('deposit:e1', { type: 'deposit', toEscrow: 1000, toFee: 30, excess: 5 });
  await post('release:1000', { type: 'release', amount: 1000, commission: 100, escrowFee: 30 });
  expect(await checkLedger(db)).toEqual([]);
  const cli = runCli(url);
  expect(cli.status).toBe(0);
  expect(cli.stdout).toMatch(/ok {3}every entry balances/);
});

test('money released that was never deposited, or a request paid twice, is named with exit 1', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  const post = (key: string, movement: Parameters<typeof postMovement>[1]['movement']) =>
    postMovement(db, { idempotencyKey: `${milestoneId}:${key}`, projectId: project.id, milestoneId, currency: 'EUR', movement });
  await post('release:1000', { type: 'release', amount: 1000, commission: 0, escrowFee: 0 });
  await post('payout_ordered:pr_x:1', { type: 'payout_ordered', amount: 500 });
  await post('payout_paid:pr_x:1', { type: 'payout_paid', amount: 500 });
  await post('payout_paid:pr_x:2', { type: 'payout_paid', amount: 500 });
  const violations = await checkLedger(db);
  expect(violations).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ rule: 'no account goes negative', subject: `milestone ${milestoneId}, account escrow` }),
      expect.objectContaining({ rule: 'each payment request is paid out at most once', subject: 'payment request pr_x' }),
    ]),
  );
  const cli = runCli(url);
  expect(cli.status).toBe(1);
  expect(cli.stdout).toContain(`FAIL no account goes negative`);
  expect(cli.stdout).toContain(`milestone ${milestoneId}, account escrow`);
});
