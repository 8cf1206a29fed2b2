import type { Migration } from "../migration.ts";

/** PostgreSQL's side of SQLite's migration 015 (db/migrations/015-job-replies.ts): the same column (INTEGER maps to BIGINT). */
export const postgresJobReplies: Migration = {
  version: 15,
  name: "Ephemeral replies a Slack job has sent",
  sql: `ALTER TABLE slack_jobs ADD COLUMN replies_sent BIGINT NOT NULL DEFAULT 0;`,
};
