import type { Migration } from "./migration.ts";
import { chainMirror } from "./001-chain-mirror.ts";
import { workflow } from "./002-workflow.ts";
import { peopleAndDiscussion } from "./003-people-and-discussion.ts";
import { search } from "./007-search.ts";
import { proposalsLog } from "./005-proposals.ts";
import { slack } from "./006-slack.ts";
import { depositNotes } from "./008-deposit-notes.ts";
import { signerNames } from "./009-signer-names.ts";
import { txService } from "./010-tx-service.ts";
import { l1Executions } from "./011-l1-executions.ts";
import { severalSafes } from "./012-several-safes.ts";
import { workspaces } from "./013-workspaces.ts";
import { safeNamesPerWorkspace } from "./014-safe-names-per-workspace.ts";
import { jobReplies } from "./015-job-replies.ts";
import { activityChanges } from "./016-activity-changes.ts";
import { peoplePerWorkspace } from "./017-people-per-workspace.ts";
import { depositNotesPerSafe } from "./018-deposit-notes-per-safe.ts";

/**
 * Every migration, in order. A migration is never edited once released; add a new one.
 */
export const migrations: Migration[] = [chainMirror, workflow, peopleAndDiscussion, proposalsLog, slack, search, depositNotes, signerNames, txService, l1Executions, severalSafes, workspaces, safeNamesPerWorkspace, jobReplies, activityChanges, peoplePerWorkspace, depositNotesPerSafe].sort((a, b) => a.version - b.version);
