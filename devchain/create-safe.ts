import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  getAddress,
  parseEventLogs,
  zeroAddress,
  type Address,
  type EIP1193Provider,
  type Hash,
  type PublicClient,
} from "viem";
import { chainFor } from "../core/chain.ts";
import { safeAbi, safeProxyFactoryAbiFor } from "../core/safe/artifacts.ts";
import { canonicalSafeContracts, type SafeFlavour, type SupportedSafeVersion } from "../core/safe/deployments.ts";
import { developmentAccount } from "./accounts.ts";
import { deploySafeContracts, safeContractsAreLive } from "./deploy-safe-contracts.ts";
import { SafeBuildError } from "./errors.ts";

export type CreateSafeParameters = {
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  owners: readonly Address[];
  threshold: number;
  /** The proxy's salt: the same parameters and salt give the same Safe address. */
  saltNonce?: bigint;
  /** The development account that sends the creation (it need not be an owner). */
  senderIndex?: number;
};

export type CreateSafeReturnType = {
  address: Address;
  /** The block of the proxy factory's `ProxyCreation` event: where the Safe's history starts. */
  creationBlock: number;
  transactionHash: Hash;
  singleton: Address;
};

/**
 * Creates a Safe of the given version and flavour on the embedded chain, the
 * way the Safe app does: the version's canonical proxy factory's
 * `createProxyWithNonce`, pointing at the canonical singleton, with the
 * version's fallback handler. Puts the version's contracts on the chain first
 * if they are not there yet.
 */
export async function createSafe(provider: EIP1193Provider, parameters: CreateSafeParameters): Promise<CreateSafeReturnType> {
  const { version, flavour, owners, threshold, saltNonce = 0n, senderIndex = 0 } = parameters;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > owners.length)
    throw new SafeBuildError(`A Safe's threshold must be between 1 and its ${owners.length} owners; got ${threshold}.`);
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const chain = chainFor(chainId);
  const wallet = createWalletClient({ account: developmentAccount(senderIndex), chain, transport: custom(provider) });
  const client = createPublicClient({ chain, transport: custom(provider) }) as PublicClient;
  if (!(await safeContractsAreLive(client, version))) await deploySafeContracts(provider, { versions: [version], deployerIndex: senderIndex });

  const contracts = canonicalSafeContracts(version, flavour);
  const factoryAbi = safeProxyFactoryAbiFor(version);
  const initializer = encodeFunctionData({
    abi: safeAbi,
    functionName: "setup",
    args: [owners.map((owner) => getAddress(owner)), BigInt(threshold), zeroAddress, "0x", contracts.fallbackHandler, zeroAddress, 0n, zeroAddress],
  });
  let hash: Hash;
  try {
    hash = await wallet.writeContract({
      address: contracts.safeProxyFactory,
      abi: factoryAbi,
      functionName: "createProxyWithNonce",
      args: [contracts.safeSingleton, initializer, saltNonce],
    });
  } catch (cause) {
    // Both factories revert with "Create2 call failed" when the proxy's address is taken.
    if (/Create2 call failed/.test(String((cause as Error).message)))
      throw new SafeBuildError(`A Safe v${version} ${flavour} with these owners, threshold and salt ${saltNonce} exists already; pass another saltNonce.`, { cause });
    throw cause;
  }
  const receipt = await client.waitForTransactionReceipt({ hash });
  const [creation] = parseEventLogs({ abi: factoryAbi, eventName: "ProxyCreation", logs: receipt.logs }) as unknown as {
    args: { proxy: Address };
  }[];
  if (receipt.status !== "success" || !creation)
    throw new SafeBuildError(`Creating a Safe v${version} ${flavour} failed (transaction ${hash}); is that salt taken already?`);
  return {
    address: getAddress(creation.args.proxy),
    creationBlock: Number(receipt.blockNumber),
    transactionHash: hash,
    singleton: contracts.safeSingleton,
  };
}
