import type { Migration } from "../migration.ts";
import { safesOfExistingNotes } from "../018-deposit-notes-per-safe.ts";

/**
 * PostgreSQL's side of SQLite's migration 018 (db/migrations/018-deposit-notes-per-safe.ts): deposit notes keyed
 * by Safe and transaction, and their search trigger noting the row's own Safe.
 */
export const postgresDepositNotesPerSafe: Migration = {
  version: 18,
  name: "deposit notes per Safe",
  sql: `
CREATE TEMPORARY TABLE deposit_note_safes ON COMMIT DROP AS ${safesOfExistingNotes};
ALTER TABLE deposit_notes ADD COLUMN safe_id BIGINT REFERENCES safes (id);
ALTER TABLE deposit_notes DROP CONSTRAINT deposit_notes_pkey;
INSERT INTO deposit_notes (tx_hash, token, amount, from_address, memo, added_by, created_at, safe_id)
  SELECT s.tx_hash, n.token, n.amount, n.from_address, n.memo, n.added_by, n.created_at, s.safe_id
    FROM deposit_note_safes s JOIN deposit_notes n ON n.tx_hash = s.note_hash AND n.safe_id IS NULL;
DELETE FROM deposit_notes WHERE safe_id IS NULL;
ALTER TABLE deposit_notes ALTER COLUMN safe_id SET NOT NULL;
ALTER TABLE deposit_notes ADD PRIMARY KEY (safe_id, tx_hash);
DROP INDEX deposit_notes_from;
CREATE INDEX deposit_notes_from ON deposit_notes (safe_id, from_address);
CREATE OR REPLACE FUNCTION activity_changes_deposit_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM note_activity_change(OLD.safe_id, 'deposit', OLD.tx_hash); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM note_activity_change(NEW.safe_id, 'deposit', NEW.tx_hash); END IF;
  RETURN NULL;
END $$;
`,
};
