import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { boundSafeId, readSafe, type RegisteredSafe } from "../../db/safes.ts";
import { readStorageInfo, type StorageInfo } from "../../db/storage.ts";
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

/** One Safe's health, by its name. */
export type SafeHealth = Omit<Health, "database"> & { name: string | null };

/** The service's health: its own Safe's fields (as with one Safe), each Safe's, and what stores the records. */
export type ServiceHealth = Health & { safes: SafeHealth[]; storage: StorageInfo | null };

/**
 * The health of every Safe the service runs (its own first) and of those it
 * could not connect; `ok` only when every Safe is. Never throws.
 */
export async function readServiceHealth(contexts: readonly TreasuryContext[], unreachable: readonly { safe: RegisteredSafe; reason: string }[] = []): Promise<ServiceHealth> {
  const each = await Promise.all(contexts.map((ctx) => readHealth(ctx)));
  const safes: SafeHealth[] = [
    ...each.map(({ database: _database, ...health }, index) => ({ name: safeName(contexts[index]), ...health })),
    ...unreachable.map(({ safe, reason }) => ({
      name: safe.name,
      ok: false,
      chainId: safe.chainId,
      safeAddress: safe.address,
      latestBlock: null,
      indexedBlock: null,
      problems: [`not connected: ${reason}`],
    })),
  ];
  const problems = safes.flatMap((safe, index) => (index === 0 ? safe.problems : safe.problems.map((problem) => `${safe.name ?? safe.safeAddress}: ${problem}`)));
  let storage: StorageInfo | null = null;
  try {
    storage = readStorageInfo(contexts[0].db);
  } catch {
    // The database's own problem is already in `problems`.
  }
  return { ...each[0], ok: safes.every((safe) => safe.ok) && each.every((health) => health.database === "ok"), problems, safes, storage };
}

function safeName(ctx: TreasuryContext): string | null {
  const id = boundSafeId(ctx.db);
  return id === undefined ? null : (readSafe(ctx.db, id)?.name ?? null);
}

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
