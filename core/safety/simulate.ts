import { BaseError, decodeAbiParameters, encodeFunctionData, size, slice, type Hex } from "viem";
import type { TreasuryContext } from "../context.ts";
import { safeAbi, safeArtifacts } from "../safe/artifacts.ts";
import type { SafeTx } from "../safe/safe-tx.ts";
import { describeRevert } from "./revert-reason.ts";

export { describeRevert } from "./revert-reason.ts";

export type SimulationResult =
  | { ok: true; gasUsed: bigint }
  | { ok: false; reason: string; gasUsed?: bigint };

/**
 * Runs the SafeTx's call (or MultiSend delegatecall) in the Safe's own context
 * with an `eth_call` at the latest block, without signatures: the Safe's
 * `simulateAndRevert` delegatecalls `SimulateTxAccessor.simulate(to, value,
 * data, operation)`, which executes exactly what `execTransaction` would and
 * reverts with the outcome. Nothing is sent. Says whether the transfer(s) would
 * succeed now and, if not, why: the inner call's revert data decoded (a revert
 * reason, a panic, a named error), never raw bytes when the error is known.
 */
export async function simulateSafeTx(ctx: Pick<TreasuryContext, "client" | "safeAddress" | "safe">, safeTx: SafeTx): Promise<SimulationResult> {
  const accessor = ctx.safe.contracts.simulateTxAccessor;
  if (!accessor) return { ok: false, reason: `this chain has no SimulateTxAccessor for Safe v${ctx.safe.version}, so the transaction could not be simulated` };
  const payload = encodeFunctionData({
    abi: safeArtifacts.simulateTxAccessor.abi,
    functionName: "simulate",
    args: [safeTx.to, safeTx.value, safeTx.data, safeTx.operation],
  });
  const data = encodeFunctionData({ abi: safeAbi, functionName: "simulateAndRevert", args: [accessor, payload] });
  let revertData: Hex | undefined;
  try {
    await ctx.client.call({ to: ctx.safeAddress, data });
    return { ok: false, reason: "the simulation did not revert as expected; the Safe may not support simulateAndRevert" };
  } catch (error) {
    revertData = findRevertData(error);
    if (!revertData) return { ok: false, reason: `the simulation could not run: ${error instanceof BaseError ? error.shortMessage : String(error)}` };
  }
  // simulateAndRevert: success (32 bytes) ‖ returndatasize (32 bytes) ‖ returndata.
  if (size(revertData) < 64) return { ok: false, reason: "the simulation returned no result" };
  const delegateSuccess = BigInt(slice(revertData, 0, 32)) === 1n;
  const returned = slice(revertData, 64);
  if (!delegateSuccess) return { ok: false, reason: `the simulation failed: ${describeRevert(returned)}` };
  const [gasUsed, success, returnData] = decodeAbiParameters(
    [{ type: "uint256" }, { type: "bool" }, { type: "bytes" }],
    returned,
  );
  if (success) return { ok: true, gasUsed };
  return { ok: false, gasUsed, reason: describeRevert(returnData) };
}

function findRevertData(error: unknown): Hex | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data as Hex;
    if (data && typeof data === "object" && typeof (data as { data?: unknown }).data === "string") return (data as { data: Hex }).data;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
