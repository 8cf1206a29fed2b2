import type { Migration } from "../migration.ts";

/**
 * PostgreSQL's side of SQLite's migration 014
 * (db/migrations/014-safe-names-per-workspace.ts): a Safe's name is unique
 * within its workspace (case aside: the column's `nocase` collation), no
 * longer across the deployment.
 */
export const postgresSafeNamesPerWorkspace: Migration = {
  version: 14,
  name: "Safe names per workspace",
  sql: `
ALTER TABLE safes DROP CONSTRAINT safes_name_key;
ALTER TABLE safes ADD CONSTRAINT safes_workspace_name_key UNIQUE (workspace, name);
`,
};
