import type { Chain } from "viem";

/**
 * What the treasury needs to know about a chain to talk about it: its name,
 * its native coin, where a person looks up an address or a transaction, how
 * often blocks come, and how many blocks to wait before a row counts as
 * confirmed when CONFIRMATIONS is not set.
 */
export type ChainFacts = {
  chainId: number;
  name: string;
  /** False for a chain viem's definitions (as used here) do not cover: the facts are then generic, and say so. */
  known: boolean;
  nativeToken: { symbol: string; name: string; decimals: number };
  /** The block explorer's base address; undefined where the chain has none (a local chain, an unknown one). */
  explorer: { name: string; url: string } | undefined;
  /** Milliseconds between blocks; undefined where blocks come only on demand (a local chain) or are not known. */
  blockTimeMs: number | undefined;
  /** Blocks under the head before a row counts as confirmed, when CONFIRMATIONS is not set. */
  defaultConfirmations: number;
};

/** The chains covered, by id, with the file of viem's definitions each comes from. */
const definitions = {
  1: "mainnet",
  11_155_111: "sepolia",
  100: "gnosis",
  8453: "base",
  10: "optimism",
  42_161: "arbitrum",
  137: "polygon",
  31_337: "hardhat",
} as const;

export const chainsWithFacts: readonly number[] = Object.keys(definitions).map(Number);

/**
 * About three minutes of blocks: a reorg deeper than that is very rare on these chains. Polygon PoS has had
 * reorgs of dozens of blocks, so it waits 128 (the depth its bridge and exchanges long used). A local chain
 * mines on demand and never reorganises by itself: 0.
 */
const confirmationSeconds = 180;
const confirmationOverrides: Record<number, number> = { 137: 128, 31_337: 0 };

/** viem gives Sepolia no block time; it runs Ethereum's 12-second slots. */
const blockTimeOverrides: Record<number, number> = { 11_155_111: 12_000 };

const loaded = new Map<number, Promise<Chain>>();

/**
 * The facts for `chainId`, from viem's chain definition for it. A chain not
 * covered gets generic facts that say so (`known: false`, a "native coin"
 * with 18 decimals, no explorer, no block time, 12 confirmations): nothing is
 * made up about it.
 */
export async function loadChainFacts(chainId: number): Promise<ChainFacts> {
  const file = definitions[chainId as keyof typeof definitions];
  if (!file) return unknownChainFacts(chainId);
  return chainFactsOf(await viemChain(chainId, file));
}

/** The facts of a viem chain definition (see `loadChainFacts`). */
export function chainFactsOf(chain: Chain): ChainFacts {
  const blockTimeMs = blockTimeOverrides[chain.id] ?? chain.blockTime;
  const explorer = chain.blockExplorers?.default;
  return {
    chainId: chain.id,
    name: chain.name,
    known: true,
    nativeToken: { symbol: chain.nativeCurrency.symbol, name: chain.nativeCurrency.name, decimals: chain.nativeCurrency.decimals },
    explorer: explorer ? { name: explorer.name, url: explorer.url.replace(/\/+$/, "") } : undefined,
    blockTimeMs,
    defaultConfirmations: confirmationOverrides[chain.id] ?? (blockTimeMs ? Math.ceil((confirmationSeconds * 1000) / blockTimeMs) : 12),
  };
}

/** Generic facts for a chain the treasury has no definition of. */
export function unknownChainFacts(chainId: number): ChainFacts {
  return {
    chainId,
    name: `chain ${chainId} (not one the treasury knows)`,
    known: false,
    nativeToken: { symbol: "native coin", name: "native coin", decimals: 18 },
    explorer: undefined,
    blockTimeMs: undefined,
    defaultConfirmations: 12,
  };
}

/** The explorer's page for an address, or undefined where the chain has no explorer. */
export function explorerAddressUrl(facts: Pick<ChainFacts, "explorer">, address: string): string | undefined {
  return facts.explorer ? `${facts.explorer.url}/address/${address}` : undefined;
}

/** The explorer's page for a transaction, or undefined where the chain has no explorer. */
export function explorerTxUrl(facts: Pick<ChainFacts, "explorer">, txHash: string): string | undefined {
  return facts.explorer ? `${facts.explorer.url}/tx/${txHash}` : undefined;
}

/**
 * One chain's definition from viem. Loaded file by file: `viem/chains` would
 * load every chain viem knows (hundreds of modules, about a second) at every
 * start. Where viem's layout does not have that file, the whole of
 * `viem/chains` is loaded instead, so the facts are the same either way.
 */
function viemChain(chainId: number, file: string): Promise<Chain> {
  let chain = loaded.get(chainId);
  if (!chain) {
    chain = (async () => {
      try {
        const module = (await import(new URL(`./chains/definitions/${file}.js`, import.meta.resolve("viem")).href)) as Record<string, Chain>;
        if (module[file]?.id === chainId) return module[file];
      } catch {
        // Another layout of viem's files: the public entry point below.
      }
      const all = (await import("viem/chains")) as unknown as Record<string, Chain>;
      return all[file];
    })();
    loaded.set(chainId, chain);
  }
  return chain;
}
