import type { ReadableDatabase } from "../handle.ts";
import { inAddresses, inList, inSpans, newWhere, whereSql } from "./sql.ts";
import type { ApprovalQuery, ApprovalRecord, MessageQuery, MessageRecord, OwnerChangeRecord } from "./types.ts";
import { oneOffStatement } from "../connection.ts";

/**
 * Every owner approval on record: signatures collected (verified when they
 * were accepted), the signers the chain recovered at execution, and on-chain
 * approveHash calls. One record per SafeTx and owner, the earliest kept.
 * Text in chat never adds an approval.
 */
export function listApprovals(db: ReadableDatabase, query: ApprovalQuery = {}): ApprovalRecord[] {
  const parts: { sql: string; hash: string; owner: string; time: string }[] = [
    {
      sql: "SELECT s.safe_tx_hash AS hash, s.owner AS owner, s.created_at AS time, 'signature' AS source, s.signer_name AS signer_name FROM signatures s WHERE EXISTS (SELECT 1 FROM proposals p WHERE p.safe_tx_hash = s.safe_tx_hash AND p.safe_id = @safe)",
      hash: "s.safe_tx_hash",
      owner: "s.owner",
      time: "s.created_at",
    },
    {
      sql: "SELECT x.safe_tx_hash AS hash, x.owner AS owner, e.block_time AS time, 'executed' AS source, NULL AS signer_name FROM execution_signers x LEFT JOIN safe_executions e ON e.safe_id = x.safe_id AND e.safe_tx_hash = x.safe_tx_hash WHERE x.safe_id = @safe",
      hash: "x.safe_tx_hash",
      owner: "x.owner",
      time: "e.block_time",
    },
    {
      sql: "SELECT h.approved_hash AS hash, h.owner AS owner, h.block_time AS time, 'approved_hash' AS source, NULL AS signer_name FROM approved_hashes h WHERE h.safe_id = @safe",
      hash: "h.approved_hash",
      owner: "h.owner",
      time: "h.block_time",
    },
  ];
  const statements: string[] = [];
  const params: unknown[] = [];
  for (const part of parts) {
    const where = newWhere();
    if (query.safeTxHashes) inList(where, part.hash, query.safeTxHashes);
    if (query.owners) inAddresses(where, part.owner, query.owners);
    if (query.spans) inSpans(where, part.time, query.spans);
    statements.push(`${part.sql} AND ${whereSql(where)}`);
    params.push(...where.params);
  }
  const rows = oneOffStatement(db, statements.join(" UNION ALL ")).all(...params) as { hash: string; owner: string; time: number | null; source: ApprovalRecord["source"]; signer_name: string | null }[];
  const best = new Map<string, ApprovalRecord>();
  const rank = { executed: 0, signature: 1, approved_hash: 2 } as const;
  for (const row of rows) {
    const key = `${row.hash.toLowerCase()}|${row.owner.toLowerCase()}`;
    const record: ApprovalRecord = { safeTxHash: row.hash, owner: row.owner, time: row.time === null ? null : Number(row.time), source: row.source, signerName: row.signer_name };
    const current = best.get(key);
    if (!current) best.set(key, record);
    else {
      const time = current.time === null ? record.time : record.time === null ? current.time : Math.min(current.time, record.time);
      best.set(key, { ...(rank[record.source] < rank[current.source] ? record : current), time, signerName: current.signerName ?? record.signerName });
    }
  }
  return [...best.values()].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}

/** Discussion messages (not deleted), oldest first. */
export function listMessages(db: ReadableDatabase, query: MessageQuery = {}): MessageRecord[] {
  const where = newWhere();
  where.clauses.push("deleted_at IS NULL");
  // The handle's Safe's: messages on its proposals (a message tied to no proposal goes with the first Safe).
  where.clauses.push(`(EXISTS (SELECT 1 FROM proposals p WHERE p.safe_tx_hash = discussion_messages.safe_tx_hash AND p.safe_id = @safe)
    OR (safe_tx_hash IS NULL AND EXISTS (SELECT 1 FROM safes f WHERE f.id = @safe AND f.id = (SELECT min(id) FROM safes))))`);
  if (query.safeTxHashes) inList(where, "safe_tx_hash", query.safeTxHashes);
  if (query.authors) inList(where, "author_id", query.authors, true);
  if (query.spans) inSpans(where, "posted_at", query.spans);
  const rows = oneOffStatement(db,
    
      `SELECT id, safe_tx_hash, author_id, author_name, text, permalink, posted_at FROM discussion_messages
        WHERE ${whereSql(where)} ORDER BY posted_at, id ${query.limit ? `LIMIT ${Math.floor(query.limit)}` : ""}`,
    )
    .all(...where.params) as Record<string, any>[];
  return rows.map((row) => ({
    id: Number(row.id),
    safeTxHash: row.safe_tx_hash ?? null,
    authorId: row.author_id,
    authorName: row.author_name ?? null,
    text: row.text,
    permalink: row.permalink ?? null,
    postedAt: Number(row.posted_at),
  }));
}

/** Owner and threshold changes, in chain order, up to `until` (unix seconds, exclusive) when given. */
export function listOwnerChanges(db: ReadableDatabase, { until }: { until?: number } = {}): OwnerChangeRecord[] {
  const rows = oneOffStatement(db,
    
      `SELECT kind, owner, threshold, owners, block_time, tx_hash, block_number FROM owner_changes
        WHERE safe_id = @safe ${until === undefined ? "" : "AND block_time < ?"} ORDER BY block_number, log_index`,
    )
    .all(...(until === undefined ? [] : [until])) as Record<string, any>[];
  return rows.map((row) => ({
    kind: row.kind,
    owner: row.owner ?? null,
    threshold: row.threshold === null ? null : Number(row.threshold),
    owners: row.owners ?? null,
    time: Number(row.block_time),
    txHash: row.tx_hash,
    blockNumber: Number(row.block_number),
  }));
}
