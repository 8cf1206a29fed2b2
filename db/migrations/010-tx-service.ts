import type { Migration } from "./migration.ts";

/**
 * What the Safe Transaction Service sync must remember across restarts: the
 * durable queue of pushes (each proposal made here, each signature collected
 * here: one row each, ever), which proposals came from the Safe app, which
 * signatures came from the service (never pushed back), signatures from the
 * service that were refused (with the reason, said once), and the sync's
 * positions and last pull.
 */
export const txService: Migration = {
  version: 10,
  name: "tx service",
  sql: `
-- One row per thing to push; (kind, safe_tx_hash, owner) is written once, ever.
CREATE TABLE tx_service_pushes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('proposal', 'signature')),
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (kind, safe_tx_hash, owner)
);
CREATE INDEX tx_service_pushes_ready ON tx_service_pushes (status, run_after, id);

-- Proposals first seen in the service (queued in the Safe app, or by another tool).
CREATE TABLE tx_service_proposals (
  safe_tx_hash TEXT PRIMARY KEY,
  service_proposer TEXT,
  origin TEXT,
  imported_at INTEGER NOT NULL
);

-- Signatures taken from the service: stored here like any other, never pushed back.
CREATE TABLE tx_service_pulled_signatures (
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  pulled_at INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);

-- Signatures the service served that were refused here: the reason, once.
CREATE TABLE tx_service_refusals (
  safe_tx_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  claimed_owner TEXT,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, signature)
);

-- Positions and the last pull (name -> value).
CREATE TABLE tx_service_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
};
