import type { Address } from "viem";
import { closeDatabase } from "../db/open.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { createChainClient } from "../core/chain.ts";
import { systemClock, type Clock } from "../core/clock.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Deployment } from "../core/deployment.ts";
import { ConfigError, RetryableError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { checkChainIdentity } from "../indexer/chain-identity.ts";
import type { Config } from "./config.ts";

export type ConnectTreasuryParameters = {
  config: Config;
  logger: Logger;
  /** The open database (it is closed if the connection is refused). */
  db: TreasuryDatabase;
  rpcUrl: string;
  deployment: Deployment;
  now?: Clock;
};

/**
 * Makes the context one Safe runs on, once the chain answers with the chain
 * id the configuration and the deployment expect, the Safe address has code,
 * and the database holds this chain and Safe (a rebuilt chain under it is
 * logged and its mirror emptied). Throws a `TreasuryError` whose short message
 * says what to fix.
 */
export async function connectTreasury({ config, logger, db, rpcUrl, deployment, now = systemClock }: ConnectTreasuryParameters): Promise<TreasuryContext> {
  const safeAddress: Address = config.SAFE_ADDRESS ?? deployment.safe.address;
  const client = createChainClient({ rpcUrl, chainId: deployment.chainId });
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (cause) {
    throw new RetryableError(`No chain answers at ${rpcUrl}${config.RPC_URL ? "" : ": start the service with `npm start`, or set RPC_URL"}.`, { cause });
  }
  if (config.CHAIN_ID !== undefined && config.CHAIN_ID !== chainId)
    throw new ConfigError(`CHAIN_ID is ${config.CHAIN_ID} but the RPC at ${rpcUrl} serves chain ${chainId}.`);
  if (chainId !== deployment.chainId) throw new ConfigError(`${config.DEPLOYMENT_FILE} is for chain ${deployment.chainId}, but the RPC serves chain ${chainId}.`);
  const code = await client.getCode({ address: safeAddress });
  if (!code || code === "0x") throw new ConfigError(`SAFE_ADDRESS ${safeAddress} has no code on chain ${chainId}; it is not a Safe there.`);
  try {
    const identity = await checkChainIdentity(db, client, safeAddress, config.DATABASE_PATH);
    if (identity.status === "rebuilt") logger.warn({ reason: identity.reason }, "the chain under the database is not the one it indexed; rebuilding the chain mirror");
  } catch (error) {
    closeDatabase(db);
    throw error;
  }
  return { config, chainId, rpcUrl, safeAddress, client, db, deployment, logger, now };
}
