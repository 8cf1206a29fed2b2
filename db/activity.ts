import { createHash } from "node:crypto";
import { connectionOf, engineOf, idList, statement, textList } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { readNativeCoin, type NativeCoin } from "./chain-mirror/native-coin.ts";
import { bumpVectorsVersion, deleteVectorsOf, type VectorsVersionChange } from "./vectors.ts";
import { activityFilterSql, type ActivityFilters, type ActivityKind } from "./activity-filters.ts";

export { hasFilters, type ActivityFilters, type ActivityKind } from "./activity-filters.ts";

/**
 * Search's rows: one `activity` row for each thing a person might ask about
 * (a payment, a deposit, a proposal, a discussion message) and its full-text
 * index (`activity_fts`). They are derived from the other tables and never
 * edited by hand; this module is their only writer. It also keeps
 * `activity_sync` and consumes `activity_changes`, which only the triggers of
 * migration 016 write.
 */

/** One searchable thing, as stored in `activity`. Amounts are base units as decimal strings. */
export type ActivityRow = {
  id: number;
  ref: string;
  kind: ActivityKind;
  occurredAt: number;
  title: string;
  body: string;
  token: string | null;
  symbol: string | null;
  decimals: number | null;
  amount: string | null;
  counterparty: string | null;
  counterpartyLabel: string | null;
  category: string | null;
  status: string | null;
  safeTxHash: string | null;
  txHash: string | null;
  permalink: string | null;
};

/** An activity row as the sources call for it (before it has an id). */
export type DesiredActivity = Omit<ActivityRow, "id">;

function toActivity(row: Record<string, unknown>): ActivityRow {
  return {
    id: Number(row.id),
    ref: row.ref as string,
    kind: row.kind as ActivityKind,
    occurredAt: Number(row.occurred_at),
    title: row.title as string,
    body: row.body as string,
    token: (row.token as string | null) ?? null,
    symbol: (row.symbol as string | null) ?? null,
    decimals: row.decimals === null || row.decimals === undefined ? null : Number(row.decimals),
    amount: (row.amount as string | null) ?? null,
    counterparty: (row.counterparty as string | null) ?? null,
    counterpartyLabel: (row.counterparty_label as string | null) ?? null,
    category: (row.category as string | null) ?? null,
    status: (row.status as string | null) ?? null,
    safeTxHash: (row.safe_tx_hash as string | null) ?? null,
    txHash: (row.tx_hash as string | null) ?? null,
    permalink: (row.permalink as string | null) ?? null,
  };
}

// --- the sources activity is derived from ---------------------------------------

export type ActivitySources = {
  tokens: { address: string; symbol: string; decimals: number }[];
  /** The chain's own coin (rows with no token address). */
  nativeCoin: NativeCoin;
  addressBook: { address: string; label: string; category: string | null; kind: string | null }[];
  members: { id: string; name: string; slackUserId: string | null }[];
  walletLinks: { address: string; name: string }[];
  proposals: {
    safeTxHash: string;
    nonce: number;
    kind: string;
    rejectsSafeTxHash: string | null;
    proposer: string;
    memo: string;
    category: string | null;
    status: string;
    executedTxHash: string | null;
    createdAt: number;
    to: string;
  }[];
  proposalTransfers: { safeTxHash: string; token: string | null; to: string; amount: string }[];
  cardPermalinks: { safeTxHash: string; permalink: string | null }[];
  payments: { safeTxHash: string; batchIndex: number; token: string | null; to: string; amount: string; blockTime: number; txHash: string }[];
  deposits: { token: string | null; from: string; amount: string; blockTime: number; txHash: string; logIndex: number }[];
  depositNotes: { txHash: string; memo: string }[];
  messages: { id: number; safeTxHash: string | null; authorId: string; authorName: string | null; text: string; permalink: string | null; postedAt: number }[];
};

export type DirectorySources = Pick<ActivitySources, "tokens" | "nativeCoin" | "addressBook" | "members" | "walletLinks">;

/** The key of each activity row: one per payment (a SafeTx's transfer), deposit, proposal and message. */
export const activityRef = {
  payment: (safeTxHash: string, batchIndex: number) => `payment:${safeTxHash}:${batchIndex}`,
  deposit: (txHash: string, logIndex: number) => `deposit:${txHash}:${logIndex}`,
  proposal: (safeTxHash: string) => `proposal:${safeTxHash}`,
  message: (id: number | string) => `message:${id}`,
};

