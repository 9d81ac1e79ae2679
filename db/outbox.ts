import type { Db } from './pool';

/** E-mails sent, by key: a retried activity sends each at most once. */
export async function wasMailSent(db: Db, key: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM sent_emails WHERE key = $1', [key]);
  return (rowCount ?? 0) > 0;
}

export async function recordSentMail(db: Db, m: { key: string; recipient: string; template: string; messageId: string }): Promise<void> {
  await db.query('INSERT INTO sent_emails (key, recipient, template, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [
    m.key, m.recipient, m.template, m.messageId,
  ]);
}
