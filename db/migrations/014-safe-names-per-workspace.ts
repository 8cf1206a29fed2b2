import type { Migration } from "./migration.ts";

/**
 * Safe names are unique within a workspace, not across the deployment: two
 * Slack workspaces may both call their Safe "main". `safes` is rebuilt (SQLite
 * cannot drop a column's UNIQUE) with the same rows and ids, its name unique
 * per `(workspace, name)`, case aside. Foreign keys are off while it is
 * rebuilt, so the tables pointing at `safes(id)` keep their rows.
 */
export const safeNamesPerWorkspace: Migration = {
  version: 14,
  name: "Safe names per workspace",
  foreignKeysOff: true,
  sql: `
CREATE TABLE new_safes (
  id INTEGER PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  address TEXT NOT NULL,
  name TEXT NOT NULL COLLATE NOCASE,
  -- The JSON-RPC the Safe is read through; NULL = the deployment's RPC_URL (or the embedded chain).
  rpc_url TEXT,
  added_at INTEGER NOT NULL,
  workspace TEXT NOT NULL DEFAULT '',
  UNIQUE (chain_id, address),
  UNIQUE (workspace, name)
);
INSERT INTO new_safes (id, chain_id, address, name, rpc_url, added_at, workspace) SELECT id, chain_id, address, name, rpc_url, added_at, workspace FROM safes;
DROP TABLE safes;
ALTER TABLE new_safes RENAME TO safes;
`,
};
