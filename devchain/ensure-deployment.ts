import { createPublicClient, custom, getAddress, parseEther, parseUnits, type Address, type EIP1193Provider, type PublicClient } from "viem";
import { chainFor } from "../core/chain.ts";
import { readDeployment, writeDeployment, type Deployment } from "../core/deployment.ts";
import { developmentAccount } from "./accounts.ts";
import { deployLocalTreasury, deploymentIsLive, type InitialFunds, type TokenSpec } from "./deploy.ts";

/** The demo Safe's funds when no fixture funds it: 100 ETH, 100,000 USDC and 100,000 DAI. */
export const defaultInitialFunds: InitialFunds = {
  eth: parseEther("100"),
  tokens: { USDC: parseUnits("100000", 6), DAI: parseUnits("100000", 18) },
};

/** Development accounts 1, 2 and 3: the default owners of the demo Safe. */
export function defaultOwners(): Address[] {
  return [1, 2, 3].map((index) => developmentAccount(index).address);
}

export type EnsureDeploymentParameters = {
  provider: EIP1193Provider;
  /** Where the deployment is recorded; read first, written after a deployment. */
  file: string;
  owners?: Address[];
  threshold?: number;
  tokens?: TokenSpec[];
  /** `null`: the Safe starts empty. */
  initialFunds?: InitialFunds | null;
};

export type EnsureDeploymentReturnType = { deployment: Deployment; deployed: boolean };

/**
 * Returns the treasury deployed on this chain. When the deployment file names
 * contracts that are live on this chain with the same owners, it reuses them and
 * sends no transaction; otherwise it deploys (deterministically) and rewrites the file.
 */
export async function ensureDeployment(parameters: EnsureDeploymentParameters): Promise<EnsureDeploymentReturnType> {
  const { provider, file, owners = defaultOwners(), threshold = 2, tokens } = parameters;
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const client = createPublicClient({ chain: chainFor(chainId), transport: custom(provider) }) as PublicClient;
  const recorded = readDeployment(file);
  const sameSetup =
    recorded !== undefined &&
    recorded.chainId === chainId &&
    recorded.safe.threshold === threshold &&
    recorded.safe.owners.join() === owners.map((owner) => getAddress(owner)).join();
  if (recorded && sameSetup && (await deploymentIsLive(client, recorded))) return { deployment: recorded, deployed: false };

  const deployment = await deployLocalTreasury({
    provider,
    owners,
    threshold,
    tokens,
    initialFunds: parameters.initialFunds === null ? undefined : (parameters.initialFunds ?? defaultInitialFunds),
  });
  writeDeployment(file, deployment);
  return { deployment, deployed: true };
}
