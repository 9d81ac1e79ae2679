/**
 * Sends a signed payment-provider event to the API, as the provider would:
 *   npm run webhook -- deposit.succeeded '{"milestoneId":"ms_…","amount":120000,"currency":"EUR","reference":"dep-1"}'
 * Uses PAYMENTS_WEBHOOK_SECRET (or the dev secret) and API_URL (default http://localhost:$PORT).
 */
import { randomUUID } from 'node:crypto';
import { signPayload } from '../api/webhook-signature';
import { DEV_PAYMENTS_WEBHOOK_SECRET } from '../lib/config';

async function main() {
  const [type, data, id] = process.argv.slice(2);
  if (!type || !data) {
    console.error(`usage: npm run webhook -- <type> '<data json>' [event id]`);
    process.exit(2);
  }
  const body = JSON.stringify({ id: id ?? `evt_${randomUUID()}`, type, data: JSON.parse(data) as unknown });
  const secret = process.env.PAYMENTS_WEBHOOK_SECRET || DEV_PAYMENTS_WEBHOOK_SECRET;
  const url = `${process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`}/v1/webhooks/payments`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payment-signature': signPayload(secret, body) },
    body,
  });
  console.log(res.status, await res.text());
  process.exit(res.ok ? 0 : 1);
}
void main();
