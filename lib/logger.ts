import pino from 'pino';
import type { Config } from './config';

/** JSON logs; secrets and credentials never printed, whatever object is logged. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, name: string) {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.password', 'password', '*.secret', 'secret',
        'AUTH_JWT_SECRET', 'PAYMENTS_WEBHOOK_SECRET', 'DATABASE_URL', 'SMTP_URL', 'req.headers["payment-signature"]'],
      censor: '[redacted]',
    },
  });
}
export type Logger = ReturnType<typeof createLogger>;
