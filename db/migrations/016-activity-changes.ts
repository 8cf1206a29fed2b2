import type { Migration } from "./migration.ts";

/** The tables whose rows name a proposal by `safe_tx_hash`, and whose change rewrites that proposal's search rows. */
const proposalParts = ["proposal_transfers", "proposal_messages"] as const;

/** Three triggers (after insert, update, delete) running `body(row)` for NEW, for OLD and NEW, and for OLD. */
export function onEveryChange(table: string, name: string, body: (row: "NEW" | "OLD") => string): string {
  return `
CREATE TRIGGER ${name}_insert AFTER INSERT ON ${table} BEGIN ${body("NEW")} END;
CREATE TRIGGER ${name}_update AFTER UPDATE ON ${table} BEGIN ${body("OLD")} ${body("NEW")} END;
CREATE TRIGGER ${name}_delete AFTER DELETE ON ${table} BEGIN ${body("OLD")} END;`;
}

/** The end of an insert into `activity_changes`: a note already there gets a new version. */
export const noted = "ON CONFLICT (safe_id, scope, key) DO UPDATE SET version = version + 1;";

/**
 * What search must look at again, so `syncActivity` rewrites only that instead
 * of every row of a Safe's history after each indexer batch.
 *
 * - `activity_changes`: a proposal, a deposit or a discussion message whose
 *   searchable rows may have changed, per Safe. Triggers on the workflow tables
 *   note them (people write those at human pace); `db/activity.ts` deletes a
 *   note once it has rewritten the rows, and only the version it read.
 * - `activity_sync`: how far each Safe's rows are known to follow the chain
 *   mirror (the checkpoint they were last brought up to) and the directory
 *   (token symbols, names, labels) they were written with. The chain mirror has
 *   no triggers, so indexing costs nothing more: rows above that block are the
 *   new ones, and a block that is no longer in `blocks` (a reorg, an emptied
 *   mirror) or another directory means every row is compared again.
 */
export const activityChanges: Migration = {
  version: 16,
  name: "What search must look at again",
  sql: `
CREATE TABLE activity_changes (
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  scope TEXT NOT NULL CHECK (scope IN ('proposal', 'deposit', 'message')),
  key TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (safe_id, scope, key)
);
CREATE TABLE activity_sync (
  safe_id INTEGER PRIMARY KEY REFERENCES safes (id),
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  directory_hash TEXT NOT NULL
);
-- Which proposals reject a changed one: their description names it.
CREATE INDEX proposals_rejects ON proposals (rejects_safe_tx_hash);
${onEveryChange("proposals", "activity_changes_proposals", (row) => `INSERT INTO activity_changes (safe_id, scope, key) VALUES (${row}.safe_id, 'proposal', ${row}.safe_tx_hash) ${noted}`)}
${proposalParts
  .map((table) =>
    onEveryChange(
      table,
      `activity_changes_${table}`,
      (row) => `INSERT INTO activity_changes (safe_id, scope, key) SELECT safe_id, 'proposal', safe_tx_hash FROM proposals WHERE safe_tx_hash = ${row}.safe_tx_hash ${noted}`,
    ),
  )
  .join("\n")}
${onEveryChange(
  "discussion_messages",
  "activity_changes_discussion",
  // A message goes with its proposal's Safe; one tied to no proposal with the first Safe (as readActivitySources reads it).
  (row) => `INSERT INTO activity_changes (safe_id, scope, key)
    SELECT s.id, 'message', CAST(${row}.id AS TEXT) FROM safes s
     WHERE s.id = coalesce((SELECT safe_id FROM proposals WHERE safe_tx_hash = ${row}.safe_tx_hash), CASE WHEN ${row}.safe_tx_hash IS NULL THEN (SELECT min(id) FROM safes) END)
    ${noted}`,
)}
${onEveryChange(
  "deposit_notes",
  "activity_changes_deposit_notes",
  (row) => `INSERT INTO activity_changes (safe_id, scope, key)
    SELECT DISTINCT safe_id, 'deposit', tx_hash FROM transfers WHERE tx_hash IN (${row}.tx_hash, lower(${row}.tx_hash)) AND direction = 'in'
    ${noted}`,
)}
`,
};
