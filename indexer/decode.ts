import { decodeAbiParameters, toEventSelector, type AbiEvent, type AbiParameter, type Address, type Hex } from "viem";
import { safeAbi, safeAbiFor } from "../core/safe/artifacts.ts";
import { erc20Abi } from "../core/tokens.ts";
import type { BlockHeader, ChainMirrorRows, ChainPosition, ExecutionRow, ExecutionSigner, ModuleExecutionRow } from "../db/chain-mirror/records.ts";
import { checksumAddress } from "./addresses.ts";
import { MalformedRpcResponseError } from "./errors.ts";
import { decodePayments } from "./payments.ts";
import type { RawLog } from "./rpc.ts";
import { recoverExecutionSigners } from "./signers.ts";

/** Everything one block range adds to the chain mirror. */
export type DecodedBatch = ChainMirrorRows & {
  /** Tokens seen in Transfer logs (the indexer looks up the ones it does not know). */
  tokenAddresses: Set<Address>;
  /** Logs that became rows. */
  events: number;
  /** Safe logs that were not understood. */
  skipped: number;
  /**
   * Executions the logs do not describe: an ExecutionSuccess/Failure with no
   * SafeMultiSigTransaction before it (an L1 Safe), and a module execution with
   * no SafeModuleTransaction (an L1 Safe, or v1.3.0/1.4.1 without L2 events).
   * indexer/l1-executions.ts reads their calls from the transactions that ran them.
   */
  unresolved: UnresolvedExecution[];
};

/** An execution seen only by its outcome event; `safeTxHash` and `feePayment` for SafeTx executions, `module` for module ones. */
export type UnresolvedExecution = ChainPosition &
  ({ kind: "safe_tx"; safeTxHash: Hex; success: boolean; feePayment: bigint } | { kind: "module"; module: Address; success: boolean });

type CompiledEvent = { name: string; indexedCount: number; decode: (topics: Hex[], data: Hex) => Record<string, unknown> };

/**
 * An event decoder built once from its ABI item (viem's decodeEventLog
 * recomputes the selector and formats the item on every call, which is most of
 * its cost): indexed arguments from the topics, the rest with viem's
 * decodeAbiParameters. Throws when the log does not fit the event.
 */
function compileEvent(event: AbiEvent): CompiledEvent {
  const indexed = event.inputs.filter((input) => (input as { indexed?: boolean }).indexed);
  const plain = event.inputs.filter((input) => !(input as { indexed?: boolean }).indexed) as AbiParameter[];
  const allWords = plain.every((input) => /^(uint\d*|address|bytes32)$/.test(input.type));
  return {
    name: event.name,
    indexedCount: indexed.length,
    decode(topics, data) {
      if (topics.length !== indexed.length + 1) throw new Error(`${event.name} has ${topics.length - 1} indexed arguments, not ${indexed.length}`);
      const args: Record<string, unknown> = {};
      indexed.forEach((input, index) => {
        const topic = topics[index + 1];
        args[input.name!] =
          input.type === "address"
            ? checksumAddress(`0x${topic.slice(26)}`)
            : input.type === "bytes32"
              ? topic
              : decodeAbiParameters([input as AbiParameter], topic)[0];
      });
      if (plain.length > 0 && allWords) {
        // Only 32-byte words: read them straight from the hex (the common events: Transfer, ExecutionSuccess...).
        if (data.length !== 2 + 64 * plain.length) throw new Error(`${event.name} data is ${(data.length - 2) / 2} bytes, not ${32 * plain.length}`);
        plain.forEach((input, index) => (args[input.name!] = decodeWord(input.type, data.slice(2 + 64 * index, 66 + 64 * index))));
      } else if (plain.length > 0) {
        const fast = event.name === "SafeMultiSigTransaction" ? decodeSafeMultiSigTransaction(data) : undefined;
        const values = fast ?? decodeAbiParameters(plain, data);
        plain.forEach((input, index) => (args[input.name!] = values[index]));
      }
      return args;
    },
  };
}

function decodeWord(type: string, word: string): unknown {
  if (type === "address") {
    if (!/^0{24}/.test(word)) throw new Error("an address word with high bits set");
    return checksumAddress(`0x${word.slice(24)}`);
  }
  if (type === "bytes32") return `0x${word}` as Hex;
  return BigInt(`0x${word}`);
}

/**
 * SafeMultiSigTransaction's data read by hand (it is half of all the Safe's
 * logs): to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken,
 * refundReceiver, signatures, additionalInfo. Returns undefined when the
 * layout is not the plain one, and viem's decoder takes over.
 */
