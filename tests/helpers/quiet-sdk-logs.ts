import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every state change at INFO, and the test server's missing capabilities at WARN: keep errors only.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});