/** The lookups every description needs: the Safe's token symbols, and its workspace's address-book entries, members and their wallets (in a stable order). */
export function readDirectorySources(db: ReadableDatabase): DirectorySources {
  const all = <T>(sql: string) => statement(db, sql).all() as T[];
  return {
    tokens: all("SELECT address, symbol, decimals FROM tokens WHERE safe_id = @safe ORDER BY address"),
    nativeCoin: readNativeCoin(db),
    addressBook: all("SELECT address, label, category, kind FROM address_book WHERE workspace = @workspace ORDER BY address"),
    members: all("SELECT id, name, slack_user_id AS slackUserId FROM members WHERE workspace = @workspace ORDER BY id"),
    // Oldest link first, so an address two members linked goes by the later one's name (as `memberNameForAddress`).
    walletLinks: all(`SELECT w.address AS address, m.name AS name FROM wallet_links w JOIN members m ON m.workspace = w.workspace AND m.id = w.member_id
       WHERE w.workspace = @workspace ORDER BY w.linked_at, w.address, w.member_id`),
  };
}

const proposalColumns = `safe_tx_hash AS safeTxHash, nonce, kind, rejects_safe_tx_hash AS rejectsSafeTxHash, proposer, memo, category, status,
  executed_tx_hash AS executedTxHash, created_at AS createdAt, to_address AS "to"`;
const paymentColumns = `safe_tx_hash AS safeTxHash, batch_index AS batchIndex, token, to_address AS "to", amount, block_time AS blockTime, tx_hash AS txHash`;
const depositColumns = `token, from_address AS "from", amount, block_time AS blockTime, tx_hash AS txHash, log_index AS logIndex`;
const messageColumns = `id, safe_tx_hash AS safeTxHash, author_id AS authorId, author_name AS authorName, text, permalink, posted_at AS postedAt`;
/**
 * The discussion messages of the handle's Safe: those on its proposals, and those tied to no proposal if it is the
 * first Safe. `few`: for a few messages found by key, their proposals are looked up one by one instead of listing
 * the Safe's every proposal first.
 */
const messageOfSafe = (few: boolean) => `d.deleted_at IS NULL
  AND (${few ? "EXISTS (SELECT 1 FROM proposals p WHERE p.safe_tx_hash = d.safe_tx_hash AND p.safe_id = @safe)" : "d.safe_tx_hash IN (SELECT safe_tx_hash FROM proposals WHERE safe_id = @safe)"}
       OR (d.safe_tx_hash IS NULL AND EXISTS (SELECT 1 FROM safes f WHERE f.id = @safe AND f.id = (SELECT min(id) FROM safes))))`;

/** Everything activity rows are made from, read in one go (inside the caller's transaction, so it is consistent). */
export function readActivitySources(db: ReadableDatabase, directory: DirectorySources): ActivitySources {
  const all = <T>(sql: string) => statement(db, sql).all() as T[];
  return {
    ...directory,
    proposals: all(`SELECT ${proposalColumns} FROM proposals WHERE safe_id = @safe`),
    proposalTransfers: all(
      `SELECT t.safe_tx_hash AS safeTxHash, t.token, t.to_address AS "to", t.amount FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
        WHERE p.safe_id = @safe ORDER BY t.safe_tx_hash, t.batch_index`,
    ),
    cardPermalinks: all("SELECT m.safe_tx_hash AS safeTxHash, m.permalink FROM proposal_messages m JOIN proposals p ON p.safe_tx_hash = m.safe_tx_hash WHERE p.safe_id = @safe"),
    payments: all(`SELECT ${paymentColumns} FROM payments WHERE safe_id = @safe ORDER BY block_number, log_index, batch_index`),
    deposits: all(`SELECT ${depositColumns} FROM transfers WHERE safe_id = @safe AND direction = 'in' ORDER BY block_number, log_index`),
    depositNotes: all("SELECT tx_hash AS txHash, memo FROM deposit_notes WHERE safe_id = @safe"),
    messages: all(`SELECT ${messageColumns} FROM discussion_messages d WHERE ${messageOfSafe(false)} ORDER BY posted_at, id`),
  };
}

