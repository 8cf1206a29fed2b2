import type { Migration } from "../migration.ts";

/**
 * The PostgreSQL schema, equal to SQLite's after migration 012, so the same
 * `db/` SQL (after the syntax translator) runs on both engines. Created in the
 * current schema (names unqualified): run it with `search_path` set to the
 * database's own schema.
 *
 * Guarantees, table by table: the same table and column names, primary keys,
 * unique constraints, foreign keys (with the same ON DELETE), CHECKs, defaults
 * and indexes as SQLite's. Types: INTEGER is BIGINT, BLOB is BYTEA, TEXT is
 * TEXT; money stays decimal TEXT in base units. Beyond SQLite's columns:
 *
 * - `rowid` (insertion order, never written by `db/`) on the tables whose SQL
 *   reads SQLite's implicit rowid: `safe_executions` (looked up by it, unique
 *   index), `payments` and `transfers` (chain order within a block: their
 *   `*_block` indexes end with it, as SQLite's index entries end with the
 *   rowid), `proposals` (a tie-break), `slack_received` (oldest first, indexed).
 * - `activity.search`: the full-text vector of title (weight A) and body
 *   (weight B), kept by PostgreSQL itself, with the GIN index `activity_search`;
 *   it replaces FTS5's `activity_fts`. The vector tables of sqlite-vec
 *   (`activity_vec_bit`) have no counterpart here.
 *
 * `INTEGER PRIMARY KEY` ids that SQLite assigns (safes, activity, outbox, the
 * job queues, discussion messages, proposal updates) are identity columns.
 * `db/` never inserts such an id itself; a copy of rows with their ids (from a
 * SQLite file) must move the sequence past them afterwards:
 * `SELECT setval(pg_get_serial_sequence('<table>', 'id'), max(id)) FROM <table>`.
 * Keys `db/` always gives (schema_migrations.version, checkpoint.safe_id,
 * activity_vectors.activity_id, activity_embeddings.activity_id) are plain
 * BIGINT keys with no sequence at all.
 *
 * `COLLATE NOCASE` is the ICU collation `nocase` (case-insensitive,
 * accent-sensitive; wider than SQLite's ASCII-only NOCASE: it also folds
 * non-ASCII case). Other text compares and sorts in the database's collation:
 * SQLite's BINARY order is PostgreSQL's "C" (or "C.UTF-8"), so create the
 * database with that collation for the same ORDER BY results.
 *
 * The functions below give SQLite's answers, for the arguments `db/` passes,
 * to SQLite functions PostgreSQL lacks or defines differently.
 */
