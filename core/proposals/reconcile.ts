import { getAddress, type Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { approvedHashSignature } from "../safe/safe-tx.ts";
import { settleNonce, settleOthersOnNonce } from "./settle.ts";
import { insertSignature } from "../../db/proposals.ts";

export type ReconcileProposalsReturnType = { changed: Hex[] };

/**
 * Brings proposals in line with the chain mirror the indexer wrote: on-chain
 * `approveHash` approvals become approvals (source `approved_hash`), and
 * executions seen on-chain (from this service, the Safe web app or anywhere)
 * mark proposals executed or failed and settle the others on their nonce
 * (`rejected` when the executed SafeTx is a rejection, else `replaced`).
 * Idempotent: running it twice changes nothing the second time.
 */
export function reconcileProposals(ctx: Pick<TreasuryContext, "db" | "safeAddress">): ReconcileProposalsReturnType {
  const { db } = ctx;
  const changed = new Set<Hex>();
  db.transaction(() => {
    const approvals = db
      .prepare(
        `SELECT DISTINCT p.safe_tx_hash, a.owner FROM approved_hashes a
         JOIN proposals p ON lower(p.safe_tx_hash) = lower(a.approved_hash)
         WHERE p.status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.safe_tx_hash = p.safe_tx_hash AND s.owner = a.owner)`,
      )
      .all() as { safe_tx_hash: Hex; owner: string }[];
    for (const approval of approvals) {
      const owner = getAddress(approval.owner);
      if (insertSignature(db, approval.safe_tx_hash, { owner, signature: approvedHashSignature(owner), source: "approved_hash" }))
        changed.add(approval.safe_tx_hash);
    }

    const executions = db
      .prepare(
        `SELECT e.safe_tx_hash, e.nonce, e.success, e.tx_hash, e.to_address, e.value, e.data, p.status AS proposal_status
         FROM safe_executions e
         LEFT JOIN proposals p ON lower(p.safe_tx_hash) = lower(e.safe_tx_hash)
         WHERE EXISTS (SELECT 1 FROM proposals q WHERE q.nonce = e.nonce AND q.status = 'pending')
         ORDER BY e.nonce`,
      )
      .all() as { safe_tx_hash: Hex; nonce: number; success: number; tx_hash: Hex; to_address: string; value: string; data: string; proposal_status: string | null }[];
    for (const execution of executions) {
      if (execution.proposal_status !== null) {
        for (const hash of settleNonce(db, {
          safeTxHash: getStoredHash(ctx, execution.safe_tx_hash),
          nonce: execution.nonce,
          success: execution.success === 1,
          txHash: execution.tx_hash,
        }))
          changed.add(hash);
      } else {
        // Executed elsewhere and never proposed here; a zero-value call to the Safe itself is a rejection.
        const isRejection =
          execution.to_address.toLowerCase() === ctx.safeAddress.toLowerCase() && BigInt(execution.value) === 0n && execution.data === "0x";
        for (const hash of settleOthersOnNonce(db, { nonce: execution.nonce, executedSafeTxHash: execution.safe_tx_hash, executedIsRejection: isRejection }))
          changed.add(hash);
      }
    }
  })();
  return { changed: [...changed] };
}

function getStoredHash(ctx: Pick<TreasuryContext, "db">, safeTxHash: Hex): Hex {
  const row = ctx.db.prepare("SELECT safe_tx_hash FROM proposals WHERE lower(safe_tx_hash) = lower(?)").get(safeTxHash) as { safe_tx_hash: Hex };
  return row.safe_tx_hash;
}
