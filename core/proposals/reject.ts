import type { Address, Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { buildSafeTx, hashSafeTx, type SafeTx, type SafeTxTypedData } from "../safe/safe-tx.ts";
import { ProposalStateError } from "./errors.ts";
import { storeProposal } from "./propose.ts";
import { recoverOwnerSignature, submitSignature } from "./signatures.ts";
import { findStoredProposal, listSignatures, setProposalStatus, type StoredProposal } from "../../db/proposals.ts";
import { loadStoredProposal } from "./load.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "./view.ts";

export type ProposeRejectionParameters = { safeTxHash: string; proposer: string };

/**
 * Proposes the Safe's own kind of rejection of a pending proposal: a
 * zero-value call from the Safe to itself on the same nonce. Once owners sign
 * and execute it, the nonce is used and the original becomes `rejected`. If a
 * rejection of that nonce is already pending, returns it.
 */
export async function proposeRejection(ctx: TreasuryContext, { safeTxHash, proposer }: ProposeRejectionParameters): Promise<ProposalView> {
  const original = rejectableProposal(ctx, safeTxHash);
  return storeRejection(ctx, original, proposer);
}

function rejectableProposal(ctx: TreasuryContext, safeTxHash: string): StoredProposal {
  const original = loadStoredProposal(ctx.db, safeTxHash);
  if (original.status !== "pending") throw new ProposalStateError(`This proposal is ${original.status}; there is nothing to reject.`);
  if (original.kind === "rejection") throw new ProposalStateError("This is already a rejection; to drop it, cancel it or let the original execute.");
  return original;
}

function storeRejection(ctx: TreasuryContext, original: StoredProposal, proposer: string, firstSignature?: { owner: Address; signature: Hex }) {
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
    firstSignature: firstSignature && { ...firstSignature, source: "wallet" },
  });
}

/** The Safe's rejection of a nonce: a zero-value call from the Safe to itself, with no data. */
export function rejectionSafeTx(ctx: Pick<TreasuryContext, "safeAddress">, nonce: number): SafeTx {
  return buildSafeTx({ to: ctx.safeAddress, value: 0n, data: "0x", operation: 0, nonce });
}

/**
 * The typed data an owner signs to propose the rejection of a pending
 * proposal: the rejection's own SafeTx, so the signature that proves who
 * proposes it is also its first approval.
 */
export function rejectionTypedData(ctx: TreasuryContext, safeTxHash: string): SafeTxTypedData {
  const original = rejectableProposal(ctx, safeTxHash);
  return safeTxTypedData(ctx, rejectionSafeTx(ctx, original.nonce));
}

export type ProposeSignedRejectionParameters = {
  /** The proposal to reject. */
  safeTxHash: string;
  /** The owner's signature of the rejection's SafeTx (see `rejectionTypedData`). */
  signature: string;
  /** The address the wallet says it signed with; when given, it must be the signer. */
  signer?: string;
};

/**
 * Proposes the rejection of a pending proposal on the proof of an owner's
 * signature of the rejection itself. The signature must recover to a current
 * owner over the rejection's safeTxHash; then the rejection is stored with
 * that owner as proposer and their signature as its first approval, together.
 * If the rejection of that nonce already exists, the signature is added to it
 * as an approval. Anything else is refused with a `SignatureRefusedError` or
 * `ProposalStateError`, and nothing is stored.
 */
export async function proposeSignedRejection(ctx: TreasuryContext, params: ProposeSignedRejectionParameters): Promise<ProposalView> {
  const original = rejectableProposal(ctx, params.safeTxHash);
  const { safeTxHash } = hashSafeTx({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, rejectionSafeTx(ctx, original.nonce));
  const { owner, signature } = await recoverOwnerSignature(ctx, { safeTxHash, signature: params.signature, signer: params.signer });
  const existing = findStoredProposal(ctx.db, safeTxHash);
  if (existing && existing.status === "pending") {
    await submitSignature(ctx, { safeTxHash: existing.safeTxHash, signature, signer: owner, source: "wallet" });
    return getProposal(ctx, existing.safeTxHash);
  }
  const proposer = memberNameForAddress(ctx.db, owner) ?? owner;
  let rejection = await storeRejection(ctx, original, proposer, { owner, signature });
  // Someone else stored the same rejection in the meantime: add this approval to it.
  if (!rejection.approvals.some((approval) => approval.owner === owner)) {
    await submitSignature(ctx, { safeTxHash: rejection.safeTxHash, signature, signer: owner, source: "wallet" });
    rejection = await getProposal(ctx, rejection.safeTxHash);
  }
  ctx.logger.info({ safeTxHash: rejection.safeTxHash, rejects: original.safeTxHash, owner }, "rejection proposed with its first approval");
  return rejection;
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
