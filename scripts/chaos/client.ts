/**
 * The API as a real client sees it: every POST carries an Idempotency-Key and is retried with the same key and body
 * on network errors (API down, connection reset), on 5xx, on 429 and on 409 `idempotency-key-in-use`, honouring
 * Retry-After, until a deadline; every payment-provider webhook is retried with the same event id until a 2xx. Each
 * exchange is recorded with all its attempts and its final answer, for the consistency checks.
 */
import { signToken } from '../../dev/tokens';
import type { Role } from '../../domain/parties';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { signPayload } from '../../lib/webhook-signature';
import { oneLine } from '../fail';
import { sleep } from '../topology/log';

export interface Caller {
  sub: string;
  role: Role;
  token: string;
}

export async function caller(sub: string, role: Role): Promise<Caller> {
  return { sub, role, token: await signToken(DEV_AUTH_JWT_SECRET, { sub, role }, 6 * 3600) };
}

export interface Upload {
  fields: Record<string, string>;
  file: { field: string; name: string; type: string; bytes: Buffer };
}

export type RequestBody = { json: unknown } | { form: Upload } | { raw: string } | undefined;

export interface Attempt {
  at: number;
  api: string;
  ms: number;
  status?: number;
  /** the problem type's last segment, when the answer was a problem */
  problem?: string;
  error?: string;
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  /** the API said it replayed a stored answer */
  replayed: boolean;
}

export interface Exchange {
  seq: number;
  method: 'POST';
  /** the route template, e.g. POST /v1/projects/:projectId/milestones/:milestoneId/release */
  route: string;
  path: string;
  principal: string;
  /** Idempotency-Key, or the webhook event's id */
  key: string;
  milestone?: string;
  step?: string;
  request: RequestBody;
  caller?: Caller;
  attempts: Attempt[];
  final?: Answer;
  /** the deadline passed without a final answer: the last attempt's outcome */
  gaveUp?: string;
  startedAt: number;
  endedAt?: number;
}

export interface ClientOptions {
  /** the API processes, tried in turn as a load balancer would */
  bases: string[];
  /** how long one request (all its attempts) may take */
  deadlineMs: number;
  /** one attempt; longer than the API's own bound on its waits (~10 s) */
  attemptTimeoutMs: number;
}

