import type { Address } from "viem";
import type { TreasuryDatabase } from "../db/handle.ts";
import type { ChainClient } from "./chain.ts";
import type { Clock } from "./clock.ts";
import type { CoreConfig } from "./config.ts";
import type { Deployment } from "./deployment.ts";
import type { Logger } from "./logger.ts";

/**
 * What the core, the indexer and the adapters need to act on one Safe: the
 * chain, the database, what is deployed, and a logger. Functions take it as
 * their first argument: `proposePayment(ctx, params)`.
 */
export type TreasuryContext = {
  config: CoreConfig;
  chainId: number;
  rpcUrl: string;
  safeAddress: Address;
  client: ChainClient;
  db: TreasuryDatabase;
  deployment: Deployment;
  logger: Logger;
  /** The time, in unix seconds: every record the core writes is stamped with it. */
  now: Clock;
};
