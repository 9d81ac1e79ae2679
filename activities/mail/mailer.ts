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
 * SMTP through nodemailer. Its timeouts bound one attempt well under the outbox's lease (activities/mail/send-once),
 * so an attempt that hangs cannot still be sending when a retry takes the mail over.
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
