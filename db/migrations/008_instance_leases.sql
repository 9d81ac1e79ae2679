-- Each API process beats here every second. A claim (an Idempotency-Key in progress, a payment-provider event being
-- applied) names the process that holds it: once that process stops beating (killed, crashed) the claim is free
-- at once for the retry, instead of after a fixed lock time.
CREATE TABLE api_instances (
  id         text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE idempotency_keys ADD COLUMN owner text;
ALTER TABLE webhook_events ADD COLUMN claimed_by text, ADD COLUMN claimed_at timestamptz;
-- Payment requests the API has not yet handed to their workflow, for the sweep that hands them over.
CREATE INDEX payment_requests_submitted_idx ON payment_requests (created_at) WHERE state = 'submitted';
