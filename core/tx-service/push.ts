import type { Hex, LocalAccount } from "viem";
import type { TreasuryContext } from "../context.ts";
import { shortMessageOf } from "../errors.ts";
import { readSafeOwnership } from "../safe/owners.ts";
import { safeTxTypedDataFor } from "../safe/safe-tx.ts";
import { findStoredProposal, listProposalUpdates, listSignatures } from "../../db/proposals.ts";
import {
  enqueueTxServicePush,
  findAppProposal,
  findProposalPush,
  finishTxServicePush,
  listDueTxServicePushes,
  readTxServiceState,
  retryTxServicePush,
  wasSignaturePulled,
  writeTxServiceState,
  type TxServicePush,
} from "../../db/tx-service.ts";
import type { TxServiceClient } from "./client.ts";
import { TxServiceNotFoundError, TxServiceRefusedError } from "./errors.ts";

export type TxServicePushDeps = {
  ctx: TreasuryContext;
  client: TxServiceClient;
  /** The bot's own key, added by an owner as a delegate of the Safe (never an owner's key). */
  delegate?: LocalAccount;
  /** What the Safe app shows as the proposal's origin. */
  origin: string;
  /** The first retry waits this long, doubling up to `retryMaxSeconds`. */
  retryBaseSeconds?: number;
  retryMaxSeconds?: number;
};

const UPDATES_CURSOR = "push:proposal_updates";

/**
 * Queues, in the durable push table, every proposal made here and every
 * wallet signature collected here that the service should get, following the
 * proposal change log with a durable cursor. Proposals that came from the
 * Safe app and signatures pulled from the service are not pushed back.
 * Queuing twice queues once. Returns how many pushes were queued.
 */
export function queueTxServicePushes(ctx: TreasuryContext): number {
  const after = Number(readTxServiceState(ctx.db, UPDATES_CURSOR)?.value ?? 0);
  let queued = 0;
  for (;;) {
    const updates = listProposalUpdates(ctx.db, { after: Number(readTxServiceState(ctx.db, UPDATES_CURSOR)?.value ?? after), limit: 200 });
    if (updates.length === 0) return queued;
    const seen = new Set<string>();
    for (const update of updates) {
      if (seen.has(update.safeTxHash)) continue;
      seen.add(update.safeTxHash);
      queued += queueProposal(ctx, update.safeTxHash);
    }
    writeTxServiceState(ctx.db, UPDATES_CURSOR, String(updates.at(-1)!.id), ctx.now());
  }
}

function queueProposal(ctx: TreasuryContext, safeTxHash: Hex): number {
  const proposal = findStoredProposal(ctx.db, safeTxHash);
  if (!proposal || proposal.status !== "pending" || proposal.chainId !== ctx.chainId || proposal.safeAddress !== ctx.safeAddress) return 0;
  const at = ctx.now();
  let queued = 0;
  if (!findAppProposal(ctx.db, safeTxHash) && enqueueTxServicePush(ctx.db, { kind: "proposal", safeTxHash, at })) queued++;
  for (const signature of listSignatures(ctx.db, safeTxHash)) {
    if (signature.source === "approved_hash" || wasSignaturePulled(ctx.db, safeTxHash, signature.owner)) continue;
    if (enqueueTxServicePush(ctx.db, { kind: "signature", safeTxHash, owner: signature.owner, at })) queued++;
  }
  return queued;
}

export type RunTxServicePushesReturnType = { done: number; waiting: number; failed: number };

/**
 * Runs every push whose time has come. A push is marked done only after the
 * service accepted it, so a crash or an outage repeats it (the service
 * treats a repeated proposal or signature as the same one) and never loses
 * it. While the service is down, slow or does not know the proposal yet, the
 * push waits with a doubling delay; a refusal for good (4xx) is logged with
 * the service's reason and not retried. Never throws for a push's failure.
 */
