import { readFileSync } from "node:fs";
import {
  createWalletClient,
  custom,
  getAddress,
  type Abi,
  type Address,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
} from "viem";
import { createPublicClient } from "viem";
import { chainFor } from "../core/chain.ts";
import type { DeployedToken, Deployment } from "../core/deployment.ts";
import { erc20Abi } from "../core/tokens.ts";
import { projectFile } from "../core/project-files.ts";
import { developmentAccount } from "./accounts.ts";
import { createSafe } from "./create-safe.ts";
import { deploySafeContracts } from "./deploy-safe-contracts.ts";

export type TokenSpec = { symbol: string; name: string; decimals: number };

/** The test tokens of the demo treasury: a 6-decimals and an 18-decimals stablecoin. */
export const defaultTokens: TokenSpec[] = [
  { symbol: "USDC", name: "USD Coin (test)", decimals: 6 },
  { symbol: "DAI", name: "Dai Stablecoin (test)", decimals: 18 },
];

export type InitialFunds = {
  /** Wei sent from the deployer to the Safe. */
  eth: bigint;
  /** Base units minted straight to the Safe, by token symbol. */
  tokens: Record<string, bigint>;
};

export type DeployLocalTreasuryParameters = {
  provider: EIP1193Provider;
  owners: Address[];
  threshold: number;
  tokens?: TokenSpec[];
  /** Left out: the Safe starts empty (the fixture replay funds it itself). */
  initialFunds?: InitialFunds;
  /** Index of the development account that deploys (and later relays). */
  deployerIndex?: number;
  /** Salt of the Safe proxy; the same salt gives the same Safe address. */
  saltNonce?: bigint;
};

function testTokenArtifact(): { abi: Abi; bytecode: Hex } {
  return JSON.parse(readFileSync(projectFile("artifacts", "contracts", "TestToken.sol", "TestToken.json"), "utf8"));
}

/**
 * Puts Safe v1.3.0 and v1.4.1 at their canonical addresses (as on public
 * chains), deploys the test tokens and creates a Safe v1.4.1 (SafeL2) with the
 * given owners and threshold, then funds it. Deterministic: on a fresh chain,
 * the same parameters give the same addresses every time.
 */
export async function deployLocalTreasury(parameters: DeployLocalTreasuryParameters): Promise<Deployment> {
  const { provider, owners, threshold, tokens = defaultTokens, initialFunds, deployerIndex = 0, saltNonce = 0n } =
    parameters;
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const chain = chainFor(chainId);
  const account = developmentAccount(deployerIndex);
  const wallet = createWalletClient({ account, chain, transport: custom(provider) });
  const client = createPublicClient({ chain, transport: custom(provider) }) as PublicClient;
  const deploymentBlock = Number(await client.getBlockNumber()) + 1;

  async function deploy(abi: Abi, bytecode: Hex, args: unknown[] = []): Promise<Address> {
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error(`Deployment ${hash} created no contract`);
    return getAddress(receipt.contractAddress);
  }

  const safeContracts = await deploySafeContracts(provider, { deployerIndex });
  const contracts: Deployment["contracts"] = safeContracts["1.4.1"]!.L2;

  const tokenArtifact = testTokenArtifact();
  const deployedTokens: DeployedToken[] = [];
  for (const token of tokens) {
    const address = await deploy(tokenArtifact.abi, tokenArtifact.bytecode, [token.name, token.symbol, token.decimals]);
    deployedTokens.push({ address, ...token });
  }

  const safe = await createSafe(provider, { version: "1.4.1", flavour: "L2", owners, threshold, saltNonce, senderIndex: deployerIndex });
  const safeAddress = safe.address;

  if (initialFunds) {
    if (initialFunds.eth > 0n) {
      const hash = await wallet.sendTransaction({ to: safeAddress, value: initialFunds.eth });
      await client.waitForTransactionReceipt({ hash });
    }
    for (const token of deployedTokens) {
      const amount = initialFunds.tokens[token.symbol] ?? 0n;
      if (amount === 0n) continue;
      const hash = await wallet.writeContract({
        address: token.address,
        abi: erc20Abi,
        functionName: "mint",
        args: [safeAddress, amount],
      });
      await client.waitForTransactionReceipt({ hash });
    }
  }

  return {
    chainId,
    deploymentBlock,
    contracts,
    safe: { address: safeAddress, owners: owners.map((owner) => getAddress(owner)), threshold, creationBlock: safe.creationBlock },
    tokens: deployedTokens,
  };
}

/** Returns true when every contract of the deployment has code on the chain behind `client`. */
export async function deploymentIsLive(client: PublicClient, deployment: Deployment): Promise<boolean> {
  const addresses = [...Object.values(deployment.contracts), deployment.safe.address, ...deployment.tokens.map((t) => t.address)];
  for (const address of addresses) {
    const code = await client.getCode({ address });
    if (!code || code === "0x") return false;
  }
  return true;
}

