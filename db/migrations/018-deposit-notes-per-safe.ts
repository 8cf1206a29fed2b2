import type { Migration } from "./migration.ts";
import { noted, onEveryChange } from "./016-activity-changes.ts";

/**
 * The Safes an existing note is copied to, with the hash as the chain mirror has it: every Safe that received money
 * in its transaction. A note on a transaction no Safe received in goes to the first Safe (as it was read before).
 */
export const safesOfExistingNotes = `
  SELECT DISTINCT t.safe_id, t.tx_hash, n.tx_hash AS note_hash FROM deposit_notes n JOIN transfers t ON lower(t.tx_hash) = lower(n.tx_hash) AND t.direction = 'in'
  UNION
  SELECT (SELECT min(id) FROM safes), n.tx_hash, n.tx_hash FROM deposit_notes n
   WHERE EXISTS (SELECT 1 FROM safes) AND NOT EXISTS (SELECT 1 FROM transfers t WHERE lower(t.tx_hash) = lower(n.tx_hash) AND t.direction = 'in')`;

/**
 * A deposit note belongs to the Safe it was written for, no longer to its
 * transaction alone: one transaction can pay several Safes (a payout to many
 * groups), and each group's note on its share is its own. `deposit_notes`
 * gains `safe_id` (no default) and its key becomes `(safe_id, tx_hash)`; the
 * hash is kept as the chain mirror spells it. Its search trigger notes the
 * row's own Safe.
 */
export const depositNotesPerSafe: Migration = {
  version: 18,
  name: "deposit notes per Safe",
  foreignKeysOff: true,
  sql: `
CREATE TABLE new_deposit_notes (
  tx_hash TEXT NOT NULL,
  -- The token received (NULL = the native coin), its amount in base units, and who sent it.
  token TEXT,
  amount TEXT NOT NULL,
  from_address TEXT NOT NULL,
  memo TEXT NOT NULL,
  added_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  safe_id INTEGER NOT NULL REFERENCES safes (id),
  PRIMARY KEY (safe_id, tx_hash)
);
INSERT INTO new_deposit_notes (tx_hash, token, amount, from_address, memo, added_by, created_at, safe_id)
  SELECT s.tx_hash, n.token, n.amount, n.from_address, n.memo, n.added_by, n.created_at, s.safe_id
    FROM (${safesOfExistingNotes}) s JOIN deposit_notes n ON n.tx_hash = s.note_hash;
DROP TABLE deposit_notes;
ALTER TABLE new_deposit_notes RENAME TO deposit_notes;
CREATE INDEX deposit_notes_from ON deposit_notes (safe_id, from_address);
${onEveryChange("deposit_notes", "activity_changes_deposit_notes", (row) => `INSERT INTO activity_changes (safe_id, scope, key) VALUES (${row}.safe_id, 'deposit', ${row}.tx_hash) ${noted}`)}
`,
};
