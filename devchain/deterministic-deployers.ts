import { getSingletonFactoryInfo } from "@safe-global/safe-singleton-factory";
import { getAddress, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { TreasuryError } from "../core/errors.ts";

/**
 * A CREATE2 deployer that public chains share: a contract put on each chain by
 * one presigned transaction from a key nobody holds, so it has the same address
 * everywhere. Called with `salt ++ initCode`, it deploys `initCode` with CREATE2.
 */
export type DeterministicDeployer = {
  name: string;
  address: Address;
  /** The one-time account that sends the presigned transaction; it needs `gasPrice * gasLimit` wei. */
  signerAddress: Address;
  gasPrice: bigint;
  gasLimit: bigint;
  transaction: Hex;
};

export class DeterministicDeployerError extends TreasuryError {
  override name = "DeterministicDeployerError";
}

/**
 * Arachnid's deterministic deployment proxy, through which Safe made its
 * "canonical" deployments (v1.3.0). Its creation transaction predates EIP-155
 * (it names no chain, so it is valid on every chain); signature r = s = 0x22…22
 * makes its sender a key nobody holds. Published by the project
 * (github.com/Arachnid/deterministic-deployment-proxy).
 */
export const deterministicDeploymentProxy: DeterministicDeployer = {
  name: "deterministic deployment proxy",
  address: "0x4e59b44847b379578588920cA78FbF26c0B4956C",
  signerAddress: "0x3fAB184622Dc19b6109349B94811493BF2a45362",
  gasPrice: 100_000_000_000n,
  gasLimit: 100_000n,
  transaction:
    "0xf8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf31ba02222222222222222222222222222222222222222222222222222222222222222a02222222222222222222222222222222222222222222222222222222222222222",
};

/**
 * The Safe singleton factory on `chainId` (Safe's deployments from v1.4.1 on):
 * the same contract as the proxy above, sent with an EIP-155 transaction Safe
 * presigned for each chain, from `@safe-global/safe-singleton-factory`.
 */
export function safeSingletonFactory(chainId: number): DeterministicDeployer {
  const info = getSingletonFactoryInfo(chainId);
  if (!info) throw new DeterministicDeployerError(`The Safe singleton factory has no presigned transaction for chain ${chainId}.`);
  return {
    name: "Safe singleton factory",
    address: getAddress(info.address),
    signerAddress: getAddress(info.signerAddress),
    gasPrice: BigInt(info.gasPrice),
    gasLimit: BigInt(info.gasLimit),
    transaction: info.transaction as Hex,
  };
}

export type EnsureDeterministicDeployerParameters = {
  /** Pays the signer's gas (a development account). */
  wallet: WalletClient;
  client: PublicClient;
  deployer: DeterministicDeployer;
};

/**
 * Puts the deployer at its address on this chain the way public chains got it
 * (fund the one-time signer, send the presigned transaction), unless it is
 * there already. Returns only once its code is on the chain.
 */
export async function ensureDeterministicDeployer({ wallet, client, deployer }: EnsureDeterministicDeployerParameters): Promise<void> {
  if (await hasCode(client, deployer.address)) return;
  if ((await client.getTransactionCount({ address: deployer.signerAddress })) > 0)
    throw new DeterministicDeployerError(
      `The ${deployer.name} cannot be put at ${deployer.address}: its one-time signer ${deployer.signerAddress} has sent a transaction on this chain already.`,
    );
  const cost = deployer.gasPrice * deployer.gasLimit;
  const balance = await client.getBalance({ address: deployer.signerAddress });
  if (balance < cost) {
    const funding = await wallet.sendTransaction({
      account: wallet.account!,
      chain: wallet.chain,
      to: deployer.signerAddress,
      value: cost - balance,
    });
    await client.waitForTransactionReceipt({ hash: funding });
  }
  const hash = await client.request({ method: "eth_sendRawTransaction", params: [deployer.transaction] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !(await hasCode(client, deployer.address)))
    throw new DeterministicDeployerError(`The ${deployer.name} did not land at ${deployer.address} (transaction ${hash}).`);
}

export async function hasCode(client: Pick<PublicClient, "getCode">, address: Address): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== "0x";
}
