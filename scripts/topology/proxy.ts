/**
 * The tiny load balancer in front of the API processes of `npm run cluster`: each request to the next API in turn.
 * A request an API refused to connect to (it is down, restarting) goes to the next one: it never reached the first,
 * so sending it elsewhere cannot apply it twice. A connection lost once the request was sent is answered 502: only
 * the client, with its Idempotency-Key, may send it again. In production a real one (nginx, a cloud load balancer)
 * takes this place; docs/deployment.md.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY = 25 * 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class RoundRobinProxy {
  private next = 0;
  readonly served: number[];

  private constructor(
    private readonly server: http.Server,
    private readonly upstreams: URL[],
  ) {
    this.served = upstreams.map(() => 0);
  }

  static async start(upstreams: string[], port: number, host = '127.0.0.1'): Promise<RoundRobinProxy> {
    const server = http.createServer();
    const proxy = new RoundRobinProxy(server, upstreams.map((u) => new URL(u)));
    server.on('request', (req, res) => void proxy.forward(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return proxy;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return answer(res, 413, 'the request body is too large for the proxy');
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = [forwarded, req.socket.remoteAddress].filter(Boolean).join(', ');
    headers['content-length'] = String(body.length);
    const first = this.next++ % this.upstreams.length;
    for (let i = 0; i < this.upstreams.length; i++) {
      const index = (first + i) % this.upstreams.length;
      const outcome = await this.tryUpstream(index, req, res, headers, body);
      if (outcome !== 'refused') return;
    }
    answer(res, 503, 'no API process accepts connections', { 'Retry-After': '1' });
  }

  private tryUpstream(index: number, req: http.IncomingMessage, res: http.ServerResponse, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<'done' | 'refused'> {
    const target = this.upstreams[index];
    return new Promise((resolve) => {
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answered) => {
        this.served[index] += 1;
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answered.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
        res.writeHead(answered.statusCode ?? 502, out);
        answered.pipe(res);
        answered.on('end', () => resolve('done'));
        answered.on('error', () => {
          res.destroy();
          resolve('done');
        });
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return resolve('refused');
        if (res.headersSent) res.destroy();
        else answer(res, 502, 'the API process was lost while it handled the request; retry it with the same Idempotency-Key', { 'Retry-After': '1' });
        resolve('done');
      });
      res.on('close', () => {
        if (!res.writableEnded) upstream.destroy(); // the client left: so does the request
      });
      upstream.end(body);
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: http.ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title: http.STATUS_CODES[status], status, detail }));
}
