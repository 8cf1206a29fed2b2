import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "viem";
import { ensureDeployment } from "../../devchain/ensure-deployment.ts";
import type { InitialFunds } from "../../devchain/deploy.ts";
import { startLocalNode, type LocalNode } from "../../devchain/node.ts";
import { createChainClient, type ChainClient } from "../../core/chain.ts";
import type { Deployment } from "../../core/deployment.ts";

export type TestChain = {
  node: LocalNode;
  deployment: Deployment;
  client: ChainClient;
  /** A fresh folder for this chain's files (deployment file, database). */
  dir: string;
  deploymentFile: string;
  stop: () => Promise<void>;
};

/** A real local chain on a free port with the Safe contracts, a 2-of-3 Safe and the test tokens. */
export async function startTestChain(options: { owners?: Address[]; threshold?: number; initialFunds?: InitialFunds | null } = {}): Promise<TestChain> {
  const node = await startLocalNode({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "treasury-test-"));
  const deploymentFile = join(dir, "deployment.json");
  const { deployment } = await ensureDeployment({
    provider: node.provider,
    file: deploymentFile,
    owners: options.owners,
    threshold: options.threshold,
    initialFunds: options.initialFunds,
  });
  const client = createChainClient({ rpcUrl: node.url, chainId: deployment.chainId });
  return { node, deployment, client, dir, deploymentFile, stop: () => node.stop() };
}
