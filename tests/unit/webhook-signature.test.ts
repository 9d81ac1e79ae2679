import { signPayload, verifySignature } from '../../lib/webhook-signature';

const secret = 'whsec-test-0123456789';
const body = Buffer.from('{"id":"evt_1"}');
const now = 1_800_000_000;

test('a fresh signature over the exact body verifies', () => {
  expect(verifySignature(secret, signPayload(secret, body, now), body, now)).toBe(true);
  expect(verifySignature(secret, signPayload(secret, body, now - 300), body, now)).toBe(true);
});

test('wrong secret, changed body, stale or future timestamp, malformed header: refused', () => {
  expect(verifySignature(secret, signPayload('other-secret-000000', body, now), body, now)).toBe(false);
  expect(verifySignature(secret, signPayload(secret, body, now), Buffer.from('{"id":"evt_2"}'), now)).toBe(false);
  expect(verifySignature(secret, signPayload(secret, body, now - 301), body, now)).toBe(false);
  expect(verifySignature(secret, signPayload(secret, body, now + 301), body, now)).toBe(false);
  for (const header of [undefined, '', 'v1=abc', `t=${now}`, `t=${now},v1=zz`, `t=abc,v1=${'0'.repeat(64)}`]) {
    expect(verifySignature(secret, header, body, now)).toBe(false);
  }
});

test('one matching v1 among several (secret rotation) verifies', () => {
  const good = signPayload(secret, body, now).split(',')[1];
  expect(verifySignature(secret, `t=${now},v1=${'0'.repeat(64)},${good}`, body, now)).toBe(true);
});
