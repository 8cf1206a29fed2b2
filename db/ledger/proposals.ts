import type { ReadableDatabase } from "../handle.ts";
import { addressSpellings, amountConditions, approvedBy, executedBy, inAddresses, inList, inSpans, inTokens, marks, newWhere, whereSql, type Where } from "./sql.ts";
import type { ProposalQuery, ProposalRecord, ProposalStatus } from "./types.ts";
import { engineOf, oneOffStatement } from "../connection.ts";

function proposalWhere(db: ReadableDatabase, query: ProposalQuery): Where {
  const where = newWhere();
  where.clauses.push("p.safe_id = @safe");
  if (!query.includeRejections) where.clauses.push("p.kind = 'payment'");
  if (query.statuses) inList(where, "p.status", query.statuses);
  if (query.purposes) inList(where, "p.purpose", query.purposes);
  if (query.proposers) inList(where, "p.proposer", query.proposers, true);
  if (query.spans) inSpans(where, "p.created_at", query.spans);
  if (query.safeTxHashes) inList(where, "p.safe_tx_hash", query.safeTxHashes);
  if (query.nonces) inList(where, "p.nonce", query.nonces);
  const transfer = newWhere();
  if (query.counterparties) inAddresses(transfer, "t.to_address", query.counterparties);
  if (query.tokens) inTokens(transfer, "t.token", query.tokens);
  if (query.amounts) amountConditions(engineOf(db), transfer, "t.token", "t.amount", query.amounts);
  if (transfer.clauses.length) {
    where.clauses.push(`p.safe_tx_hash IN (SELECT t.safe_tx_hash FROM proposal_transfers t WHERE ${whereSql(transfer)})`);
    where.params.push(...transfer.params);
  }
  if (query.categories) {
    const names = query.categories.names.map((name) => name.toLowerCase());
    const addresses = addressSpellings(query.categories.addresses);
    const parts: string[] = [];
    if (names.length) {
      parts.push(`lower(p.category) IN (${marks(names.length)})`);
      where.params.push(...names);
    }
    if (addresses.length) {
      parts.push(`(p.category IS NULL AND p.safe_tx_hash IN (SELECT t.safe_tx_hash FROM proposal_transfers t WHERE t.to_address IN (${marks(addresses.length)})))`);
      where.params.push(...addresses);
    }
    where.clauses.push(parts.length ? `(${parts.join(" OR ")})` : "1 = 0");
  }
  if (query.approvers) approvedBy(where, "p.safe_tx_hash", query.approvers);
  if (query.executors) executedBy(where, "p.safe_tx_hash", query.executors);
  return where;
}

/** How many proposals a query matches. */
export function countProposals(db: ReadableDatabase, query: ProposalQuery): number {
  const where = proposalWhere(db, query);
  return Number(oneOffStatement(db, `SELECT count(*) FROM proposals p WHERE ${whereSql(where)}`).pluck().get(...where.params));
}

export type ListProposalsParameters = { order?: "created_asc" | "created_desc"; limit?: number };

/** The proposals a query matches, with their transfers, execution and card permalink. */
export function listProposals(db: ReadableDatabase, query: ProposalQuery, { order = "created_asc", limit }: ListProposalsParameters = {}): ProposalRecord[] {
  const where = proposalWhere(db, query);
  const rows = oneOffStatement(db,
    
      `SELECT p.safe_tx_hash, p.nonce, p.status, p.kind, p.purpose, p.rejects_safe_tx_hash, p.proposer, p.memo, p.category, p.created_at,
              e.tx_hash AS exec_tx, e.block_time AS exec_time, e.executor AS executor, e.success AS success, pm.permalink AS permalink
         FROM proposals p
         LEFT JOIN safe_executions e ON e.safe_id = p.safe_id AND e.safe_tx_hash = p.safe_tx_hash
         LEFT JOIN proposal_messages pm ON pm.safe_tx_hash = p.safe_tx_hash
        WHERE ${whereSql(where)}
        ORDER BY p.created_at ${order === "created_desc" ? "DESC" : "ASC"}, p.nonce ${order === "created_desc" ? "DESC" : "ASC"}
        ${limit !== undefined ? `LIMIT ${Math.floor(limit)}` : ""}`,
    )
    .all(...where.params) as Record<string, any>[];
  const transfers = transfersOf(db, rows.map((row) => row.safe_tx_hash));
  return rows.map((row) => ({
    safeTxHash: row.safe_tx_hash,
    nonce: Number(row.nonce),
    status: row.status as ProposalStatus,
    kind: row.kind,
    purpose: row.purpose ?? "payment",
    rejectsSafeTxHash: row.rejects_safe_tx_hash ?? null,
    proposer: row.proposer,
    memo: row.memo ?? "",
    category: row.category ?? null,
    createdAt: Number(row.created_at),
    execution: row.exec_tx ? { txHash: row.exec_tx, time: Number(row.exec_time), executor: row.executor ?? null, success: Number(row.success) === 1 } : null,
    permalink: row.permalink ?? null,
    transfers: transfers.get(row.safe_tx_hash) ?? [],
  }));
}

function transfersOf(db: ReadableDatabase, hashes: string[]) {
  const out = new Map<string, { token: string | null; to: string; amount: bigint }[]>();
  for (let i = 0; i < hashes.length; i += 500) {
    const chunk = hashes.slice(i, i + 500);
    for (const row of oneOffStatement(db,
      `SELECT safe_tx_hash, token, to_address, amount FROM proposal_transfers WHERE safe_tx_hash IN (${marks(chunk.length)}) ORDER BY safe_tx_hash, batch_index`)
      .all(...chunk) as { safe_tx_hash: string; token: string | null; to_address: string; amount: string }[]) {
      const list = out.get(row.safe_tx_hash) ?? [];
      list.push({ token: row.token ?? null, to: row.to_address, amount: BigInt(row.amount) });
      out.set(row.safe_tx_hash, list);
    }
  }
  return out;
}

/** The rejection proposals (Safe's own zero-value call on the same nonce) made for these proposals. */
export function rejectionsOf(db: ReadableDatabase, safeTxHashes: string[]): ProposalRecord[] {
  if (safeTxHashes.length === 0) return [];
  const hashes = oneOffStatement(db,
    `SELECT safe_tx_hash FROM proposals WHERE safe_id = @safe AND rejects_safe_tx_hash IN (${marks(safeTxHashes.length)})`)
    .pluck()
    .all(...safeTxHashes) as string[];
  return hashes.length ? listProposals(db, { includeRejections: true, safeTxHashes: hashes }) : [];
}
