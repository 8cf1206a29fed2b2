import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { shortMessageOf } from "../../core/errors.ts";

export type Health = {
  ok: boolean;
  chainId: number;
  safeAddress: string;
  latestBlock: number | null;
  indexedBlock: number | null;
  database: "ok" | "error";
  problems: string[];
};

/** Reads the chain head and pings the database; never throws. */
export async function readHealth(ctx: TreasuryContext): Promise<Health> {
  const problems: string[] = [];
  let latestBlock: number | null = null;
  try {
    latestBlock = Number(await ctx.client.getBlockNumber());
  } catch (error) {
    problems.push(`chain: ${shortMessageOf(error)}`);
  }
  let database: Health["database"] = "ok";
  let indexedBlock: number | null = null;
  try {
    indexedBlock = readCheckpoint(ctx.db)?.blockNumber ?? null;
  } catch (error) {
    database = "error";
    problems.push(`database: ${shortMessageOf(error)}`);
  }
  return {
    ok: problems.length === 0,
    chainId: ctx.chainId,
    safeAddress: ctx.safeAddress,
    latestBlock,
    indexedBlock,
    database,
    problems,
  };
}
