import { join } from "node:path";
import { loadConfig, type Config } from "../../app/config.ts";
import type { TreasuryContext } from "../../core/context.ts";
import type { TreasurySafe } from "../../core/safe/setup.ts";
import { systemClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { openSafeDatabase } from "./safe-database.ts";
import type { TestChain } from "./chain.ts";
import { databaseEnvironment } from "./database.ts";

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
    ...databaseEnvironment(databasePath),
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
    db: openSafeDatabase(databasePath, { chainId: chain.deployment.chainId, address: chain.deployment.safe.address }),
    safe: testChainSafe(chain),
    tokens: chain.deployment.tokens,
    logger: createLogger(config.LOG_LEVEL),
    now: systemClock,
  };
}

/** What the test chain's Safe is (it deployed a v1.4.1 SafeL2 with the canonical helper contracts), without asking the chain. */
export function testChainSafe(chain: Pick<TestChain, "deployment">): TreasurySafe {
  const { deployment } = chain;
  return {
    version: "1.4.1",
    flavour: "L2",
    domain: { chainId: deployment.chainId, verifyingContract: deployment.safe.address },
    contracts: {
      multiSend: deployment.contracts.multiSend,
      multiSendCallOnly: deployment.contracts.multiSendCallOnly,
      simulateTxAccessor: deployment.contracts.simulateTxAccessor,
      signMessageLib: deployment.contracts.signMessageLib,
      createCall: deployment.contracts.createCall,
      safeProxyFactory: deployment.contracts.safeProxyFactory,
    },
    creationBlock: deployment.safe.creationBlock,
  };
}
