import { connect, createServer } from 'node:net';

export { freePort } from '../lib/free-port';

/** Resolves once something accepts connections on 127.0.0.1:`port`; fails after `timeoutMs`. */
export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/** A free port in [low, high] (Temporal stores its membership ports as a SQL smallint: below 32768). */
export async function freePortIn(low: number, high: number, tries = 50): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${low}-${high} after ${tries} tries`);
}

/** A free port in [low, high] for each name, no two alike. */
export async function freePortsIn<K extends string>(names: readonly K[], low: number, high: number): Promise<Record<K, number>> {
  const ports = {} as Record<K, number>;
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePortIn(low, high);
    while (taken.has(port)) port = await freePortIn(low, high);
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}
