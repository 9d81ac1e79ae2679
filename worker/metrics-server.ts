import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerMatches } from '../lib/metrics-token';
import { within } from '../lib/within';
import type { BusinessMetrics } from './business-metrics';

const SDK_SCRAPE_MS = 2000;

export interface WorkerMetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A worker's GET /metrics on its own port (WORKER_METRICS_PORT): the business gauges, then the SDK's metrics as its
 * core's Prometheus exporter serves them on `sdkMetricsUrl` (a listener of the core's own: scraped here and passed on,
 * so one target gives both; `escrow_worker_sdk_metrics_up` says whether it answered).
 */
export async function serveWorkerMetrics(o: { port: number; token?: string; sdkMetricsUrl?: string; business: BusinessMetrics }): Promise<WorkerMetricsServer> {
  const sdk = async (): Promise<string> => {
    if (!o.sdkMetricsUrl) return '';
    const text = await within(fetch(o.sdkMetricsUrl).then((r) => (r.ok ? r.text() : undefined)), SDK_SCRAPE_MS).catch(() => undefined);
    return `# HELP escrow_worker_sdk_metrics_up 1 when the SDK's metrics below were read from its exporter\n# TYPE escrow_worker_sdk_metrics_up gauge\nescrow_worker_sdk_metrics_up ${text === undefined ? 0 : 1}\n${text ?? ''}`;
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    if (o.token && !bearerMatches(req.headers.authorization, o.token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' }).end('the metrics token (METRICS_TOKEN) is required\n');
      return;
    }
    void (async () => {
      const [, sdkText] = await Promise.all([o.business.refresh(), sdk()]);
      const ours = await o.business.registry.metrics();
      res.writeHead(200, { 'content-type': o.business.registry.contentType }).end(`${ours}\n${sdkText}`);
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${(err as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
