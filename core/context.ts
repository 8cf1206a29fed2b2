import type { Address } from "viem";
import type { Embedder } from "../search/embedder.ts";
import type { TreasuryDatabase } from "../db/database.ts";
import type { ChainClient } from "./chain.ts";
import type { Config } from "../app/config.ts";
import type { Deployment } from "./deployment.ts";
import type { Logger } from "./logger.ts";

/**
 * What the core, the indexer and the adapters need to act on one Safe: the
 * chain, the database, what is deployed, and a logger. Functions take it as
 * their first argument: `proposePayment(ctx, params)`.
 */
export type TreasuryContext = {
  config: Config;
  chainId: number;
  rpcUrl: string;
  safeAddress: Address;
  client: ChainClient;
  db: TreasuryDatabase;
  deployment: Deployment;
  logger: Logger;
  /** Turns text into vectors for search by meaning (the service sets it; the CLI may not). */
  embedder?: Embedder;
};
