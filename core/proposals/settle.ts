import type { Hex } from "viem";
import type { TreasuryDatabase } from "../../db/handle.ts";
import { inTransaction } from "../../db/open.ts";
import { listStoredProposals, setProposalStatus } from "../../db/proposals.ts";
import { loadStoredProposal } from "./load.ts";

export type SettleNonceParameters = { safeTxHash: Hex; nonce: number; success: boolean; txHash: Hex | null; at: number };

/**
 * Records that `safeTxHash` used its nonce on-chain: it becomes executed (or
 * failed), and every other pending proposal on that nonce becomes `rejected`
 * (when the executed one is its rejection) or `replaced`. Idempotent; returns
 * the hashes whose status changed.
 */
export function settleNonce(db: TreasuryDatabase, { safeTxHash, nonce, success, txHash, at }: SettleNonceParameters): Hex[] {
  return inTransaction(db, () => {
    const changed: Hex[] = [];
    const executed = loadStoredProposal(db, safeTxHash);
    if (setProposalStatus(db, safeTxHash, success ? "executed" : "failed", { executedTxHash: txHash, at })) changed.push(safeTxHash);
    changed.push(...settleOthersOnNonce(db, { nonce, executedSafeTxHash: safeTxHash, executedIsRejection: executed.kind === "rejection", at }));
    return changed;
  });
}

/** Marks every other pending proposal on `nonce` rejected (if the executed SafeTx was a rejection) or replaced. */
export function settleOthersOnNonce(
  db: TreasuryDatabase,
  { nonce, executedSafeTxHash, executedIsRejection, at }: { nonce: number; executedSafeTxHash: string; executedIsRejection: boolean; at: number },
): Hex[] {
  const changed: Hex[] = [];
  for (const other of listStoredProposals(db, { status: "pending", nonce })) {
    if (other.safeTxHash.toLowerCase() === executedSafeTxHash.toLowerCase()) continue;
    if (setProposalStatus(db, other.safeTxHash, executedIsRejection ? "rejected" : "replaced", { at })) changed.push(other.safeTxHash);
  }
  return changed;
}
