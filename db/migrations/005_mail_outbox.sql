-- sent_emails becomes the outbox: a mail is written here, with its in-app notification in one transaction and
-- claimed by the attempt that wrote it, before it is sent; it is marked once the SMTP server has taken it. A worker
-- that dies between the two leaves a pending row, which the activity's retry sends again under the same Message-ID
-- once the dead attempt's lease has expired. The defaults keep describing a row written after sending, as workers
-- from before this migration still write them during a rolling deploy; the outbox writes every column itself.
ALTER TABLE sent_emails
  ADD COLUMN state text NOT NULL DEFAULT 'sent' CHECK (state IN ('pending', 'sent', 'refused')),
  ADD COLUMN claimed_at timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 1,
  ADD COLUMN refusal text;
ALTER TABLE sent_emails ALTER COLUMN sent_at DROP NOT NULL;
-- Before the outbox, a permanent refusal was recorded as the message id `refused:<SMTP code>`.
UPDATE sent_emails SET state = 'refused', refusal = 'SMTP ' || substr(message_id, 9) WHERE message_id LIKE 'refused:%';
