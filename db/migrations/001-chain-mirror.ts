import type { Migration } from "./migration.ts";

/**
 * The chain mirror: written only by the indexer. Amounts are base-unit integers
 * stored as TEXT; addresses are checksummed; `token` NULL means the chain's
 * native coin (ETH). Every event row keeps block number, block time, tx hash
 * and log index, and is deleted when its block is rolled back.
 */
export const chainMirror: Migration = {
  version: 1,
  name: "chain mirror",
  sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE blocks (
  number INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  parent_hash TEXT NOT NULL,
  timestamp INTEGER NOT NULL
);

-- One row: the last block whose events are all stored.
CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE tokens (
  address TEXT PRIMARY KEY,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  decimals INTEGER NOT NULL
);

-- SafeMultiSigTransaction joined with its ExecutionSuccess / ExecutionFailure.
CREATE TABLE safe_executions (
  safe_tx_hash TEXT PRIMARY KEY,
  nonce INTEGER NOT NULL,
  to_address TEXT NOT NULL,
  value TEXT NOT NULL,
  data TEXT NOT NULL,
  operation INTEGER NOT NULL,
  safe_tx_gas TEXT NOT NULL,
  base_gas TEXT NOT NULL,
  gas_price TEXT NOT NULL,
  gas_token TEXT NOT NULL,
  refund_receiver TEXT NOT NULL,
  signatures TEXT NOT NULL,
  success INTEGER NOT NULL,
  fee_payment TEXT NOT NULL DEFAULT '0',
  executor TEXT,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX safe_executions_block ON safe_executions (block_number);
CREATE INDEX safe_executions_nonce ON safe_executions (nonce);

-- The owners whose signatures executed a SafeTx (recovered from its signatures).
CREATE TABLE execution_signers (
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('eoa', 'eth_sign', 'approved_hash', 'contract')),
  block_number INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);
CREATE INDEX execution_signers_block ON execution_signers (block_number);

CREATE TABLE approved_hashes (
  approved_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX approved_hashes_hash ON approved_hashes (approved_hash);
CREATE INDEX approved_hashes_block ON approved_hashes (block_number);

-- Outgoing payments decoded from each successful SafeTx: a native transfer, an
-- ERC-20 transfer, or each transfer of a MultiSend batch (batch_index 0, 1, ...).
CREATE TABLE payments (
  safe_tx_hash TEXT NOT NULL,
  batch_index INTEGER NOT NULL,
  token TEXT,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (safe_tx_hash, batch_index)
);
CREATE INDEX payments_block ON payments (block_number);
CREATE INDEX payments_to ON payments (to_address);

-- Value moving into or out of the Safe as the chain logs it: ERC-20 Transfer
-- logs to or from the Safe, and SafeReceived (ETH in).
CREATE TABLE transfers (
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  token TEXT,
  from_address TEXT NOT NULL,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX transfers_block ON transfers (block_number);
CREATE INDEX transfers_direction ON transfers (direction, block_time);

-- SafeSetup, AddedOwner, RemovedOwner, ChangedThreshold.
CREATE TABLE owner_changes (
  kind TEXT NOT NULL CHECK (kind IN ('setup', 'added', 'removed', 'threshold')),
  owner TEXT,
  threshold INTEGER,
  owners TEXT,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX owner_changes_block ON owner_changes (block_number);

-- EnabledModule, DisabledModule, ExecutionFromModuleSuccess/Failure, ChangedGuard.
CREATE TABLE module_events (
  kind TEXT NOT NULL CHECK (kind IN ('enabled', 'disabled', 'module_success', 'module_failure', 'guard_changed')),
  address TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX module_events_block ON module_events (block_number);

-- Events people should hear about, written once when confirmed; Slack reads it.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  delivered_at TEXT,
  UNIQUE (kind, ref)
);
`,
};
