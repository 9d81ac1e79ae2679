-- Responses to POST requests sent with an Idempotency-Key, per caller: a replay returns the stored response.
-- A row is 'in_progress' while the first request runs; the same key arriving meanwhile is refused (409).
CREATE TABLE idempotency_keys (
  principal    text NOT NULL,
  key          text NOT NULL,
  fingerprint  text NOT NULL,
  state        text NOT NULL CHECK (state IN ('in_progress', 'done')),
  status       int,
  content_type text,
  body         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  locked_at    timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (principal, key),
  CHECK (state = 'in_progress' OR status IS NOT NULL)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