/** A status after which the same request is sent again. */
const retryable = (status: number, problem: string | undefined) =>
  status >= 500 || status === 429 || (status === 409 && problem === 'idempotency-key-in-use');

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const problemOf = (body: unknown): string | undefined => {
  const type = (body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type.split('/').pop() : undefined;
};

export class ApiClient {
  readonly exchanges: Exchange[] = [];
  /** requests under way, per API base: the fault injector kills an API while some are */
  readonly inFlight = new Map<string, number>();
  private turn = 0;

  constructor(private readonly o: ClientOptions) {
    for (const base of o.bases) this.inFlight.set(base, 0);
  }

  private nextBase(): string {
    return this.o.bases[this.turn++ % this.o.bases.length];
  }

  private async attempt(method: string, path: string, headers: Record<string, string>, body: RequestBody): Promise<{ attempt: Attempt; answer?: Answer; retryAfter?: number }> {
    const base = this.nextBase();
    const started = Date.now();
    const attempt: Attempt = { at: started, api: base, ms: 0 };
    let payload: BodyInit | undefined;
    const sent = { ...headers };
    if (body && 'json' in body) {
      sent['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body && 'raw' in body) {
      sent['content-type'] = 'application/json';
      payload = body.raw;
    } else if (body && 'form' in body) {
      const form = new FormData();
      for (const [k, v] of Object.entries(body.form.fields)) form.append(k, v);
      const f = body.form.file;
      form.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
      payload = form;
    }
    this.inFlight.set(base, (this.inFlight.get(base) ?? 0) + 1);
    try {
      const res = await fetch(`${base}${path}`, { method, headers: sent, body: payload, signal: AbortSignal.timeout(this.o.attemptTimeoutMs) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      attempt.status = res.status;
      attempt.problem = problemOf(parsed);
      return {
        attempt,
        answer: { status: res.status, body: parsed, text, replayed: res.headers.get('idempotent-replayed') === 'true' },
        retryAfter: retryAfterMs(res.headers.get('retry-after')),
      };
    } catch (err) {
      attempt.error = oneLine(err);
      return { attempt };
    } finally {
      attempt.ms = Date.now() - started;
      this.inFlight.set(base, (this.inFlight.get(base) ?? 1) - 1);
    }
  }

  /**
   * Sends until an answer is final (per `isFinal`) or the deadline passes. Waits Retry-After when the API gave one,
   * else backs off from 250 ms to 3 s.
   */
  private async exchange(ex: Exchange, headers: () => Record<string, string>, body: () => RequestBody, isFinal: (a: Answer) => boolean, deadlineMs = this.o.deadlineMs): Promise<Exchange> {
    const deadline = ex.startedAt + deadlineMs;
    let backoff = 250;
    for (;;) {
      const { attempt, answer, retryAfter } = await this.attempt(ex.method, ex.path, headers(), body());
      ex.attempts.push(attempt);
      if (answer && isFinal(answer)) {
        ex.final = answer;
        break;
      }
      const wait = retryAfter ?? backoff * (0.75 + Math.random() / 2);
      backoff = Math.min(backoff * 1.6, 3000);
      if (Date.now() + wait > deadline) {
        ex.gaveUp = attempt.error ?? `${attempt.status}${attempt.problem ? ` ${attempt.problem}` : ''}`;
        break;
      }
      await sleep(Math.min(wait, 10_000));
    }
    ex.endedAt = Date.now();
    return ex;
  }

  /** A POST with an Idempotency-Key, retried like a real client. */
  post(who: Caller, route: string, path: string, body: RequestBody, key: string, tag: { milestone?: string; step?: string; deadlineMs?: number } = {}): Promise<Exchange> {
    const { deadlineMs, ...labels } = tag;
    const ex: Exchange = {
      seq: this.exchanges.length + 1, method: 'POST', route, path, principal: `${who.role}:${who.sub}`, key, request: body, caller: who,
      attempts: [], startedAt: Date.now(), ...labels,
    };
    this.exchanges.push(ex);
    const headers = () => ({ authorization: `Bearer ${who.token}`, 'idempotency-key': key });
    return this.exchange(ex, headers, () => body, (a) => !retryable(a.status, problemOf(a.body)), deadlineMs);
  }

  /** The same request again, with the same key: what a late retry of the client gets (not recorded). */
  async replay(original: Exchange): Promise<Exchange> {
    const copy: Exchange = { ...original, seq: 0, attempts: [], final: undefined, gaveUp: undefined, startedAt: Date.now(), endedAt: undefined };
    if (original.route === WEBHOOK_ROUTE) return this.exchange(copy, () => ({ 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, rawOf(original.request)) }), () => original.request, (a) => a.status >= 200 && a.status < 300);
    const who = original.caller!;
    return this.exchange(copy, () => ({ authorization: `Bearer ${who.token}`, 'idempotency-key': original.key }), () => original.request, (a) => !retryable(a.status, problemOf(a.body)));
  }

  /** A payment-provider event, signed afresh at each attempt and sent until a 2xx. */
  webhook(event: { id: string; type: string; data: Record<string, unknown> }, tag: { milestone?: string; step?: string } = {}): Promise<Exchange> {
    const raw = JSON.stringify(event);
    const ex: Exchange = {
      seq: this.exchanges.length + 1, method: 'POST', route: WEBHOOK_ROUTE, path: '/v1/webhooks/payments', principal: 'payment-provider', key: event.id,
      request: { raw }, attempts: [], startedAt: Date.now(), ...tag,
    };
    this.exchanges.push(ex);
    return this.exchange(ex, () => ({ 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, raw) }), () => ({ raw }), (a) => a.status >= 200 && a.status < 300);
  }

  /** A GET, retried on network errors, 5xx and 429 until the deadline; any other status is returned. */
  async get<T = unknown>(who: Caller, path: string, deadlineMs = this.o.deadlineMs): Promise<{ status: number; body: T }> {
    const deadline = Date.now() + deadlineMs;
    let backoff = 250;
    for (;;) {
      const { attempt, answer, retryAfter } = await this.attempt('GET', path, { authorization: `Bearer ${who.token}` }, undefined);
      if (answer && answer.status < 500 && answer.status !== 429) return { status: answer.status, body: answer.body as T };
      const last = attempt.error ?? String(attempt.status);
      const wait = retryAfter ?? backoff;
      backoff = Math.min(backoff * 1.6, 3000);
      if (Date.now() + wait > deadline) throw new Error(`GET ${path}: no answer within ${deadlineMs} ms (last: ${last})`);
      await sleep(Math.min(wait, 5000));
    }
  }
}

export const WEBHOOK_ROUTE = 'POST /v1/webhooks/payments';

const rawOf = (body: RequestBody): string => (body && 'raw' in body ? body.raw : '');

/** An exchange's outcome on one line: its final status and problem type, or why it gave up. */
export const statusLine = (ex: Exchange): string =>
  ex.final ? `${ex.final.status}${problemOf(ex.final.body) ? ` ${problemOf(ex.final.body)}` : ''}` : `gave up (${ex.gaveUp ?? '?'})`;

export { problemOf };
