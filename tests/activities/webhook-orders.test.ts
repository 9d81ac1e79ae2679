import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../dev/free-port';
import { startOrdersInbox, type OrdersInbox } from '../../dev/orders-inbox';
import type { PayoutOrder, RefundOrder } from '../../domain/payment-provider';
import { sandboxProvider } from '../../lib/payment-providers/sandbox';
import { webhookOrdersProvider } from '../../lib/payment-providers/webhook-orders';
import { uniq } from '../helpers/fixtures';

/** The webhook rail against a real HTTP inbox that checks signatures as the provider would. */
const SECRET = 'orders-test-secret-0123456789';
let inbox: OrdersInbox;
beforeAll(async () => {
  inbox = await startOrdersInbox({ secret: SECRET });
});
afterAll(() => inbox.close());

const rail = () => webhookOrdersProvider({ ordersUrl: inbox.url, secret: SECRET });
const hash24 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 24);
const payout = (): PayoutOrder => ({
  idempotencyKey: `payout:${uniq('pr')}:1`, beneficiaryId: 'p-1', amount: 9000, currency: 'EUR', reference: uniq('pr'), milestoneId: uniq('ms'),
});
const refund = (): RefundOrder => ({
  idempotencyKey: `${uniq('rf')}:1`, beneficiaryId: 'c-1', amount: 2500, currency: 'EUR', reference: uniq('rf'), milestoneId: uniq('ms'),
});
const deliveriesOf = (key: string) => inbox.deliveries.filter((d) => d.idempotencyKey === key).map((d) => d.status);

test('a payout is a signed order with its Idempotency-Key; accepted, it is pending under the id its events will carry', async () => {
  const order = payout();
  const receipt = await rail().payout(order);
  const payoutId = `po_${hash24(order.idempotencyKey)}`;
  expect(receipt).toEqual({ id: payoutId, status: 'pending' });
  expect(deliveriesOf(order.idempotencyKey)).toEqual([200]);
  expect(inbox.orders.filter((o) => o.idempotencyKey === order.idempotencyKey)).toEqual([
    {
      id: order.idempotencyKey,
      type: 'payout.order',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { payoutId, beneficiaryId: 'p-1', amount: 9000, currency: 'EUR', reference: order.reference, milestoneId: order.milestoneId },
      idempotencyKey: order.idempotencyKey,
      receivedAt: expect.any(String),
    },
  ]);
  const listed = (await (await fetch(inbox.url)).json()) as { idempotencyKey: string }[];
  expect(listed.filter((o) => o.idempotencyKey === order.idempotencyKey)).toHaveLength(1);
});

test('a refund is a signed order under our refund id', async () => {
  const order = refund();
  expect(await rail().refund(order)).toEqual({ id: order.reference, status: 'pending' });
  const [received] = inbox.orders.filter((o) => o.idempotencyKey === order.idempotencyKey);
  expect(received).toMatchObject({
    id: order.idempotencyKey,
    type: 'refund.order',
    data: { refundId: order.reference, beneficiaryId: 'c-1', amount: 2500, currency: 'EUR', milestoneId: order.milestoneId },
  });
});

test('a refusal throws with the status and the answer; the retry sends the same key and the provider keeps one order', async () => {
  const order = payout();
  inbox.failNext(1);
  await expect(rail().payout(order)).rejects.toThrow(`payout.order ${order.idempotencyKey}: payment orders endpoint answered 503: {"error":"unavailable (told to fail)"}`);
  const first = await rail().payout(order);
  const again = await rail().payout(order);
  expect(again).toEqual(first);
  expect(deliveriesOf(order.idempotencyKey)).toEqual([503, 200, 200]);
  expect(inbox.orders.filter((o) => o.idempotencyKey === order.idempotencyKey)).toHaveLength(1);
});

test('an order signed with another secret is refused 401 and throws', async () => {
  const order = refund();
  const wrong = webhookOrdersProvider({ ordersUrl: inbox.url, secret: 'another-secret-0123456789' });
  await expect(wrong.refund(order)).rejects.toThrow(/answered 401: \{"error":"bad signature"\}/);
  expect(inbox.orders.some((o) => o.idempotencyKey === order.idempotencyKey)).toBe(false);
});

test('an endpoint that cannot be reached, or does not answer in time, throws', async () => {
  const closed = `http://127.0.0.1:${await freePort()}/orders`;
  await expect(webhookOrdersProvider({ ordersUrl: closed, secret: SECRET }).payout(payout())).rejects.toThrow(
    new RegExp(`payment orders endpoint ${closed} not reached: fetch failed: connect ECONNREFUSED`),
  );
  const silent: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/orders`;
    await expect(webhookOrdersProvider({ ordersUrl: url, secret: SECRET, timeoutMs: 200 }).payout(payout())).rejects.toThrow(/not reached: no answer in time/);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('the generic rails need no onboarding and pay deposits by reference; the sandbox confirms at once', async () => {
  for (const provider of [rail(), sandboxProvider()]) {
    expect(provider.needsOnboarding).toBe(false);
    expect(await provider.depositInstructions({ projectId: 'prj_1', milestoneId: 'ms_1', amount: 10300, currency: 'EUR', idempotencyKey: 'dep:1' })).toEqual({
      provider: provider.rail, reference: 'ms_1', amount: 10300, currency: 'EUR',
    });
  }
  expect(await rail().openPayoutAccount({ providerId: 'p-1', email: 'p@x.test' })).toEqual({ accountId: 'p-1', onboardingUrl: null, payoutsEnabled: true });
  const sandbox = sandboxProvider();
  expect(await sandbox.openPayoutAccount({ providerId: 'p-1', email: 'p@x.test' })).toEqual({ accountId: 'acct_sbx_p-1', onboardingUrl: null, payoutsEnabled: true });
  const order = payout();
  expect(await sandbox.payout(order)).toEqual({ id: `po_sbx_${hash24(order.idempotencyKey)}`, status: 'paid' });
  const back = refund();
  expect(await sandbox.refund(back)).toEqual({ id: back.reference, status: 'paid' });
});
