import type { Migration } from "./migration.ts";

/**
 * Many Slack workspaces in one deployment.
 * - `slack_installations`: one row per workspace (team) that installed the app
 *   through Slack's OAuth flow: its bot token and ids, and Slack's whole
 *   installation object as JSON (written only by db/installations.ts).
 * - `safes.workspace`: the workspace a Safe belongs to (its team id). `''` is
 *   the home workspace, the one SLACK_BOT_TOKEN is for: every Safe of an
 *   existing database is the home workspace's.
 * - `slack_channels.workspace`: the workspace a channel binding was made in
 *   (existing bindings: the home workspace's).
 */
export const workspaces: Migration = {
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
  installed_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
ALTER TABLE safes ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE slack_channels ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
CREATE INDEX slack_channels_workspace ON slack_channels (workspace, channel_id);
`,
};
