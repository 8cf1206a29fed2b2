import type { Hex } from "viem";
import type { TreasuryDatabase } from "../../db/database.ts";
import { listStoredProposals, loadStoredProposal, setProposalStatus } from "../../db/proposals.ts";

export type SettleNonceParameters = { safeTxHash: Hex; nonce: number; success: boolean; txHash: Hex | null };

/**
 * Records that `safeTxHash` used its nonce on-chain: it becomes executed (or
 * failed), and every other pending proposal on that nonce becomes `rejected`
 * (when the executed one is its rejection) or `replaced`. Idempotent; returns
 * the hashes whose status changed.
 */
export function settleNonce(db: TreasuryDatabase, { safeTxHash, nonce, success, txHash }: SettleNonceParameters): Hex[] {
  return db.transaction(() => {
    const changed: Hex[] = [];
    const executed = loadStoredProposal(db, safeTxHash);
    if (setProposalStatus(db, safeTxHash, success ? "executed" : "failed", { executedTxHash: txHash })) changed.push(safeTxHash);
    changed.push(...settleOthersOnNonce(db, { nonce, executedSafeTxHash: safeTxHash, executedIsRejection: executed.kind === "rejection" }));
    return changed;
  })();
}

/** Marks every other pending proposal on `nonce` rejected (if the executed SafeTx was a rejection) or replaced. */
export function settleOthersOnNonce(
  db: TreasuryDatabase,
  { nonce, executedSafeTxHash, executedIsRejection }: { nonce: number; executedSafeTxHash: string; executedIsRejection: boolean },
): Hex[] {
  const changed: Hex[] = [];
  for (const other of listStoredProposals(db, { status: "pending", nonce })) {
    if (other.safeTxHash.toLowerCase() === executedSafeTxHash.toLowerCase()) continue;
    if (setProposalStatus(db, other.safeTxHash, executedIsRejection ? "rejected" : "replaced")) changed.push(other.safeTxHash);
  }
  return changed;
}
