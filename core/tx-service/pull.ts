import type { SafeMultisigTransactionResponse } from "@safe-global/types-kit";
import { getAddress, isAddressEqual, isHex, zeroAddress, type Address, type Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { shortMessageOf } from "../errors.ts";
import { SignatureRefusedError } from "../proposals/errors.ts";
import { newReviewToken } from "../proposals/propose.ts";
import { submitSignature } from "../proposals/signatures.ts";
import { changesOwnership, describeSafeTx } from "../safe/describe.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import { hashSafeTx, type SafeTx } from "../safe/safe-tx.ts";
import { multiSendAddresses } from "../safe/setup.ts";
import { shortAddress } from "../short.ts";
import { memberNameForAddress } from "../../db/people.ts";
import { findStoredProposal, insertProposal, listSignatures, listStoredProposals, type ProposalKind, type StoredTransfer } from "../../db/proposals.ts";
import { recordAppProposal, recordPulledSignature, recordTxServiceRefusal, wasRefusedBefore, writeTxServiceState } from "../../db/tx-service.ts";
import type { TxServiceClient } from "./client.ts";

export type PullFromTxServiceReturnType = {
  /** Proposals queued in the Safe app, stored here now (they get a card like any other). */
  imported: Hex[];
  /** Signatures from the service accepted here (each checked like any other). */
  accepted: number;
  /** Signatures or transactions from the service refused here, each with its reason (logged once). */
  refused: Array<{ safeTxHash: Hex; owner: string | null; reason: string; message: string }>;
};

/** The proposer of a proposal queued in the Safe app whose proposer the service does not name. */
export const SAFE_APP_PROPOSER = "the Safe app";

/**
 * Reads the Safe's queue from the service (transactions not executed, nonce
 * at or above the Safe's) and brings it here. Nothing the service says is
 * trusted: each transaction's safeTxHash is recomputed from its fields for
 * this chain and Safe; a proposal first seen there is stored as "proposed in
 * the Safe app"; each signature goes through `submitSignature`, so it counts
 * only if it recovers to a current owner over that safeTxHash, on an unused
 * nonce. A refused one is logged with its reason once, and never counted.
 * Records the time of the last complete pull. Throws when the service cannot
 * be read (the caller retries at its next poll).
 */
export async function pullFromTxService(ctx: TreasuryContext, client: TxServiceClient): Promise<PullFromTxServiceReturnType> {
  const result: PullFromTxServiceReturnType = { imported: [], accepted: 0, refused: [] };
  try {
    const { nonce } = await readSafeOwnership(ctx);
    const queue = await client.pending(ctx.safeAddress, nonce);
    for (const tx of queue.sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)))) await pullTransaction(ctx, tx, nonce, result);
  } catch (error) {
    writeTxServiceState(ctx.db, "last_pull_error", shortMessageOf(error), ctx.now());
    throw error;
  }
  writeTxServiceState(ctx.db, "last_pull_at", String(ctx.now()), ctx.now());
  writeTxServiceState(ctx.db, "last_pull_error", "", ctx.now());
  return result;
}

