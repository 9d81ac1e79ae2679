import net from 'node:net';
import { freePort } from '../../dev/free-port';

/** A port where nothing answers until `open()`, then a TCP relay to `target`: a dependency that comes up late. */
export async function latePort(target: number): Promise<{ port: number; open(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  return {
    port,
    open: () => new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve())),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
