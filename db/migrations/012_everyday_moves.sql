-- The anchors' everyday moves (issue 17): a bonus is a milestone of its own kind, paid on top of the others and
-- released to the provider as soon as it is funded.
ALTER TABLE milestones ADD COLUMN kind text NOT NULL DEFAULT 'milestone' CHECK (kind IN ('milestone', 'bonus'));
