import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeCall {
  method: string;
  path: string;
  idempotencyKey?: string;
  stripeAccount?: string;
  /** the form-encoded parameters, decoded */
  params: Record<string, string>;
  status: number;
  response: Record<string, unknown>;
}

interface Canned {
  method: string;
  path: RegExp;
  status: number;
  body: Record<string, unknown>;
}

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * A proxy in front of stripe-mock that records every call the adapter makes (path, idempotency key, connected
 * account, parameters, answer) and can answer one call with a recorded Stripe response instead: stripe-mock keeps no
 * state, so what depends on state (a short balance, a charge's fee) is played from Stripe's documented answers.
 */
export async function startStripeRecorder(upstream: string) {
  const calls: StripeCall[] = [];
  const canned: Canned[] = [];
  let beforeAnswer: ((call: Omit<StripeCall, 'status' | 'response'>) => Promise<void>) | undefined;
  const target = new URL(upstream);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await read(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const params = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : body.toString('utf8')));
    const call = {
      method: req.method ?? 'GET',
      path: url.pathname,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      stripeAccount: req.headers['stripe-account'] as string | undefined,
      params,
    };
    await beforeAnswer?.(call);
    const i = canned.findIndex((c) => c.method === call.method && c.path.test(call.path));
    if (i >= 0) {
      const [c] = canned.splice(i, 1);
      calls.push({ ...call, status: c.status, response: c.body });
      res.writeHead(c.status, { 'content-type': 'application/json', 'request-id': 'req_recorded' }).end(JSON.stringify(c.body));
      return;
    }
    const up = await forward(req, body);
    const answer = await read(up);
    let response: Record<string, unknown> = {};
    try {
      response = JSON.parse(answer.toString('utf8')) as Record<string, unknown>;
    } catch {
      // not JSON: recorded as {}
    }
    calls.push({ ...call, status: up.statusCode ?? 0, response });
    res.writeHead(up.statusCode ?? 502, up.headers).end(answer);
  };
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, resolve).on('error', reject).end(body);
    });
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** the next call matching answers `body` with `status`, not reaching the mock */
    answerOnce(method: string, path: RegExp, status: number, body: Record<string, unknown>) {
      canned.push({ method, path, status, body });
    },
    /** runs before each call is answered (a test kills the worker there) */
    onCall(hook: typeof beforeAnswer) {
      beforeAnswer = hook;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type StripeRecorder = Awaited<ReturnType<typeof startStripeRecorder>>;
