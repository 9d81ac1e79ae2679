import { milestoneFigures, postMovement } from '../../db/ledger';
import type { Db } from '../../db/pool';
import { freshDatabase } from '../helpers/db';
import { seedProject } from '../helpers/fixtures';

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDatabase());
});
afterAll(() => db?.end());

test('a movement posted twice with one key is one entry', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  const post = { idempotencyKey: `${milestoneId}:deposit:e1`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'deposit' as const, toEscrow: 1000, toFee: 0, excess: 0 } };
  const first = await postMovement(db, post);
  const second = await postMovement(db, post);
  expect(second).toEqual({ entryId: first.entryId, duplicate: true });
  const { rows } = await db.query('SELECT count(*)::int AS n FROM ledger_lines WHERE milestone_id = $1', [milestoneId]);
  expect(rows[0].n).toBe(2);
  expect((await milestoneFigures(db, project.id)).get(milestoneId)).toMatchObject({ deposited: 1000, released: 0, refunded: 0, inEscrow: 1000, paidOut: 0 });
});

test('figures follow the money through release, payout order and payout', async () => {
  const project = await seedProject(db, [5000]);
  const milestoneId = project.milestones[0].id;
  const post = (key: string, movement: Parameters<typeof postMovement>[1]['movement']) =>
    postMovement(db, { idempotencyKey: `${milestoneId}:${key}`, projectId: project.id, milestoneId, currency: 'EUR', movement });
  await post('d', { type: 'deposit', toEscrow: 5000, toFee: 150, excess: 250 });
  await post('r', { type: 'release', amount: 5000, commission: 500, escrowFee: 150 });
  await post('o', { type: 'payout_ordered', amount: 4500 });
  expect((await milestoneFigures(db, project.id)).get(milestoneId)).toEqual({
    deposited: 5250, released: 5000, refunded: 250, inEscrow: 0, paidOut: 0, commission: 500, escrowFee: 150, payable: 4500, refundsPending: 250,
  });
  await post('p', { type: 'payout_paid', amount: 4500 });
  expect((await milestoneFigures(db, project.id)).get(milestoneId)).toMatchObject({ paidOut: 4500, payable: 0 });
});

test('the database itself refuses an unbalanced entry and any change to posted lines', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO ledger_entries (idempotency_key, kind, project_id, milestone_id, currency) VALUES ('bad', 'deposit', $1, $2, 'EUR') RETURNING id`,
      [project.id, milestoneId],
    );
    await client.query(`INSERT INTO ledger_lines (entry_id, account, milestone_id, currency, amount) VALUES ($1, 'psp_cash', $2, 'EUR', 100), ($1, 'escrow', $2, 'EUR', -99)`, [rows[0].id, milestoneId]);
    await expect(client.query('COMMIT')).rejects.toThrow(/unbalanced/);
  } finally {
    client.release();
  }
  const { rowCount } = await db.query(`SELECT 1 FROM ledger_entries WHERE idempotency_key = 'bad'`);
  expect(rowCount).toBe(0);

  await postMovement(db, { idempotencyKey: `${milestoneId}:ok`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'deposit', toEscrow: 1000, toFee: 0, excess: 0 } });
  await expect(db.query('UPDATE ledger_lines SET amount = amount * 2 WHERE milestone_id = $1', [milestoneId])).rejects.toThrow(/append-only/);
  await expect(db.query('DELETE FROM ledger_entries WHERE milestone_id = $1', [milestoneId])).rejects.toThrow(/append-only/);
});
