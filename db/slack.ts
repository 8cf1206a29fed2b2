import { connectionOf, poolOf, readRow, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { announceJobs, announcementInStatement, announcementsOf, hasJobQueue, type JobAnnouncement } from "./job-queue.ts";
import type { PooledStatements } from "./postgres/pool.ts";

/**
 * The Slack adapter's durable state (migration 006): accepted requests, the
 * job queue, posts made exactly once, nudges, channel bindings and cursors.
 * Every function here is one short SQLite statement or transaction, and this
 * module is the only writer of the `slack_*` tables.
 */

export type SlackJobKind =
  | "command"
  | "propose"
  | "modal_propose"
  | "action"
  | "discussion"
  | "assistant"
  | "link"
  | "refresh_card"
  | "payee_add";

export type SlackJob = {
  id: number;
  dedupeKey: string;
  kind: SlackJobKind;
  payload: any;
  attempts: number;
  result: string | null;
  /** Ephemeral replies this job has sent so far, over all its tries (a retry sends only those after them). */
  repliesSent: number;
};

export type NewJob = { kind: SlackJobKind; payload: unknown; dedupeKey?: string; runAfter?: number };

export type AcceptParameters = {
  /** event_id, or `kind:trigger_id` for commands and interactions. */
  requestId: string;
  kind: string;
  teamId?: string;
  jobs?: NewJob[];
};

/**
 * Records a Slack request and its jobs in one transaction. Resolves false (and
 * writes nothing but a retry count) when the request id was accepted before,
 * so Slack's retries are processed once. With a job queue attached (PostgreSQL
 * web and worker processes, `db/job-queue.ts`), the jobs' deliveries are
 * announced in that same transaction. On PostgreSQL it runs on the
 * connection's pool: the process serves other requests while it waits.
 */
export async function acceptRequest(db: TreasuryDatabase, { requestId, kind, teamId, jobs = [] }: AcceptParameters): Promise<boolean> {
  const now = Date.now();
  const received = [requestId, kind, teamId ?? null, now];
  const keyed = jobs.map((job, index) => ({ ...job, dedupeKey: job.dedupeKey ?? `${requestId}#${index}` }));
  const pool = poolOf(db);
  if (!pool) return acceptOnSqlite(db, received, keyed, now);
  const countRetry = async (statements: PooledStatements) => {
    await statements.run(countRetrySql, requestId);
    return false;
  };
  // A request without jobs, or with one (nearly all), is one statement and so needs no transaction; a retry is then
  // counted on its own.
  if (keyed.length === 0) return (await pool.run(recordRequestSql, ...received)).changes > 0 || countRetry(pool);
  const fresh = keyed.length === 1 ? await recordWithOneJob(db, pool, received, keyed[0]!, now) : undefined;
  if (fresh !== undefined) return fresh || countRetry(pool);
  return pool.transaction(async (statements) => {
    if ((await statements.run(recordRequestSql, ...received)).changes === 0) return countRetry(statements);
    for (const job of keyed) {
      const inserted = await statements.get(`${insertJobSql} RETURNING id`, ...jobValues(job, now));
      if (!inserted) continue;
      for (const { text, values } of announcementsOf(db, [announcementOf(job, Number(inserted.id), now)])) await statements.runNative(text, values);
    }
    return true;
  });
}

/**
 * A new request and its one job in one statement (a data-modifying WITH: the job only if the request is new), with
 * the job's announcement to the job queue, when one is attached, in the same statement (only if the job is new).
 * False: the request was recorded before, and nothing was written. Undefined: the job queue's insert cannot join the
 * statement, and nothing was written.
 */
async function recordWithOneJob(db: TreasuryDatabase, pool: PooledStatements, received: unknown[], job: NewJob & { dedupeKey: string }, now: number): Promise<boolean | undefined> {
  const announced = announcementInStatement(db, announcementOf(job, 0, now), 10);
  if (!announced && hasJobQueue(db)) return undefined;
  const row = (await pool.getNative(
    `WITH received AS (
       INSERT INTO slack_received (id, kind, team_id, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id
     ), job AS (
       INSERT INTO slack_jobs (dedupe_key, kind, payload, run_after, created_at) SELECT $5, $6, $7, $8::bigint, $9::bigint FROM received
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
     )${announced ? `, ${announced.ctes}` : ""}
     SELECT (SELECT count(*) FROM received) AS fresh${announced ? `, ${announced.evaluated} AS announced` : ""}`,
    [...received, ...jobValues(job, now), ...(announced ? [announced.options] : [])],
  ))!;
  return Number(row.fresh) > 0;
}

const recordRequestSql = "INSERT INTO slack_received (id, kind, team_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
const countRetrySql = "UPDATE slack_received SET retries = retries + 1 WHERE id = ?";
const insertJobSql = "INSERT INTO slack_jobs (dedupe_key, kind, payload, run_after, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING";
const jobValues = (job: NewJob & { dedupeKey: string }, now: number) => [job.dedupeKey, job.kind, JSON.stringify(job.payload), job.runAfter ?? now, now];

/** `acceptRequest` on SQLite: a first delivery without jobs is one statement; with jobs, one transaction. */
function acceptOnSqlite(db: TreasuryDatabase, received: unknown[], jobs: Array<NewJob & { dedupeKey: string }>, now: number): boolean {
  const record = () => {
    if (statement(db, recordRequestSql).run(...received).changes > 0) return true;
    statement(db, countRetrySql).run(received[0]);
    return false;
  };
  if (jobs.length === 0) return record();
  return connectionOf(db).transaction(() => {
    if (!record()) return false;
    for (const job of jobs) insertJob(db, job, now);
    return true;
  })();
}

/** A recorded job's announcement to the job queue (discussion jobs to the queue that runs them in order). */
function announcementOf(job: Pick<NewJob, "kind" | "runAfter">, id: number, now: number): JobAnnouncement {
  const delayMs = (job.runAfter ?? now) - now;
  return { slackJobId: id, ordered: job.kind === "discussion", delaySeconds: delayMs > 0 ? delayMs / 1000 : undefined };
}

/**
 * Resolves true when this request id was accepted before (a retry), and counts
 * the retry. On SQLite a first delivery (nearly every request) costs one
 * indexed read, no write; on PostgreSQL one statement on the pool.
 */
export async function markIfReceived(db: TreasuryDatabase, requestId: string): Promise<boolean> {
  const pool = poolOf(db);
  if (pool) return (await pool.run(countRetrySql, requestId)).changes > 0;
  if (statement(db, "SELECT 1 FROM slack_received WHERE id = ?").get(requestId) === undefined) return false;
  return statement(db, countRetrySql).run(requestId).changes > 0;
}

/** Queues a job unless one with the same dedupe key exists (and announces it to the job queue, if attached, in one transaction). Returns true when queued. */
export function enqueueJob(db: TreasuryDatabase, job: NewJob & { dedupeKey: string }): boolean {
  return connectionOf(db).transaction(() => insertJob(db, job, Date.now()))();
}

function insertJob(db: TreasuryDatabase, job: NewJob & { dedupeKey: string }, now: number): boolean {
  if (!hasJobQueue(db)) return statement(db, insertJobSql).run(...jobValues(job, now)).changes > 0;
  const inserted = statement(db, `${insertJobSql} RETURNING id`).get(...jobValues(job, now)) as { id: number } | undefined;
  if (!inserted) return false;
  announceJobs(db, [announcementOf(job, Number(inserted.id), now)]);
  return true;
}

/**
 * Claims one Slack job a job queue delivered (status -> running, attempts + 1). Undefined when there is nothing to
 * run: the job is done or failed for good (a late second delivery). A job left running by a worker that died is
 * claimed again: its steps are idempotent. A retry delivered before its `run_after` runs early, not never.
 */
export function claimJob(db: TreasuryDatabase, id: number): SlackJob | undefined {
  const row = statement(
    db,
    "UPDATE slack_jobs SET status = 'running', attempts = attempts + 1 WHERE id = ? AND status IN ('pending', 'running') RETURNING id, dedupe_key, kind, payload, attempts, result, replies_sent",
  ).get(id) as JobRow | undefined;
  return row && jobOf(row);
}

/** Claims up to `limit` due jobs (status pending -> running, attempts + 1), oldest first. */
export function claimJobs(db: TreasuryDatabase, limit: number): SlackJob[] {
  const now = Date.now();
  return connectionOf(db).transaction(() => {
    const rows = statement(db, 
        "SELECT id, dedupe_key, kind, payload, attempts, result, replies_sent FROM slack_jobs WHERE status = 'pending' AND run_after <= ? ORDER BY id LIMIT ?",
      )
      .all(now, limit) as JobRow[];
    const claim = statement(db, "UPDATE slack_jobs SET status = 'running', attempts = attempts + 1 WHERE id = ?");
    for (const row of rows) claim.run(row.id);
    return rows.map((row) => jobOf({ ...row, attempts: Number(row.attempts) + 1 }));
  })();
}

type JobRow = { id: number; dedupe_key: string; kind: SlackJobKind; payload: string; attempts: number; result: string | null; replies_sent: number };

function jobOf(row: JobRow): SlackJob {
  return {
    id: Number(row.id),
    dedupeKey: row.dedupe_key,
    kind: row.kind,
    payload: JSON.parse(row.payload),
    attempts: Number(row.attempts),
    result: row.result,
    repliesSent: Number(row.replies_sent),
  };
}

/** Counts an ephemeral reply the job has sent (Slack keeps no ephemeral message to find again after a crash). */
export function recordReplySent(db: TreasuryDatabase, id: number): void {
  statement(db, "UPDATE slack_jobs SET replies_sent = replies_sent + 1 WHERE id = ?").run(id);
}

/** Saves a partial result (e.g. the safeTxHash proposed) so a retried job does not redo the step. */
export function saveJobResult(db: TreasuryDatabase, id: number, result: unknown): void {
  statement(db, "UPDATE slack_jobs SET result = ? WHERE id = ?").run(JSON.stringify(result), id);
}

export function finishJob(db: TreasuryDatabase, id: number): void {
  statement(db, "UPDATE slack_jobs SET status = 'done', finished_at = ?, last_error = NULL WHERE id = ?").run(Date.now(), id);
}

/** Puts a job back for another try after `delayMs` (announced again to the job queue, if attached, in the same transaction), or marks it failed. */
export function retryOrFailJob(db: TreasuryDatabase, id: number, error: string, retryAfterMs: number | null): void {
  if (retryAfterMs === null) {
    statement(db, "UPDATE slack_jobs SET status = 'failed', finished_at = ?, last_error = ? WHERE id = ?").run(Date.now(), error, id);
    return;
  }
  connectionOf(db).transaction(() => {
    const now = Date.now();
    statement(db, "UPDATE slack_jobs SET status = 'pending', run_after = ?, last_error = ? WHERE id = ?").run(now + retryAfterMs, error, id);
    if (!hasJobQueue(db)) return;
    const job = statement(db, "SELECT kind FROM slack_jobs WHERE id = ?").get(id) as { kind: SlackJobKind } | undefined;
    if (job) announceJobs(db, [announcementOf({ kind: job.kind, runAfter: now + retryAfterMs }, id, now)]);
  })();
}

/** After a crash, jobs left 'running' go back to 'pending' (their steps are idempotent). */
export function requeueInterruptedJobs(db: TreasuryDatabase): number {
  return statement(db, "UPDATE slack_jobs SET status = 'pending' WHERE status = 'running'").run().changes;
}

export function countJobs(db: ReadableDatabase): Record<string, number> {
  const rows = statement(db, "SELECT status, COUNT(*) AS n FROM slack_jobs GROUP BY status").all() as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

// --- posts made exactly once ------------------------------------------------

export type SlackPost = { key: string; channelId: string; threadTs: string | null; status: "intent" | "posted"; messageTs: string | null; createdAt: number };

export function readPost(db: ReadableDatabase, key: string): SlackPost | undefined {
  const row = statement(db, "SELECT * FROM slack_posts WHERE key = ?").get(key) as
    | { key: string; channel_id: string; thread_ts: string | null; status: "intent" | "posted"; message_ts: string | null; created_at: number }
    | undefined;
  return row && { key: row.key, channelId: row.channel_id, threadTs: row.thread_ts, status: row.status, messageTs: row.message_ts, createdAt: row.created_at };
}

/** Writes the intent to post (before calling Slack). Keeps an existing row. */
export function recordPostIntent(db: TreasuryDatabase, post: { key: string; channelId: string; threadTs?: string | null }): SlackPost {
  statement(db, "INSERT INTO slack_posts (key, channel_id, thread_ts, status, created_at) VALUES (?, ?, ?, 'intent', ?) ON CONFLICT (key) DO NOTHING").run(
    post.key,
    post.channelId,
    post.threadTs ?? null,
    Date.now(),
  );
  return readPost(db, post.key)!;
}

/** Records the Slack ts of a post; `alsoInSameTransaction` runs in the same transaction (e.g. marking an outbox row delivered). */
export function recordPosted(db: TreasuryDatabase, key: string, messageTs: string, alsoInSameTransaction?: () => void): void {
  connectionOf(db).transaction(() => {
    statement(db, "UPDATE slack_posts SET status = 'posted', message_ts = ?, posted_at = ? WHERE key = ?").run(messageTs, Date.now(), key);
    alsoInSameTransaction?.();
  })();
}

// --- cursors, bindings -------------------------------------------------------

export function readCursor(db: ReadableDatabase, name: string): number {
  const row = statement(db, "SELECT position FROM slack_cursors WHERE name = ?").get(name) as { position: number } | undefined;
  return row?.position ?? 0;
}

/** Every cursor's position, by name (a few per Safe): one read for a round of periodic work over all the Safes. */
export function listCursors(db: ReadableDatabase): Map<string, number> {
  const rows = statement(db, "SELECT name, position FROM slack_cursors").all() as { name: string; position: number }[];
  return new Map(rows.map((row) => [row.name, Number(row.position)]));
}

export function writeCursor(db: TreasuryDatabase, name: string, position: number): void {
  statement(db, 
    "INSERT INTO slack_cursors (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
  ).run(name, position, Date.now());
}

/** A channel bound to a Safe, in the Slack workspace (team id; `""` the home workspace) where it was bound. */
export type ChannelBinding = { channelId: string; chainId: number; safeAddress: string; boundBy: string; workspace: string };

type BindingRow = { channel_id: string; chain_id: number; safe_address: string; bound_by: string; workspace: string };
const toBinding = (row: BindingRow): ChannelBinding => ({ channelId: row.channel_id, chainId: Number(row.chain_id), safeAddress: row.safe_address, boundBy: row.bound_by, workspace: row.workspace });

/** The binding of a channel, in whichever workspace it was made (requests use `readChannelBindingWithSafe`, scoped to theirs). */
export function readChannelBinding(db: ReadableDatabase, channelId: string): ChannelBinding | undefined {
  const row = statement(db, "SELECT channel_id, chain_id, safe_address, bound_by, workspace FROM slack_channels WHERE channel_id = ?").get(channelId) as BindingRow | undefined;
  return row && toBinding(row);
}

/** A proposal's card as a thread reply needs it: the proposal, and the card's link (null until Slack gave one). */
export type ProposalCardAt = { safeTxHash: string; permalink: string | null };

/**
 * The binding of a channel made in `workspace`, with the workspace its Safe belongs to now (`""`, the home workspace,
 * for a Safe not in the registry), in one read. A channel id seen from another workspace (a shared channel, a forged
 * id) reads as unbound; a Safe moved to another workspace since the binding no longer answers here (the caller compares).
 * With `cardTs`, also the card that is the channel's message at that ts (`card`; null: that message is no card), as
 * `findProposalCardAt` finds it: a reply in a thread needs both.
 */
export async function readChannelBindingWithSafe(
  db: ReadableDatabase,
  channelId: string,
  workspace: string,
  cardTs?: string,
): Promise<(ChannelBinding & { safeWorkspace: string; card?: ProposalCardAt | null }) | undefined> {
  const [columns, join] =
    cardTs === undefined ? ["", ""] : [", m.safe_tx_hash AS card_safe_tx_hash, m.permalink AS card_permalink", " LEFT JOIN proposal_messages m ON m.channel_id = c.channel_id AND m.message_ts = ?"];
  const row = (await readRow(
    db,
    `SELECT c.channel_id, c.chain_id, c.safe_address, c.bound_by, c.workspace, coalesce(s.workspace, '') AS safe_workspace${columns}
       FROM slack_channels c LEFT JOIN safes s ON s.chain_id = c.chain_id AND lower(s.address) = lower(c.safe_address)${join}
      WHERE c.channel_id = ? AND c.workspace = ?`,
    ...(cardTs === undefined ? [] : [cardTs]),
    channelId,
    workspace,
  )) as
    | (BindingRow & { safe_workspace: string; card_safe_tx_hash?: string | null; card_permalink?: string | null })
    | undefined;
  if (!row) return undefined;
  const binding = { ...toBinding(row), safeWorkspace: row.safe_workspace };
  if (cardTs === undefined) return binding;
  return { ...binding, card: row.card_safe_tx_hash ? { safeTxHash: row.card_safe_tx_hash, permalink: row.card_permalink ?? null } : null };
}

/** Every channel binding (of one workspace when `workspace` is given), oldest first. */
export function listChannelBindings(db: ReadableDatabase, workspace?: string): ChannelBinding[] {
  const rows = (
    workspace === undefined
      ? statement(db, "SELECT channel_id, chain_id, safe_address, bound_by, workspace FROM slack_channels ORDER BY bound_at").all()
      : statement(db, "SELECT channel_id, chain_id, safe_address, bound_by, workspace FROM slack_channels WHERE workspace = ? ORDER BY bound_at").all(workspace)
  ) as BindingRow[];
  return rows.map(toBinding);
}

/**
 * Binds a channel to a Safe (replacing an earlier binding of that channel in
 * the same workspace). Returns false, binding nothing, when the channel is
 * bound in another workspace (a binding is never taken over across workspaces).
 */
export function bindChannel(db: TreasuryDatabase, binding: Omit<ChannelBinding, "workspace"> & { workspace?: string }): boolean {
  const result = statement(
    db,
    `INSERT INTO slack_channels (channel_id, chain_id, safe_address, bound_by, bound_at, workspace) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET chain_id = excluded.chain_id, safe_address = excluded.safe_address, bound_by = excluded.bound_by, bound_at = excluded.bound_at
     WHERE slack_channels.workspace = excluded.workspace`,
  ).run(binding.channelId, binding.chainId, binding.safeAddress, binding.boundBy, Date.now(), binding.workspace ?? "");
  return result.changes > 0;
}

// --- origins, nudges ----------------------------------------------------------

export function recordProposalOrigin(
  db: TreasuryDatabase,
  origin: { safeTxHash: string; slackUserId: string; channelId: string; threadTs?: string | null },
): void {
  statement(db, 
    "INSERT INTO slack_proposal_origins (safe_tx_hash, slack_user_id, channel_id, thread_ts, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  ).run(origin.safeTxHash, origin.slackUserId, origin.channelId, origin.threadTs ?? null, Date.now());
}

/** Records who proposed through Slack and saves the job's result (the safeTxHash), in one transaction, so a retried job finds both. */
export function recordSlackProposal(db: TreasuryDatabase, { jobId, ...origin }: { jobId: number; safeTxHash: string; slackUserId: string; channelId: string; threadTs?: string | null }): void {
  connectionOf(db).transaction(() => {
    recordProposalOrigin(db, origin);
    saveJobResult(db, jobId, { safeTxHash: origin.safeTxHash });
  })();
}

export function readProposalOrigin(db: ReadableDatabase, safeTxHash: string): { slackUserId: string; channelId: string; threadTs: string | null } | undefined {
  const row = statement(db, "SELECT slack_user_id, channel_id, thread_ts FROM slack_proposal_origins WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { slack_user_id: string; channel_id: string; thread_ts: string | null }
    | undefined;
  return row && { slackUserId: row.slack_user_id, channelId: row.channel_id, threadTs: row.thread_ts };
}

/** Pending proposals of this Safe with a card, created at or before `createdBefore` (unix s), oldest first, that may still need reminders. */
export function listProposalsDueForNudge(db: ReadableDatabase, { safeAddress, createdBefore, limit = 50 }: { safeAddress: string; createdBefore: number; limit?: number }): { safeTxHash: string; channelId: string; messageTs: string }[] {
  return statement(
    db,
    `SELECT p.safe_tx_hash AS safeTxHash, m.channel_id AS channelId, m.message_ts AS messageTs FROM proposals p JOIN proposal_messages m ON m.safe_tx_hash = p.safe_tx_hash
     WHERE p.status = 'pending' AND p.safe_address = ? AND p.created_at <= ?
       AND (SELECT COUNT(*) FROM slack_nudges n WHERE n.safe_tx_hash = p.safe_tx_hash) < 20
     ORDER BY p.created_at LIMIT ?`,
  ).all(safeAddress, createdBefore, limit) as { safeTxHash: string; channelId: string; messageTs: string }[];
}

/** The Safes (by address) with a proposal `listProposalsDueForNudge` would list: one read for all of them (each Safe's pending proposals by index). */
export function safesWithNudgesDue(db: ReadableDatabase, createdBefore: number): Set<string> {
  const addresses = statement(
    db,
    `SELECT DISTINCT p.safe_address FROM safes s JOIN proposals p ON p.safe_id = s.id AND p.status = 'pending' JOIN proposal_messages m ON m.safe_tx_hash = p.safe_tx_hash
     WHERE p.created_at <= ?
       AND (SELECT COUNT(*) FROM slack_nudges n WHERE n.safe_tx_hash = p.safe_tx_hash) < 20`,
  )
    .pluck()
    .all(createdBefore) as string[];
  return new Set(addresses);
}

/** Records a reminder sent to an owner (once per proposal and owner; `sentAt` in ms). */
export function recordNudge(db: TreasuryDatabase, nudge: { safeTxHash: string; owner: string; slackUserId: string | null; channelId: string; messageTs: string; sentAt: number }): void {
  statement(db, "INSERT INTO slack_nudges (safe_tx_hash, owner, slack_user_id, channel_id, message_ts, sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING").run(
    nudge.safeTxHash,
    nudge.owner,
    nudge.slackUserId,
    nudge.channelId,
    nudge.messageTs,
    nudge.sentAt,
  );
}

/** True when a Slack proposal or action job is still queued or running (its card is on its way). */
export function hasProposalJobInFlight(db: ReadableDatabase): boolean {
  return statement(db, "SELECT 1 FROM slack_jobs WHERE kind IN ('propose', 'action') AND status IN ('pending', 'running') LIMIT 1").get() !== undefined;
}

/** True when a cursor of this name was ever written. */
export function hasCursor(db: ReadableDatabase, name: string): boolean {
  return statement(db, "SELECT 1 FROM slack_cursors WHERE name = ?").get(name) !== undefined;
}

/** Forgets accepted requests older than a day and finished jobs older than a week (in batches of 5,000; `now` in ms). */
export function forgetOldSlackRequests(db: TreasuryDatabase, now: number): void {
  statement(db, "DELETE FROM slack_received WHERE rowid IN (SELECT rowid FROM slack_received ORDER BY rowid LIMIT 5000) AND received_at < ?").run(now - 24 * 3600_000);
  statement(db, "DELETE FROM slack_jobs WHERE id IN (SELECT id FROM slack_jobs WHERE status = 'done' AND finished_at < ? LIMIT 5000)").run(now - 7 * 24 * 3600_000);
}
