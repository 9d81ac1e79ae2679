import { createLogger } from '../lib/logger';
import { runWorker } from './run';

runWorker().catch((err: unknown) => {
  createLogger({ LOG_LEVEL: 'info' }, 'worker').fatal({ err }, 'worker stopped');
  process.exit(1);
});
