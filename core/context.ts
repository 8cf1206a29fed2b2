import type { Address } from "viem";
import type { TreasuryDatabase } from "../db/handle.ts";
import type { ChainClient } from "./chain.ts";
import type { ChainFacts } from "./chain-facts.ts";
import type { Clock } from "./clock.ts";
import type { CoreConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import type { TreasurySafe } from "./safe/setup.ts";
import type { Erc20Token } from "./tokens.ts";

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
  /** What the Safe is: version, flavour, EIP-712 domain, helper contracts, creation block. */
  safe: TreasurySafe;
  /** The chain's native coin, explorer, block time and default confirmations (generic, and saying so, for a chain not covered). */
  chainFacts?: ChainFacts;
  /** ERC-20 tokens known before the indexer meets them (the indexer adds every token it sees). */
  tokens: readonly Erc20Token[];
  logger: Logger;
  /** The time, in unix seconds: every record the core writes is stamped with it. */
  now: Clock;
};
