import type { Migration } from "./migration.ts";

/**
 * A Slack job counts the ephemeral replies it has sent, so a job tried again
 * after a crash does not send them twice (Slack keeps no ephemeral message a
 * retry could look for, as it does for posted ones).
 */
export const jobReplies: Migration = {
  version: 15,
  name: "Ephemeral replies a Slack job has sent",
  sql: `ALTER TABLE slack_jobs ADD COLUMN replies_sent INTEGER NOT NULL DEFAULT 0;`,
};
