import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Seconds: from a probe's few milliseconds to the request deadline (10 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What one API process counts, in Prometheus form: requests by route template (rate, errors, duration), the webhook
 * deliveries refused for their signature, the bearer tokens by the key they matched, and the process's own (CPU, memory, event loop). Per process: a scrape of
 * each API instance, summed by the query.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template (unmatched: no route) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'time from a request received to its answer sent, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly webhookSignatureRejections = new Counter({
    name: 'escrow_webhook_signature_rejections_total',
    help: 'payment provider webhook deliveries refused because their signature was missing, wrong or stale, by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly tokensAccepted = new Counter({
    name: 'escrow_auth_tokens_total',
    help: 'bearer tokens accepted, by the key they matched: hs256 (AUTH_JWT_SECRET) or jwks (the identity provider)',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });
  readonly keysUnavailable = new Counter({
    name: 'escrow_auth_keys_unavailable_total',
    help: "requests answered 503 because the identity provider's keys (AUTH_JWKS_URL) could not be fetched",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