/**
 * What changed since a Safe's activity was last brought in line: the proposals (by safeTxHash; with their
 * payments and the talk in their threads), the deposits (by transaction hash) and the discussion messages (by id)
 * whose rows may differ.
 */
type ActivityChanges = { proposals: Set<string>; deposits: Set<string>; messages: Set<string> };

/**
 * The sources of the rows `changes` names, and of nothing else but what their descriptions look up: the
 * proposals their messages are on, and the proposals they reject. Proposals that reject a changed one are added
 * to `changes.proposals`, since their description names it. Every read is found by its keys (`+safe_id` keeps
 * the planners off the per-Safe indexes, which would read the Safe's whole history), so it costs what changed.
 */
function readChangedSources(db: ReadableDatabase, changes: ActivityChanges, directory: DirectorySources): ActivitySources {
  const texts = textList(db);
  /** The rows of `sql` for these keys (each of its `lists` lists is given them), read only when there are some: on PostgreSQL each read is a round trip. */
  const byKeys = <T>(keys: Iterable<string>, sql: string, lists = 1): T[] => {
    const list = [...keys];
    return list.length === 0 ? [] : (statement(db, sql).all(...Array<string>(lists).fill(JSON.stringify(list))) as T[]);
  };
  for (const hash of byKeys<{ safe_tx_hash: string }>(changes.proposals, `SELECT safe_tx_hash FROM proposals WHERE +safe_id = @safe AND rejects_safe_tx_hash IN (${texts})`))
    changes.proposals.add(hash.safe_tx_hash);
  const messages =
    changes.proposals.size + changes.messages.size === 0
      ? []
      : (statement(
          db,
          `SELECT ${messageColumns} FROM discussion_messages d
            WHERE d.id IN (SELECT id FROM discussion_messages WHERE safe_tx_hash IN (${texts}) UNION SELECT * FROM (${idList(db)}) AS noted) AND ${messageOfSafe(true)}
            ORDER BY posted_at, id`,
        ).all(JSON.stringify([...changes.proposals]), JSON.stringify([...changes.messages].map(Number))) as ActivitySources["messages"]);
  const lookedUp = new Set([...changes.proposals, ...messages.flatMap((message) => (message.safeTxHash ? [message.safeTxHash] : []))]);
  const proposals = byKeys<ActivitySources["proposals"][number]>(
    lookedUp,
    `SELECT ${proposalColumns} FROM proposals WHERE +safe_id = @safe
       AND (safe_tx_hash IN (${texts}) OR safe_tx_hash IN (SELECT rejects_safe_tx_hash FROM proposals WHERE safe_tx_hash IN (${texts})))`,
    2,
  );
  const read = proposals.map((proposal) => proposal.safeTxHash);
  return {
    ...directory,
    proposals,
    proposalTransfers: byKeys(read, `SELECT safe_tx_hash AS safeTxHash, token, to_address AS "to", amount FROM proposal_transfers WHERE safe_tx_hash IN (${texts}) ORDER BY safe_tx_hash, batch_index`),
    cardPermalinks: byKeys(read, `SELECT safe_tx_hash AS safeTxHash, permalink FROM proposal_messages WHERE safe_tx_hash IN (${texts})`),
    payments: byKeys(changes.proposals, `SELECT ${paymentColumns} FROM payments WHERE +safe_id = @safe AND safe_tx_hash IN (${texts}) ORDER BY block_number, log_index, batch_index`),
    deposits: byKeys(changes.deposits, `SELECT ${depositColumns} FROM transfers WHERE +safe_id = @safe AND +direction = 'in' AND tx_hash IN (${texts}) ORDER BY block_number, log_index`),
    depositNotes: byKeys(changes.deposits, `SELECT tx_hash AS txHash, memo FROM deposit_notes WHERE safe_id = @safe AND tx_hash IN (${texts})`),
    messages,
  };
}

// --- writing --------------------------------------------------------------------------

export type ReplaceActivityReturnType = {
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows the sources called for that were compared with the stored ones. */
  compared: number;
  /** Every row was compared: the first time, after a reorg or an emptied mirror, or when a name, label or token symbol changed. */
  full: boolean;
  /** Ids of removed rows (their vectors went with them). */
  removedIds: number[];
  /** Set when removed rows had vectors: the vector tables changed. */
  vectorsChange?: VectorsVersionChange;
};

