import { getAddress } from "viem";
import { checkChainIdentity } from "../indexer/chain-identity.ts";
import { openDatabase } from "../db/database.ts";
import { ensureDeployment, defaultOwners } from "../devchain/ensure-deployment.ts";
import { startLocalNode, type LocalNode } from "../devchain/node.ts";
import { planDemo, replayDemo } from "../demo/demo.ts";
import { createChainClient } from "../core/chain.ts";
import type { Config } from "./config.ts";
import type { TreasuryContext } from "../core/context.ts";
import { readDeployment, type Deployment } from "../core/deployment.ts";
import { ConfigError, RetryableError, shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";

export type OpenTreasuryParameters = {
  config: Config;
  logger: Logger;
  /**
   * "start": with no RPC_URL, start the embedded local chain (the service).
   * "connect": with no RPC_URL, connect to the local chain a running service serves (the CLI).
   */
  chain: "start" | "connect";
};

export type OpenTreasuryReturnType = {
  ctx: TreasuryContext;
  /** The embedded chain, when this process started it. */
  localNode?: LocalNode;
  /** True when this call deployed the Safe (a fresh local chain). */
  deployed: boolean;
  /** Closes the database and stops the embedded chain, in that order. */
  close: () => Promise<void>;
};

/**
 * Connects everything one Safe needs: the chain (starting the embedded one if
 * asked), the deployment, and the database, checked to be of this chain.
 * Throws a `TreasuryError` whose short message says what to fix.
 */
export async function openTreasury({ config, logger, chain }: OpenTreasuryParameters): Promise<OpenTreasuryReturnType> {
  let localNode: LocalNode | undefined;
  let rpcUrl = config.RPC_URL;
  let deployment: Deployment | undefined;
  let deployed = false;

  try {
    if (!rpcUrl && chain === "start") {
      // First run (fresh chain, empty database): the demo treasury, replayed from DEMO_FIXTURE.
      const demo = planDemo(config);
      localNode = await startLocalNode({
        port: config.LOCAL_CHAIN_PORT,
        journalFile: config.CHAIN_JOURNAL_FILE === "none" ? undefined : config.CHAIN_JOURNAL_FILE,
        initialDate: demo?.genesis,
      });
      rpcUrl = localNode.url;
      logger.info({ rpcUrl }, "local chain started");
      if (demo) {
        await replayDemo({ demo, config, logger, provider: localNode.provider, rpcUrl });
        deployment = readDeployment(config.DEPLOYMENT_FILE);
        deployed = true;
      } else {
        const owners = config.SAFE_OWNERS ? config.SAFE_OWNERS.split(",").map((owner) => getAddress(owner.trim())) : defaultOwners();
        const result = await ensureDeployment({
          provider: localNode.provider,
          file: config.DEPLOYMENT_FILE,
          owners,
          threshold: config.SAFE_THRESHOLD,
        });
        deployment = result.deployment;
        deployed = result.deployed;
        logger.info({ safe: deployment.safe.address, deployed }, deployed ? "demo Safe deployed" : "demo Safe reused");
      }
    }
    rpcUrl ??= `http://127.0.0.1:${config.LOCAL_CHAIN_PORT}`;
    deployment ??= readDeployment(config.DEPLOYMENT_FILE);
    if (!deployment)
      throw new ConfigError(
        `No deployment file at ${config.DEPLOYMENT_FILE}; run \`npm start\` once to create the local treasury, or set DEPLOYMENT_FILE.`,
      );

    const safeAddress = config.SAFE_ADDRESS ?? deployment.safe.address;
    const client = createChainClient({ rpcUrl, chainId: deployment.chainId });
    let chainId: number;
    try {
      chainId = await client.getChainId();
    } catch (cause) {
      throw new RetryableError(
        `No chain answers at ${rpcUrl}${config.RPC_URL ? "" : ": start the service with `npm start`, or set RPC_URL"}.`,
        { cause },
      );
    }
    if (config.CHAIN_ID !== undefined && config.CHAIN_ID !== chainId)
      throw new ConfigError(`CHAIN_ID is ${config.CHAIN_ID} but the RPC at ${rpcUrl} serves chain ${chainId}.`);
    if (chainId !== deployment.chainId)
      throw new ConfigError(`${config.DEPLOYMENT_FILE} is for chain ${deployment.chainId}, but the RPC serves chain ${chainId}.`);
    const code = await client.getCode({ address: safeAddress });
    if (!code || code === "0x")
      throw new ConfigError(`SAFE_ADDRESS ${safeAddress} has no code on chain ${chainId}; it is not a Safe there.`);

    const db = openDatabase({ path: config.DATABASE_PATH });
    try {
      const identity = await checkChainIdentity(db, client, safeAddress, config.DATABASE_PATH);
      if (identity.status === "rebuilt")
        logger.warn({ reason: identity.reason }, "the chain under the database is not the one it indexed; rebuilding the chain mirror");
    } catch (error) {
      db.close();
      throw error;
    }

    const ctx: TreasuryContext = { config, chainId, rpcUrl, safeAddress, client, db, deployment, logger };
    return {
      ctx,
      localNode,
      deployed,
      close: async () => {
        if (db.open) db.close();
        await localNode?.stop();
      },
    };
  } catch (error) {
    await localNode?.stop().catch((stopError) => logger.debug({ err: shortMessageOf(stopError) }, "stopping the chain"));
    throw error;
  }
}
