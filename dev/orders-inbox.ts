import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../lib/webhook-signature';

/** A payout or refund order as the webhook rail sends it (lib/payment-providers/webhook-orders.ts). */
export interface ReceivedOrder {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
  idempotencyKey: string;
  receivedAt: string;
}

/** One POST and the status it was answered with, duplicates and refusals included. */
export interface OrderDelivery {
  idempotencyKey: string | undefined;
  status: number;
}

export interface OrdersInbox {
  /** what PAYMENT_ORDERS_URL should be */
  url: string;
  /** each order once, in the order first received */
  orders: ReceivedOrder[];
  deliveries: OrderDelivery[];
  /** answers the next `n` validly signed orders 503, as a provider having an outage would */
  failNext(n: number): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function asOrder(body: Buffer): Omit<ReceivedOrder, 'idempotencyKey' | 'receivedAt'> | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<ReceivedOrder>;
    const { id, type, createdAt, data } = parsed;
    if (typeof id !== 'string' || typeof type !== 'string' || typeof createdAt !== 'string' || typeof data !== 'object' || data === null) return undefined;
    return { id, type, createdAt, data };
  } catch {
    return undefined;
  }
}

/**
 * The payment provider's order endpoint, for `npm start` and the tests: a real HTTP server on 127.0.0.1 that takes the
 * webhook rail's signed orders (`POST /orders`), keeps each once per Idempotency-Key and lists them (`GET /orders`).
 * It confirms nothing: the outcome is a `payout.*` / `refund.*` webhook sent to the API (`npm run webhook`).
 */
export async function startOrdersInbox(opts: { secret: string; port?: number }): Promise<OrdersInbox> {
  const orders: ReceivedOrder[] = [];
  const deliveries: OrderDelivery[] = [];
  let failing = 0;

  async function take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = req.headers['idempotency-key'] as string | undefined;
    const answer = (status: number, body: unknown) => {
      deliveries.push({ idempotencyKey: key, status });
      json(res, status, body);
    };
    const body = await readBody(req);
    if (!body) return answer(413, { error: 'order too large' });
    if (!verifySignature(opts.secret, req.headers['payment-signature'] as string | undefined, body)) return answer(401, { error: 'bad signature' });
    if (failing > 0) {
      failing -= 1;
      return answer(503, { error: 'unavailable (told to fail)' });
    }
    const order = asOrder(body);
    if (!key || !order) return answer(400, { error: 'an order is JSON {id, type, createdAt, data} with an Idempotency-Key header' });
    if (!orders.some((o) => o.idempotencyKey === key)) orders.push({ ...order, idempotencyKey: key, receivedAt: new Date().toISOString() });
    answer(200, { received: true });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/orders') return json(res, 404, { error: 'not found' });
    if (req.method === 'GET') return json(res, 200, orders);
    if (req.method !== 'POST') return json(res, 405, { error: 'GET or POST' });
    take(req, res).catch(() => json(res, 400, { error: 'unreadable request' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    orders,
    deliveries,
    failNext(n) {
      failing = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
