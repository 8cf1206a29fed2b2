import type { Migration } from "../migration.ts";

/**
 * A trigger function and its row trigger (after insert, update or delete) that run `body(row)` for OLD (update,
 * delete) and NEW (insert, update): each body notes, through `note_activity_change`, what search must look at again.
 */
function onEveryChange(table: string, name: string, body: (row: "NEW" | "OLD") => string): string {
  return `
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN ${body("OLD")} END IF;
  IF TG_OP <> 'DELETE' THEN ${body("NEW")} END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ${name} AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`;
}

/** PostgreSQL's side of SQLite's migration 016 (db/migrations/016-activity-changes.ts): the same tables, and the same notes written by PL/pgSQL triggers. */
export const postgresActivityChanges: Migration = {
  version: 16,
  name: "What search must look at again",
  sql: `
CREATE TABLE activity_changes (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  scope TEXT NOT NULL CHECK (scope IN ('proposal', 'deposit', 'message')),
  key TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (safe_id, scope, key)
);
CREATE TABLE activity_sync (
  safe_id BIGINT PRIMARY KEY REFERENCES safes (id),
  block_number BIGINT NOT NULL,
  block_hash TEXT NOT NULL,
  directory_hash TEXT NOT NULL
);
-- Which proposals reject a changed one: their description names it.
CREATE INDEX proposals_rejects ON proposals (rejects_safe_tx_hash);
CREATE FUNCTION note_activity_change(BIGINT, TEXT, TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO activity_changes (safe_id, scope, key) VALUES ($1, $2, $3)
  ON CONFLICT (safe_id, scope, key) DO UPDATE SET version = activity_changes.version + 1
$$;
${onEveryChange("proposals", "activity_changes_proposals", (row) => `PERFORM note_activity_change(${row}.safe_id, 'proposal', ${row}.safe_tx_hash);`)}
${["proposal_transfers", "proposal_messages"]
  .map((table) =>
    onEveryChange(
      table,
      `activity_changes_${table}`,
      (row) => `PERFORM note_activity_change(p.safe_id, 'proposal', p.safe_tx_hash) FROM proposals p WHERE p.safe_tx_hash = ${row}.safe_tx_hash;`,
    ),
  )
  .join("\n")}
${onEveryChange(
  "discussion_messages",
  "activity_changes_discussion",
  (row) => `PERFORM note_activity_change(s.id, 'message', ${row}.id::text) FROM safes s
     WHERE s.id = coalesce((SELECT safe_id FROM proposals WHERE safe_tx_hash = ${row}.safe_tx_hash), CASE WHEN ${row}.safe_tx_hash IS NULL THEN (SELECT min(id) FROM safes) END);`,
)}
${onEveryChange(
  "deposit_notes",
  "activity_changes_deposit_notes",
  (row) => `PERFORM note_activity_change(t.safe_id, 'deposit', t.tx_hash)
     FROM (SELECT DISTINCT safe_id, tx_hash FROM transfers WHERE tx_hash IN (${row}.tx_hash, lower(${row}.tx_hash)) AND direction = 'in') t;`,
)}
`,
};
