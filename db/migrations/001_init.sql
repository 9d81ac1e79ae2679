-- Read models, the double-entry ledger, invoices and webhook bookkeeping.

CREATE TABLE projects (
  id            text PRIMARY KEY,
  external_id   text NOT NULL UNIQUE,
  title         text NOT NULL,
  formula       text NOT NULL CHECK (formula IN ('r0', 'basic')),
  currency      char(3) NOT NULL,
  state         text NOT NULL,
  client_id     text NOT NULL,
  client_email  text NOT NULL,
  client_name   text NOT NULL,
  provider_id   text NOT NULL,
  provider_email text NOT NULL,
  provider_name text NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_client_idx ON projects (client_id);
CREATE INDEX projects_provider_idx ON projects (provider_id);

CREATE TABLE milestones (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id),
  position    int NOT NULL,
  title       text NOT NULL,
  amount      bigint NOT NULL CHECK (amount > 0),
  state       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, position)
);

-- What happened to a milestone, in order; written by the workflow's activities, idempotent by key.
CREATE TABLE milestone_events (
  seq          bigserial PRIMARY KEY,
  milestone_id text NOT NULL REFERENCES milestones (id),
  key          text NOT NULL UNIQUE,
  type         text NOT NULL,
  actor        text,
  data         jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestone_events_milestone_idx ON milestone_events (milestone_id, seq);

-- Double-entry ledger: one journal entry per movement, its lines sum to zero (debits positive).
CREATE TABLE ledger_entries (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind            text NOT NULL,
  project_id      text NOT NULL REFERENCES projects (id),
  milestone_id    text REFERENCES milestones (id),
  currency        char(3) NOT NULL,
  memo            text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_lines (
  id           bigserial PRIMARY KEY,
  entry_id     bigint NOT NULL REFERENCES ledger_entries (id),
  account      text NOT NULL,
  milestone_id text REFERENCES milestones (id),
  currency     char(3) NOT NULL,
  amount       bigint NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_lines_account_idx ON ledger_lines (milestone_id, account);
CREATE INDEX ledger_lines_entry_idx ON ledger_lines (entry_id);

-- Checked at commit, so an entry and its lines are written in one transaction and never unbalanced.
CREATE FUNCTION ledger_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total bigint;
  line_count int;
BEGIN
  SELECT coalesce(sum(amount), 0), count(*) INTO total, line_count FROM ledger_lines WHERE entry_id = NEW.id;
  IF line_count < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'ledger entry % is unbalanced (% lines, sum %)', NEW.id, line_count, total;
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
  AFTER INSERT ON ledger_entries DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_entry_balances();

CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: correct with a new entry';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
  FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();

CREATE TABLE invoices (
  id             text PRIMARY KEY,
  provider_id    text NOT NULL,
  milestone_id   text NOT NULL REFERENCES milestones (id),
  invoice_number text NOT NULL,
  file_name      text NOT NULL,
  content_type   text NOT NULL,
  size_bytes     int NOT NULL,
  sha256         char(64) NOT NULL,
  content        bytea NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_requests (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id),
  milestone_id   text NOT NULL REFERENCES milestones (id),
  provider_id    text NOT NULL,
  invoice_id     text NOT NULL REFERENCES invoices (id),
  invoice_number text NOT NULL,
  amount         bigint NOT NULL CHECK (amount > 0),
  currency       char(3) NOT NULL,
  state          text NOT NULL CHECK (state IN ('submitted', 'scheduled', 'paid', 'rejected', 'failed')),
  payout_id      text UNIQUE,
  scheduled_for  timestamptz,
  failure_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  paid_at        timestamptz
);
CREATE INDEX payment_requests_provider_idx ON payment_requests (provider_id, created_at DESC);
CREATE UNIQUE INDEX payment_requests_invoice_number_idx ON payment_requests (provider_id, invoice_number)
  WHERE state <> 'rejected';

-- Every payment-provider event id, so a redelivered event has no second effect.
CREATE TABLE webhook_events (
  id          text PRIMARY KEY,
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  outcome     text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- E-mails already handed to SMTP, so a retried activity does not send twice.
CREATE TABLE sent_emails (
  key        text PRIMARY KEY,
  recipient  text NOT NULL,
  template   text NOT NULL,
  message_id text,
  sent_at    timestamptz NOT NULL DEFAULT now()
);