type SyncState = { block_number: number | bigint; block_hash: string; directory_hash: string };

/**
 * What must be compared again: nothing but `changes` when the rows were last brought up to a block still in the
 * mirror and written with the same directory; otherwise everything (`undefined`). `changes` gets the payments and
 * deposits indexed since.
 */
function changedSince(db: ReadableDatabase, state: SyncState | undefined, checkpoint: { number: number; hash: string }, directoryHash: string, changes: ActivityChanges): ActivityChanges | undefined {
  if (!state || state.directory_hash !== directoryHash) return undefined;
  const after = Number(state.block_number);
  if (after >= 0 && statement(db, "SELECT hash FROM blocks WHERE safe_id = @safe AND number = ?").pluck().get(after) !== state.block_hash) return undefined;
  const range = { after, upTo: checkpoint.number };
  for (const hash of statement(db, "SELECT DISTINCT safe_tx_hash FROM payments WHERE safe_id = @safe AND block_number > @after AND block_number <= @upTo").pluck().all(range))
    changes.proposals.add(String(hash));
  for (const hash of statement(db, "SELECT DISTINCT tx_hash FROM transfers WHERE safe_id = @safe AND direction = 'in' AND block_number > @after AND block_number <= @upTo").pluck().all(range))
    changes.deposits.add(String(hash));
  return changes;
}

/**
 * Brings `activity` and its full-text index in line with `build(sources)`
 * (keyed by ref, each with a hash of its content): adds new rows, rewrites
 * changed ones, and removes rows whose source is gone, with their vectors, all
 * in one transaction (sources are read inside it). Idempotent.
 *
 * Only what changed since the last call is read and compared: the proposals,
 * deposits and messages noted in `activity_changes`, and the payments and
 * deposits indexed since. Everything is, the first time and after a reorg, an
 * emptied mirror or a change of name, label or token symbol, or when the Safe
 * has no checkpoint yet. A note is removed only as it was read, so a change
 * written meanwhile (by another process) is looked at next time.
 */
