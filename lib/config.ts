import { z } from 'zod';
import { PAYMENT_RAILS, type PaymentRail } from '../domain/payment-provider';
import { isPlausibleVatNumber, isValidSiren, parsePostalAddress } from '../domain/legal-identity';
import { parseDuration, parseSchedule } from './duration';
import { parseKeyring } from './payload-codec';

/** The dev secrets `npm start` prints; production mode refuses them. */
export const DEV_AUTH_JWT_SECRET = 'dev-only-auth-secret-change-me-0000000000';
export const DEV_PAYMENTS_WEBHOOK_SECRET = 'dev-only-webhook-secret-change-me-000000';
/** The platform's legal identity in development: obviously fictitious, yet valid (the SIREN passes its check key). */
export const DEV_PLATFORM = {
  PLATFORM_LEGAL_NAME: 'Plateforme Démo SAS (fictive)',
  PLATFORM_ADDRESS: '1 rue de la Démonstration, 75002 Paris',
  PLATFORM_SIREN: '123456782',
  PLATFORM_VAT_NUMBER: 'FR11123456782',
} as const;

/** A setting read by `parse`, whose error message becomes the setting's issue. */
const parsedBy = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const duration = parsedBy(parseDuration);
const schedule = parsedBy(parseSchedule);
const keyring = parsedBy(parseKeyring);
const postalAddress = parsedBy(parsePostalAddress);
const rate = z.coerce.number().min(0).max(1);
const httpUrl = z.url({ protocol: /^https?$/, message: 'an http(s) URL' });

