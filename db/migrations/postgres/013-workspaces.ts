import type { Migration } from "../migration.ts";

/** PostgreSQL's side of SQLite's migration 013 (db/migrations/013-workspaces.ts): the same tables and columns. */
export const postgresWorkspaces: Migration = {
  version: 13,
  name: "Slack workspaces",
  sql: `
CREATE TABLE slack_installations (
  team_id TEXT PRIMARY KEY,
  enterprise_id TEXT,
  team_name TEXT,
  bot_token TEXT NOT NULL,
  bot_user_id TEXT,
  bot_id TEXT,
  installation TEXT NOT NULL,
  installed_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
ALTER TABLE safes ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE slack_channels ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
CREATE INDEX slack_channels_workspace ON slack_channels (workspace, channel_id);
`,
};
