import { join } from "node:path";
import { loadConfig, type Config } from "../../app/config.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { systemClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { openDatabase } from "../../db/open.ts";
import type { TestChain } from "./chain.ts";

export type TestContextOptions = {
  /** Extra environment variables for the config (e.g. PUBLIC_URL, RELAYER_PRIVATE_KEY). */
  env?: Record<string, string>;
  /** Database file name inside the chain's temp folder. */
  databaseFile?: string;
};

/**
 * A TreasuryContext over a TestChain and a real SQLite file in the chain's temp
 * folder, configured like the service would be (logger silent). Close `ctx.db` when done.
 */
export function createTestContext(chain: TestChain, options: TestContextOptions = {}): TreasuryContext & { config: Config } {
  const databasePath = join(chain.dir, options.databaseFile ?? "treasury.db");
  const config: Config = loadConfig({
    RPC_URL: chain.node.url,
    DATABASE_PATH: databasePath,
    DEPLOYMENT_FILE: chain.deploymentFile,
    LOG_LEVEL: "silent",
    ...options.env,
  });
  return {
    config,
    chainId: chain.deployment.chainId,
    rpcUrl: chain.node.url,
    safeAddress: chain.deployment.safe.address,
    client: chain.client,
    db: openDatabase({ path: databasePath }),
    deployment: chain.deployment,
    logger: createLogger(config.LOG_LEVEL),
    now: systemClock,
  };
}