const Settings = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().min(1),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('escrow'),
  /**
   * workflows a worker keeps in memory between their tasks (the sticky cache); one evicted replays its history when it
   * wakes. Unset: the SDK's default, which grows with the heap (2,310 for Node's 4 GiB here). A cap of 1,000 under
   * 2,000 sleeping milestones saved 21 MiB of RSS and made their reminders 6 s later (docs/benchmarks.md): unset.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /** host:port where a worker's Temporal SDK core serves its own Prometheus metrics (sticky cache, task latencies); unset: none */
  TEMPORAL_SDK_METRICS_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'host:port').optional(),
  /** where a worker serves /metrics: its business gauges, then the SDK's metrics read from TEMPORAL_SDK_METRICS_ADDRESS (or a loopback port of its own); unset: none */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** the bearer token /metrics requires (API and worker); unset: open, like /health */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** how often a worker serving metrics runs the ledger check (`npm run ledger:check`) and reports its violations */
  LEDGER_CHECK_INTERVAL: duration.default(parseDuration('15m')),
  /** AES-256-GCM keys of workflow payloads, `id:base64key,…`, the current one first; unset: payloads in clear (refused in production) */
  PAYLOAD_ENCRYPTION_KEYS: keyring.optional(),
  /** origins allowed to call the codec endpoint (/codec/decode, /codec/encode) from a browser: the Temporal Web UI's */
  CODEC_CORS_ORIGINS: z.string().default('http://localhost:8233').transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean)),
  SMTP_URL: z.string().default('smtp://localhost:1025'),
  MAIL_FROM: z.string().default('Plateforme <no-reply@escrow.localhost>'),
  STAFF_EMAIL: z.email().default('finance@escrow.localhost'),
  /** the shared secret of HS256 tokens; with AUTH_JWKS_URL, HS256 tokens are taken only when it is set too */
  AUTH_JWT_SECRET: z.string().min(32).optional(),
  /** the identity provider's published keys: RS256 and ES256 tokens are verified against them */
  AUTH_JWKS_URL: httpUrl.optional(),
  /** the `iss` every token must carry; unset: not checked (refused in production with AUTH_JWKS_URL) */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** the `aud` every token must name, or one of a comma-separated list; unset: not checked (refused in production with AUTH_JWKS_URL) */
  AUTH_JWT_AUDIENCE: z.string().transform((text) => text.split(',').map((a) => a.trim()).filter(Boolean)).pipe(z.array(z.string()).min(1, 'at least one audience')).optional(),
  /** the claim holding the caller's role: a name, or a dotted path such as realm_access.roles (a string or a list: its first known role) */
  AUTH_ROLE_CLAIM: z.string().regex(/^\S{1,200}$/, 'a claim name or a dotted path, without spaces').default('role'),
  /** how long fetched keys are trusted: a key removed from the JWKS stops verifying within this time */
  AUTH_JWKS_CACHE: duration.default(parseDuration('10m')).refine((ms) => ms >= 1000 && ms <= parseDuration('1d'), 'from 1s to 1d: a withdrawn key verifies this long'),
  /** the least time between two fetches that a token naming an unknown key may cause */
  AUTH_JWKS_COOLDOWN: duration.default(parseDuration('30s')).refine((ms) => ms >= 1000 && ms <= parseDuration('10m'), 'from 1s to 10m'),
  /** the clock skew allowed on exp and nbf */
  AUTH_CLOCK_TOLERANCE: duration.default(parseDuration('30s')).refine((ms) => ms <= parseDuration('5m'), 'at most 5m: more would stretch every token'),
  PAYMENTS_WEBHOOK_SECRET: z.string().min(16).default(DEV_PAYMENTS_WEBHOOK_SECRET),
  PAYMENT_PROVIDER: z.enum(PAYMENT_RAILS).optional(),
  /** the deprecated alias of PAYMENT_PROVIDER, from before the Stripe rail */
  PAYOUT_GATEWAY: z.enum(['sandbox', 'webhook']).optional(),
  /** where the webhook rail POSTs its signed payout and refund orders */
  PAYMENT_ORDERS_URL: httpUrl.optional(),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().optional(),
  /** where the Stripe SDK sends its requests (stripe-mock); unset: Stripe's API */
  STRIPE_API_URL: httpUrl.optional(),
  /** the base of the onboarding return and refresh links */
  PLATFORM_URL: httpUrl.default('http://localhost:3000'),
  PAYOUT_DELAY: duration.default(parseDuration('2d')),
  PAYOUT_CALENDAR: z.enum(['business', 'any']).default('business'),
  DEPOSIT_REMINDER_SCHEDULE: schedule.default(parseSchedule('3d,7d,14d')),
  RELEASE_REMINDER_SCHEDULE: schedule.default(parseSchedule('2d,5d,9d,14d')),
  DISPUTE_RESPONSE_WINDOW: duration.default(parseDuration('5d')),
  DISPUTE_REMINDER_SCHEDULE: schedule.default(parseSchedule('2d,4d')),
  CLIENT_SILENCE_POLICY: z.enum(['notify_provider', 'open_dispute', 'auto_release']).default('notify_provider'),
  CLIENT_SILENCE_GRACE: duration.default(parseDuration('2d')),
  /** requests for changes to deliveries after which the next one suggests mediation to both parties */
  CHANGE_ROUNDS_BEFORE_MEDIATION: z.coerce.number().int().min(0).max(100).default(3),
  COMMISSION_RATE: rate.default(0.1),
  ESCROW_FEE_RATE: rate.default(0.03),
  /** the seller on the platform's fee invoices and credit notes (dev defaults are fictitious; production refuses them) */
  PLATFORM_LEGAL_NAME: z.string().min(1).default(DEV_PLATFORM.PLATFORM_LEGAL_NAME),
  PLATFORM_ADDRESS: postalAddress.default(parsePostalAddress(DEV_PLATFORM.PLATFORM_ADDRESS)),
  PLATFORM_SIREN: z.string().refine(isValidSiren, 'a SIREN: 9 digits with a valid check key').default(DEV_PLATFORM.PLATFORM_SIREN),
  PLATFORM_VAT_NUMBER: z.string().refine(isPlausibleVatNumber, 'a VAT number (FR: the key of its SIREN)').default(DEV_PLATFORM.PLATFORM_VAT_NUMBER),
  /** e.g. "10 000 €" and "Paris": printed as "SAS au capital de …, RCS … <SIREN>" where set */
  PLATFORM_SHARE_CAPITAL: z.string().min(1).optional(),
  PLATFORM_RCS: z.string().min(1).optional(),
  /** the French VAT rate included in the fees charged to buyers liable to it */
  VAT_RATE: rate.default(0.2),
  INVOICE_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  LOG_LEVEL: z.string().default('info'),
  /** requests per RATE_LIMIT_WINDOW, per client address (before authentication) and per user (after) */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_PER_USER: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_WINDOW: duration.default(parseDuration('1m')),
  /** Express's `trust proxy`: set it (e.g. `1`, `loopback`) only behind a proxy that sets X-Forwarded-For */
  TRUST_PROXY: z.string().optional(),
  /** how long an Idempotency-Key and its response are kept: the contract's replay promise holds at least this long */
  /** the longest a request waits on Temporal (an update, a start, a query) before it answers 503 with Retry-After */
  REQUEST_DEADLINE: duration.default(parseDuration('10s')),
  IDEMPOTENCY_TTL: duration.default(parseDuration('24h')).refine((ms) => ms >= parseDuration('24h'), 'at least 24h'),
});

type Settings = z.infer<typeof Settings>;
export type Config = Omit<Settings, 'PAYMENT_PROVIDER' | 'PAYOUT_GATEWAY'> & {
  /** unset only with AUTH_JWKS_URL and no AUTH_JWT_SECRET given: then HS256 tokens are refused */
  AUTH_JWT_SECRET: string | undefined;
  /** the rail, resolved from PAYMENT_PROVIDER or its alias */
  PAYMENT_PROVIDER: PaymentRail;
  /** settings accepted but worth a warn line at start-up (deprecated names) */
  warnings: string[];
};

/** A configuration the processes refuse to start with; its message is one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
const present = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

/** The rail the environment asks for, before validation: `npm start` and the tests read it to provide a dev orders inbox. */
export function requestedRail(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAYMENT_PROVIDER || env.PAYOUT_GATEWAY || 'sandbox';
}

