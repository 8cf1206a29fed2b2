import { decodeFunctionData, encodeFunctionData, hashDomain, keccak256, toFunctionSelector, type Address, type Hex } from "viem";
import { safeAbi } from "../core/safe/artifacts.ts";
import { safeDomainTypes, type SafeTx } from "../core/safe/safe-tx.ts";
import type { ChainPosition, ExecutionRow, ModuleExecutionRow, UndecodedExecutionRow } from "../db/chain-mirror/records.ts";
import { checksumAddress } from "./addresses.ts";
import type { DecodedBatch, UnresolvedExecution } from "./decode.ts";
import { MalformedRpcResponseError } from "./errors.ts";
import { decodePayments } from "./payments.ts";
import type { IndexerRpc } from "./rpc.ts";
import { recoverExecutionSigners, recoveryStats } from "./signers.ts";
import { callsInto, traceTransaction, type CallFrame } from "./trace.ts";

/** Why an execution's call is unknown, as the history shows it. */
export const noTraceReason = "could not be decoded: the RPC offers no call trace";
export const noMatchReason = "could not be decoded: no call into the Safe in its transaction matches it";
export const noStateReason = "could not be decoded: its nonce is unknown (the RPC keeps no state for that block)";

const execTransactionSelector = toFunctionSelector(
  "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
);
const moduleSelectors = new Set([
  toFunctionSelector("execTransactionFromModule(address,uint256,bytes,uint8)"),
  toFunctionSelector("execTransactionFromModuleReturnData(address,uint256,bytes,uint8)"),
]);
/** keccak256 of the EIP-712 SafeTx type (the same in v1.3.0 and v1.4.1). */
const safeTxTypeHash = keccak256(
  new TextEncoder().encode(
    "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)",
  ),
);
const word = (value: bigint | number | string) => (typeof value === "string" ? value.slice(2).toLowerCase() : value.toString(16)).padStart(64, "0");

/**
 * The safeTxHash, as the Safe computes it (`getTransactionHash`), written out
 * for speed: viem's general `hashTypedData` validates and walks the types on
 * every call, which bounds a backfill of an L1 Safe. Equal to core/safe/safe-tx.ts
 * `hashSafeTx` (each decoded execution is checked against the hash the Safe logged).
 */
function safeTxHashOf(domainSeparator: Hex, tx: SafeTx): Hex {
  const struct = keccak256(
    `0x${word(safeTxTypeHash)}${word(tx.to)}${word(tx.value)}${word(keccak256(tx.data))}${word(tx.operation)}${word(tx.safeTxGas)}${word(tx.baseGas)}${word(tx.gasPrice)}${word(tx.gasToken)}${word(tx.refundReceiver)}${word(tx.nonce)}`,
  );
  return keccak256(`0x1901${domainSeparator.slice(2)}${struct.slice(2)}`);
}

const nonceCall = encodeFunctionData({ abi: safeAbi, functionName: "nonce" });
const thresholdCall = encodeFunctionData({ abi: safeAbi, functionName: "getThreshold" });

/** From this many executions' transactions in one block, the block is read with all its transactions instead. */
const wholeBlockFrom = 8;

/** Executions read from their transactions in this process, the calls it took and the time (for the benchmark's "what bounds it"). */
export const executionReadStats = { executions: 0, transactions: 0, traces: 0, ms: 0 };

export type ExecutionResolverParameters = {
  rpc: Pick<IndexerRpc, "optional">;
  safe: Address;
  chainId: number;
  /** MultiSend and MultiSendCallOnly addresses, lower-case. */
  multiSendAddresses: ReadonlySet<string>;
  /** The highest SafeTx nonce already stored (a restart starts from it). */
  lastStoredNonce?: () => number | undefined;
  /** Told when an execution is stored undecoded (the indexer logs it). */
  onUndecoded?: (execution: UnresolvedExecution, reason: string, detail?: string) => void;
};

/** A call into the Safe: the transaction itself when it calls the Safe, or a frame of its call trace. */
type SafeCallFrame = Pick<CallFrame, "from" | "input">;

/**
 * Reads what the logs of an L1 Safe (and of module executions) leave out,
 * from the transactions that ran them, and adds the rows to the batch:
 *
 * - A SafeTx execution: the transaction's input when it calls the Safe's
 *   `execTransaction` directly, else the `execTransaction` frames of its call
 *   trace (a relayer contract, a multicall). A frame counts only when the
 *   SafeTx hash computed from it (the Safe's EIP-712 domain, its nonce then)
 *   equals the hash the Safe logged, so several executions in one transaction
 *   each get their own call. Signers and payments are read as for a SafeL2.
 * - A module execution: the `execTransactionFromModule(ReturnData)` call from
 *   that module into the Safe (the transaction itself, or trace frames in the
 *   order their outcome events were logged).
 *
 * When the RPC offers no call trace, or nothing matches, the execution is kept
 * with the reason (`undecodedExecutions`, or a module execution without call):
 * never dropped. The resolver remembers the last nonce it saw, so each SafeTx
 * usually needs no extra call to find its nonce.
 */