export function decodeSafeMultiSigTransaction(data: Hex): unknown[] | undefined {
  const hex = data.slice(2);
  if (hex.length < 64 * 11 || hex.length % 2 !== 0) return undefined;
  const word = (index: number) => hex.slice(64 * index, 64 * index + 64);
  const bytesAt = (offsetWord: number): Hex | undefined => {
    const offset = Number.parseInt(word(offsetWord), 16) * 2;
    if (!Number.isSafeInteger(offset) || offset % 64 !== 0 || offset + 64 > hex.length) return undefined;
    const length = Number.parseInt(hex.slice(offset, offset + 64), 16) * 2;
    if (!Number.isSafeInteger(length) || offset + 64 + length > hex.length) return undefined;
    return `0x${hex.slice(offset + 64, offset + 64 + length)}`;
  };
  const [inner, signatures, additionalInfo] = [bytesAt(2), bytesAt(9), bytesAt(10)];
  if (inner === undefined || signatures === undefined || additionalInfo === undefined) return undefined;
  const operation = BigInt(`0x${word(3)}`);
  if (operation > 255n || !/^0{24}/.test(word(0)) || !/^0{24}/.test(word(7)) || !/^0{24}/.test(word(8))) return undefined;
  return [
    checksumAddress(`0x${word(0).slice(24)}`),
    BigInt(`0x${word(1)}`),
    inner,
    Number(operation),
    BigInt(`0x${word(4)}`),
    BigInt(`0x${word(5)}`),
    BigInt(`0x${word(6)}`),
    checksumAddress(`0x${word(7).slice(24)}`),
    checksumAddress(`0x${word(8).slice(24)}`),
    signatures,
    additionalInfo,
  ];
}

/**
 * The Safe's events by topic, in each shape they take: v1.3.0 indexes no
 * argument of ExecutionSuccess/Failure, AddedOwner, RemovedOwner,
 * EnabledModule... where v1.4.1 indexes the first, and SafeModuleTransaction's
 * module is indexed only in v1.4.1. A log picks the shape by its topic count.
 */
const eventsByTopic = new Map<Hex, CompiledEvent[]>();
for (const abi of [safeAbi, safeAbiFor("1.3.0", "L2")])
  for (const item of abi) {
    if (item.type !== "event") continue;
    const compiled = compileEvent(item as AbiEvent);
    const shapes = eventsByTopic.get(toEventSelector(item as AbiEvent)) ?? [];
    if (!shapes.some((shape) => shape.indexedCount === compiled.indexedCount)) shapes.push(compiled);
    eventsByTopic.set(toEventSelector(item as AbiEvent), shapes);
  }

/** The shape of the event that fits the log's topic count (or the first, whose decoder then says what is wrong). */
function eventFor(log: RawLog): CompiledEvent | undefined {
  const shapes = log.topics[0] ? eventsByTopic.get(log.topics[0]) : undefined;
  return shapes?.find((shape) => shape.indexedCount === log.topics.length - 1) ?? shapes?.[0];
}
const transferEvent = compileEvent(erc20Abi.find((item) => item.type === "event" && item.name === "Transfer") as AbiEvent);
export const transferTopic = toEventSelector("event Transfer(address indexed from, address indexed to, uint256 value)");

/** A module execution whose call SafeModuleTransaction logged. */
function moduleExecutionFrom(
  position: ChainPosition,
  module: Address,
  success: boolean,
  args: Record<string, unknown>,
  multiSendAddresses: ReadonlySet<string>,
): ModuleExecutionRow {
  const call = { to: checksumAddress(args.to as Address), value: args.value as bigint, data: args.data as Hex, operation: Number(args.operation) };
  return { ...position, module, success, call, reason: null, payments: success ? decodePayments(call, multiSendAddresses) : [] };
}

function decodeOrRefuse(event: CompiledEvent, log: RawLog): Record<string, unknown> {
  try {
    return event.decode(log.topics, log.data);
  } catch (cause) {
    throw new MalformedRpcResponseError(
      `Log ${log.logIndex} of block ${log.blockNumber} does not decode as ${event.name}; the RPC's data is damaged.`,
      { cause },
    );
  }
}

export type DecodeLogsParameters = {
  safe: Address;
  /** The Safe's own logs and ERC-20 Transfer logs to or from it, in any order; duplicates are dropped. */
  logs: RawLog[];
  headers: ReadonlyMap<number, BlockHeader>;
  /** MultiSend and MultiSendCallOnly addresses, lower-case: delegatecalls to them are unpacked. */
  multiSendAddresses: ReadonlySet<string>;
  /** Recovers the signers of many executions at once (e.g. a worker pool, indexer/signer-pool.ts). Default: here, one after the other. */
  recoverSigners?: (work: { safeTxHash: Hex; signatures: Hex; threshold: number }[]) => Promise<ExecutionSigner[][]>;
};

