import type { Migration } from "./migration.ts";

/**
 * Proposals, part two: a durable change log adapters follow with a cursor
 * (Slack card updates), and the finer purpose of a proposal. `proposals.kind`
 * keeps its 002 meaning ('payment' = an ordinary SafeTx, 'rejection'); `purpose`
 * says what an ordinary one does: 'payment', 'owner_change' or 'other'.
 */
export const proposalsLog: Migration = {
  version: 5,
  name: "proposal updates",
  sql: `
CREATE TABLE proposal_updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  safe_tx_hash TEXT NOT NULL,
  -- created | signed | executed | failed | rejected | cancelled | replaced
  change TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX proposal_updates_hash ON proposal_updates (safe_tx_hash);

ALTER TABLE proposals ADD COLUMN purpose TEXT NOT NULL DEFAULT 'payment'
  CHECK (purpose IN ('payment', 'owner_change', 'other'));

CREATE INDEX proposal_transfers_to ON proposal_transfers (to_address);
CREATE INDEX proposals_nonce ON proposals (nonce);
`,
};
