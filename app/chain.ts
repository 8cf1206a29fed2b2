import type { EIP1193Provider } from "viem";
import { getAddress } from "viem";
import type { Deployment } from "../core/deployment.ts";
import type { Logger } from "../core/logger.ts";
import type { LocalNode } from "../devchain/node.ts";
import type { Config } from "./config.ts";

export type EmbeddedChain = { node: LocalNode; rpcUrl: string; provider: EIP1193Provider };

/**
 * Starts the embedded chain (Hardhat is loaded only here): JSON-RPC on
 * 127.0.0.1, journaled so the next start brings the same chain back, starting
 * at `initialDate` when the chain is new.
 */
export async function startEmbeddedChain(config: Config, logger: Logger, initialDate?: Date): Promise<EmbeddedChain> {
  const { startLocalNode } = await import("../devchain/node.ts");
  const node = await startLocalNode({
    port: config.LOCAL_CHAIN_PORT,
    journalFile: config.CHAIN_JOURNAL_FILE === "none" ? undefined : config.CHAIN_JOURNAL_FILE,
    initialDate,
  });
  logger.info({ rpcUrl: node.url }, "local chain started");
  return { node, rpcUrl: node.url, provider: node.provider };
}

/**
 * Deploys the embedded chain's demo Safe and tokens unless the deployment file
 * names a live one with the same owners. Returns what is deployed.
 */
export async function ensureEmbeddedDeployment(config: Config, logger: Logger, chain: EmbeddedChain): Promise<Deployment> {
  const { ensureDeployment, defaultOwners } = await import("../devchain/ensure-deployment.ts");
  const owners = config.SAFE_OWNERS ? config.SAFE_OWNERS.split(",").map((owner) => getAddress(owner.trim())) : defaultOwners();
  const { deployment, deployed } = await ensureDeployment({ provider: chain.provider, file: config.DEPLOYMENT_FILE, owners, threshold: config.SAFE_THRESHOLD });
  logger.info({ safe: deployment.safe.address, deployed }, deployed ? "demo Safe deployed" : "demo Safe reused");
  return deployment;
}
