import { getAddress, type Address } from "viem";
import type { TreasuryContext } from "../context.ts";
import { safeAbi } from "./artifacts.ts";

export type SafeOwnership = { owners: Address[]; threshold: number; nonce: number };

/** The Safe's owners, threshold and nonce, read live from the chain at one block. */
export async function readSafeOwnership(ctx: Pick<TreasuryContext, "client" | "safeAddress">): Promise<SafeOwnership> {
  const blockNumber = await ctx.client.getBlockNumber();
  const at = { address: ctx.safeAddress, abi: safeAbi, blockNumber } as const;
  const [owners, threshold, nonce] = await Promise.all([
    ctx.client.readContract({ ...at, functionName: "getOwners" }) as Promise<Address[]>,
    ctx.client.readContract({ ...at, functionName: "getThreshold" }) as Promise<bigint>,
    ctx.client.readContract({ ...at, functionName: "nonce" }) as Promise<bigint>,
  ]);
  return { owners: owners.map((owner) => getAddress(owner)), threshold: Number(threshold), nonce: Number(nonce) };
}
