import { createPublicClient, http, type Address } from "viem";
import { createChainClient } from "../chain.ts";
import { loadChainFacts, type ChainFacts } from "../chain-facts.ts";
import { InvalidInputError, RetryableError } from "../errors.ts";
import { safeAbi } from "./artifacts.ts";
import { findCreationBlock, proxyFactoriesFor, type CreationBlockMethod, type CreationSearchProgress } from "./creation-block.ts";
import type { SafeFlavour, SupportedSafeVersion } from "./deployments.ts";
import { detectSafeVersion } from "./versions.ts";

/** No chain answers at the RPC address given (down, wrong port, not a JSON-RPC). Trying later may help. */
export class RpcUnreachableError extends RetryableError {
  override name = "RpcUnreachableError";
}

export type InspectSafeParameters = {
  rpcUrl: string;
  address: Address;
  onProgress?: (progress: CreationSearchProgress) => void;
};

export type InspectSafeReturnType = {
  address: Address;
  chainId: number;
  chain: ChainFacts;
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  singleton: Address;
  owners: Address[];
  threshold: number;
  nonce: number;
  creationBlock: number;
  creationBlockFrom: CreationBlockMethod;
};

/**
 * Checks that the treasury can run the Safe at `address` on the chain behind
 * `rpcUrl`, and describes it: chain, version and flavour, owners, threshold,
 * nonce and creation block. Needs nothing but the RPC (no deployment file, no
 * database, no service). Throws with a one-line reason: `RpcUnreachableError`,
 * `NotASafeError` (no code there, or a contract that is not a Safe),
 * `UnsupportedSafeVersionError`, `InvalidInputError` (not a URL).
 */
export async function inspectSafe({ rpcUrl, address, onProgress }: InspectSafeParameters): Promise<InspectSafeReturnType> {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new InvalidInputError(`"${rpcUrl}" is not a URL; give the chain's JSON-RPC address, e.g. https://rpc.example.org or http://127.0.0.1:8545.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidInputError(`"${rpcUrl}" is not an http(s) JSON-RPC address.`);
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }) }).getChainId();
  } catch (cause) {
    throw new RpcUnreachableError(`No chain answers at ${rpcUrl}: check the address, and that the node is running.`, { cause });
  }
  const client = createChainClient({ rpcUrl, chainId });
  const detected = await detectSafeVersion(client, address, { chainId });
  const read = <T>(functionName: "getOwners" | "getThreshold" | "nonce") =>
    client.readContract({ address: detected.address, abi: safeAbi, functionName }) as Promise<T>;
  const [owners, threshold, nonce, chain, creation] = await Promise.all([
    read<Address[]>("getOwners"),
    read<bigint>("getThreshold"),
    read<bigint>("nonce"),
    loadChainFacts(chainId),
    findCreationBlock(client, detected.address, { onProgress, factories: proxyFactoriesFor({ chainId, version: detected.version }) }),
  ]);
  return {
    address: detected.address,
    chainId,
    chain,
    version: detected.version,
    flavour: detected.flavour,
    singleton: detected.singleton,
    owners,
    threshold: Number(threshold),
    nonce: Number(nonce),
    creationBlock: creation.block,
    creationBlockFrom: creation.method,
  };
}
