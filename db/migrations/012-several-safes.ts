import type { Migration } from "./migration.ts";

/** Tables whose rows belong to one Safe, rebuilt with a `safe_id` (in this order). */
const perSafeTables = [
  "blocks", "checkpoint", "tokens", "safe_executions", "execution_signers", "approved_hashes", "payments", "transfers",
  "owner_changes", "module_events", "outbox", "module_executions", "undecoded_executions", "proposals", "activity",
  "tx_service_pushes", "tx_service_state",
] as const;

/** Meta keys that describe one Safe (the others are the deployment's: the assistant's model, the embeddings', the demo's). */
export const perSafeMetaKeys = [
  "chain_id", "safe_address", "safe_version", "safe_flavour", "native_coin", "safe_creation_block", "announce_after_block", "confirmed_block", "seeded_fixture",
] as const;

const keyList = perSafeMetaKeys.map((key) => `'${key}'`).join(", ");

/**
 * Several Safes in one database. `safes` registers each Safe the deployment
 * runs (its chain, address, a unique name, the RPC it is read through). Every
 * table whose rows belong to one Safe gains `safe_id NOT NULL REFERENCES
 * safes(id)` (no default: a row is never written without its Safe), and keys
 * where two Safes could collide include it: one Transfer log from Safe A to
 * Safe B is A's 'out' row and B's 'in' row; blocks, the checkpoint and the
 * tokens are per Safe because each Safe's indexer rolls back on its own.
 * Per-Safe meta keys move to `safe_meta`. Tables reached through a proposal's
 * safeTxHash (transfers, signatures, messages, updates, Slack and service
 * records) need no column: a safeTxHash commits to its chain and Safe.
 *
 * An existing one-Safe database keeps every row, under Safe 1: the chain and
 * Safe meta recorded, else its first proposal's, else (rows but no identity)
 * a placeholder the first Safe registered takes over. Foreign keys are off
 * while the tables are rebuilt (so dropping `proposals` cascades nothing) and
 * checked after.
 */