/** What the rail needs besides its own name; checked on the raw environment so that they are reported with the rest. */
function railIssues(env: NodeJS.ProcessEnv): string[] {
  const { PAYMENT_PROVIDER: chosen, PAYOUT_GATEWAY: alias } = env;
  const issues: string[] = [];
  if (chosen && alias && chosen !== alias) issues.push(`PAYOUT_GATEWAY: ${alias} contradicts PAYMENT_PROVIDER=${chosen} (it is its deprecated alias: unset it)`);
  const rail = requestedRail(env);
  if (rail === 'webhook' && !env.PAYMENT_ORDERS_URL) issues.push('PAYMENT_ORDERS_URL: required with PAYMENT_PROVIDER=webhook, which sends its payout and refund orders there');
  if (rail === 'stripe') {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) if (!env[name]) issues.push(`${name}: required with PAYMENT_PROVIDER=stripe`);
  }
  return issues;
}

function productionRefusals(config: Config, env: NodeJS.ProcessEnv): string[] {
  const refusals: string[] = [];
  if (config.AUTH_JWKS_URL) {
    const unset = (['AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE'] as const).filter((name) => !config[name]);
    if (unset.length > 0) refusals.push(`${unset.join(' and ')} unset: refused with AUTH_JWKS_URL and NODE_ENV=production, where a token the identity provider signed for another application would be taken`);
    if (!config.AUTH_JWKS_URL.startsWith('https://')) refusals.push('AUTH_JWKS_URL: refused over plain http with NODE_ENV=production, where whoever sits on the path could publish keys');
  }
  if (config.AUTH_JWT_SECRET === DEV_AUTH_JWT_SECRET || config.PAYMENTS_WEBHOOK_SECRET === DEV_PAYMENTS_WEBHOOK_SECRET) {
    refusals.push('refusing to run in production with the dev secrets: set AUTH_JWT_SECRET and PAYMENTS_WEBHOOK_SECRET');
  }
  if (!config.PAYLOAD_ENCRYPTION_KEYS) {
    refusals.push('PAYLOAD_ENCRYPTION_KEYS unset: refused with NODE_ENV=production, where workflow payloads (statements, rationales) are stored encrypted; give id:base64key (openssl rand -base64 32)');
  }
  const devIdentity = (Object.keys(DEV_PLATFORM) as (keyof typeof DEV_PLATFORM)[]).filter((name) => !env[name] || env[name] === DEV_PLATFORM[name]);
  if (devIdentity.length > 0) {
    refusals.push(`${devIdentity.join(', ')} unset or the dev default: refused with NODE_ENV=production, where the dev defaults would put a fictitious seller on real invoices`);
  }
  if (config.PAYMENT_PROVIDER === 'sandbox') {
    const named = env.PAYMENT_PROVIDER ? 'PAYMENT_PROVIDER=sandbox' : env.PAYOUT_GATEWAY ? 'PAYOUT_GATEWAY=sandbox' : 'PAYMENT_PROVIDER=sandbox (the default)';
    refusals.push(`${named} confirms payments by itself: refused with NODE_ENV=production; set PAYMENT_PROVIDER=stripe or webhook`);
  }
  return refusals;
}

/**
 * Reads the settings of the REST contract (../shared/API.md) from an environment. Throws a ConfigError naming every
 * bad variable, on one line, so that a process can print it as it is and exit before connecting to anything.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const set = present(env);
  const parsed = Settings.safeParse(set);
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...railIssues(set),
  ];
  if (!parsed.success || issues.length > 0) throw new ConfigError(`invalid settings: ${issues.map(oneLine).join('; ')}`);
  const { PAYMENT_PROVIDER, PAYOUT_GATEWAY, ...settings } = parsed.data;
  const config: Config = {
    ...settings,
    PAYMENT_PROVIDER: PAYMENT_PROVIDER ?? PAYOUT_GATEWAY ?? 'sandbox',
    STRIPE_CONNECT_WEBHOOK_SECRET: settings.STRIPE_CONNECT_WEBHOOK_SECRET ?? settings.STRIPE_WEBHOOK_SECRET,
    AUTH_JWT_SECRET: settings.AUTH_JWT_SECRET ?? (settings.AUTH_JWKS_URL ? undefined : DEV_AUTH_JWT_SECRET),
    warnings: PAYOUT_GATEWAY ? [`PAYOUT_GATEWAY is deprecated: ${PAYMENT_PROVIDER ? 'unset it' : `set PAYMENT_PROVIDER=${PAYOUT_GATEWAY} instead`}`] : [],
  };
  const refusals = config.NODE_ENV === 'production' ? productionRefusals(config, set) : [];
  if (refusals.length > 0) throw new ConfigError(refusals.join('; '));
  return config;
}

/** A process's settings, or one line `<process>: <why>` on stderr and exit code 1, before anything is connected. */
export function loadConfigOrExit(processName: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${processName}: ${err.message}`);
    process.exit(1);
  }
}