async function pullTransaction(ctx: TreasuryContext, tx: SafeMultisigTransactionResponse, safeNonce: number, result: PullFromTxServiceReturnType): Promise<void> {
  const refuse = (owner: string | null, signature: string, reason: string, message: string) => {
    const safeTxHash = (isHex(tx.safeTxHash) ? tx.safeTxHash : "0x") as Hex;
    if (recordTxServiceRefusal(ctx.db, { safeTxHash, signature, claimedOwner: owner, reason, message, at: ctx.now() })) {
      ctx.logger.warn({ safeTxHash, owner: owner ?? undefined, reason, message }, "refused something the Safe Transaction Service served");
      result.refused.push({ safeTxHash, owner, reason, message });
    }
  };
  if (!isAddressEqual(tx.safe as Address, ctx.safeAddress)) return refuse(null, "transaction", "wrong_safe", `The service served a transaction of ${tx.safe}, not of this Safe.`);
  const safeTx = readSafeTx(tx);
  if (!safeTx) return refuse(null, "transaction", "malformed", "The service served a transaction whose fields are not valid.");
  const { safeTxHash } = hashSafeTx({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, safeTx);
  if (safeTxHash.toLowerCase() !== tx.safeTxHash.toLowerCase())
    return refuse(null, "transaction", "hash_mismatch", `The service's safeTxHash ${tx.safeTxHash} is not the hash of its fields (${safeTxHash}) on this chain and Safe.`);
  if (Number(safeTx.nonce) < safeNonce) return;

  let proposal = findStoredProposal(ctx.db, safeTxHash);
  if (!proposal) {
    importAppProposal(ctx, tx, safeTx, safeTxHash);
    result.imported.push(safeTxHash);
    proposal = findStoredProposal(ctx.db, safeTxHash)!;
  }
  if (proposal.status !== "pending") return;

  const stored = new Set(listSignatures(ctx.db, safeTxHash).map((signature) => signature.owner));
  for (const confirmation of tx.confirmations ?? []) {
    const claimed = typeof confirmation.owner === "string" && /^0x[0-9a-fA-F]{40}$/.test(confirmation.owner) ? getAddress(confirmation.owner) : null;
    if (claimed && stored.has(claimed)) continue;
    const signature = String(confirmation.signature ?? "");
    if (wasRefusedBefore(ctx.db, safeTxHash, signature)) continue;
    try {
      const accepted = await submitSignature(ctx, { safeTxHash, signature, signer: claimed ?? undefined });
      recordPulledSignature(ctx.db, safeTxHash, accepted.owner, ctx.now());
      stored.add(accepted.owner);
      result.accepted++;
    } catch (error) {
      if (!(error instanceof SignatureRefusedError)) throw error;
      refuse(claimed, signature, error.reason, error.shortMessage);
    }
  }
}

/** The SafeTx as the service lists it, or undefined when a field is not what a SafeTx holds. */
function readSafeTx(tx: SafeMultisigTransactionResponse): SafeTx | undefined {
  try {
    const data = (tx.data ?? "0x") as Hex;
    if (!isHex(data) || (tx.operation !== 0 && tx.operation !== 1)) return undefined;
    return {
      to: getAddress(tx.to),
      value: BigInt(tx.value),
      data,
      operation: tx.operation,
      safeTxGas: BigInt(tx.safeTxGas ?? 0),
      baseGas: BigInt(tx.baseGas ?? 0),
      gasPrice: BigInt(tx.gasPrice ?? 0),
      gasToken: getAddress(tx.gasToken ?? zeroAddress),
      refundReceiver: getAddress(tx.refundReceiver ?? zeroAddress),
      nonce: BigInt(tx.nonce),
    };
  } catch {
    return undefined;
  }
}

/**
 * Stores a proposal first seen in the service, marked as coming from the Safe
 * app (the mark is written first, so its card never shows without it). What
 * it does is decoded from its call: payments keep their payees and amounts,
 * so the warnings run on them as on any other.
 */
function importAppProposal(ctx: TreasuryContext, tx: SafeMultisigTransactionResponse, safeTx: SafeTx, safeTxHash: Hex): void {
  const description = describeSafeTx({ safeAddress: ctx.safeAddress, multiSendAddresses: multiSendAddresses(ctx.safe), call: safeTx });
  let kind: ProposalKind = "other";
  let transfers: StoredTransfer[] = [];
  let rejectsSafeTxHash: Hex | null = null;
  if (description.kind === "rejection") {
    kind = "rejection";
    rejectsSafeTxHash = listStoredProposals(ctx.db, { status: "pending", nonce: Number(safeTx.nonce) }).find((other) => other.kind !== "rejection")?.safeTxHash ?? null;
  } else if (description.kind === "payment") {
    kind = "payment";
    transfers = description.actions.flatMap((action, batchIndex) => (action.kind === "payment" ? [{ batchIndex, token: action.token, to: action.to, amount: action.amount }] : []));
  } else if (description.actions.some(changesOwnership)) kind = "owner_change";
  const proposer = tx.proposer ? getAddress(tx.proposer) : null;
  recordAppProposal(ctx.db, { safeTxHash, serviceProposer: proposer, origin: typeof tx.origin === "string" ? tx.origin.slice(0, 500) : null, at: ctx.now() });
  insertProposal(ctx.db, {
    safeTxHash,
    chainId: ctx.chainId,
    safeAddress: ctx.safeAddress,
    safeTx,
    kind,
    rejectsSafeTxHash,
    // Who queued it, as a treasurer knows them; the card says it was proposed in the Safe app.
    proposer: proposer ? (memberNameForAddress(ctx.db, proposer) ?? shortAddress(proposer)) : SAFE_APP_PROPOSER,
    memo: "",
    category: null,
    reviewToken: newReviewToken(),
    transfers,
    createdAt: ctx.now(),
  });
  ctx.logger.info({ safeTxHash, nonce: Number(safeTx.nonce), kind }, "proposal queued in the Safe app stored");
}
