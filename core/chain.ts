import { createPublicClient, defineChain, http, type Chain, type PublicClient, type Transport } from "viem";

// Hardhat's chain as viem defines it. Not imported from "viem/chains": that module loads the definitions
// of every chain viem knows (about 700 modules, a quarter of a second or more at every start).
const hardhat = defineChain({
  id: 31_337,
  name: "Hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

/** A viem chain for a chain id: Hardhat's for 31337, a plain one otherwise. */
export function chainFor(chainId: number, rpcUrl?: string): Chain {
  if (chainId === hardhat.id) return rpcUrl ? { ...hardhat, rpcUrls: { default: { http: [rpcUrl] } } } : hardhat;
  return defineChain({
    id: chainId,
    name: `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: rpcUrl ? [rpcUrl] : [] } },
  });
}

export type ChainClient = PublicClient<Transport, Chain>;

export type CreateChainClientParameters = {
  rpcUrl: string;
  chainId: number;
  /** Per-request timeout in milliseconds. */
  timeout?: number;
  /** Retries viem makes on its own for a failed request. */
  retryCount?: number;
};

/** A read-only client for the chain the treasury runs on. */
export function createChainClient({ rpcUrl, chainId, timeout = 15_000, retryCount = 2 }: CreateChainClientParameters): ChainClient {
  return createPublicClient({
    chain: chainFor(chainId, rpcUrl),
    transport: http(rpcUrl, { timeout, retryCount, batch: false }),
    // Always ask the chain: a cached block number would read balances at a stale block.
    cacheTime: 0,
    pollingInterval: 500,
  });
}
