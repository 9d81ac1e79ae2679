/**
 * Sends a signed payment-provider event to the API, as the provider would:
 *   npm run webhook -- deposit.succeeded '{"milestoneId":"ms_…","amount":120000,"currency":"EUR","reference":"dep-1"}'
 * Uses PAYMENTS_WEBHOOK_SECRET (or the dev secret) and API_URL (default http://localhost:$PORT, PORT 3000).
 * Exit 0: the API took the event; 1: it refused it or could not be reached; 2: bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { signPayload } from '../lib/webhook-signature';
import { DEV_PAYMENTS_WEBHOOK_SECRET } from '../lib/config';
import { fail, oneLine } from './fail';

async function main() {
  const [type, data, id] = process.argv.slice(2);
  if (!type || !data) fail(`usage: npm run webhook -- <type> '<data json>' [event id]`, 2);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (err) {
    fail(`webhook: the data is not JSON: ${oneLine(err)}`, 2);
  }
  const body = JSON.stringify({ id: id ?? `evt_${randomUUID()}`, type, data: parsed });
  const secret = process.env.PAYMENTS_WEBHOOK_SECRET || DEV_PAYMENTS_WEBHOOK_SECRET;
  const api = (process.env.API_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/+$/, '');
  const res = await fetch(`${api}/v1/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payment-signature': signPayload(secret, body) },
    body,
  }).catch((err: unknown) => fail(`webhook: cannot reach the API at ${api} (API_URL): ${oneLine(err)}`));
  const answer = await res.text();
  if (!res.ok) fail(`webhook: the API at ${api} refused the event: ${res.status} ${answer}`);
  console.log(res.status, answer);
}

main().catch((err: unknown) => fail(`webhook: ${oneLine(err)}`));
