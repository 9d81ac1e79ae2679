/**
 * The API as the bench calls it: one request, timed from the moment it was meant to leave (an open-loop sender
 * passes that moment, so that a slow answer delays nobody's clock: no coordinated omission).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { signToken } from '../dev/tokens';
import type { Role } from '../domain/parties';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../lib/config';
import { signPayload } from '../lib/webhook-signature';

export interface Who {
  sub: string;
  role: Role;
  bearer: string;
}

export async function who(sub: string, role: Role): Promise<Who> {
  return { sub, role, bearer: `Bearer ${await signToken(DEV_AUTH_JWT_SECRET, { sub, role }, 6 * 3600)}` };
}

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
}

export type Body = { json: unknown } | { form: FormData } | undefined;

/**
 * node:http with keep-alive for the reads (scenario 2 sends thousands a second: fetch's own cost would be measured
 * instead of the API's); fetch for the multipart uploads.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

export class Api {
  constructor(readonly base: string) {}

  call(method: 'GET' | 'POST', path: string, as: Who | undefined, body?: Body, since = performance.now(), key = randomUUID()): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (as) headers.authorization = as.bearer;
    if (method === 'POST') headers['idempotency-key'] = key;
    if (body && 'form' in body) return this.upload(path, headers, body.form, since);
    let payload: string | undefined;
    if (body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    return new Promise((resolve) => {
      const req = http.request(`${this.base}${path}`, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ms = performance.now() - since;
          let parsed: unknown = text;
          if (text && res.headers['content-type']?.includes('json')) parsed = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, body: parsed, ms });
        });
        res.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - since }));
      });
      req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - since }));
      req.end(payload);
    });
  }

  private async upload(path: string, headers: Record<string, string>, form: FormData, since: number): Promise<Reply> {
    try {
      const res = await fetch(`${this.base}${path}`, { method: 'POST', headers, body: form });
      const text = await res.text();
      const body: unknown = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      return { status: res.status, body, ms: performance.now() - since };
    } catch (err) {
      return { status: 0, body: String(err), ms: performance.now() - since };
    }
  }

  get(path: string, as?: Who, since?: number): Promise<Reply> {
    return this.call('GET', path, as, undefined, since);
  }

  /**
   * An action, sent again under its Idempotency-Key while the API answers 503 or 429 (overloaded: "retry later"), as
   * a real client does; the reply's `ms` is the whole exchange. Counted in `retries`.
   */
  async post(path: string, as: Who | undefined, body?: Body): Promise<Reply> {
    const key = randomUUID();
    const since = performance.now();
    for (let attempt = 1; ; attempt++) {
      const reply = await this.call('POST', path, as, body, since, key);
      if (![429, 503].includes(reply.status) || attempt === 5) return reply;
      this.retries += 1;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** POSTs sent again after a 503 or 429 */
  retries = 0;

  /** A signed payment-provider event, as the webhook rail and the sandbox receive it. */
  webhook(type: string, data: Record<string, unknown>): Promise<Reply> {
    const raw = JSON.stringify({ id: `evt_${randomUUID()}`, type, data });
    const since = performance.now();
    return new Promise((resolve) => {
      const req = http.request(
        `${this.base}/v1/webhooks/payments`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, raw) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: undefined, ms: performance.now() - since }));
        },
      );
      req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - since }));
      req.end(raw);
    });
  }
}

/** Polls `probe` every `everyMs` until it returns a value; throws after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
