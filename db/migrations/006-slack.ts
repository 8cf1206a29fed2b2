import type { Migration } from "./migration.ts";

/**
 * What the Slack adapter must remember across restarts: every request it has
 * accepted (so Slack's retries are processed once), the durable job queue the
 * slow work runs from, each message it posts (an intent row first, then the
 * Slack ts, so a crash between the two never posts twice), nudges sent, which
 * Safe each channel is bound to, and its cursors over `proposal_updates`.
 */
export const slack: Migration = {
  version: 6,
  name: "slack",
  sql: `
-- Every Slack request accepted, keyed by event_id / trigger_id. A retry of a
-- known id only bumps retries.
CREATE TABLE slack_received (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  team_id TEXT,
  retries INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL
);

-- Slow work (the chain, the assistant, Web API calls), run by the worker loop.
CREATE TABLE slack_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL,
  result TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX slack_jobs_ready ON slack_jobs (status, run_after, id);

-- Messages the bot posts exactly once: outbox notifications, proposal cards,
-- nudges. 'intent' is written before chat.postMessage; 'posted' with the ts after.
CREATE TABLE slack_posts (
  key TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  thread_ts TEXT,
  status TEXT NOT NULL CHECK (status IN ('intent', 'posted')),
  message_ts TEXT,
  created_at INTEGER NOT NULL,
  posted_at INTEGER
);

-- Who proposed through Slack, where (the proposer check for Cancel).
CREATE TABLE slack_proposal_origins (
  safe_tx_hash TEXT PRIMARY KEY,
  slack_user_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  thread_ts TEXT,
  created_at INTEGER NOT NULL
);

-- One reminder per owner per proposal, ever.
CREATE TABLE slack_nudges (
  safe_tx_hash TEXT NOT NULL,
  owner TEXT NOT NULL,
  slack_user_id TEXT,
  channel_id TEXT,
  message_ts TEXT,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (safe_tx_hash, owner)
);

-- A channel speaks for one Safe.
CREATE TABLE slack_channels (
  channel_id TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  safe_address TEXT NOT NULL,
  bound_by TEXT NOT NULL,
  bound_at INTEGER NOT NULL
);

-- Durable positions (e.g. the last proposal_updates id turned into a card update).
CREATE TABLE slack_cursors (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
};
