import type { Migration } from "./migration.ts";

/**
 * What the chain cannot say about money coming in: a note on a deposit (the
 * invoice or grant it pays), keyed by the transaction that brought it, written
 * by people (or the fixture replay) and read by the assistant. Also a free-text
 * note on an address-book entry. Notes are data, never instructions.
 */
export const depositNotes: Migration = {
  version: 8,
  name: "deposit notes",
  sql: `
CREATE TABLE deposit_notes (
  tx_hash TEXT PRIMARY KEY,
  -- The token received (NULL = the native coin), its amount in base units, and who sent it.
  token TEXT,
  amount TEXT NOT NULL,
  from_address TEXT NOT NULL,
  memo TEXT NOT NULL,
  added_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX deposit_notes_from ON deposit_notes (from_address);

ALTER TABLE address_book ADD COLUMN note TEXT;
`,
};
