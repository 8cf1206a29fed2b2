import { isHex, type Address, type Hex } from "viem";
import { checksumAddress } from "./addresses.ts";
import { MalformedRpcResponseError } from "./errors.ts";
import type { IndexerRpc } from "./rpc.ts";

/** One call of a transaction as geth's `callTracer` describes it (the fields the indexer reads). */
export type CallFrame = {
  type: string;
  from: Address;
  to: Address | undefined;
  value: bigint;
  input: Hex;
  /** Set when the call reverted (its logs, and those of the calls inside it, are gone). */
  failed: boolean;
  calls: CallFrame[];
};

/** A call trace, or why there is none (the RPC refused `debug_traceTransaction`). */
export type TraceResult = { frame: CallFrame } | { refused: string };

/**
 * The call tree of a mined transaction, from `debug_traceTransaction` with the
 * `callTracer` (geth, Erigon, Nethermind, Hardhat EDR and most paid RPCs offer
 * it; many public RPCs do not). Retryable failures are retried; a refusal is
 * returned as such.
 */
export async function traceTransaction(rpc: Pick<IndexerRpc, "optional">, txHash: Hex): Promise<TraceResult> {
  const answer = await rpc.optional("debug_traceTransaction", [txHash, { tracer: "callTracer" }], `the call trace of ${txHash}`);
  if ("refused" in answer) return answer;
  return { frame: toFrame(answer.result, txHash) };
}

function toFrame(raw: unknown, txHash: Hex): CallFrame {
  const frame = raw as { type?: unknown; from?: unknown; to?: unknown; value?: unknown; input?: unknown; error?: unknown; calls?: unknown };
  if (typeof frame !== "object" || frame === null || typeof frame.type !== "string" || !isHex(frame.from) || !isHex(frame.input ?? "0x"))
    throw new MalformedRpcResponseError(`The call trace of ${txHash} is not a callTracer frame.`);
  return {
    type: frame.type.toUpperCase(),
    from: checksumAddress(frame.from as Address),
    to: isHex(frame.to) && frame.to.length === 42 ? checksumAddress(frame.to as Address) : undefined,
    value: isHex(frame.value) ? BigInt(frame.value) : 0n,
    input: ((frame.input as Hex | undefined) ?? "0x").toLowerCase() as Hex,
    failed: frame.error !== undefined && frame.error !== null,
    calls: Array.isArray(frame.calls) ? frame.calls.map((inner) => toFrame(inner, txHash)) : [],
  };
}

/**
 * The calls into `target` (plain CALLs, which run in its own storage) that
 * did not revert and whose caller did not revert either, in the order they
 * finished: the order in which their events were logged.
 */
export function callsInto(root: CallFrame, target: Address): CallFrame[] {
  const found: CallFrame[] = [];
  const visit = (frame: CallFrame) => {
    if (frame.failed) return; // nothing it did survived
    for (const inner of frame.calls) visit(inner);
    if (frame.type === "CALL" && frame.to === target) found.push(frame);
  };
  visit(root);
  return found;
}
