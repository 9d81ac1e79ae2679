import http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node rejects before Express sees them (malformed request line, headers over 16 KiB) are answered
 * problem+json like every other refusal, instead of Node's bare 400.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, title] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request header fields too large'] : [400, 'Invalid input'];
  const body = JSON.stringify({ type: 'https://errors.escrow.example/malformed-request', title, status, detail: 'the HTTP request could not be parsed' });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function listen(app: http.RequestListener, port: number, host?: string): Promise<http.Server> {
  const server = http.createServer(app);
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
