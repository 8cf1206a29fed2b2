import { ftsQuery } from "../search/search.ts";
import type { ReadableDatabase as TreasuryDatabase } from "../db/handle.ts";
import { connectionOf } from "../db/connection.ts";

export type FindProposalsParameters = {
  /** Words to rank by (memo, discussion, payee); entity words already removed is best. */
  text?: string;
  counterparties?: string[];
  category?: string;
  from?: number;
  to?: number;
  statuses?: string[];
  limit?: number;
};

/**
 * The payment proposals that best match a description: narrowed by payee,
 * category, period and status, ranked by bm25 over their memo, payments and
 * discussion; with no matching words, executed and recent ones first.
 * Rejection proposals are never returned on their own.
 */
export function findProposals(db: TreasuryDatabase, params: FindProposalsParameters): string[] {
  const clauses = ["p.kind = 'payment'"];
  const values: unknown[] = [];
  if (params.counterparties?.length) {
    clauses.push(
      `EXISTS (SELECT 1 FROM proposal_transfers t WHERE t.safe_tx_hash = p.safe_tx_hash AND lower(t.to_address) IN (${params.counterparties.map(() => "?").join(", ")}))`,
    );
    values.push(...params.counterparties.map((a) => a.toLowerCase()));
  }
  if (params.category) {
    clauses.push("lower(coalesce(p.category, '')) = lower(?)");
    values.push(params.category);
  }
  if (params.from !== undefined || params.to !== undefined) {
    const from = params.from ?? 0;
    const to = params.to ?? 2 ** 40;
    clauses.push(
      `((p.created_at >= ? AND p.created_at < ?) OR EXISTS (SELECT 1 FROM safe_executions e WHERE e.safe_tx_hash = p.safe_tx_hash AND e.block_time >= ? AND e.block_time < ?))`,
    );
    values.push(from, to, from, to);
  }
  if (params.statuses?.length) {
    clauses.push(`p.status IN (${params.statuses.map(() => "?").join(", ")})`);
    values.push(...params.statuses);
  }
  const candidates = connectionOf(db)
    .prepare(
      `SELECT p.safe_tx_hash, p.status, p.created_at FROM proposals p WHERE ${clauses.join(" AND ")}
        ORDER BY (p.status = 'executed') DESC, p.created_at DESC`,
    )
    .all(...values) as { safe_tx_hash: string; status: string; created_at: number }[];
  const structural = clauses.length > 1;
  const match = params.text ? ftsQuery(params.text) : undefined;
  const best = new Map<string, number>();
  if (match) {
    const rows = connectionOf(db)
      .prepare(
        `SELECT a.safe_tx_hash AS hash, bm25(activity_fts, 3.0, 1.0) AS score FROM activity_fts
           JOIN activity a ON a.id = activity_fts.rowid
          WHERE activity_fts MATCH ? AND a.safe_tx_hash IS NOT NULL ORDER BY score LIMIT 200`,
      )
      .all(match) as { hash: string; score: number }[];
    for (const row of rows) if (!best.has(row.hash) || best.get(row.hash)! > row.score) best.set(row.hash, row.score);
    // A rejection's activity speaks for the proposal it rejects.
    for (const row of connectionOf(db).prepare("SELECT safe_tx_hash, rejects_safe_tx_hash FROM proposals WHERE rejects_safe_tx_hash IS NOT NULL").all() as {
      safe_tx_hash: string;
      rejects_safe_tx_hash: string;
    }[]) {
      const score = best.get(row.safe_tx_hash);
      if (score !== undefined && (!best.has(row.rejects_safe_tx_hash) || best.get(row.rejects_safe_tx_hash)! > score)) best.set(row.rejects_safe_tx_hash, score);
    }
  }
  const scored = candidates.filter((c) => best.has(c.safe_tx_hash)).sort((a, b) => best.get(a.safe_tx_hash)! - best.get(b.safe_tx_hash)!);
  const rest = structural ? candidates.filter((c) => !best.has(c.safe_tx_hash)) : [];
  return [...scored, ...rest].slice(0, params.limit ?? 5).map((c) => c.safe_tx_hash);
}
