import pino from 'pino';
import type { Config } from './config';

const SECRETS = ['AUTH_JWT_SECRET', 'PAYMENTS_WEBHOOK_SECRET', 'DATABASE_URL', 'SMTP_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_CONNECT_WEBHOOK_SECRET'];

/** JSON logs; secrets and credentials never printed, whatever object is logged. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, name: string, destination: pino.DestinationStream = pino.destination(1)) {
  return pino(
    {
      name,
      level: config.LOG_LEVEL,
      redact: {
        paths: [
          'req.headers.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers["payment-signature"]',
          'password', '*.password', 'secret', '*.secret', 'token', '*.token',
          ...SECRETS, ...SECRETS.map((name) => `config.${name}`),
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
export type Logger = ReturnType<typeof createLogger>;