export const postgresBaseline: Migration = {
  version: 12,
  name: "baseline (PostgreSQL)",
  sql: `
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- ---------------------------------------------------------------------------
-- SQLite functions
-- ---------------------------------------------------------------------------

-- unixepoch(): the statement's time, whole unix seconds.
CREATE FUNCTION unixepoch() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $fn$ SELECT floor(extract(epoch FROM statement_timestamp()))::bigint $fn$;

-- datetime('now'): the statement's time as 'YYYY-MM-DD HH:MM:SS', UTC. Any other argument is refused.
CREATE FUNCTION datetime(value text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $fn$
BEGIN
  IF value = 'now' THEN
    RETURN to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS');
  END IF;
  RAISE EXCEPTION 'datetime(%) is not supported here: only datetime(''now'')', quote_literal(value);
END
$fn$;

-- strftime(format, seconds, 'unixepoch'): SQLite's, for %Y %m %d %H %M %S %s %j %w %f %% (UTC).
-- Only the 'unixepoch' modifier is read: any other gives NULL (SQLite would apply 'localtime' and the like).
CREATE FUNCTION strftime(format text, seconds bigint, modifier text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $fn$
SELECT CASE WHEN modifier = 'unixepoch' THEN
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(format, '%%', chr(1)),
    '%Y', lpad(extract(year FROM t)::text, 4, '0')),
    '%m', lpad(extract(month FROM t)::text, 2, '0')),
    '%d', lpad(extract(day FROM t)::text, 2, '0')),
    '%H', lpad(extract(hour FROM t)::text, 2, '0')),
    '%M', lpad(extract(minute FROM t)::text, 2, '0')),
    '%S', lpad(floor(extract(second FROM t))::text, 2, '0')),
    '%f', lpad(floor(extract(second FROM t))::text, 2, '0') || '.000'),
    '%s', seconds::text),
    '%j', lpad(extract(doy FROM t)::text, 3, '0')),
    '%w', extract(dow FROM t)::text),
    chr(1), '%')
END
FROM (SELECT to_timestamp(seconds) AT TIME ZONE 'UTC' AS t) AS moment
$fn$;

-- sum(condition): SQLite counts true conditions with sum(); NULL when every condition is NULL (or there are no rows).
CREATE FUNCTION sqlite_sum_boolean(counted bigint, condition boolean) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $fn$ SELECT CASE WHEN condition IS NULL THEN counted ELSE coalesce(counted, 0) + condition::integer END $fn$;

CREATE AGGREGATE sum(boolean) (sfunc = sqlite_sum_boolean, stype = bigint);

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE safes (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  chain_id BIGINT NOT NULL,
  address TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE COLLATE nocase,
  -- The JSON-RPC the Safe is read through; NULL = the deployment's RPC_URL (or the embedded chain).
  rpc_url TEXT,
  added_at BIGINT NOT NULL,
  UNIQUE (chain_id, address)
);

CREATE TABLE safe_meta (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (safe_id, key)
);

-- --- workflow: proposals and what hangs on them -----------------------------------

CREATE TABLE proposals (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT PRIMARY KEY,
  chain_id BIGINT NOT NULL,
  safe_address TEXT NOT NULL,
  nonce BIGINT NOT NULL,
  to_address TEXT NOT NULL,
  value TEXT NOT NULL,
  data TEXT NOT NULL,
  operation BIGINT NOT NULL,
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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  purpose TEXT NOT NULL DEFAULT 'payment' CHECK (purpose IN ('payment', 'owner_change', 'other')),
  rowid BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX proposals_status ON proposals (safe_id, status, nonce);
CREATE INDEX proposals_nonce ON proposals (safe_id, nonce);

CREATE TABLE proposal_transfers (
  safe_tx_hash TEXT NOT NULL REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  batch_index BIGINT NOT NULL,
  token TEXT,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (safe_tx_hash, batch_index)
);

CREATE INDEX proposal_transfers_to ON proposal_transfers (to_address);

CREATE TABLE signatures (
  safe_tx_hash TEXT NOT NULL REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  signature TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('wallet', 'key_file', 'approved_hash')),
  created_at BIGINT NOT NULL,
  signer_name TEXT,
  PRIMARY KEY (safe_tx_hash, owner)
);

CREATE TABLE proposal_updates (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  safe_tx_hash TEXT NOT NULL,
  -- created | signed | executed | failed | rejected | cancelled | replaced
  change TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX proposal_updates_hash ON proposal_updates (safe_tx_hash);

-- --- people and discussion ----------------------------------------------------------

CREATE TABLE address_book (
  address TEXT PRIMARY KEY,
  label TEXT NOT NULL UNIQUE COLLATE nocase,
  category TEXT,
  kind TEXT,
  added_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  note TEXT
);

CREATE TABLE wallet_links (
  member_id TEXT NOT NULL,
  address TEXT NOT NULL,
  linked_at BIGINT NOT NULL,
  PRIMARY KEY (member_id, address)
);

CREATE INDEX wallet_links_address ON wallet_links (address);

CREATE TABLE link_requests (
  token TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE members (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slack_user_id TEXT UNIQUE,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  created_at BIGINT NOT NULL
);

CREATE TABLE proposal_messages (
  safe_tx_hash TEXT PRIMARY KEY REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  permalink TEXT,
  UNIQUE (channel_id, message_ts)
);

CREATE TABLE discussion_messages (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  safe_tx_hash TEXT REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  thread_ts TEXT,
  author_id TEXT NOT NULL,
  author_name TEXT,
  text TEXT NOT NULL,
  permalink TEXT,
  posted_at BIGINT NOT NULL,
  edited_at BIGINT,
  deleted_at BIGINT,
  UNIQUE (channel_id, message_ts)
);

CREATE INDEX discussion_messages_proposal ON discussion_messages (safe_tx_hash, posted_at);

CREATE TABLE deposit_notes (
  tx_hash TEXT PRIMARY KEY,
  -- The token received (NULL = the native coin), its amount in base units, and who sent it.
  token TEXT,
  amount TEXT NOT NULL,
  from_address TEXT NOT NULL,
  memo TEXT NOT NULL,
  added_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX deposit_notes_from ON deposit_notes (from_address);

-- --- Slack ---------------------------------------------------------------------------

CREATE TABLE slack_received (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  team_id TEXT,
  retries BIGINT NOT NULL DEFAULT 0,
  received_at BIGINT NOT NULL,
  rowid BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE UNIQUE INDEX slack_received_rowid ON slack_received (rowid);

CREATE TABLE slack_jobs (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  run_after BIGINT NOT NULL,
  result TEXT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);

CREATE INDEX slack_jobs_ready ON slack_jobs (status, run_after, id);

CREATE TABLE slack_posts (
  key TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  thread_ts TEXT,
  status TEXT NOT NULL CHECK (status IN ('intent', 'posted')),
  message_ts TEXT,
  created_at BIGINT NOT NULL,
  posted_at BIGINT
);

CREATE TABLE slack_proposal_origins (
  safe_tx_hash TEXT PRIMARY KEY,
  slack_user_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  thread_ts TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE slack_nudges (
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  slack_user_id TEXT,
  channel_id TEXT,
  message_ts TEXT,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);

CREATE TABLE slack_channels (
  channel_id TEXT PRIMARY KEY,
  chain_id BIGINT NOT NULL,
  safe_address TEXT NOT NULL,
  bound_by TEXT NOT NULL,
  bound_at BIGINT NOT NULL
);

CREATE TABLE slack_cursors (
  name TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- --- Safe Transaction Service --------------------------------------------------------

CREATE TABLE tx_service_proposals (
  safe_tx_hash TEXT PRIMARY KEY,
  service_proposer TEXT,
  origin TEXT,
  imported_at BIGINT NOT NULL
);

CREATE TABLE tx_service_pulled_signatures (
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  pulled_at BIGINT NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);

CREATE TABLE tx_service_refusals (
  safe_tx_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  claimed_owner TEXT,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (safe_tx_hash, signature)
);

CREATE TABLE tx_service_pushes (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL CHECK (kind IN ('proposal', 'signature')),
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  run_after BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  UNIQUE (kind, safe_tx_hash, owner)
);

CREATE INDEX tx_service_pushes_ready ON tx_service_pushes (safe_id, status, run_after, id);

CREATE TABLE tx_service_state (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (safe_id, name)
);

-- --- chain mirror ----------------------------------------------------------------------

CREATE TABLE blocks (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  number BIGINT NOT NULL,
  hash TEXT NOT NULL,
  parent_hash TEXT NOT NULL,
  timestamp BIGINT NOT NULL,
  PRIMARY KEY (safe_id, number),
  UNIQUE (safe_id, hash)
);

CREATE TABLE checkpoint (
  safe_id BIGINT PRIMARY KEY REFERENCES safes (id),
  block_number BIGINT NOT NULL,
  block_hash TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT datetime('now')
);

CREATE TABLE tokens (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  address TEXT NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  decimals BIGINT NOT NULL,
  PRIMARY KEY (safe_id, address)
);

CREATE TABLE safe_executions (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  nonce BIGINT NOT NULL,
  to_address TEXT NOT NULL,
  value TEXT NOT NULL,
  data TEXT NOT NULL,
  operation BIGINT NOT NULL,
  safe_tx_gas TEXT NOT NULL,
  base_gas TEXT NOT NULL,
  gas_price TEXT NOT NULL,
  gas_token TEXT NOT NULL,
  refund_receiver TEXT NOT NULL,
  signatures TEXT NOT NULL,
  success BIGINT NOT NULL,
  fee_payment TEXT NOT NULL DEFAULT '0',
  executor TEXT,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  rowid BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (safe_tx_hash, safe_id)
);

CREATE INDEX safe_executions_block ON safe_executions (safe_id, block_number);
CREATE INDEX safe_executions_nonce ON safe_executions (safe_id, nonce);
CREATE INDEX safe_executions_tx ON safe_executions (tx_hash);
CREATE UNIQUE INDEX safe_executions_rowid ON safe_executions (rowid);

CREATE TABLE execution_signers (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('eoa', 'eth_sign', 'approved_hash', 'contract')),
  block_number BIGINT NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner, safe_id)
);

CREATE INDEX execution_signers_block ON execution_signers (safe_id, block_number);

CREATE TABLE approved_hashes (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  approved_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);

CREATE INDEX approved_hashes_hash ON approved_hashes (approved_hash);
CREATE INDEX approved_hashes_block ON approved_hashes (safe_id, block_number);

CREATE TABLE payments (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  batch_index BIGINT NOT NULL,
  token TEXT,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  module TEXT,
  rowid BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (safe_tx_hash, batch_index, safe_id)
);

CREATE INDEX payments_block ON payments (safe_id, block_number, rowid);
CREATE INDEX payments_to ON payments (to_address);

CREATE TABLE transfers (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  token TEXT,
  from_address TEXT NOT NULL,
  to_address TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  rowid BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);

CREATE INDEX transfers_block ON transfers (safe_id, block_number, rowid);
CREATE INDEX transfers_direction ON transfers (safe_id, direction, block_time);

CREATE TABLE owner_changes (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL CHECK (kind IN ('setup', 'added', 'removed', 'threshold')),
  owner TEXT,
  threshold BIGINT,
  owners TEXT,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);

CREATE INDEX owner_changes_block ON owner_changes (safe_id, block_number);

CREATE TABLE module_events (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL CHECK (kind IN ('enabled', 'disabled', 'module_success', 'module_failure', 'guard_changed')),
  address TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);

CREATE INDEX module_events_block ON module_events (safe_id, block_number);

CREATE TABLE module_executions (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  module TEXT NOT NULL,
  success BIGINT NOT NULL,
  to_address TEXT,
  value TEXT,
  data TEXT,
  operation BIGINT,
  reason TEXT,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, safe_id)
);

CREATE INDEX module_executions_block ON module_executions (safe_id, block_number);

CREATE TABLE undecoded_executions (
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  safe_tx_hash TEXT NOT NULL,
  success BIGINT NOT NULL,
  fee_payment TEXT NOT NULL DEFAULT '0',
  reason TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (safe_tx_hash, safe_id)
);

CREATE INDEX undecoded_executions_block ON undecoded_executions (safe_id, block_number);

CREATE TABLE outbox (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  created_at TEXT NOT NULL DEFAULT datetime('now'),
  delivered_at TEXT,
  UNIQUE (safe_id, kind, ref)
);

CREATE INDEX outbox_undelivered ON outbox (safe_id, delivered_at);

-- --- search ----------------------------------------------------------------------------

CREATE TABLE activity (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  safe_id BIGINT NOT NULL REFERENCES safes (id),
  ref TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('payment', 'deposit', 'proposal', 'message')),
  occurred_at BIGINT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  token TEXT,
  symbol TEXT,
  decimals BIGINT,
  amount TEXT,
  counterparty TEXT,
  counterparty_label TEXT,
  category TEXT,
  status TEXT,
  safe_tx_hash TEXT,
  tx_hash TEXT,
  permalink TEXT,
  content_hash TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(body, '')), 'B')
  ) STORED,
  UNIQUE (safe_id, ref)
);

CREATE INDEX activity_time ON activity (safe_id, occurred_at);
CREATE INDEX activity_kind_time ON activity (safe_id, kind, occurred_at);
CREATE INDEX activity_counterparty ON activity (counterparty);
CREATE INDEX activity_safe_tx ON activity (safe_tx_hash);
CREATE INDEX activity_search ON activity USING gin (search);

CREATE TABLE activity_vectors (
  activity_id BIGINT PRIMARY KEY,
  embedding BYTEA NOT NULL
);

CREATE TABLE activity_embeddings (
  activity_id BIGINT PRIMARY KEY,
  model TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  embedded_at BIGINT NOT NULL
);

CREATE INDEX activity_embeddings_model ON activity_embeddings (model);
`,
};
