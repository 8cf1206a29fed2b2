import {
  BaseError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  createWalletClient,
  encodeFunctionData,
  http,
  parseEventLogs,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { chainFor } from "../chain.ts";
import type { TreasuryContext } from "../context.ts";
import { safeAbi, safeAbiFor } from "../safe/artifacts.ts";
import { readSafeOwnership, type SafeOwnership } from "../safe/owners.ts";
import { encodeSafeSignatures } from "../safe/safe-tx.ts";
import { InvalidInputError } from "../errors.ts";
import { ExecutionFailedError, ProposalStateError, RelayerNotConfiguredError, ThresholdNotMetError } from "./errors.ts";
import { settleNonce } from "./settle.ts";
import { listSignatures, type StoredProposal } from "../../db/proposals.ts";
import { loadStoredProposal } from "./load.ts";
import { assertRelayerIsNotOwner, inRelayerQueue, relayerAccount } from "./relayer.ts";

export type ExecutionCall = { to: Address; data: Hex; value: 0n };

/** Checks the proposal can execute now and returns it with the signatures in Safe order and the Safe's owners now. */
async function prepareExecution(ctx: TreasuryContext, safeTxHash: string): Promise<{ proposal: StoredProposal; signatures: Hex; ownership: SafeOwnership }> {
  const proposal = loadStoredProposal(ctx.db, safeTxHash);
  if (proposal.status !== "pending") throw new ProposalStateError(`This proposal is ${proposal.status}; it cannot be executed.`);
  const ownership = await readSafeOwnership(ctx);
  if (proposal.nonce < ownership.nonce)
    throw new ProposalStateError(`Nonce ${proposal.nonce} is already used on-chain; this proposal can no longer execute.`);
  if (proposal.nonce > ownership.nonce)
    throw new ProposalStateError(`This proposal is nonce ${proposal.nonce}, but the Safe is at nonce ${ownership.nonce}; execute or reject nonce ${ownership.nonce} first.`);
  const approvals = listSignatures(ctx.db, proposal.safeTxHash).filter((signature) => ownership.owners.includes(signature.owner));
  if (approvals.length < ownership.threshold)
    throw new ThresholdNotMetError(`This proposal has ${approvals.length} of the ${ownership.threshold} approvals it needs.`);
  return { proposal, signatures: encodeSafeSignatures(approvals), ownership };
}

function execTransactionData(proposal: StoredProposal, signatures: Hex): Hex {
  const { safeTx } = proposal;
  return encodeFunctionData({
    abi: safeAbi,
    functionName: "execTransaction",
    args: [safeTx.to, safeTx.value, safeTx.data, safeTx.operation, safeTx.safeTxGas, safeTx.baseGas, safeTx.gasPrice, safeTx.gasToken, safeTx.refundReceiver, signatures],
  });
}

/**
 * The `execTransaction` call an owner sends from their own wallet (to the
 * Safe, value 0), with the stored approvals in Safe order. Throws unless the
 * proposal is pending, next in line, and has enough approvals.
 */
export async function buildExecutionCall(ctx: TreasuryContext, safeTxHash: string): Promise<ExecutionCall> {
  const { proposal, signatures } = await prepareExecution(ctx, safeTxHash);
  return { to: ctx.safeAddress, data: execTransactionData(proposal, signatures), value: 0n };
}

export type ExecuteProposalReturnType = { txHash: Hex; status: "executed" | "failed" };

/**
 * Executes a ready proposal with the relayer key (which pays gas and is not an
 * owner). Returns after the transaction is mined and the proposal's status is
 * updated from the Safe's ExecutionSuccess / ExecutionFailure event.
 * Executions through one relayer run one at a time, in the order asked (one
 * queue per relayer), so they never collide on its account nonce. Throws
 * `RelayerNotConfiguredError` when RELAYER_PRIVATE_KEY is not set, and
 * `RelayerIsOwnerError` (logged as an error) when the relayer has become an
 * owner of the Safe: then nothing is sent.
 */
export async function executeProposal(ctx: TreasuryContext, { safeTxHash }: { safeTxHash: string }): Promise<ExecuteProposalReturnType> {
  const account = relayerAccount(ctx);
  if (!account)
    throw new RelayerNotConfiguredError("No relayer is configured (RELAYER_PRIVATE_KEY); an owner must execute from their own wallet.");
  return inRelayerQueue(account.address, async () => {
    const { proposal, signatures, ownership } = await prepareExecution(ctx, safeTxHash);
    try {
      await assertRelayerIsNotOwner(ctx, ownership);
    } catch (error) {
      ctx.logger.error({ relayer: account.address, safeTxHash: proposal.safeTxHash }, "relaying stopped: the relayer is now an owner of the Safe; set another RELAYER_PRIVATE_KEY");
      throw error;
    }
    const wallet = createWalletClient({ account, chain: chainFor(ctx.chainId, ctx.rpcUrl), transport: http(ctx.rpcUrl) });
    let txHash: Hex;
    try {
      txHash = await wallet.sendTransaction({ to: ctx.safeAddress, data: execTransactionData(proposal, signatures), value: 0n });
    } catch (error) {
      throw new ExecutionFailedError(
        `The Safe would not execute this proposal: ${error instanceof BaseError ? error.shortMessage : String(error)}`,
        { cause: error },
      );
    }
    return recordExecution(ctx, { safeTxHash: proposal.safeTxHash, txHash });
  });
}

/**
 * Waits for an execution transaction (sent by the relayer or an owner's
 * wallet), then marks the proposal executed or failed and settles the other
 * proposals on its nonce. Returns after the database is updated.
 */
export async function recordExecution(ctx: TreasuryContext, { safeTxHash, txHash }: { safeTxHash: string; txHash: Hex }): Promise<ExecuteProposalReturnType> {
  const proposal = loadStoredProposal(ctx.db, safeTxHash);
  const receipt = await ctx.client.waitForTransactionReceipt({ hash: txHash, timeout: 120_000 });
  return settleFromReceipt(ctx, proposal, receipt, txHash);
}

export type CheckExecutionReturnType =
  | ExecuteProposalReturnType
  /** The chain knows the transaction but has not mined it yet: ask again later. */
  | { txHash: Hex; status: "pending" }
  /** The chain does not know this transaction hash (not sent, dropped, or not seen by this node yet). */
  | { txHash: Hex; status: "not_found" };

/**
 * Looks an execution transaction up once, without waiting: not found, pending,
 * or mined. Once mined, it is settled like `recordExecution` (the proposal is
 * marked executed or failed); a mined transaction that did not execute this
 * proposal, or reverted, throws. Answers as fast as two RPC calls.
 */
export async function checkExecution(ctx: TreasuryContext, { safeTxHash, txHash }: { safeTxHash: string; txHash: Hex }): Promise<CheckExecutionReturnType> {
  const proposal = loadStoredProposal(ctx.db, safeTxHash);
  let blockNumber: bigint | null;
  try {
    ({ blockNumber } = await ctx.client.getTransaction({ hash: txHash }));
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return { txHash, status: "not_found" };
    throw error;
  }
  if (blockNumber === null) return { txHash, status: "pending" };
  let receipt: TransactionReceipt;
  try {
    receipt = await ctx.client.getTransactionReceipt({ hash: txHash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return { txHash, status: "pending" };
    throw error;
  }
  return settleFromReceipt(ctx, proposal, receipt, txHash);
}

function settleFromReceipt(ctx: TreasuryContext, proposal: StoredProposal, receipt: TransactionReceipt, txHash: Hex): ExecuteProposalReturnType {
  const outcome = executionOutcome(ctx, receipt, proposal.safeTxHash);
  if (!outcome) {
    if (receipt.status === "reverted") throw new ExecutionFailedError(`The execution transaction ${txHash} reverted; the proposal is still pending.`);
    throw new InvalidInputError(`Transaction ${txHash} did not execute this proposal.`);
  }
  settleNonce(ctx.db, { safeTxHash: proposal.safeTxHash, nonce: proposal.nonce, success: outcome === "executed", txHash, at: ctx.now() });
  ctx.logger.info({ safeTxHash: proposal.safeTxHash, txHash, outcome }, "proposal executed");
  return { txHash, status: outcome };
}

function executionOutcome(ctx: TreasuryContext, receipt: TransactionReceipt, safeTxHash: Hex): "executed" | "failed" | undefined {
  // The Safe's own version's events: v1.3.0's ExecutionSuccess/Failure index nothing, v1.4.1's index the safeTxHash.
  const logs = parseEventLogs({
    abi: safeAbiFor(ctx.safe.version, ctx.safe.flavour),
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === ctx.safeAddress.toLowerCase()),
    eventName: ["ExecutionSuccess", "ExecutionFailure"],
  }) as { eventName: string; args: { txHash: Hex } }[];
  const log = logs.find((entry) => entry.args.txHash.toLowerCase() === safeTxHash.toLowerCase());
  if (!log) return undefined;
  return log.eventName === "ExecutionSuccess" ? "executed" : "failed";
}
