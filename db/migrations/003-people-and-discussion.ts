import type { Migration } from "./migration.ts";

/**
 * The people and the talk: members (chat identity and role), the Slack message
 * that carries each proposal's card, and the discussion in its thread. Message
 * text is stored as data; nothing reads it as an instruction.
 */
export const peopleAndDiscussion: Migration = {
  version: 3,
  name: "people and discussion",
  sql: `
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slack_user_id TEXT UNIQUE,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  created_at INTEGER NOT NULL
);

-- The chat message that shows a proposal's card (one per proposal).
CREATE TABLE proposal_messages (
  safe_tx_hash TEXT PRIMARY KEY REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  permalink TEXT,
  UNIQUE (channel_id, message_ts)
);

-- Replies in a proposal's thread (or any discussion tied to a proposal).
CREATE TABLE discussion_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  safe_tx_hash TEXT REFERENCES proposals (safe_tx_hash) ON DELETE CASCADE,
  channel_id TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  thread_ts TEXT,
  author_id TEXT NOT NULL,
  author_name TEXT,
  text TEXT NOT NULL,
  permalink TEXT,
  posted_at INTEGER NOT NULL,
  edited_at INTEGER,
  deleted_at INTEGER,
  UNIQUE (channel_id, message_ts)
);
CREATE INDEX discussion_messages_proposal ON discussion_messages (safe_tx_hash, posted_at);
`,
};
