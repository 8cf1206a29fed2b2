import type { Migration } from "./migration.ts";

/**
 * Executions the logs alone do not describe (an L1 Safe's, a module's).
 * - `module_executions`: one row per ExecutionFromModuleSuccess/Failure, with the
 *   call the module made when it could be read (`reason` says why not otherwise).
 * - `undecoded_executions`: SafeTx executions whose call could not be read
 *   (an L1 Safe reached through a contract, on an RPC without call traces);
 *   kept with the reason, so the history never skips them silently.
 * - `payments.module`: the module that made a payment (its `safe_tx_hash` is then
 *   the module execution's key, `module:<tx hash>:<log index>`).
 */
export const l1Executions: Migration = {
  version: 11,
  name: "L1 and module executions",
  sql: `
CREATE TABLE module_executions (
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
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX module_executions_block ON module_executions (block_number);

CREATE TABLE undecoded_executions (
  safe_tx_hash TEXT PRIMARY KEY,
  success INTEGER NOT NULL,
  fee_payment TEXT NOT NULL DEFAULT '0',
  reason TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_time INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX undecoded_executions_block ON undecoded_executions (block_number);

ALTER TABLE payments ADD COLUMN module TEXT;
`,
};
