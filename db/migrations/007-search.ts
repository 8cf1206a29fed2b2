import type { Migration } from "./migration.ts";

/**
 * Search: one `activity` row for each thing a person might ask about (a
 * payment, a deposit, a proposal, a discussion message), derived from the
 * chain mirror and the workflow tables by `syncActivity` and never edited by
 * hand. `activity_fts` is its full-text index (FTS5, bm25); `activity_vectors`
 * (float) and `activity_vec_bit` (binary-quantized sqlite-vec vec0, for fast
 * KNN, rescored with the floats) hold one embedding per row, and `activity_embeddings` records
 * which model made each vector and from which text, so a model change
 * re-embeds instead of mixing vectors. The vector tables are created for the
 * default model (512 dimensions) and rebuilt when a model of another size is
 * chosen.
 */
export const search: Migration = {
  version: 7,
  name: "search",
  sql: `
CREATE TABLE activity (
  id INTEGER PRIMARY KEY,
  -- Stable key of the source: payment:<safeTxHash>:<batch>, deposit:<txHash>:<logIndex>,
  -- proposal:<safeTxHash>, message:<discussion_messages.id>.
  ref TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('payment', 'deposit', 'proposal', 'message')),
  occurred_at INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  -- The token moved (NULL with a symbol = the native coin), its amount in base units, the other party.
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
  updated_at INTEGER NOT NULL
);
CREATE INDEX activity_time ON activity (occurred_at);
CREATE INDEX activity_kind_time ON activity (kind, occurred_at);
CREATE INDEX activity_counterparty ON activity (counterparty);
CREATE INDEX activity_safe_tx ON activity (safe_tx_hash);

CREATE VIRTUAL TABLE activity_fts USING fts5 (title, body, tokenize = 'porter unicode61');

-- Float vectors (little-endian float32), one row each: rescoring and exact search read them by id.
CREATE TABLE activity_vectors (
  activity_id INTEGER PRIMARY KEY,
  embedding BLOB NOT NULL
);
-- Binary-quantized copies in a sqlite-vec vec0 table: the fast Hamming KNN that finds candidates.
CREATE VIRTUAL TABLE activity_vec_bit USING vec0 (embedding bit[512]);

CREATE TABLE activity_embeddings (
  activity_id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  embedded_at INTEGER NOT NULL
);
CREATE INDEX activity_embeddings_model ON activity_embeddings (model);
`,
};
