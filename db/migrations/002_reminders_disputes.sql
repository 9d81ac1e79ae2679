-- In-app notifications, disputes, and the per-project client-silence policy.

ALTER TABLE projects ADD COLUMN client_silence_policy text NOT NULL DEFAULT 'notify_provider'
  CHECK (client_silence_policy IN ('notify_provider', 'open_dispute', 'auto_release'));

-- One row per notice a user received (e-mail and in-app feed share the key).
CREATE TABLE notifications (
  id           bigserial PRIMARY KEY,
  key          text NOT NULL UNIQUE,
  user_id      text NOT NULL,
  kind         text NOT NULL,
  title        text NOT NULL,
  body         text NOT NULL,
  project_id   text REFERENCES projects (id),
  milestone_id text REFERENCES milestones (id),
  dispute_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_milestone_idx ON notifications (milestone_id);

-- The dispute read model: queue columns plus the workflow's latest snapshot.
CREATE TABLE disputes (
  id           text PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id),
  milestone_id text NOT NULL REFERENCES milestones (id),
  state        text NOT NULL CHECK (state IN ('open', 'escalated', 'settled', 'decided', 'withdrawn')),
  opened_by    text NOT NULL,
  opened_at    timestamptz NOT NULL,
  escalated_at timestamptz,
  closed_at    timestamptz,
  version      int NOT NULL,
  snapshot     jsonb NOT NULL
);
CREATE INDEX disputes_state_idx ON disputes (state, escalated_at);
CREATE INDEX disputes_milestone_idx ON disputes (milestone_id);
