-- The long texts of a dispute's file (statements, a mediator's questions), each written once by the snapshot that
-- first carries it. Snapshots from then on are lean ('' in place of each text): see leanDispute in domain/dispute.ts.
CREATE TABLE dispute_texts (
  dispute_id text NOT NULL,
  key text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (dispute_id, key)
);