export function replaceActivity(db: TreasuryDatabase, build: (sources: ActivitySources) => Map<string, DesiredActivity & { contentHash: string }>): ReplaceActivityReturnType {
  return connectionOf(db).transaction(() => {
    const notes = statement(db, "SELECT scope, key, version FROM activity_changes WHERE safe_id = @safe").all() as { scope: "proposal" | "deposit" | "message"; key: string; version: number | bigint }[];
    const state = statement(db, "SELECT block_number, block_hash, directory_hash FROM activity_sync WHERE safe_id = @safe").get() as SyncState | undefined;
    const stored = statement(db, "SELECT block_number, block_hash FROM checkpoint WHERE safe_id = @safe").get() as { block_number: number | bigint; block_hash: string } | undefined;
    const checkpoint = stored ? { number: Number(stored.block_number), hash: stored.block_hash } : undefined;
    const directory = readDirectorySources(db);
    const directoryHash = createHash("sha1").update(JSON.stringify(directory)).digest("hex");

    const noted: ActivityChanges = { proposals: new Set(), deposits: new Set(), messages: new Set() };
    for (const note of notes) (note.scope === "proposal" ? noted.proposals : note.scope === "deposit" ? noted.deposits : noted.messages).add(note.key);
    const synced = { number: checkpoint?.number ?? -1, hash: checkpoint?.hash ?? "", directoryHash };
    // Brought up to the checkpoint's block with this directory: only the notes can say what changed.
    const unchanged = state !== undefined && Number(state.block_number) === synced.number && state.block_hash === synced.hash && state.directory_hash === directoryHash;
    const changes = !checkpoint ? undefined : unchanged ? noted : changedSince(db, state, checkpoint, directoryHash, noted);
    // The common case after a quiet batch: nothing to read, compare or write.
    if (changes && unchanged && changes.proposals.size + changes.deposits.size + changes.messages.size === 0)
      return { inserted: 0, updated: 0, deleted: 0, compared: 0, full: false, removedIds: [] };

    let desired = build(changes ? readChangedSources(db, changes, directory) : readActivitySources(db, directory));
    const existing = new Map<string, { id: number; hash: string }>();
    const keep = (rows: { id: number; ref: string; content_hash: string }[]) => rows.forEach((row) => existing.set(row.ref, { id: Number(row.id), hash: row.content_hash }));
    if (changes) {
      // Proposals read only to describe others (the one a rejection names, the one a message is on) are not rewritten.
      desired = new Map([...desired].filter(([, row]) => row.kind !== "proposal" || changes.proposals.has(row.safeTxHash!)));
      const texts = textList(db);
      if (changes.proposals.size > 0)
        keep(statement(db, `SELECT id, ref, content_hash FROM activity WHERE +safe_id = @safe AND safe_tx_hash IN (${texts})`).all(JSON.stringify([...changes.proposals])) as never);
      const refs = [...[...changes.messages].map(activityRef.message), ...[...desired.values()].filter((row) => row.kind === "deposit").map((row) => row.ref)];
      if (refs.length > 0) keep(statement(db, `SELECT id, ref, content_hash FROM activity WHERE safe_id = @safe AND ref IN (${texts})`).all(JSON.stringify(refs)) as never);
    } else keep(statement(db, "SELECT id, ref, content_hash FROM activity WHERE safe_id = @safe").all() as never);

    const upsert = statement(
      db,
      `INSERT INTO activity (safe_id, ref, kind, occurred_at, title, body, token, symbol, decimals, amount, counterparty,
         counterparty_label, category, status, safe_tx_hash, tx_hash, permalink, content_hash, updated_at)
       VALUES (@safe, @ref, @kind, @occurredAt, @title, @body, @token, @symbol, @decimals, @amount, @counterparty,
         @counterpartyLabel, @category, @status, @safeTxHash, @txHash, @permalink, @contentHash, unixepoch())
       ON CONFLICT (safe_id, ref) DO UPDATE SET kind = excluded.kind, occurred_at = excluded.occurred_at, title = excluded.title,
         body = excluded.body, token = excluded.token, symbol = excluded.symbol, decimals = excluded.decimals,
         amount = excluded.amount, counterparty = excluded.counterparty, counterparty_label = excluded.counterparty_label,
         category = excluded.category, status = excluded.status, safe_tx_hash = excluded.safe_tx_hash,
         tx_hash = excluded.tx_hash, permalink = excluded.permalink, content_hash = excluded.content_hash,
         updated_at = excluded.updated_at
       RETURNING id`,
    );
    const fts = ftsIndex(db);
    let inserted = 0;
    let updated = 0;
    for (const [ref, row] of desired) {
      const current = existing.get(ref);
      if (current && current.hash === row.contentHash) continue;
      const { id } = upsert.get(row) as { id: number };
      if (current) {
        fts.remove(id);
        updated++;
      } else inserted++;
      fts.add(id, row.title, row.body);
    }
    const removedIds: number[] = [];
    for (const [ref, current] of existing) if (!desired.has(ref)) removedIds.push(current.id);
    for (const id of removedIds) {
      statement(db, "DELETE FROM activity WHERE id = ?").run(BigInt(id));
      fts.remove(id);
      deleteVectorsOf(db, id);
    }
    const vectorsChange = removedIds.length > 0 ? bumpVectorsVersion(db) : undefined;

    // The notes read, each only at the version read: one written meanwhile (another process) stays for next time.
    if (notes.length > 0)
      statement(db, `DELETE FROM activity_changes WHERE safe_id = @safe AND scope || ' ' || key || ' ' || version IN (${textList(db)})`).run(
        JSON.stringify(notes.map((note) => `${note.scope} ${note.key} ${note.version}`)),
      );
    if (!unchanged)
      statement(
        db,
        `INSERT INTO activity_sync (safe_id, block_number, block_hash, directory_hash) VALUES (@safe, @number, @hash, @directoryHash)
         ON CONFLICT (safe_id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, directory_hash = excluded.directory_hash`,
      ).run(synced);
    return { inserted, updated, deleted: removedIds.length, compared: desired.size, full: !changes, removedIds, vectorsChange };
  })();
}

/**
 * The full-text index's writes. SQLite keeps it in the FTS5 table
 * `activity_fts`, written here; PostgreSQL keeps it in `activity.search`, a
 * column it computes itself, so there is nothing to write.
 */
