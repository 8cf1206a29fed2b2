import { listSignatures } from "../../../db/proposals.ts";
import { findProposal } from "../../../core/proposals/find.ts";
import { cancelProposal, proposeRejection } from "../../../core/proposals/reject.ts";
import { withTreasury } from "../session.ts";
import { cliMember, printProposal } from "./proposal-output.ts";

export type RejectOptions = { onchain?: boolean };

/**
 * `treasury reject <safeTxHash> [--onchain]`: a proposal nobody approved is
 * cancelled; one with approvals gets an on-chain rejection (a zero-value call to
 * the Safe on the same nonce) for owners to sign and execute.
 */
export function rejectCommand(reference: string, options: RejectOptions): Promise<void> {
  return withTreasury(async (ctx) => {
    const stored = findProposal(ctx.db, reference);
    if (!options.onchain && listSignatures(ctx.db, stored.safeTxHash).length === 0) {
      await cancelProposal(ctx, { safeTxHash: stored.safeTxHash, by: cliMember() });
      console.log(`Cancelled nonce ${stored.nonce} (nobody had approved it; the nonce is free again).`);
      return;
    }
    const rejection = await proposeRejection(ctx, { safeTxHash: stored.safeTxHash, proposer: cliMember() });
    console.log("Proposed an on-chain rejection; owners sign and execute it like any proposal:");
    printProposal(ctx, rejection);
  });
}