export function createExecutionResolver(parameters: ExecutionResolverParameters) {
  const { rpc, safe, chainId, multiSendAddresses, onUndecoded, lastStoredNonce } = parameters;
  const domainSeparator = hashDomain({ domain: { chainId: BigInt(chainId), verifyingContract: safe }, types: safeDomainTypes });
  // The first SafeTx of a Safe has nonce 0; each later one usually the last one's + 1 (checked by its hash).
  let lastNonce: number = lastStoredNonce?.() ?? -1;
  /** SafeTx executions kept undecoded since `lastNonce`: each used up a nonce. */
  let undecodedSince = 0;
  /** Set when a nonce was needed and the RPC could not say it. */
  let stateMissing = false;
  const stateBefore = new Map<string, Promise<bigint | undefined>>();

  /** The Safe's nonce or threshold at the end of block `blockNumber - 1`; undefined when the RPC keeps no state that old. */
  function readBefore(blockNumber: number, what: "nonce" | "threshold"): Promise<bigint | undefined> {
    const key = `${what}:${blockNumber}`;
    let value = stateBefore.get(key);
    if (!value) {
      const data = what === "nonce" ? nonceCall : thresholdCall;
      value = rpc
        .optional("eth_call", [{ to: safe, data }, `0x${Math.max(0, blockNumber - 1).toString(16)}`], `the Safe's ${what} before block ${blockNumber}`)
        .then((answer) => ("result" in answer && typeof answer.result === "string" && answer.result.length === 66 ? BigInt(answer.result) : undefined));
      if (stateBefore.size > 1_000) stateBefore.clear();
      stateBefore.set(key, value);
    }
    return value;
  }

  type SentTransaction = { from: Address; to: Address | undefined; input: Hex };

  function toTransaction(raw: unknown, txHash: Hex): SentTransaction {
    const tx = raw as { from?: unknown; to?: unknown; input?: unknown } | null;
    if (!tx || typeof tx.from !== "string" || typeof tx.input !== "string")
      throw new MalformedRpcResponseError(`The RPC did not return transaction ${txHash}, which the Safe's logs name.`);
    return {
      from: checksumAddress(tx.from),
      to: typeof tx.to === "string" ? checksumAddress(tx.to) : undefined,
      input: tx.input.toLowerCase() as Hex,
    };
  }

  async function getTransaction(txHash: Hex): Promise<SentTransaction> {
    const answer = await rpc.optional("eth_getTransactionByHash", [txHash], `transaction ${txHash}`);
    return toTransaction("result" in answer ? answer.result : null, txHash);
  }

  /** The transactions `wanted` of one block, from the block with its transactions (one call where a busy Safe has many). */
  async function getBlockTransactions(blockNumber: number, wanted: Hex[]): Promise<Map<Hex, SentTransaction>> {
    const answer = await rpc.optional("eth_getBlockByNumber", [`0x${blockNumber.toString(16)}`, true], `block ${blockNumber} with its transactions`);
    const block = "result" in answer ? (answer.result as { transactions?: unknown } | null) : null;
    const found = new Map<Hex, SentTransaction>();
    if (block && Array.isArray(block.transactions))
      for (const raw of block.transactions as { hash?: unknown }[])
        if (typeof raw?.hash === "string") found.set(raw.hash.toLowerCase() as Hex, toTransaction(raw, raw.hash as Hex));
    const result = new Map<Hex, SentTransaction>();
    for (const hash of wanted) result.set(hash, found.get(hash.toLowerCase() as Hex) ?? (await getTransaction(hash)));
    return result;
  }

  /** The SafeTx a frame ran, when its hash is `safeTxHash` (trying the nonces it could have had). */
  async function safeTxOf(frame: SafeCallFrame, item: ChainPosition & { safeTxHash: Hex }, earlierInBlock: number): Promise<(SafeTx & { signatures: Hex }) | undefined> {
    if (!frame.input.startsWith(execTransactionSelector)) return undefined;
    let args: readonly unknown[];
    try {
      args = decodeFunctionData({ abi: safeAbi, data: frame.input }).args ?? [];
    } catch {
      return undefined;
    }
    const [to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, signatures] = args as [
      Address, bigint, Hex, number, bigint, bigint, bigint, Address, Address, Hex,
    ];
    const tryNonce = (nonce: bigint): (SafeTx & { signatures: Hex }) | undefined => {
      const safeTx: SafeTx & { signatures: Hex } = {
        signatures,
        to: checksumAddress(to), value, data, operation: Number(operation) as 0 | 1, safeTxGas, baseGas, gasPrice,
        gasToken: checksumAddress(gasToken), refundReceiver: checksumAddress(refundReceiver), nonce,
      };
      return safeTxHashOf(domainSeparator, safeTx) === item.safeTxHash ? safeTx : undefined;
    };
    for (let next = lastNonce + 1; next <= lastNonce + 1 + undecodedSince; next++) {
      const found = tryNonce(BigInt(next));
      if (found) return found;
    }
    const base = await readBefore(item.blockNumber, "nonce");
    if (base === undefined) {
      stateMissing = true;
      return undefined;
    }
    for (let offset = 0; offset <= earlierInBlock; offset++) {
      const found = tryNonce(base + BigInt(offset));
      if (found) return found;
    }
    return undefined;
  }

  /** How many 65-byte parts the signatures have before any contract signature's dynamic data. */
  function staticParts(signatures: Hex): number {
    const length = (signatures.length - 2) / 2;
    let parts = Math.floor(length / 65);
    for (let index = 0; index < parts; index++) {
      const v = Number.parseInt(signatures.slice(2 + index * 130 + 128, 2 + index * 130 + 130), 16);
      if (v !== 0) continue;
      const offset = Number(BigInt(`0x${signatures.slice(2 + index * 130 + 64, 2 + index * 130 + 128)}`));
      const before = Math.floor(offset / 65); // the dynamic data starts after the static parts
      if (before > index && before < parts) parts = before;
    }
    return parts;
  }

  /** Decodes the SafeTx executions and module executions of one transaction from `frames`; returns those left. */
  async function match(items: UnresolvedExecution[], frames: SafeCallFrame[], batch: DecodedBatch, earlier: Map<number, number>): Promise<UnresolvedExecution[]> {
    const used = new Set<SafeCallFrame>();
    const left: UnresolvedExecution[] = [];
    for (const item of items) {
      if (item.kind === "safe_tx") {
        let matched = false;
        for (const frame of frames) {
          if (used.has(frame)) continue;
          const safeTx = await safeTxOf(frame, item, earlier.get(item.blockNumber) ?? 0);
          if (!safeTx) continue;
          used.add(frame);
          matched = true;
          const signatures = safeTx.signatures;
          const threshold = Number((await readBefore(item.blockNumber, "threshold")) ?? BigInt(staticParts(signatures)));
          const call = { to: safeTx.to, value: safeTx.value, data: safeTx.data, operation: safeTx.operation };
          const execution: ExecutionRow = {
            blockNumber: item.blockNumber,
            blockTime: item.blockTime,
            txHash: item.txHash,
            logIndex: item.logIndex,
            safeTxHash: item.safeTxHash,
            nonce: Number(safeTx.nonce),
            ...call,
            safeTxGas: safeTx.safeTxGas,
            baseGas: safeTx.baseGas,
            gasPrice: safeTx.gasPrice,
            gasToken: safeTx.gasToken,
            refundReceiver: safeTx.refundReceiver,
            signatures,
            success: item.success,
            feePayment: item.feePayment,
            executor: frame.from,
            signers: await recoverExecutionSigners(item.safeTxHash, signatures, threshold),
            payments: item.success ? decodePayments(call, multiSendAddresses) : [],
          };
          batch.executions.push(execution);
          lastNonce = execution.nonce;
          undecodedSince = 0;
          earlier.set(item.blockNumber, (earlier.get(item.blockNumber) ?? 0) + 1);
          break;
        }
        if (!matched) left.push(item);
      } else {
        const frame = frames.find((candidate) => !used.has(candidate) && candidate.from === item.module && moduleSelectors.has(candidate.input.slice(0, 10) as Hex));
        if (!frame) {
          left.push(item);
          continue;
        }
        used.add(frame);
        const [to, value, data, operation] = decodeFunctionData({ abi: safeAbi, data: frame.input }).args as [Address, bigint, Hex, number];
        const call = { to: checksumAddress(to), value, data, operation: Number(operation) };
        const row: ModuleExecutionRow = {
          blockNumber: item.blockNumber, blockTime: item.blockTime, txHash: item.txHash, logIndex: item.logIndex,
          module: item.module, success: item.success, call, reason: null,
          payments: item.success ? decodePayments(call, multiSendAddresses) : [],
        };
        batch.moduleExecutions!.push(row);
      }
    }
    return left;
  }

  function keepUndecoded(item: UnresolvedExecution, reason: string, batch: DecodedBatch, detail?: string): void {
    onUndecoded?.(item, reason, detail);
    const position = { blockNumber: item.blockNumber, blockTime: item.blockTime, txHash: item.txHash, logIndex: item.logIndex };
    if (item.kind === "safe_tx") {
      undecodedSince++;
      const row: UndecodedExecutionRow = { ...position, safeTxHash: item.safeTxHash, success: item.success, feePayment: item.feePayment, reason };
      batch.undecodedExecutions!.push(row);
    } else {
      batch.moduleExecutions!.push({ ...position, module: item.module, success: item.success, call: null, reason, payments: [] });
    }
  }

  return {
    /** Resolves `batch.unresolved` into execution rows (in place), in chain order. */
    async resolve(batch: DecodedBatch): Promise<void> {
      batch.moduleExecutions ??= [];
      batch.undecodedExecutions ??= [];
      if (batch.unresolved.length === 0) {
        for (const execution of batch.executions) lastNonce = Math.max(lastNonce, execution.nonce);
        return;
      }
      const started = performance.now();
      const recoveryBefore = recoveryStats.ms;
      executionReadStats.executions += batch.unresolved.length;
      const byTransaction = new Map<Hex, UnresolvedExecution[]>();
      for (const item of batch.unresolved) {
        const list = byTransaction.get(item.txHash) ?? [];
        list.push(item);
        byTransaction.set(item.txHash, list);
      }
      // The transactions, read together (the RPC client batches what is asked in one tick): a block with many of
      // them in one call, the others one by one.
      const hashes = [...byTransaction.keys()];
      executionReadStats.transactions += hashes.length;
      const byBlock = new Map<number, Hex[]>();
      for (const [hash, items] of byTransaction) byBlock.set(items[0].blockNumber, [...(byBlock.get(items[0].blockNumber) ?? []), hash]);
      const transactions = new Map<Hex, SentTransaction>();
      const reads: (() => Promise<void>)[] = [];
      for (const [blockNumber, inBlock] of byBlock)
        if (inBlock.length >= wholeBlockFrom)
          reads.push(async () => {
            for (const [hash, tx] of await getBlockTransactions(blockNumber, inBlock)) transactions.set(hash, tx);
          });
        else for (const hash of inBlock) reads.push(async () => void transactions.set(hash, await getTransaction(hash)));
      for (let index = 0; index < reads.length; index += 100) await Promise.all(reads.slice(index, index + 100).map((read) => read()));
      // SafeL2 executions of this batch, by block, count toward the nonces an L1 execution could have.
      const earlier = new Map<number, number>();
      const l2ByPosition = [...batch.executions].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
      let l2Index = 0;

      for (const [hash, items] of byTransaction) {
        const first = items[0];
        while (l2Index < l2ByPosition.length && (l2ByPosition[l2Index].blockNumber < first.blockNumber || (l2ByPosition[l2Index].blockNumber === first.blockNumber && l2ByPosition[l2Index].logIndex < first.logIndex))) {
          const previous = l2ByPosition[l2Index++];
          lastNonce = previous.nonce;
          undecodedSince = 0;
          earlier.set(previous.blockNumber, (earlier.get(previous.blockNumber) ?? 0) + 1);
        }
        const tx = transactions.get(hash)!;
        stateMissing = false;
        let left = tx.to === safe ? await match(items, [{ from: tx.from, input: tx.input }], batch, earlier) : items;
        if (left.length === 0) continue;
        executionReadStats.traces++;
        const trace = await traceTransaction(rpc, hash);
        if ("refused" in trace) {
          for (const item of left) keepUndecoded(item, stateMissing ? noStateReason : noTraceReason, batch, trace.refused);
          continue;
        }
        stateMissing = false;
        left = await match(left, callsInto(trace.frame, safe), batch, earlier);
        for (const item of left) keepUndecoded(item, stateMissing ? noStateReason : noMatchReason, batch);
      }
      for (const execution of batch.executions) lastNonce = Math.max(lastNonce, execution.nonce);
      const order = (a: ChainPosition, b: ChainPosition) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
      batch.executions.sort(order);
      batch.moduleExecutions.sort(order);
      batch.undecodedExecutions.sort(order);
      batch.unresolved = [];
      executionReadStats.ms += performance.now() - started - (recoveryStats.ms - recoveryBefore); // signers are counted apart
    },
  };
}
