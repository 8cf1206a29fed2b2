import type { TreasuryContext } from "../context.ts";
import { ProposalStateError } from "./errors.ts";
import { storeProposal } from "./propose.ts";
import { listSignatures, setProposalStatus } from "../../db/proposals.ts";
import { loadStoredProposal } from "./load.ts";
import { getProposal, type ProposalView } from "./view.ts";

export type ProposeRejectionParameters = { safeTxHash: string; proposer: string };

/**
 * Proposes the Safe's own kind of rejection of a pending proposal: a
 * zero-value call from the Safe to itself on the same nonce. Once owners sign
 * and execute it, the nonce is used and the original becomes `rejected`. If a
 * rejection of that nonce is already pending, returns it.
 */
export async function proposeRejection(ctx: TreasuryContext, { safeTxHash, proposer }: ProposeRejectionParameters): Promise<ProposalView> {
  const original = loadStoredProposal(ctx.db, safeTxHash);
  if (original.status !== "pending") throw new ProposalStateError(`This proposal is ${original.status}; there is nothing to reject.`);
  if (original.kind === "rejection") throw new ProposalStateError("This is already a rejection; to drop it, cancel it or let the original execute.");
  return storeProposal(ctx, {
    to: ctx.safeAddress,
    value: 0n,
    data: "0x",
    operation: 0,
    proposer,
    memo: `Rejection of nonce ${original.nonce}${original.memo ? `: ${original.memo}` : ""}`,
    category: null,
    nonce: original.nonce,
    kind: "rejection",
    rejectsSafeTxHash: original.safeTxHash,
    transfers: [],
  });
}

export type CancelProposalParameters = { safeTxHash: string; by: string };

/**
 * Cancels a pending proposal that nobody has approved (off-chain only: the
 * nonce stays free). A proposal with any approval must be rejected on-chain
 * instead, because a signed SafeTx stays executable.
 */
export async function cancelProposal(ctx: TreasuryContext, { safeTxHash, by }: CancelProposalParameters): Promise<ProposalView> {
  const proposal = loadStoredProposal(ctx.db, safeTxHash);
  if (proposal.status !== "pending") throw new ProposalStateError(`This proposal is ${proposal.status}; it cannot be cancelled.`);
  const approvals = listSignatures(ctx.db, proposal.safeTxHash).length;
  if (approvals > 0)
    throw new ProposalStateError(
      `This proposal already has ${approvals} approval${approvals === 1 ? "" : "s"}, so it stays executable; reject it on-chain instead.`,
    );
  setProposalStatus(ctx.db, proposal.safeTxHash, "cancelled", { at: ctx.now() });
  ctx.logger.info({ safeTxHash: proposal.safeTxHash, by }, "proposal cancelled");
  return getProposal(ctx, proposal.safeTxHash);
}
