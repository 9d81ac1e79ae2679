-- Fees per project, fee invoices with gapless numbers, refund orders, payout attempts.

ALTER TABLE projects ADD COLUMN commission_ppm int NOT NULL DEFAULT 100000 CHECK (commission_ppm BETWEEN 0 AND 1000000);
ALTER TABLE projects ADD COLUMN escrow_fee_ppm int NOT NULL DEFAULT 30000 CHECK (escrow_fee_ppm BETWEEN 0 AND 1000000);

-- Gapless counters: incremented in the same transaction as the row that uses the number.
CREATE TABLE counters (
  name  text PRIMARY KEY,
  value bigint NOT NULL
);

CREATE TABLE fee_invoices (
  id              text PRIMARY KEY,
  number          text NOT NULL UNIQUE,
  series          text NOT NULL,
  seq             bigint NOT NULL,
  key             text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('commission', 'escrow_fee')),
  project_id      text NOT NULL REFERENCES projects (id),
  milestone_id    text NOT NULL REFERENCES milestones (id),
  party           text NOT NULL CHECK (party IN ('client', 'provider')),
  user_id         text NOT NULL,
  recipient_name  text NOT NULL,
  recipient_email text NOT NULL,
  base_amount     bigint NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  currency        char(3) NOT NULL,
  description     text NOT NULL,
  issued_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (series, seq)
);
CREATE INDEX fee_invoices_user_idx ON fee_invoices (user_id, issued_at DESC);

CREATE TABLE refunds (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id),
  milestone_id   text NOT NULL REFERENCES milestones (id),
  amount         bigint NOT NULL CHECK (amount > 0),
  currency       char(3) NOT NULL,
  reason         text NOT NULL,
  state          text NOT NULL CHECK (state IN ('ordered', 'paid', 'failed')),
  attempt        int NOT NULL,
  failure_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  settled_at     timestamptz
);
CREATE INDEX refunds_milestone_idx ON refunds (milestone_id);

-- Each order of a payout to the provider's bank; a retry after a failure is a new attempt with a new id.
CREATE TABLE payouts (
  payout_id          text PRIMARY KEY,
  payment_request_id text NOT NULL REFERENCES payment_requests (id),
  milestone_id       text NOT NULL REFERENCES milestones (id),
  attempt            int NOT NULL,
  amount             bigint NOT NULL CHECK (amount > 0),
  currency           char(3) NOT NULL,
  state              text NOT NULL CHECK (state IN ('ordered', 'paid', 'failed')),
  failure_reason     text,
  ordered_at         timestamptz NOT NULL DEFAULT now(),
  settled_at         timestamptz,
  UNIQUE (payment_request_id, attempt)
);

ALTER TABLE payment_requests ADD COLUMN payout_amount bigint;
ALTER TABLE payment_requests ADD COLUMN attempts int NOT NULL DEFAULT 0;
