import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeHtml } from '../lib/text';

export interface CaughtMail {
  id: number;
  from: string;
  to: string[];
  /** the Message-ID header, as the sender set it */
  messageId: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export interface MailCatcher {
  smtpPort: number;
  httpPort?: number;
  messages: CaughtMail[];
  /** Resolves with the first message matching `predicate`, or rejects after `timeoutMs`. */
  waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP listener that keeps what it receives: the embedded default's mail catcher (with a small web page)
 * and the tests' inbox.
 */
export async function startMailCatcher(
  opts: {
    smtpPort?: number;
    httpPort?: number;
    host?: string;
    /** JSON file that keeps the inbox across restarts */
    store?: string;
    /**
     * A slow server: once a message's DATA is complete, wait this long before keeping it and answering 250 (default 0).
     * The message is kept even if the sender gave up meanwhile, as a real server that had it all would deliver it.
     */
    delayMs?: number;
  } = {},
): Promise<MailCatcher> {
  const host = opts.host ?? '127.0.0.1';
  // The store holds only what this catcher wrote there.
  const messages = opts.store && existsSync(opts.store) ? (JSON.parse(readFileSync(opts.store, 'utf8')) as CaughtMail[]) : [];
  const waiters = new Set<() => void>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
          messages.push({
            id: messages.length + 1,
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: parsed.messageId ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            receivedAt: new Date().toISOString(),
          });
          if (opts.store) writeFileSync(opts.store, JSON.stringify(messages));
          waiters.forEach((wake) => wake());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let http: Server | undefined;
  if (opts.httpPort !== undefined) {
    http = createServer((req, res) => {
      if (req.url?.startsWith('/messages.json')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(messages));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(inboxPage(messages));
    });
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(opts.httpPort, host, () => resolve());
    });
  }

  return {
    smtpPort,
    httpPort: http ? (http.address() as AddressInfo).port : undefined,
    messages,
    waitFor(predicate, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received: ${messages.map((m) => m.subject).join(' | ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      if (http) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The inbox as one HTML page, newest first; every value escaped. */
export function inboxPage(messages: CaughtMail[]): string {
  const rows = [...messages].reverse().map(
    (m) => `<article><h3>${escapeHtml(m.subject)}</h3><p>${escapeHtml(m.receivedAt)} — à ${escapeHtml(m.to.join(', '))}</p><pre>${escapeHtml(m.text)}</pre></article>`,
  );
  return `<!doctype html><meta charset="utf-8"><title>Mail catcher</title><h1>${messages.length} message(s)</h1>${rows.join('<hr>')}`;
}
