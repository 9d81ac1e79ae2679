/**
 * Sends a Stripe event to the API, signed as Stripe signs it (Stripe-Signature), for the walk-through on stripe-mock,
 * which sends no events itself:
 *   npm run stripe:event -- payment_intent.succeeded '{"id":"pi_…","object":"payment_intent","amount_received":123600,…}'
 *   npm run stripe:event -- payout.paid '{"id":"po_…","object":"payout"}' acct_…   (a Connect event: its account)
 * Signs with STRIPE_WEBHOOK_SECRET, or STRIPE_CONNECT_WEBHOOK_SECRET for a Connect event (defaults: npm start's dev
 * secret); API_URL as for `npm run webhook`. Exit 0: the API took the event; 1: it refused it or was not reached; 2: bad arguments.
 */
import { signedStripeEvent } from '../dev/stripe-events';
import { DEV_STRIPE_WEBHOOK_SECRET } from '../dev/stripe-mock';
import { fail, oneLine } from './fail';

async function main() {
  const [type, object, account] = process.argv.slice(2);
  if (!type || !object) fail(`usage: npm run stripe:event -- <type> '<data.object json>' [connected account id]`, 2);
  let parsed: unknown;
  try {
    parsed = JSON.parse(object);
  } catch (err) {
    fail(`stripe:event: the object is not JSON: ${oneLine(err)}`, 2);
  }
  const accountSecret = process.env.STRIPE_WEBHOOK_SECRET || DEV_STRIPE_WEBHOOK_SECRET;
  const secret = account ? process.env.STRIPE_CONNECT_WEBHOOK_SECRET || accountSecret : accountSecret;
  const { payload, signature } = signedStripeEvent(type, parsed, { secret, account });
  const api = (process.env.API_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/+$/, '');
  const res = await fetch(`${api}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  }).catch((err: unknown) => fail(`stripe:event: cannot reach the API at ${api} (API_URL): ${oneLine(err)}`));
  const answer = await res.text();
  if (!res.ok) fail(`stripe:event: the API at ${api} refused the event: ${res.status} ${answer}`);
  console.log(res.status, answer);
}

main().catch((err: unknown) => fail(`stripe:event: ${oneLine(err)}`));