/**
 * Turns one range's logs into chain-mirror rows, in chain order. Executions
 * pair each SafeMultiSigTransaction with the ExecutionSuccess/Failure after it
 * in the same transaction; successful ones get their payments decoded, and
 * every one gets the owners who signed it.
 */
export async function decodeLogs({ safe, logs, headers, multiSendAddresses, recoverSigners }: DecodeLogsParameters): Promise<DecodedBatch> {
  const batch: DecodedBatch = {
    executions: [],
    transfers: [],
    ownerChanges: [],
    moduleEvents: [],
    approvedHashes: [],
    moduleExecutions: [],
    undecodedExecutions: [],
    tokenAddresses: new Set(),
    events: 0,
    skipped: 0,
    unresolved: [],
  };
  const ordered = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const pending = new Map<Hex, { log: RawLog; args: Record<string, unknown> }[]>();
  const pendingModule = new Map<Hex, { log: RawLog; args: Record<string, unknown> }[]>();
  const signerWork: { execution: ExecutionRow; threshold: number }[] = [];
  let previous: RawLog | undefined;

  for (const log of ordered) {
    if (previous && previous.blockNumber === log.blockNumber && previous.logIndex === log.logIndex) continue;
    previous = log;
    const header = headers.get(log.blockNumber);
    if (!header) throw new Error(`no header for block ${log.blockNumber}`);
    const position: ChainPosition = {
      blockNumber: log.blockNumber,
      blockTime: header.timestamp,
      txHash: log.transactionHash,
      logIndex: log.logIndex,
    };
    const topic = log.topics[0];

    if (log.address !== safe || topic === transferTopic) {
      if (topic !== transferTopic || log.topics.length !== 3 || log.data.length !== 66) continue; // not an ERC-20 Transfer (e.g. ERC-721)
      const args = decodeOrRefuse(transferEvent, log) as { from: Address; to: Address; value: bigint };
      const { to, from } = args;
      if (to !== safe && from !== safe) continue;
      batch.transfers.push({ ...position, direction: to === safe ? "in" : "out", token: log.address, from, to, amount: args.value });
      batch.tokenAddresses.add(log.address);
      batch.events++;
      continue;
    }

    const event = eventFor(log);
    if (!event) continue;
    const args = decodeOrRefuse(event, log);
    batch.events++;
    switch (event.name) {
      case "SafeMultiSigTransaction": {
        const stack = pending.get(log.transactionHash) ?? [];
        stack.push({ log, args });
        pending.set(log.transactionHash, stack);
        break;
      }
      case "ExecutionSuccess":
      case "ExecutionFailure": {
        const started = pending.get(log.transactionHash)?.pop();
        if (!started) {
          // A Safe without L2 events: the SafeTx is read from the transaction (indexer/l1-executions.ts).
          batch.unresolved.push({
            ...position,
            kind: "safe_tx",
            safeTxHash: (args.txHash as Hex).toLowerCase() as Hex,
            success: event.name === "ExecutionSuccess",
            feePayment: args.payment as bigint,
          });
          break;
        }
        const a = started.args as {
          to: Address; value: bigint; data: Hex; operation: number; safeTxGas: bigint; baseGas: bigint; gasPrice: bigint;
          gasToken: Address; refundReceiver: Address; signatures: Hex; additionalInfo: Hex;
        };
        const [nonce, sender, threshold] =
          a.additionalInfo.length === 2 + 64 * 3
            ? [BigInt(`0x${a.additionalInfo.slice(2, 66)}`), `0x${a.additionalInfo.slice(90, 130)}` as Address, BigInt(`0x${a.additionalInfo.slice(130, 194)}`)]
            : decodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint256" }], a.additionalInfo);
        const success = event.name === "ExecutionSuccess";
        const call = { to: checksumAddress(a.to), value: a.value, data: a.data, operation: Number(a.operation) };
        const execution: ExecutionRow = {
          ...position,
          logIndex: started.log.logIndex,
          safeTxHash: (args.txHash as Hex).toLowerCase() as Hex,
          nonce: Number(nonce),
          ...call,
          safeTxGas: a.safeTxGas,
          baseGas: a.baseGas,
          gasPrice: a.gasPrice,
          gasToken: checksumAddress(a.gasToken),
          refundReceiver: checksumAddress(a.refundReceiver),
          signatures: a.signatures,
          success,
          feePayment: args.payment as bigint,
          executor: checksumAddress(sender),
          signers: [],
          payments: success ? decodePayments(call, multiSendAddresses) : [],
        };
        batch.executions.push(execution);
        signerWork.push({ execution, threshold: Number(threshold) });
        break;
      }
      case "SafeSetup":
        batch.ownerChanges.push({
          ...position,
          kind: "setup",
          owner: null,
          threshold: Number(args.threshold as bigint),
          owners: (args.owners as Address[]).map((owner) => checksumAddress(owner)),
        });
        break;
      case "AddedOwner":
      case "RemovedOwner":
        batch.ownerChanges.push({
          ...position,
          kind: event.name === "AddedOwner" ? "added" : "removed",
          owner: checksumAddress(args.owner as Address),
          threshold: null,
          owners: null,
        });
        break;
      case "ChangedThreshold":
        batch.ownerChanges.push({ ...position, kind: "threshold", owner: null, threshold: Number(args.threshold as bigint), owners: null });
        break;
      case "ApproveHash":
        batch.approvedHashes.push({
          ...position,
          approvedHash: (args.approvedHash as Hex).toLowerCase() as Hex,
          owner: checksumAddress(args.owner as Address),
        });
        break;
      case "SafeReceived":
        batch.transfers.push({
          ...position,
          direction: "in",
          token: null,
          from: checksumAddress(args.sender as Address),
          to: safe,
          amount: args.value as bigint,
        });
        break;
      case "EnabledModule":
      case "DisabledModule":
      case "ExecutionFromModuleSuccess":
      case "ExecutionFromModuleFailure":
      case "ChangedGuard": {
        const kind = ({
          EnabledModule: "enabled",
          DisabledModule: "disabled",
          ExecutionFromModuleSuccess: "module_success",
          ExecutionFromModuleFailure: "module_failure",
          ChangedGuard: "guard_changed",
        } as const)[event.name];
        batch.moduleEvents.push({ ...position, kind, address: checksumAddress((args.module ?? args.guard) as Address) });
        if (kind === "module_success" || kind === "module_failure") {
          const module = checksumAddress(args.module as Address);
          const success = kind === "module_success";
          const started = pendingModule.get(log.transactionHash)?.pop();
          if (started && checksumAddress(started.args.module as Address) === module)
            batch.moduleExecutions!.push(moduleExecutionFrom(position, module, success, started.args, multiSendAddresses));
          else batch.unresolved.push({ ...position, kind: "module", module, success });
        }
        break;
      }
      case "SafeModuleTransaction": {
        // SafeL2 says what a module runs before it runs; its ExecutionFromModuleSuccess/Failure follows.
        const stack = pendingModule.get(log.transactionHash) ?? [];
        stack.push({ log, args });
        pendingModule.set(log.transactionHash, stack);
        batch.events--; // counted with its outcome
        break;
      }
      default:
        batch.events--; // ChangedFallbackHandler, SignMsg: nothing stored
    }
  }
  if (recoverSigners) {
    const signers = await recoverSigners(signerWork.map(({ execution, threshold }) => ({ safeTxHash: execution.safeTxHash, signatures: execution.signatures, threshold })));
    signerWork.forEach(({ execution }, index) => (execution.signers = signers[index]));
  } else
    // One after the other: it is CPU work, and this keeps its measured time honest.
    for (const { execution, threshold } of signerWork)
      execution.signers = await recoverExecutionSigners(execution.safeTxHash, execution.signatures, threshold);
  return batch;
}

/** Two consecutive ranges' rows as one batch, in chain order (`later` follows `earlier` on the chain). */
export function mergeBatches(earlier: DecodedBatch, later: DecodedBatch): DecodedBatch {
  return {
    executions: [...earlier.executions, ...later.executions],
    transfers: [...earlier.transfers, ...later.transfers],
    ownerChanges: [...earlier.ownerChanges, ...later.ownerChanges],
    moduleEvents: [...earlier.moduleEvents, ...later.moduleEvents],
    approvedHashes: [...earlier.approvedHashes, ...later.approvedHashes],
    moduleExecutions: [...(earlier.moduleExecutions ?? []), ...(later.moduleExecutions ?? [])],
    undecodedExecutions: [...(earlier.undecodedExecutions ?? []), ...(later.undecodedExecutions ?? [])],
    tokenAddresses: new Set([...earlier.tokenAddresses, ...later.tokenAddresses]),
    events: earlier.events + later.events,
    skipped: earlier.skipped + later.skipped,
    unresolved: [...earlier.unresolved, ...later.unresolved],
  };
}
