-- sent_emails becomes the outbox: a mail is written here, with its in-app notification in one transaction, before
-- it is sent, and marked once the SMTP server has taken it. A worker that dies between the two leaves a pending row,
-- which the activity's retry sends again under the same Message-ID once the dead attempt's lease has expired.
ALTER TABLE sent_emails
  ADD COLUMN state text NOT NULL DEFAULT 'sent' CHECK (state IN ('pending', 'sent', 'refused')),
  ADD COLUMN claimed_at timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 1,
  ADD COLUMN refusal text;
-- Rows from before the outbox were written once sent; new ones start pending and unsent.
ALTER TABLE sent_emails
  ALTER COLUMN state SET DEFAULT 'pending',
  ALTER COLUMN attempts SET DEFAULT 0,
  ALTER COLUMN sent_at DROP NOT NULL,
  ALTER COLUMN sent_at DROP DEFAULT;
