import type { Address, Hex, TypedDataDefinition } from "viem";
import { findAddressBookEntry } from "../../db/people.ts";
import type { TreasuryContext } from "../context.ts";
import { formatAmount } from "../money.ts";
import { readSafeOwnership, type SafeOwnership } from "../safe/owners.ts";
import { hashSafeTx, safeTxTypedDataFor, type SafeTx, type SafeTxHashes, type safeTxTypes } from "../safe/safe-tx.ts";
import type { SimulationResult } from "../safety/simulate.ts";
import { checkProposal, type ProposalWarning } from "../safety/warnings.ts";
import { ProposalNotFoundError } from "./errors.ts";
import {
  findStoredProposal,
  findStoredProposalByReviewToken,
  listSignatures,
  listStoredProposals,
  type ProposalKind,
  type ProposalStatus,
  type SignatureSource,
  type StoredProposal,
} from "../../db/proposals.ts";
import { listExecutionSigners } from "../../db/chain-mirror/execution-signers.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { tokenByAddress } from "./tokens.ts";

export type ProposalTransferView = {
  token: Address | null;
  symbol: string;
  decimals: number;
  to: Address;
  /** Address-book label of the payee, or null. */
  label: string | null;
  amount: bigint;
  /** The amount with the token's decimals ("250", "0.25"). */
  formatted: string;
};

/** An owner's approval, with the name they were known by when they signed. */
export type ProposalApproval = { owner: Address; name: string | null; source: SignatureSource };

/** An owner who signed, with the name they were known by when they signed (or now, for a signature made elsewhere). */
export type ProposalSigner = { owner: Address; name: string | null };

/** Everything a signer, a card or the CLI shows about one proposal, recomputed on each read. */
export type ProposalView = {
  safeTxHash: Hex;
  nonce: number;
  status: ProposalStatus;
  kind: ProposalKind;
  rejectsSafeTxHash: Hex | null;
  proposer: string;
  memo: string;
  category: string | null;
  /** Unix seconds. */
  createdAt: number;
  safeTx: SafeTx;
  transfers: ProposalTransferView[];
  /** Approvals by current owners (signatures of removed owners are not counted nor shown). */
  approvals: ProposalApproval[];
  /**
   * Who signed, as a record: for an executed or failed proposal, the owners
   * whose signatures the Safe ran (once indexed; until then the stored
   * approvals); otherwise every stored approval, also of owners removed since.
   */
  signedBy: ProposalSigner[];
  owners: Address[];
  threshold: number;
  /** Pending, and approvals reach the threshold. */
  ready: boolean;
  warnings: ProposalWarning[];
  /** The eth_call simulation from the Safe (null once the proposal is no longer pending). */
  simulation: SimulationResult | null;
  hashes: SafeTxHashes;
  reviewToken: string;
  executedTxHash: Hex | null;
  /** The Safe's nonce when this view was made. */
  safeNonce: number;
};

export type GetProposalOptions = {
  /** Run the safety checks (default true). Lists for a CLI may skip them. */
  warnings?: boolean;
  /** Reuse a live read of owners/threshold/nonce. */
  ownership?: SafeOwnership;
};

