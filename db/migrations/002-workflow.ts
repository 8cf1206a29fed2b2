import type { Migration } from "./migration.ts";

/**
 * The off-chain workflow: proposals, their intended transfers, the owners'
 * signatures, the address book, and wallet links. Amounts are base-unit TEXT.
 */
export const workflow: Migration = {
  version: 2,
  name: "workflow",
  sql: `
CREATE TABLE proposals (
  safe_tx_hash TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  safe_address TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  to_address TEXT NOT NULL,
  value TEXT NOT NULL,
  data TEXT NOT NULL,
  operation INTEGER NOT NULL,
  safe_tx_gas TEXT NOT NULL DEFAULT '0',
  base_gas TEXT NOT NULL DEFAULT '0',
  gas_price TEXT NOT NULL DEFAULT '0',
  gas_token TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000',
  refund_receiver TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000',
  kind TEXT NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'rejection')),
  rejects_safe_tx_hash TEXT,
  proposer TEXT NOT NULL,
  memo TEXT NOT NULL DEFAULT '',
  category TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'executed', 'failed', 'rejected', 'cancelled', 'replaced')),
  review_token TEXT NOT NULL UNIQUE,
  executed_tx_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX proposals_status ON proposals (status, nonce);

CREATE TABLE proposal_transfers (
  safe_tx_hash TEXT NOT NULL REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  batch_index INTEGER NOT NULL,
  token TEXT,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (safe_tx_hash, batch_index)
);

CREATE TABLE signatures (
  safe_tx_hash TEXT NOT NULL REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  signature TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('wallet', 'key_file', 'approved_hash')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);

CREATE TABLE address_book (
  address TEXT PRIMARY KEY,
  label TEXT NOT NULL UNIQUE COLLATE NOCASE,
  category TEXT,
  kind TEXT,
  added_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE wallet_links (
  member_id TEXT NOT NULL,
  address TEXT NOT NULL,
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, address)
);
CREATE INDEX wallet_links_address ON wallet_links (address);

CREATE TABLE link_requests (
  token TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
`,
};
