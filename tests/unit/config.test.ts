import { ConfigError, DEV_AUTH_JWT_SECRET, DEV_PLATFORM, loadConfig } from '../../lib/config';
import { PRODUCTION_IDENTITY } from '../helpers/fixtures';

const base = { DATABASE_URL: 'postgres://x/y' };
const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const production = { ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: 'p'.repeat(40), PAYMENTS_WEBHOOK_SECRET: 'w'.repeat(40), PAYLOAD_ENCRYPTION_KEYS: KEYS, ...PRODUCTION_IDENTITY };
const ORDERS = 'https://psp.example/orders';
const JWKS = 'https://id.example/realms/escrow/protocol/openid-connect/certs';

/** The ConfigError loadConfig throws for `env`; its message must be one line. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { message } = err as ConfigError;
    expect(message).not.toMatch(/\n/);
    return message;
  }
  throw new Error('the settings were accepted');
}

test('the rail: sandbox by default, or the one PAYMENT_PROVIDER names; no warnings', () => {
  expect(loadConfig(base)).toMatchObject({ PAYMENT_PROVIDER: 'sandbox', warnings: [] });
  expect(loadConfig({ ...base, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS })).toMatchObject({ PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS, warnings: [] });
  expect(loadConfig(base)).not.toHaveProperty('PAYOUT_GATEWAY');
  expect(refusal({ ...base, PAYMENT_PROVIDER: 'bank' })).toMatch(/^invalid settings: PAYMENT_PROVIDER: /);
});

test('the deprecated alias PAYOUT_GATEWAY still chooses the rail, with a warning; contradicting PAYMENT_PROVIDER is an error', () => {
  const aliased = loadConfig({ ...base, PAYOUT_GATEWAY: 'webhook', PAYMENT_ORDERS_URL: ORDERS });
  expect(aliased.PAYMENT_PROVIDER).toBe('webhook');
  expect(aliased).not.toHaveProperty('PAYOUT_GATEWAY');
  expect(aliased.warnings).toEqual(['PAYOUT_GATEWAY is deprecated: set PAYMENT_PROVIDER=webhook instead']);
  expect(loadConfig({ ...base, PAYOUT_GATEWAY: 'sandbox', PAYMENT_PROVIDER: 'sandbox' }).warnings).toEqual(['PAYOUT_GATEWAY is deprecated: unset it']);
  expect(refusal({ ...base, PAYOUT_GATEWAY: 'sandbox', PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS })).toBe(
    'invalid settings: PAYOUT_GATEWAY: sandbox contradicts PAYMENT_PROVIDER=webhook (it is its deprecated alias: unset it)',
  );
  expect(refusal({ ...base, PAYOUT_GATEWAY: 'stripe' })).toMatch(/^invalid settings: PAYOUT_GATEWAY: /);
});

test('the webhook rail needs PAYMENT_ORDERS_URL, an http(s) URL, in every environment', () => {
  const missing = 'invalid settings: PAYMENT_ORDERS_URL: required with PAYMENT_PROVIDER=webhook, which sends its payout and refund orders there';
  expect(refusal({ ...base, PAYMENT_PROVIDER: 'webhook' })).toBe(missing);
  expect(refusal({ ...base, PAYOUT_GATEWAY: 'webhook' })).toBe(missing);
  expect(refusal({ ...production, PAYMENT_PROVIDER: 'webhook' })).toBe(missing);
  expect(refusal({ ...base, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: 'ftp://psp.example/orders' })).toBe('invalid settings: PAYMENT_ORDERS_URL: an http(s) URL');
});

test('every bad variable is named, on one line', () => {
  expect(refusal({ ...base, PAYOUT_DELAY: 'soon', PORT: 'x', PAYMENT_PROVIDER: 'webhook' })).toMatch(
    /^invalid settings: PORT: [^;]+; PAYOUT_DELAY: invalid duration[^;]*; PAYMENT_ORDERS_URL: required with PAYMENT_PROVIDER=webhook/,
  );
});

test('the stripe rail: the secret key and webhook secret are required; the Connect secret defaults to the webhook one', () => {
  expect(refusal({ ...base, PAYMENT_PROVIDER: 'stripe' })).toBe(
    'invalid settings: STRIPE_SECRET_KEY: required with PAYMENT_PROVIDER=stripe; STRIPE_WEBHOOK_SECRET: required with PAYMENT_PROVIDER=stripe',
  );
  const stripe = { ...base, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' };
  expect(loadConfig(stripe)).toMatchObject({
    PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_1', PLATFORM_URL: 'http://localhost:3000',
  });
  expect(loadConfig(stripe).STRIPE_API_URL).toBeUndefined();
  const custom = { ...stripe, STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_2', STRIPE_API_URL: 'http://127.0.0.1:12111', PLATFORM_URL: 'https://app.example' };
  expect(loadConfig(custom)).toMatchObject({ STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_2', STRIPE_API_URL: 'http://127.0.0.1:12111', PLATFORM_URL: 'https://app.example' });
  expect(refusal({ ...stripe, STRIPE_API_URL: 'stripe-mock' })).toBe('invalid settings: STRIPE_API_URL: an http(s) URL');
});

test('production refuses the sandbox rail, chosen or by default, in one line naming it', () => {
  const named = (variable: string) => `${variable} confirms payments by itself: refused with NODE_ENV=production; set PAYMENT_PROVIDER=stripe or webhook`;
  expect(refusal(production)).toBe(named('PAYMENT_PROVIDER=sandbox (the default)'));
  expect(refusal({ ...production, PAYMENT_PROVIDER: 'sandbox' })).toBe(named('PAYMENT_PROVIDER=sandbox'));
  expect(refusal({ ...production, PAYOUT_GATEWAY: 'sandbox' })).toBe(named('PAYOUT_GATEWAY=sandbox'));
  expect(refusal({ ...base, NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: KEYS, ...PRODUCTION_IDENTITY })).toBe(
    `refusing to run in production with the dev secrets: set AUTH_JWT_SECRET and PAYMENTS_WEBHOOK_SECRET; ${named('PAYMENT_PROVIDER=sandbox (the default)')}`,
  );
  expect(loadConfig({ ...production, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS }).PAYMENT_PROVIDER).toBe('webhook');
  expect(loadConfig({ ...production, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }).PAYMENT_PROVIDER).toBe('stripe');
});

test('payload encryption: required in production, off by default in dev, its keys read strictly', () => {
  const webhook = { ...production, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS };
  expect(loadConfig(webhook).PAYLOAD_ENCRYPTION_KEYS).toMatchObject({ currentId: 'k1' });
  expect(refusal({ ...webhook, PAYLOAD_ENCRYPTION_KEYS: undefined })).toMatch(/^PAYLOAD_ENCRYPTION_KEYS unset: refused with NODE_ENV=production/);
  expect(loadConfig(base).PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
  expect(refusal({ ...base, PAYLOAD_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toMatch(/PAYLOAD_ENCRYPTION_KEYS.*key k1 has 5 bytes, AES-256 takes 32/);
  expect(loadConfig({ ...base, CODEC_CORS_ORIGINS: 'https://temporal.example, http://localhost:8233' }).CODEC_CORS_ORIGINS).toEqual(['https://temporal.example', 'http://localhost:8233']);
});

test("the platform's legal identity: fictitious dev defaults, refused in production; SIREN and VAT number checked", () => {
  const webhook = { ...production, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS };
  expect(loadConfig(base)).toMatchObject({
    PLATFORM_LEGAL_NAME: DEV_PLATFORM.PLATFORM_LEGAL_NAME,
    PLATFORM_ADDRESS: { line: '1 rue de la Démonstration', postcode: '75002', city: 'Paris', country: 'FR' },
    PLATFORM_SIREN: '123456782',
    VAT_RATE: 0.2,
  });
  expect(refusal({ ...webhook, PLATFORM_SIREN: undefined, PLATFORM_ADDRESS: DEV_PLATFORM.PLATFORM_ADDRESS })).toBe(
    'PLATFORM_ADDRESS, PLATFORM_SIREN unset or the dev default: refused with NODE_ENV=production, where the dev defaults would put a fictitious seller on real invoices',
  );
  expect(loadConfig(webhook).PLATFORM_ADDRESS).toEqual({ line: '10 avenue des Tests', postcode: '69002', city: 'Lyon', country: 'FR' });
  expect(refusal({ ...base, PLATFORM_SIREN: '123456789' })).toMatch(/PLATFORM_SIREN: a SIREN: 9 digits with a valid check key/);
  expect(refusal({ ...base, PLATFORM_VAT_NUMBER: 'FR12123456782' })).toMatch(/PLATFORM_VAT_NUMBER/);
  expect(refusal({ ...base, PLATFORM_ADDRESS: 'nowhere' })).toMatch(/PLATFORM_ADDRESS: "nowhere" is not an address/);
  expect(loadConfig({ ...base, PLATFORM_ADDRESS: '5 Main Street, D02 Dublin, IE' }).PLATFORM_ADDRESS).toMatchObject({ postcode: 'D02', city: 'Dublin', country: 'IE' });
});

test('tokens: HS256 with the dev secret by default; with AUTH_JWKS_URL, HS256 only if AUTH_JWT_SECRET is set too', () => {
  expect(loadConfig(base)).toMatchObject({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET, AUTH_ROLE_CLAIM: 'role', AUTH_JWKS_CACHE: 600_000, AUTH_JWKS_COOLDOWN: 30_000, AUTH_CLOCK_TOLERANCE: 30_000 });
  expect(loadConfig({ ...base, AUTH_JWKS_URL: JWKS }).AUTH_JWT_SECRET).toBeUndefined();
  expect(loadConfig({ ...base, AUTH_JWKS_URL: JWKS, AUTH_JWT_SECRET: 's'.repeat(32) }).AUTH_JWT_SECRET).toBe('s'.repeat(32));
  expect(loadConfig({ ...base, AUTH_JWT_AUDIENCE: 'escrow-api, escrow-console' }).AUTH_JWT_AUDIENCE).toEqual(['escrow-api', 'escrow-console']);
  expect(loadConfig({ ...base, AUTH_ROLE_CLAIM: 'realm_access.roles', AUTH_JWKS_CACHE: '1h', AUTH_CLOCK_TOLERANCE: '0s' })).toMatchObject({ AUTH_ROLE_CLAIM: 'realm_access.roles', AUTH_JWKS_CACHE: 3_600_000, AUTH_CLOCK_TOLERANCE: 0 });
  expect(refusal({ ...base, AUTH_JWKS_URL: 'ftp://id.example/certs', AUTH_ROLE_CLAIM: 'realm access', AUTH_JWT_AUDIENCE: ' , ' })).toMatch(
    /^invalid settings: AUTH_JWKS_URL: an http\(s\) URL; AUTH_JWT_AUDIENCE: at least one audience; AUTH_ROLE_CLAIM: a claim name or a dotted path/,
  );
  expect(refusal({ ...base, AUTH_JWKS_CACHE: '30d', AUTH_JWKS_COOLDOWN: '0s', AUTH_CLOCK_TOLERANCE: '1d' })).toBe(
    'invalid settings: AUTH_JWKS_CACHE: from 1s to 1d: a withdrawn key verifies this long; AUTH_JWKS_COOLDOWN: from 1s to 10m; AUTH_CLOCK_TOLERANCE: at most 5m: more would stretch every token',
  );
});

test('production with AUTH_JWKS_URL: issuer and audience required, https only; no shared secret needed', () => {
  const { AUTH_JWT_SECRET: _shared, ...withoutSecret } = production;
  const idp = { AUTH_JWKS_URL: JWKS, AUTH_JWT_ISSUER: 'https://id.example/realms/escrow', AUTH_JWT_AUDIENCE: 'escrow-api', PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: ORDERS };
  expect(loadConfig({ ...withoutSecret, ...idp }).AUTH_JWT_SECRET).toBeUndefined();
  expect(refusal({ ...withoutSecret, ...idp, AUTH_JWT_ISSUER: '', AUTH_JWT_AUDIENCE: '' })).toMatch(/^AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE unset: refused with AUTH_JWKS_URL and NODE_ENV=production/);
  expect(refusal({ ...withoutSecret, ...idp, AUTH_JWT_AUDIENCE: '' })).toMatch(/^AUTH_JWT_AUDIENCE unset: refused/);
  expect(refusal({ ...withoutSecret, ...idp, AUTH_JWKS_URL: 'http://id.example/certs' })).toMatch(/^AUTH_JWKS_URL: refused over plain http with NODE_ENV=production/);
  expect(refusal({ ...withoutSecret, ...idp, AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET })).toMatch(/^refusing to run in production with the dev secrets/);
});