function ftsIndex(db: TreasuryDatabase): { add(id: number, title: string, body: string): void; remove(id: number): void } {
  if (engineOf(db) === "postgres") return { add() {}, remove() {} };
  const remove = statement(db, "DELETE FROM activity_fts WHERE rowid = ?");
  const add = statement(db, "INSERT INTO activity_fts (rowid, title, body) VALUES (?, ?, ?)");
  return { add: (id, title, body) => add.run(BigInt(id), title, body), remove: (id) => remove.run(BigInt(id)) };
}

// --- reading and searching ------------------------------------------------------------

/**
 * Ids of rows matching an FTS5 query (already made safe by the caller), best
 * bm25 first (title weighs 3, body 1), narrowed by the filters.
 */
export function matchActivityText(db: ReadableDatabase, { match, filters, limit }: { match: string; filters?: ActivityFilters; limit: number }): number[] {
  const where = activityFilterSql(filters);
  if (engineOf(db) === "postgres") {
    // The same words and the same AND/OR, as a tsquery; ts_rank with the title weighing more than the body (A and B).
    const sql = `SELECT a.id AS id FROM activity a, to_tsquery('english', ?) q WHERE a.search @@ q AND ${where.sql} ORDER BY ts_rank(a.search, q) DESC, a.id LIMIT ?`;
    return (statement(db, sql).all(tsQuery(match), ...where.params, limit) as { id: number }[]).map((row) => Number(row.id));
  }
  // Without filters, and with one Safe (every row is its own), the ranking reads only the FTS index: joining
  // `activity` would look up every matching row (thousands in a large history) before the LIMIT. With several
  // Safes the FTS index holds them all, and the join keeps the handle's Safe's rows.
  if (where.params.length === 0 && (statement(db, "SELECT count(*) FROM safes").pluck().get() as number) <= 1)
    return (
      statement(db, "SELECT rowid AS id FROM activity_fts WHERE activity_fts MATCH ? ORDER BY bm25(activity_fts, 3.0, 1.0) LIMIT ?").all(match, limit) as { id: number }[]
    ).map((row) => Number(row.id));
  const sql = `SELECT a.id AS id FROM activity_fts JOIN activity a ON a.id = activity_fts.rowid
          WHERE activity_fts MATCH ? AND ${where.sql}
          ORDER BY bm25(activity_fts, 3.0, 1.0) LIMIT ?`;
  return (statement(db, sql).all(match, ...where.params, limit) as { id: number }[]).map((row) => Number(row.id));
}

/** An FTS5 query of quoted words joined by AND or OR (as `ftsQuery` makes them) as PostgreSQL's tsquery text. */
function tsQuery(match: string): string {
  const words = [...match.matchAll(/"([^"]*)"/g)].map((found) => found[1]!.replace(/[^\p{L}\p{N}]+/gu, "")).filter((word) => word.length > 0);
  return words.map((word) => `'${word}'`).join(/"\s+AND\s+"/.test(match) ? " & " : " | ");
}

/** The ids among `ids` whose rows match the filters. */
export function filterActivityIds(db: ReadableDatabase, ids: readonly number[], filters: ActivityFilters): Set<number> {
  const where = activityFilterSql(filters);
  return new Set(
    (statement(db, `SELECT a.id FROM activity a WHERE a.id IN (${idList(db)}) AND ${where.sql}`).pluck().all(JSON.stringify(ids), ...where.params) as number[]).map(
      Number,
    ),
  );
}

/** The rows with these ids (in no particular order; missing ids, and other Safes' rows, are left out). */
export function readActivityByIds(db: ReadableDatabase, ids: readonly number[]): ActivityRow[] {
  return (statement(db, `SELECT * FROM activity WHERE +safe_id = @safe AND id IN (${idList(db)})`).all(JSON.stringify(ids)) as Record<string, unknown>[]).map(toActivity);
}

/** Removes one activity row with its index entry and vectors, in one transaction. Returns the vectors' version change. */
export function removeActivityRow(db: TreasuryDatabase, id: number): VectorsVersionChange {
  return connectionOf(db).transaction(() => {
    statement(db, "DELETE FROM activity WHERE id = ?").run(BigInt(id));
    ftsIndex(db).remove(id);
    deleteVectorsOf(db, id);
    return bumpVectorsVersion(db);
  })();
}
