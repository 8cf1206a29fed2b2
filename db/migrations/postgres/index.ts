import type { Migration } from "../migration.ts";
import { postgresBaseline } from "./012-baseline.ts";
import { postgresWorkspaces } from "./013-workspaces.ts";
import { postgresSafeNamesPerWorkspace } from "./014-safe-names-per-workspace.ts";
import { postgresJobReplies } from "./015-job-replies.ts";
import { postgresActivityChanges } from "./016-activity-changes.ts";
import { postgresPeoplePerWorkspace } from "./017-people-per-workspace.ts";
import { postgresDepositNotesPerSafe } from "./018-deposit-notes-per-safe.ts";

/**
 * Every PostgreSQL migration, in order. The baseline stands for SQLite's
 * 001..012 at once; later changes are added as new migrations, numbered as
 * their SQLite counterparts.
 */
export const postgresMigrations: Migration[] = [postgresBaseline, postgresWorkspaces, postgresSafeNamesPerWorkspace, postgresJobReplies, postgresActivityChanges, postgresPeoplePerWorkspace, postgresDepositNotesPerSafe];
