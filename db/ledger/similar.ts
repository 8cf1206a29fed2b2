import type { ReadableDatabase } from "../handle.ts";
import { oneOffStatement } from "../connection.ts";
import { pgvectorSimilarity } from "../pgvector.ts";
import { vectorStoreOf } from "../vector-store.ts";

export type ProposalHead = { safeTxHash: string; memo: string; createdAt: number; transfer: { token: string | null; to: string; amount: string } | undefined };

/** A proposal's memo and its first transfer. */
export function proposalHead(db: ReadableDatabase, safeTxHash: string): ProposalHead | undefined {
  const proposal = oneOffStatement(db, "SELECT safe_tx_hash, memo, created_at FROM proposals WHERE safe_id = @safe AND safe_tx_hash = ?").get(safeTxHash) as
    | { safe_tx_hash: string; memo: string; created_at: number }
    | undefined;
  if (!proposal) return undefined;
  const transfer = oneOffStatement(db, "SELECT token, to_address, amount FROM proposal_transfers WHERE safe_tx_hash = ? ORDER BY batch_index LIMIT 1").get(safeTxHash) as
    | { token: string | null; to_address: string; amount: string }
    | undefined;
  return {
    safeTxHash: proposal.safe_tx_hash,
    memo: proposal.memo,
    createdAt: Number(proposal.created_at),
    transfer: transfer ? { token: transfer.token ?? null, to: transfer.to_address, amount: transfer.amount } : undefined,
  };
}

export type PastPayment = { safeTxHash: string; amount: string; txHash: string; blockTime: number; batchIndex: number; memo: string };

/** Executed payments to the same payee in the same token, other than this SafeTx. */
export function pastPaymentsLike(db: ReadableDatabase, { to, token, except }: { to: string; token: string | null; except: string }): PastPayment[] {
  return (
    oneOffStatement(db,
      
        `SELECT p.safe_tx_hash, p.amount, p.tx_hash, p.block_time, p.batch_index, coalesce(pr.memo, '') AS memo
           FROM payments p LEFT JOIN proposals pr ON pr.safe_tx_hash = p.safe_tx_hash
          WHERE p.safe_id = @safe AND lower(p.to_address) = lower(?) AND coalesce(lower(p.token), '') = coalesce(lower(?), '') AND p.safe_tx_hash != ?`,
      )
      .all(to, token, except) as { safe_tx_hash: string; amount: string; tx_hash: string; block_time: number; batch_index: number; memo: string }[]
  ).map((row) => ({ safeTxHash: row.safe_tx_hash, amount: row.amount, txHash: row.tx_hash, blockTime: Number(row.block_time), batchIndex: Number(row.batch_index), memo: row.memo }));
}

/**
 * Cosine similarity (0..1) of two activity rows' stored embeddings, by their
 * refs; undefined when either has no vector (or no vector table exists, or,
 * on PostgreSQL, the vectors are not in pgvector: no SQL computes it there).
 */
export function activitySimilarity(db: ReadableDatabase, refA: string, refB: string): number | undefined {
  const id = (ref: string) => oneOffStatement(db, "SELECT id FROM activity WHERE safe_id = @safe AND ref = ?").pluck().get(ref) as number | undefined;
  const a = id(refA);
  const b = id(refB);
  if (a === undefined || b === undefined) return undefined;
  if (vectorStoreOf(db) === "pgvector") return pgvectorSimilarity(db, a, b);
  try {
    const value = oneOffStatement(db,
      "SELECT 1 - vec_distance_cosine(a.embedding, b.embedding) FROM activity_vectors a, activity_vectors b WHERE a.activity_id = ? AND b.activity_id = ?")
      .pluck()
      .get(BigInt(a), BigInt(b)) as number | null | undefined;
    return value ?? undefined;
  } catch {
    return undefined;
  }
}
