-- Rate limits shared by every API process: per key, the theoretical arrival time of the next request (GCRA, the
-- token bucket's one-timestamp form). UNLOGGED: the state is disposable; a crash forgets who was limited, and taking
-- a token writes no WAL.
CREATE UNLOGGED TABLE rate_limits (
  key text PRIMARY KEY,
  tat timestamptz NOT NULL
);
CREATE INDEX rate_limits_tat_idx ON rate_limits (tat);
