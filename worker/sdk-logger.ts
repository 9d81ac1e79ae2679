import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's own level, from LOG_LEVEL (pino's names). */
export function sdkLogLevel(level: string): LogLevel {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  return levels[level] ?? 'INFO';
}

/**
 * The SDK's lines (worker, workflow and activity loggers) and its native core's, through our pino logger: one JSON
 * format for the whole process, with the SDK's metadata (workflowId, activityType, …) as fields. With
 * `metricsAddress`, the core's Prometheus exporter serves the SDK's metrics there (its own listener, not ours).
 */
export function installSdkLogger(log: Logger, level: string, metricsAddress?: string): void {
  const sdkLevel = sdkLogLevel(level);
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry: LogEntry) => log[PINO_LEVEL[entry.level]]({ ...entry.meta, sdk: true }, entry.message)),
    telemetryOptions: {
      logging: { filter: { core: sdkLevel === 'TRACE' ? 'DEBUG' : sdkLevel, other: 'ERROR' }, forward: {} },
      ...(metricsAddress && { metrics: { prometheus: { bindAddress: metricsAddress } } }),
    },
  });
}
