import type { Hex } from "viem";
import { inTransaction } from "../../db/open.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { insertSignature, listExecutionsOnPendingNonces, listUnrecordedOnChainApprovals, storedSafeTxHash } from "../../db/proposals.ts";
import type { TreasuryContext } from "../context.ts";
import { approvedHashSignature } from "../safe/safe-tx.ts";
import { settleNonce, settleOthersOnNonce } from "./settle.ts";

export type ReconcileProposalsReturnType = { changed: Hex[] };

/**
 * Brings proposals in line with the chain mirror the indexer wrote: on-chain
 * `approveHash` approvals become approvals (source `approved_hash`), and
 * executions seen on-chain (from this service, the Safe web app or anywhere)
 * mark proposals executed or failed and settle the others on their nonce
 * (`rejected` when the executed SafeTx is a rejection, else `replaced`).
 * Idempotent: running it twice changes nothing the second time.
 */
export function reconcileProposals(ctx: Pick<TreasuryContext, "db" | "safeAddress" | "now">): ReconcileProposalsReturnType {
  const { db } = ctx;
  const at = ctx.now();
  const changed = new Set<Hex>();
  inTransaction(db, () => {
    for (const { safeTxHash, owner } of listUnrecordedOnChainApprovals(db)) {
      const signature = { owner, signature: approvedHashSignature(owner), source: "approved_hash" as const, signerName: memberNameForAddress(db, owner), createdAt: at };
      if (insertSignature(db, safeTxHash, signature)) changed.add(safeTxHash);
    }
    for (const execution of listExecutionsOnPendingNonces(db)) {
      if (execution.proposalStatus !== null) {
        const safeTxHash = storedSafeTxHash(db, execution.safeTxHash) ?? execution.safeTxHash;
        for (const hash of settleNonce(db, { safeTxHash, nonce: execution.nonce, success: execution.success, txHash: execution.txHash, at })) changed.add(hash);
      } else {
        // Executed elsewhere and never proposed here; a zero-value call to the Safe itself is a rejection.
        const isRejection = execution.to.toLowerCase() === ctx.safeAddress.toLowerCase() && execution.value === 0n && execution.data === "0x";
        for (const hash of settleOthersOnNonce(db, { nonce: execution.nonce, executedSafeTxHash: execution.safeTxHash, executedIsRejection: isRejection, at }))
          changed.add(hash);
      }
    }
  });
  return { changed: [...changed] };
}