export async function runTxServicePushes(deps: TxServicePushDeps): Promise<RunTxServicePushesReturnType> {
  const { ctx } = deps;
  const result = { done: 0, waiting: 0, failed: 0 };
  let delegateRegistered: boolean | undefined;
  const useDelegate = async () => {
    if (!deps.delegate) return false;
    delegateRegistered ??= await deps.client.isDelegate(ctx.safeAddress, deps.delegate.address);
    return delegateRegistered;
  };
  for (const push of listDueTxServicePushes(ctx.db, ctx.now())) {
    try {
      const outcome = push.kind === "proposal" ? await pushProposal(deps, push, useDelegate) : await pushSignature(deps, push);
      if (outcome.wait) {
        retryTxServicePush(ctx.db, push.id, { runAfter: ctx.now() + (deps.retryBaseSeconds ?? 5), error: outcome.wait, countAttempt: false });
        result.waiting++;
        continue;
      }
      finishTxServicePush(ctx.db, push.id, outcome.skipped ? "skipped" : "done", ctx.now(), outcome.skipped ?? null);
      if (!outcome.skipped) ctx.logger.info({ safeTxHash: push.safeTxHash, kind: push.kind, owner: push.owner ?? undefined }, "pushed to the Safe Transaction Service");
      result.done++;
    } catch (error) {
      if (error instanceof TxServiceRefusedError) {
        finishTxServicePush(ctx.db, push.id, "failed", ctx.now(), error.shortMessage);
        ctx.logger.warn({ safeTxHash: push.safeTxHash, kind: push.kind, reason: error.shortMessage }, "the Safe Transaction Service refused a push");
        result.failed++;
        continue;
      }
      // Down, slow, 5xx, or (for a signature) the proposal not there yet: try again later, waiting longer each time.
      const delay = Math.min((deps.retryBaseSeconds ?? 5) * 2 ** push.attempts, deps.retryMaxSeconds ?? 600);
      retryTxServicePush(ctx.db, push.id, { runAfter: ctx.now() + delay, error: shortMessageOf(error) });
      ctx.logger.debug({ safeTxHash: push.safeTxHash, kind: push.kind, retryIn: delay, err: shortMessageOf(error) }, "a push to the Safe Transaction Service will be retried");
      result.waiting++;
    }
  }
  return result;
}

type PushOutcome = { skipped?: string; wait?: string };

/**
 * Proposes to the service: as the delegate (the bot's key signs the
 * safeTxHash, which only lets it propose) when one is registered, otherwise
 * as the first owner who signed, with that owner's signature.
 */
async function pushProposal(deps: TxServicePushDeps, push: TxServicePush, useDelegate: () => Promise<boolean>): Promise<PushOutcome> {
  const { ctx } = deps;
  const proposal = findStoredProposal(ctx.db, push.safeTxHash);
  if (!proposal || proposal.status !== "pending") return { skipped: `the proposal is ${proposal?.status ?? "gone"}` };
  const { nonce, owners } = await readSafeOwnership(ctx);
  if (proposal.nonce < nonce) return { skipped: `nonce ${proposal.nonce} is already used on-chain` };
  let sender: Hex;
  let senderSignature: Hex;
  if (await useDelegate()) {
    sender = deps.delegate!.address;
    senderSignature = await deps.delegate!.signTypedData(safeTxTypedDataFor({ chainId: ctx.chainId, safeAddress: ctx.safeAddress }, proposal.safeTx));
  } else {
    const first = listSignatures(ctx.db, proposal.safeTxHash).find((signature) => signature.source !== "approved_hash" && owners.includes(signature.owner));
    if (!first) return { wait: "waiting for a first owner signature (no delegate is registered for the bot's key)" };
    sender = first.owner;
    senderSignature = first.signature;
  }
  await deps.client.propose({ safe: ctx.safeAddress, safeTxHash: proposal.safeTxHash, safeTx: proposal.safeTx, sender, senderSignature, origin: deps.origin });
  return {};
}

/** Adds one owner's signature to the service, once the service has the proposal. */
async function pushSignature(deps: TxServicePushDeps, push: TxServicePush): Promise<PushOutcome> {
  const { ctx } = deps;
  const proposal = findStoredProposal(ctx.db, push.safeTxHash);
  if (!proposal || proposal.status !== "pending") return { skipped: `the proposal is ${proposal?.status ?? "gone"}` };
  const signature = listSignatures(ctx.db, push.safeTxHash).find((entry) => entry.owner === push.owner);
  if (!signature) return { skipped: "the signature is no longer stored" };
  const proposalPush = findProposalPush(ctx.db, push.safeTxHash);
  if (proposalPush?.status === "pending") return { wait: "waiting for the proposal to reach the service first" };
  if (proposalPush?.status === "failed") return { skipped: "the service refused the proposal itself" };
  try {
    await deps.client.confirm(push.safeTxHash, signature.signature);
  } catch (error) {
    if (error instanceof TxServiceNotFoundError) return { wait: "the service does not have this proposal yet" };
    throw error;
  }
  return {};
}