export const severalSafes: Migration = {
  version: 12,
  name: "several Safes",
  foreignKeysOff: true,
  sql: `
CREATE TABLE safes (
  id INTEGER PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  address TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  -- The JSON-RPC the Safe is read through; NULL = the deployment's RPC_URL (or the embedded chain).
  rpc_url TEXT,
  added_at INTEGER NOT NULL,
  UNIQUE (chain_id, address)
);

INSERT INTO safes (id, chain_id, address, name, rpc_url, added_at)
SELECT 1, chain_id, address, 'main', NULL, unixepoch() FROM (
  SELECT CAST((SELECT value FROM meta WHERE key = 'chain_id') AS INTEGER) AS chain_id, (SELECT value FROM meta WHERE key = 'safe_address') AS address
   WHERE (SELECT value FROM meta WHERE key = 'chain_id') IS NOT NULL AND (SELECT value FROM meta WHERE key = 'safe_address') IS NOT NULL
  UNION ALL
  SELECT * FROM (SELECT chain_id, safe_address FROM proposals ORDER BY created_at, rowid LIMIT 1)
  UNION ALL
  SELECT 0, '' WHERE EXISTS (SELECT 1 FROM blocks) OR EXISTS (SELECT 1 FROM checkpoint) OR EXISTS (SELECT 1 FROM tokens)
    OR EXISTS (SELECT 1 FROM safe_executions) OR EXISTS (SELECT 1 FROM transfers) OR EXISTS (SELECT 1 FROM owner_changes)
    OR EXISTS (SELECT 1 FROM module_events) OR EXISTS (SELECT 1 FROM approved_hashes) OR EXISTS (SELECT 1 FROM outbox)
    OR EXISTS (SELECT 1 FROM module_executions) OR EXISTS (SELECT 1 FROM undecoded_executions) OR EXISTS (SELECT 1 FROM activity)
    OR EXISTS (SELECT 1 FROM tx_service_pushes) OR EXISTS (SELECT 1 FROM tx_service_state) OR EXISTS (SELECT 1 FROM meta WHERE key IN (${keyList}))
) LIMIT 1;

CREATE TABLE safe_meta (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (safe_id, key)
);
INSERT INTO safe_meta (safe_id, key, value) SELECT 1, key, value FROM meta WHERE key IN (${keyList}) AND EXISTS (SELECT 1 FROM safes WHERE id = 1);
DELETE FROM meta WHERE key IN (${keyList}) AND EXISTS (SELECT 1 FROM safes WHERE id = 1);

CREATE TABLE new_blocks (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  number INTEGER NOT NULL,
  hash TEXT NOT NULL,
  parent_hash TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (safe_id, number),
  UNIQUE (safe_id, hash)
);
INSERT INTO new_blocks SELECT 1, number, hash, parent_hash, timestamp FROM blocks;

-- One row per Safe: the last block whose events are all stored.
CREATE TABLE new_checkpoint (
  safe_id INTEGER PRIMARY KEY REFERENCES safes (id),
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
INSERT INTO new_checkpoint SELECT 1, block_number, block_hash, updated_at FROM checkpoint;

CREATE TABLE new_tokens (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  address TEXT NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  decimals INTEGER NOT NULL,
  PRIMARY KEY (safe_id, address)
);
INSERT INTO new_tokens SELECT 1, address, symbol, name, decimals FROM tokens;

CREATE TABLE new_safe_executions (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
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
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (safe_tx_hash, safe_id)
);
INSERT INTO new_safe_executions SELECT 1, safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token,
  refund_receiver, signatures, success, fee_payment, executor, block_number, block_time, tx_hash, log_index, confirmed FROM safe_executions;

CREATE TABLE new_execution_signers (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('eoa', 'eth_sign', 'approved_hash', 'contract')),
  block_number INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner, safe_id)
);
INSERT INTO new_execution_signers SELECT 1, safe_tx_hash, owner, kind, block_number FROM execution_signers;

CREATE TABLE new_approved_hashes (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  approved_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);
INSERT INTO new_approved_hashes SELECT 1, approved_hash, owner, block_number, block_time, tx_hash, log_index, confirmed FROM approved_hashes;

CREATE TABLE new_payments (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
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
  module TEXT,
  PRIMARY KEY (safe_tx_hash, batch_index, safe_id)
);
INSERT INTO new_payments SELECT 1, safe_tx_hash, batch_index, token, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed, module FROM payments;

CREATE TABLE new_transfers (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
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
  PRIMARY KEY (tx_hash, log_index, safe_id)
);
INSERT INTO new_transfers SELECT 1, direction, token, from_address, to_address, amount, block_number, block_time, tx_hash, log_index, confirmed FROM transfers;

CREATE TABLE new_owner_changes (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL CHECK (kind IN ('setup', 'added', 'removed', 'threshold')),
  owner TEXT,
  threshold INTEGER,
  owners TEXT,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);
INSERT INTO new_owner_changes SELECT 1, kind, owner, threshold, owners, block_number, block_time, tx_hash, log_index, confirmed FROM owner_changes;

CREATE TABLE new_module_events (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL CHECK (kind IN ('enabled', 'disabled', 'module_success', 'module_failure', 'guard_changed')),
  address TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);
INSERT INTO new_module_events SELECT 1, kind, address, block_number, block_time, tx_hash, log_index, confirmed FROM module_events;

CREATE TABLE new_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  delivered_at TEXT,
  UNIQUE (safe_id, kind, ref)
);
INSERT INTO new_outbox SELECT id, 1, kind, ref, payload, block_number, created_at, delivered_at FROM outbox;

CREATE TABLE new_module_executions (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  module TEXT NOT NULL,
  success INTEGER NOT NULL,
  to_address TEXT,
  value TEXT,
  data TEXT,
  operation INTEGER,
  reason TEXT,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);
INSERT INTO new_module_executions SELECT 1, module, success, to_address, value, data, operation, reason, block_number, block_time, tx_hash, log_index, confirmed
  FROM module_executions;

CREATE TABLE new_undecoded_executions (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  success INTEGER NOT NULL,
  fee_payment TEXT NOT NULL DEFAULT '0',
  reason TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (safe_tx_hash, safe_id)
);
INSERT INTO new_undecoded_executions SELECT 1, safe_tx_hash, success, fee_payment, reason, block_number, block_time, tx_hash, log_index, confirmed
  FROM undecoded_executions;

CREATE TABLE new_proposals (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
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
  updated_at INTEGER NOT NULL,
  purpose TEXT NOT NULL DEFAULT 'payment' CHECK (purpose IN ('payment', 'owner_change', 'other'))
);
-- A proposal of another Safe than Safe 1's (possible only by hand) is kept under its own registration.
INSERT OR IGNORE INTO safes (chain_id, address, name, rpc_url, added_at)
  SELECT DISTINCT chain_id, safe_address, 'safe-' || lower(substr(safe_address, 3, 8)) || '-' || chain_id, NULL, unixepoch() FROM proposals
   WHERE NOT EXISTS (SELECT 1 FROM safes s WHERE s.chain_id = proposals.chain_id AND lower(s.address) = lower(proposals.safe_address));
INSERT INTO new_proposals SELECT
  coalesce((SELECT s.id FROM safes s WHERE s.chain_id = p.chain_id AND lower(s.address) = lower(p.safe_address)), 1),
  safe_tx_hash, chain_id, safe_address, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token,
  refund_receiver, kind, rejects_safe_tx_hash, proposer, memo, category, status, review_token, executed_tx_hash, created_at, updated_at, purpose
  FROM proposals p;

CREATE TABLE new_activity (
  id INTEGER PRIMARY KEY,
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  ref TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('payment', 'deposit', 'proposal', 'message')),
  occurred_at INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  token TEXT,
  symbol TEXT,
  decimals INTEGER,
  amount TEXT,
  counterparty TEXT,
  counterparty_label TEXT,
  category TEXT,
  status TEXT,
  safe_tx_hash TEXT,
  tx_hash TEXT,
  permalink TEXT,
  content_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (safe_id, ref)
);
INSERT INTO new_activity SELECT id, 1, ref, kind, occurred_at, title, body, token, symbol, decimals, amount, counterparty, counterparty_label,
  category, status, safe_tx_hash, tx_hash, permalink, content_hash, updated_at FROM activity;

CREATE TABLE new_tx_service_pushes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  safe_id INTEGER NOT NULL REFERENCES safes (id),
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
INSERT INTO new_tx_service_pushes SELECT id, coalesce((SELECT p.safe_id FROM new_proposals p WHERE p.safe_tx_hash = x.safe_tx_hash), 1),
  kind, safe_tx_hash, owner, status, attempts, run_after, last_error, created_at, finished_at FROM tx_service_pushes x;

CREATE TABLE new_tx_service_state (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (safe_id, name)
);
INSERT INTO new_tx_service_state SELECT 1, name, value, updated_at FROM tx_service_state;

${perSafeTables.map((table) => `DROP TABLE ${table};\nALTER TABLE new_${table} RENAME TO ${table};`).join("\n")}

CREATE INDEX safe_executions_block ON safe_executions (safe_id, block_number);
CREATE INDEX safe_executions_nonce ON safe_executions (safe_id, nonce);
CREATE INDEX safe_executions_tx ON safe_executions (tx_hash);
CREATE INDEX execution_signers_block ON execution_signers (safe_id, block_number);
CREATE INDEX approved_hashes_hash ON approved_hashes (approved_hash);
CREATE INDEX approved_hashes_block ON approved_hashes (safe_id, block_number);
CREATE INDEX payments_block ON payments (safe_id, block_number);
CREATE INDEX payments_to ON payments (to_address);
CREATE INDEX transfers_block ON transfers (safe_id, block_number);
CREATE INDEX transfers_direction ON transfers (safe_id, direction, block_time);
CREATE INDEX owner_changes_block ON owner_changes (safe_id, block_number);
CREATE INDEX module_events_block ON module_events (safe_id, block_number);
CREATE INDEX outbox_undelivered ON outbox (safe_id, delivered_at);
CREATE INDEX module_executions_block ON module_executions (safe_id, block_number);
CREATE INDEX undecoded_executions_block ON undecoded_executions (safe_id, block_number);
CREATE INDEX proposals_status ON proposals (safe_id, status, nonce);
CREATE INDEX proposals_nonce ON proposals (safe_id, nonce);
CREATE INDEX activity_time ON activity (safe_id, occurred_at);
CREATE INDEX activity_kind_time ON activity (safe_id, kind, occurred_at);
CREATE INDEX activity_counterparty ON activity (counterparty);
CREATE INDEX activity_safe_tx ON activity (safe_tx_hash);
CREATE INDEX tx_service_pushes_ready ON tx_service_pushes (safe_id, status, run_after, id);
`,
};
