import { z } from 'zod';
import { parseDuration, parseSchedule } from './duration';

/** The dev secrets `npm start` prints; production mode refuses them. */
export const DEV_AUTH_JWT_SECRET = 'dev-only-auth-secret-change-me-0000000000';
export const DEV_PAYMENTS_WEBHOOK_SECRET = 'dev-only-webhook-secret-change-me-000000';

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const schedule = z.string().transform((text, ctx) => {
  try {
    return parseSchedule(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const rate = z.coerce.number().min(0).max(1);

const Settings = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().min(1),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('escrow'),
  SMTP_URL: z.string().default('smtp://localhost:1025'),
  MAIL_FROM: z.string().default('Plateforme <no-reply@escrow.localhost>'),
  STAFF_EMAIL: z.email().default('finance@escrow.localhost'),
  AUTH_JWT_SECRET: z.string().min(32).default(DEV_AUTH_JWT_SECRET),
  PAYMENTS_WEBHOOK_SECRET: z.string().min(16).default(DEV_PAYMENTS_WEBHOOK_SECRET),
  PAYOUT_GATEWAY: z.enum(['sandbox', 'webhook']).default('sandbox'),
  PAYOUT_DELAY: duration.default(parseDuration('2d')),
  PAYOUT_CALENDAR: z.enum(['business', 'any']).default('business'),
  DEPOSIT_REMINDER_SCHEDULE: schedule.default(parseSchedule('3d,7d,14d')),
  RELEASE_REMINDER_SCHEDULE: schedule.default(parseSchedule('2d,5d,9d,14d')),
  DISPUTE_RESPONSE_WINDOW: duration.default(parseDuration('5d')),
  DISPUTE_REMINDER_SCHEDULE: schedule.default(parseSchedule('2d,4d')),
  CLIENT_SILENCE_POLICY: z.enum(['notify_provider', 'open_dispute', 'auto_release']).default('notify_provider'),
  CLIENT_SILENCE_GRACE: duration.default(parseDuration('2d')),
  COMMISSION_RATE: rate.default(0.1),
  ESCROW_FEE_RATE: rate.default(0.03),
  INVOICE_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  LOG_LEVEL: z.string().default('info'),
  /** requests per RATE_LIMIT_WINDOW, per client address (before authentication) and per user (after) */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_PER_USER: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_WINDOW: duration.default(parseDuration('1m')),
  /** Express's `trust proxy`: set it (e.g. `1`, `loopback`) only behind a proxy that sets X-Forwarded-For */
  TRUST_PROXY: z.string().optional(),
  /** how long an Idempotency-Key and its response are kept: the contract's replay promise holds at least this long */
  IDEMPOTENCY_TTL: duration.default(parseDuration('24h')).refine((ms) => ms >= parseDuration('24h'), 'at least 24h'),
});

export type Config = z.infer<typeof Settings>;

/** Reads the settings of the REST contract (../shared/API.md) from an environment; throws a readable error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Settings.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid settings:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production') {
    if (config.AUTH_JWT_SECRET === DEV_AUTH_JWT_SECRET || config.PAYMENTS_WEBHOOK_SECRET === DEV_PAYMENTS_WEBHOOK_SECRET) {
      throw new Error('refusing to run in production with the dev secrets: set AUTH_JWT_SECRET and PAYMENTS_WEBHOOK_SECRET');
    }
  }
  return config;
}
