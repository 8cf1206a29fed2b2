import type { Address, Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { buildSafeTx, hashSafeTx, type SafeTx, type SafeTxTypedData } from "../safe/safe-tx.ts";
import { ProposalStateError, RejectNotAllowedError } from "./errors.ts";
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
 * Rejects a pending proposal on the proof of an owner's signature of the
 * rejection itself (the web page's Reject), by the one rule (`decideReject`).
 * The signature must recover to a current owner over the rejection's
 * safeTxHash. Then, if nobody has signed the proposal, it is cancelled
 * off-chain (no gas) and the signature is not kept; otherwise the rejection is
 * stored with that owner as proposer and their signature as its first
 * approval, together. If the rejection of that nonce already exists, the
 * signature is added to it as an approval. Anything else is refused with a
 * `SignatureRefusedError` or `ProposalStateError`, and nothing is stored.
 */
export async function proposeSignedRejection(ctx: TreasuryContext, params: ProposeSignedRejectionParameters): Promise<RejectProposalReturnType> {
  const original = rejectableProposal(ctx, params.safeTxHash);
  const { safeTxHash } = hashSafeTx({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, rejectionSafeTx(ctx, original.nonce));
  const { owner, signature } = await recoverOwnerSignature(ctx, { safeTxHash, signature: params.signature, signer: params.signer });
  const existing = findStoredProposal(ctx.db, safeTxHash);
  if (existing && existing.status === "pending") {
    await submitSignature(ctx, { safeTxHash: existing.safeTxHash, signature, signer: owner, source: "wallet" });
    return { action: "reject_onchain", rejection: await getProposal(ctx, existing.safeTxHash) };
  }
  const proposer = memberNameForAddress(ctx.db, owner) ?? owner;
  if (decideReject(original, listSignatures(ctx.db, original.safeTxHash).length, { name: proposer, isOwner: true }) === "cancel")
    return { action: "cancel", proposal: await cancelProposal(ctx, { safeTxHash: original.safeTxHash, by: proposer }) };
  let rejection = await storeRejection(ctx, original, proposer, { owner, signature });
  // Someone else stored the same rejection in the meantime: add this approval to it.
  if (!rejection.approvals.some((approval) => approval.owner === owner)) {
    await submitSignature(ctx, { safeTxHash: rejection.safeTxHash, signature, signer: owner, source: "wallet" });
    rejection = await getProposal(ctx, rejection.safeTxHash);
  }
  ctx.logger.info({ safeTxHash: rejection.safeTxHash, rejects: original.safeTxHash, owner }, "rejection proposed with its first approval");
  return { action: "reject_onchain", rejection };
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

/** Who asks to reject or cancel a proposal, as the adapter established it. */
export type Rejecter = {
  /** The name stored as proposer and in the log: a member id, `slack:U…`, the CLI user. */
  name: string;
  /** A current owner of the Safe, proven by the adapter (a linked owner wallet, checked on the chain now). */
  isOwner: boolean;
  /** The adapter knows this person proposed it (Slack: the user who sent the payment); else the stored proposer is compared with `name`. */
  proposedIt?: boolean;
};

/** What rejecting a pending proposal comes to. */
export type RejectAction = "cancel" | "reject_onchain";

/**
 * The one rule for reject and cancel, everywhere (CLI, Slack, web):
 * - nobody has signed: the proposer or an owner cancels it off-chain (no gas;
 *   the nonce is free again);
 * - someone has signed (the SafeTx stays executable): only an owner may
 *   propose the Safe's on-chain rejection, on the same nonce.
 * Anyone else gets a `RejectNotAllowedError`; a proposal that is not pending,
 * or a signed rejection, a `ProposalStateError`.
 */
export function decideReject(proposal: Pick<StoredProposal, "status" | "kind" | "proposer">, signatureCount: number, by: Rejecter): RejectAction {
  if (proposal.status !== "pending") throw new ProposalStateError(`This proposal is ${proposal.status}; there is nothing to reject or cancel.`);
  const isProposer = by.proposedIt ?? proposal.proposer === by.name;
  if (signatureCount === 0) {
    if (by.isOwner || isProposer) return "cancel";
    throw new RejectNotAllowedError(`Only the person who proposed it (${proposal.proposer}) or an owner of the Safe can cancel this proposal.`);
  }
  if (proposal.kind === "rejection")
    throw new ProposalStateError("This rejection already has an approval; to drop it, let the original execute, or sign and execute the rejection.");
  if (!by.isOwner)
    throw new RejectNotAllowedError(
      `This proposal has ${signatureCount} approval${signatureCount === 1 ? "" : "s"}, so it stays executable; only an owner of the Safe can propose its on-chain rejection.`,
    );
  return "reject_onchain";
}

export type RejectProposalParameters = {
  safeTxHash: string;
  by: Rejecter;
  /** The person asked to cancel (a Cancel button): if the rule says on-chain rejection, refuse instead of proposing one. */
  cancelOnly?: boolean;
};

export type RejectProposalReturnType =
  /** Nobody had signed: cancelled off-chain. */
  | { action: "cancel"; proposal: ProposalView }
  /** Someone had signed: the on-chain rejection (new, or the one already pending), for owners to sign and execute. */
  | { action: "reject_onchain"; rejection: ProposalView };

/**
 * Rejects a pending proposal by the one rule (`decideReject`): cancels it
 * off-chain while nobody has signed, else proposes the Safe's on-chain
 * rejection. Adapters call this, never `cancelProposal` or `proposeRejection`
 * directly. Refused, nothing changes.
 */
export async function rejectProposal(ctx: TreasuryContext, { safeTxHash, by, cancelOnly }: RejectProposalParameters): Promise<RejectProposalReturnType> {
  const proposal = loadStoredProposal(ctx.db, safeTxHash);
  const signatures = listSignatures(ctx.db, proposal.safeTxHash).length;
  const action = decideReject(proposal, signatures, by);
  if (action === "reject_onchain" && cancelOnly)
    throw new ProposalStateError(
      `This proposal already has ${signatures} approval${signatures === 1 ? "" : "s"}, so it stays executable and cannot be cancelled; reject it on-chain instead.`,
    );
  if (action === "cancel") return { action, proposal: await cancelProposal(ctx, { safeTxHash: proposal.safeTxHash, by: by.name }) };
  return { action, rejection: await proposeRejection(ctx, { safeTxHash: proposal.safeTxHash, proposer: by.name }) };
}
