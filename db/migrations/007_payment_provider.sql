-- The payment provider's objects the platform keeps track of (Stripe Connect, issue 11), and payment incidents.

-- A provider's account at the payment provider (Stripe: an Express connected account), created once.
CREATE TABLE payout_accounts (
  provider_id     text PRIMARY KEY,
  account_id      text NOT NULL UNIQUE,
  payouts_enabled boolean NOT NULL DEFAULT false,
  -- the creation time of the provider's event that set payouts_enabled: an older event arriving late changes nothing
  status_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- What a client was asked to pay for a milestone (Stripe: a PaymentIntent), and what came of it.
CREATE TABLE deposit_intents (
  payment_intent_id text PRIMARY KEY,
  project_id        text NOT NULL REFERENCES projects (id),
  milestone_id      text NOT NULL REFERENCES milestones (id),
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          char(3) NOT NULL,
  client_secret     text NOT NULL,
  state             text NOT NULL CHECK (state IN ('open', 'succeeded', 'cancelled')),
  latest_charge     text,
  amount_received   bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  succeeded_at      timestamptz
);
CREATE INDEX deposit_intents_milestone_idx ON deposit_intents (milestone_id, created_at DESC);
CREATE INDEX deposit_intents_charge_idx ON deposit_intents (latest_charge);

-- The payment provider's id of each refund order attempt (Stripe: re_…), which its refund events carry.
CREATE TABLE provider_refunds (
  provider_refund_id text PRIMARY KEY,
  refund_id          text NOT NULL REFERENCES refunds (id),
  attempt            int NOT NULL,
  payment_intent_id  text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- The Transfer to the provider's account that a payment request's payouts draw on, made once (Stripe): a payout
-- retried after payout.failed finds the money back on the provider's account and needs no second transfer.
ALTER TABLE payment_requests ADD COLUMN transfer_id text;

-- What an order to the provider settled on before its first answer: how many times the provider refused it for now
-- (Stripe keeps a refusal under its idempotency key, so the next try needs a new key; counted only on a refusal: a
-- try whose answer was lost is sent again with the same key), and the money it draws on (a deposit's charge or
-- intent), chosen once so that a retry sends the same request under the same key.
CREATE TABLE provider_orders (
  order_key text PRIMARY KEY,
  tries     int NOT NULL DEFAULT 1 CHECK (tries >= 1),
  source    text
);
-- Why a scheduled payout has not gone yet (the provider's balance is short): shown on the dashboard while it retries.
ALTER TABLE payment_requests ADD COLUMN waiting_reason text;

-- Payment incidents: chargebacks, failed deposits, payouts and refunds. One row per provider object and kind.
CREATE TABLE incidents (
  id           text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('chargeback', 'deposit_failed', 'payout_failed', 'refund_failed')),
  external_id  text NOT NULL,
  project_id   text NOT NULL REFERENCES projects (id),
  milestone_id text NOT NULL REFERENCES milestones (id),
  client_id    text NOT NULL,
  provider_id  text NOT NULL,
  amount       bigint NOT NULL CHECK (amount >= 0),
  currency     char(3) NOT NULL,
  state        text NOT NULL CHECK (state IN ('open', 'won', 'lost', 'resolved')),
  explanation  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz,
  UNIQUE (kind, external_id)
);
CREATE INDEX incidents_milestone_idx ON incidents (milestone_id, state);
CREATE INDEX incidents_created_idx ON incidents (created_at DESC);
