import type { Statement } from "better-sqlite3";
import type { TreasuryDatabase } from "../../db/database.ts";

const statements = new WeakMap<TreasuryDatabase, Map<string, Statement>>();

/** A prepared statement, prepared once per database connection (the request path runs these at every request). */
export function statement(db: TreasuryDatabase, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/**
 * The Slack adapter's durable state (migration 006): accepted requests, the
 * job queue, posts made exactly once, nudges, channel bindings and cursors.
 * Every function here is one short SQLite statement or transaction.
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
 * Records a Slack request and its jobs in one transaction. Returns false (and
 * writes nothing but a retry count) when the request id was already accepted,
 * so Slack's retries are processed once.
 */
export function acceptRequest(db: TreasuryDatabase, { requestId, kind, teamId, jobs = [] }: AcceptParameters): boolean {
  const now = Date.now();
  return db.transaction(() => {
    const inserted = statement(db, "INSERT INTO slack_received (id, kind, team_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
      .run(requestId, kind, teamId ?? null, now);
    if (inserted.changes === 0) {
      statement(db, "UPDATE slack_received SET retries = retries + 1 WHERE id = ?").run(requestId);
      return false;
    }
    jobs.forEach((job, index) => insertJob(db, { ...job, dedupeKey: job.dedupeKey ?? `${requestId}#${index}` }, now));
    return true;
  })();
}

/**
 * True when this request id was accepted before (a retry); counts the retry.
 * A first delivery (nearly every request) costs one indexed read, no write.
 */
export function markIfReceived(db: TreasuryDatabase, requestId: string): boolean {
  if (statement(db, "SELECT 1 FROM slack_received WHERE id = ?").get(requestId) === undefined) return false;
  const result = statement(db, "UPDATE slack_received SET retries = retries + 1 WHERE id = ?").run(requestId);
  return result.changes > 0;
}

/** Queues a job unless one with the same dedupe key exists. Returns true when queued. */
export function enqueueJob(db: TreasuryDatabase, job: NewJob & { dedupeKey: string }): boolean {
  return insertJob(db, job, Date.now());
}

function insertJob(db: TreasuryDatabase, job: NewJob & { dedupeKey: string }, now: number): boolean {
  const result = statement(
    db,
    "INSERT INTO slack_jobs (dedupe_key, kind, payload, run_after, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
  ).run(job.dedupeKey, job.kind, JSON.stringify(job.payload), job.runAfter ?? now, now);
  return result.changes > 0;
}

/** Claims up to `limit` due jobs (status pending -> running, attempts + 1), oldest first. */
export function claimJobs(db: TreasuryDatabase, limit: number): SlackJob[] {
  const now = Date.now();
  return db.transaction(() => {
    const rows = statement(db, 
        "SELECT id, dedupe_key, kind, payload, attempts, result FROM slack_jobs WHERE status = 'pending' AND run_after <= ? ORDER BY id LIMIT ?",
      )
      .all(now, limit) as Array<{ id: number; dedupe_key: string; kind: SlackJobKind; payload: string; attempts: number; result: string | null }>;
    const claim = statement(db, "UPDATE slack_jobs SET status = 'running', attempts = attempts + 1 WHERE id = ?");
    for (const row of rows) claim.run(row.id);
    return rows.map((row) => ({
      id: row.id,
      dedupeKey: row.dedupe_key,
      kind: row.kind,
      payload: JSON.parse(row.payload),
      attempts: row.attempts + 1,
      result: row.result,
    }));
  })();
}

/** Saves a partial result (e.g. the safeTxHash proposed) so a retried job does not redo the step. */
export function saveJobResult(db: TreasuryDatabase, id: number, result: unknown): void {
  statement(db, "UPDATE slack_jobs SET result = ? WHERE id = ?").run(JSON.stringify(result), id);
}

export function finishJob(db: TreasuryDatabase, id: number): void {
  statement(db, "UPDATE slack_jobs SET status = 'done', finished_at = ?, last_error = NULL WHERE id = ?").run(Date.now(), id);
}

/** Puts a job back for another try after `delayMs`, or marks it failed. */
export function retryOrFailJob(db: TreasuryDatabase, id: number, error: string, retryAfterMs: number | null): void {
  if (retryAfterMs === null) {
    statement(db, "UPDATE slack_jobs SET status = 'failed', finished_at = ?, last_error = ? WHERE id = ?").run(Date.now(), error, id);
  } else {
    statement(db, "UPDATE slack_jobs SET status = 'pending', run_after = ?, last_error = ? WHERE id = ?").run(Date.now() + retryAfterMs, error, id);
  }
}

/** After a crash, jobs left 'running' go back to 'pending' (their steps are idempotent). */
export function requeueInterruptedJobs(db: TreasuryDatabase): number {
  return statement(db, "UPDATE slack_jobs SET status = 'pending' WHERE status = 'running'").run().changes;
}

export function countJobs(db: TreasuryDatabase): Record<string, number> {
  const rows = statement(db, "SELECT status, COUNT(*) AS n FROM slack_jobs GROUP BY status").all() as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

// --- posts made exactly once ------------------------------------------------

export type SlackPost = { key: string; channelId: string; threadTs: string | null; status: "intent" | "posted"; messageTs: string | null; createdAt: number };

export function readPost(db: TreasuryDatabase, key: string): SlackPost | undefined {
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
  db.transaction(() => {
    statement(db, "UPDATE slack_posts SET status = 'posted', message_ts = ?, posted_at = ? WHERE key = ?").run(messageTs, Date.now(), key);
    alsoInSameTransaction?.();
  })();
}

// --- cursors, bindings -------------------------------------------------------

export function readCursor(db: TreasuryDatabase, name: string): number {
  const row = statement(db, "SELECT position FROM slack_cursors WHERE name = ?").get(name) as { position: number } | undefined;
  return row?.position ?? 0;
}

export function writeCursor(db: TreasuryDatabase, name: string, position: number): void {
  statement(db, 
    "INSERT INTO slack_cursors (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
  ).run(name, position, Date.now());
}

export type ChannelBinding = { channelId: string; chainId: number; safeAddress: string; boundBy: string };

export function readChannelBinding(db: TreasuryDatabase, channelId: string): ChannelBinding | undefined {
  const row = statement(db, "SELECT channel_id, chain_id, safe_address, bound_by FROM slack_channels WHERE channel_id = ?").get(channelId) as
    | { channel_id: string; chain_id: number; safe_address: string; bound_by: string }
    | undefined;
  return row && { channelId: row.channel_id, chainId: row.chain_id, safeAddress: row.safe_address, boundBy: row.bound_by };
}

export function listChannelBindings(db: TreasuryDatabase): ChannelBinding[] {
  const rows = statement(db, "SELECT channel_id, chain_id, safe_address, bound_by FROM slack_channels ORDER BY bound_at").all() as Array<{
    channel_id: string;
    chain_id: number;
    safe_address: string;
    bound_by: string;
  }>;
  return rows.map((row) => ({ channelId: row.channel_id, chainId: row.chain_id, safeAddress: row.safe_address, boundBy: row.bound_by }));
}

/** Binds a channel to a Safe (replacing an earlier binding of that channel). */
export function bindChannel(db: TreasuryDatabase, binding: ChannelBinding): void {
  statement(db, 
    `INSERT INTO slack_channels (channel_id, chain_id, safe_address, bound_by, bound_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET chain_id = excluded.chain_id, safe_address = excluded.safe_address, bound_by = excluded.bound_by, bound_at = excluded.bound_at`,
  ).run(binding.channelId, binding.chainId, binding.safeAddress, binding.boundBy, Date.now());
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

export function readProposalOrigin(db: TreasuryDatabase, safeTxHash: string): { slackUserId: string; channelId: string; threadTs: string | null } | undefined {
  const row = statement(db, "SELECT slack_user_id, channel_id, thread_ts FROM slack_proposal_origins WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { slack_user_id: string; channel_id: string; thread_ts: string | null }
    | undefined;
  return row && { slackUserId: row.slack_user_id, channelId: row.channel_id, threadTs: row.thread_ts };
}

/** Claims the one nudge of `owner` for a proposal. Returns false when it was sent (or claimed) before. */
export function claimNudge(db: TreasuryDatabase, nudge: { safeTxHash: string; owner: string; slackUserId?: string | null; channelId?: string | null }): boolean {
  return (
    statement(db, "INSERT INTO slack_nudges (safe_tx_hash, owner, slack_user_id, channel_id, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .run(nudge.safeTxHash, nudge.owner, nudge.slackUserId ?? null, nudge.channelId ?? null, Date.now()).changes > 0
  );
}

export function recordNudgeTs(db: TreasuryDatabase, safeTxHash: string, owner: string, messageTs: string): void {
  statement(db, "UPDATE slack_nudges SET message_ts = ? WHERE safe_tx_hash = ? AND owner = ?").run(messageTs, safeTxHash, owner);
}

// --- reads for notifications and forms (the lead moves these to db/) ----------

/** The call of an executed SafeTx as the indexer stored it, or undefined when it is not (or no longer) indexed. */
export type ExecutedCall = { safeTxHash: string; nonce: number; to: string; value: string; data: string; operation: number; success: boolean; txHash: string };

export function readExecutedCall(db: TreasuryDatabase, safeTxHash: string): ExecutedCall | undefined {
  const row = statement(db, "SELECT safe_tx_hash, nonce, to_address, value, data, operation, success, tx_hash FROM safe_executions WHERE safe_tx_hash = ?").get(safeTxHash) as
    | { safe_tx_hash: string; nonce: number; to_address: string; value: string; data: string; operation: number; success: number; tx_hash: string }
    | undefined;
  return row && { safeTxHash: row.safe_tx_hash, nonce: row.nonce, to: row.to_address, value: row.value, data: row.data, operation: row.operation, success: row.success === 1, txHash: row.tx_hash };
}

/** The SafeTx executions the indexer stored for one chain transaction (usually none or one). */
export function listExecutedCallsInTransaction(db: TreasuryDatabase, txHash: string): ExecutedCall[] {
  const rows = statement(db, "SELECT safe_tx_hash FROM safe_executions WHERE tx_hash = ? ORDER BY log_index").all(txHash) as Array<{ safe_tx_hash: string }>;
  return rows.map((row) => readExecutedCall(db, row.safe_tx_hash)).filter((call): call is ExecutedCall => call !== undefined);
}

/** The categories in use (address book and proposals), most used first, at most `limit`. */
export function listCategories(db: TreasuryDatabase, limit = 100): string[] {
  const rows = statement(
    db,
    `SELECT category, SUM(n) AS uses, MIN(lower(category)) AS folded FROM (
       SELECT trim(category) AS category, COUNT(*) AS n FROM address_book WHERE trim(coalesce(category, '')) != '' GROUP BY trim(category)
       UNION ALL
       SELECT trim(category) AS category, COUNT(*) AS n FROM proposals WHERE trim(coalesce(category, '')) != '' GROUP BY trim(category)
     ) GROUP BY lower(category) ORDER BY uses DESC, folded LIMIT ?`,
  ).all(limit) as Array<{ category: string }>;
  return rows.map((row) => row.category);
}
