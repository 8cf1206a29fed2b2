import type { TreasuryContext } from "../core/context.ts";
import type { Deployment } from "../core/deployment.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { boundSafeId, listSafes, type RegisteredSafe } from "../db/safes.ts";
import type { Config } from "./config.ts";
import { connectTreasury } from "./connect.ts";

export type ConnectRegisteredSafesParameters = {
  config: Config;
  logger: Logger;
  /** The database, bound to no Safe. */
  db: TreasuryDatabase;
  /** The deployment's own Safe, already connected (SAFE_ADDRESS, or the embedded chain's). */
  main: TreasuryContext;
  /** RPC_URL, or the embedded chain's: where a Safe registered without an RPC of its own is read. */
  rpcUrl: string;
  deployment?: Deployment;
};

export type ConnectRegisteredSafesReturnType = {
  /** One context per Safe that connected, the deployment's own first. */
  contexts: TreasuryContext[];
  /** Safes that could not be connected (their RPC down, another chain there), with why: reported, not run. */
  unreachable: { safe: RegisteredSafe; reason: string }[];
};

/**
 * Connects every Safe registered besides the deployment's own (`treasury
 * safes add`), each through its own RPC or RPC_URL, each with its context and
 * database handle bound to it. A Safe that cannot be connected does not stop
 * the others: it is logged and returned in `unreachable`.
 */
export async function connectRegisteredSafes({ config, logger, db, main, rpcUrl, deployment }: ConnectRegisteredSafesParameters): Promise<ConnectRegisteredSafesReturnType> {
  const mainId = boundSafeId(main.db);
  const contexts: TreasuryContext[] = [main];
  const unreachable: ConnectRegisteredSafesReturnType["unreachable"] = [];
  for (const safe of listSafes(db)) {
    if (safe.id === mainId) continue;
    try {
      contexts.push(await connectTreasury({ config, logger, db, rpcUrl: safe.rpcUrl ?? rpcUrl, deployment, safe, closeOnFailure: false }));
    } catch (error) {
      const reason = shortMessageOf(error);
      logger.error({ safe: safe.name, chainId: safe.chainId, address: safe.address, err: reason }, "a Safe of this treasury cannot be connected; it is not indexed until the next start");
      unreachable.push({ safe, reason });
    }
  }
  return { contexts, unreachable };
}