/** The typed data an owner's wallet signs (eth_signTypedData_v4) to approve this proposal. */
export function safeTxTypedData(
  ctx: Pick<TreasuryContext, "chainId" | "safeAddress">,
  proposal: { safeTx: SafeTx } | SafeTx,
): TypedDataDefinition<typeof safeTxTypes, "SafeTx"> {
  const safeTx = "safeTx" in proposal ? proposal.safeTx : proposal;
  return safeTxTypedDataFor({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, safeTx);
}

/** Builds the view of a stored proposal: live owners and threshold, approvals, warnings, simulation and hashes. */
export async function viewProposal(ctx: TreasuryContext, proposal: StoredProposal, options: GetProposalOptions = {}): Promise<ProposalView> {
  const ownership = options.ownership ?? (await readSafeOwnership(ctx));
  const signatures = listSignatures(ctx.db, proposal.safeTxHash);
  const approvals = signatures
    .filter((signature) => ownership.owners.includes(signature.owner))
    .map((signature) => ({ owner: signature.owner, name: signature.signerName, source: signature.source }));
  const nameAtSigning = new Map(signatures.map((signature) => [signature.owner, signature.signerName]));
  const executedSigners =
    proposal.status === "executed" || proposal.status === "failed" ? listExecutionSigners(ctx.db, proposal.safeTxHash).map((signer) => signer.owner) : [];
  const signedBy = (executedSigners.length > 0 ? executedSigners : signatures.map((signature) => signature.owner)).map((owner) => ({
    owner,
    name: nameAtSigning.get(owner) ?? memberNameForAddress(ctx.db, owner),
  }));
  const checked =
    options.warnings === false ? { warnings: [], simulation: null } : await checkProposal(ctx, { proposal, safeNonce: ownership.nonce });
  return {
    safeTxHash: proposal.safeTxHash,
    nonce: proposal.nonce,
    status: proposal.status,
    kind: proposal.kind,
    rejectsSafeTxHash: proposal.rejectsSafeTxHash,
    proposer: proposal.proposer,
    memo: proposal.memo,
    category: proposal.category,
    createdAt: proposal.createdAt,
    safeTx: proposal.safeTx,
    transfers: proposal.transfers.map((transfer) => {
      const token = tokenByAddress(ctx, transfer.token);
      return {
        token: transfer.token,
        symbol: token.symbol,
        decimals: token.decimals,
        to: transfer.to,
        label: findAddressBookEntry(ctx.db, transfer.to)?.label ?? null,
        amount: transfer.amount,
        formatted: formatAmount(transfer.amount, token.decimals),
      };
    }),
    approvals,
    signedBy,
    owners: ownership.owners,
    threshold: ownership.threshold,
    ready: proposal.status === "pending" && proposal.nonce >= ownership.nonce && approvals.length >= ownership.threshold,
    warnings: checked.warnings,
    simulation: checked.simulation,
    hashes: hashSafeTx({ chainId: proposal.chainId, safeAddress: proposal.safeAddress }, proposal.safeTx),
    reviewToken: proposal.reviewToken,
    executedTxHash: proposal.executedTxHash,
    safeNonce: ownership.nonce,
  };
}

/** One proposal by safeTxHash, with warnings recomputed now. Throws `ProposalNotFoundError`. */
export async function getProposal(ctx: TreasuryContext, safeTxHash: string, options?: GetProposalOptions): Promise<ProposalView> {
  const proposal = findStoredProposal(ctx.db, safeTxHash);
  if (!proposal) throw new ProposalNotFoundError(`No proposal with safeTxHash ${safeTxHash}.`);
  return viewProposal(ctx, proposal, options);
}

/** One proposal by its review-page token. Throws `ProposalNotFoundError` (the same for a wrong token and a missing one). */
export async function getProposalByReviewToken(ctx: TreasuryContext, token: string, options?: GetProposalOptions): Promise<ProposalView> {
  const proposal = token ? findStoredProposalByReviewToken(ctx.db, token) : undefined;
  if (!proposal) throw new ProposalNotFoundError("This review link is not valid.");
  return viewProposal(ctx, proposal, options);
}

export type ListProposalsParameters = { status?: ProposalStatus; warnings?: boolean };

/** Proposals, newest nonce first, optionally of one status. Warnings are computed unless `warnings: false`. */
export async function listProposals(ctx: TreasuryContext, { status, warnings = true }: ListProposalsParameters = {}): Promise<ProposalView[]> {
  const ownership = await readSafeOwnership(ctx);
  const views: ProposalView[] = [];
  for (const proposal of listStoredProposals(ctx.db, { status })) views.push(await viewProposal(ctx, proposal, { ownership, warnings }));
  return views;
}
