import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The one thing activities need from mail: send one message under the Message-ID they give it. */
export interface Mailer {
  /** the Message-ID of the mail sent under this key, the same at every attempt */
  messageIdFor(key: string): string;
  send(mail: OutgoingMail & { messageId: string }): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer, with short timeouts (each is per step: connecting, the greeting, an idle socket), so that
 * an attempt facing a dead server fails fast and gives its lease back.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'escrow.localhost';
  return {
    messageIdFor: (key) => `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`,
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}
