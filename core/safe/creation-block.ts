import { decodeEventLog, getAddress, isAddressEqual, pad, parseAbi, toEventSelector, type Address, type PublicClient } from "viem";
import { shortMessageOf } from "../errors.ts";
import { safeContractsForChain, supportedSafeVersions, type SupportedSafeVersion } from "./deployments.ts";

/** How the creation block was found: the factory's `ProxyCreation` event, or a binary search on the code at past blocks. */
export type CreationBlockMethod = "event" | "code";

/** A step of the search, for a progress bar or log lines. */
export type CreationSearchProgress =
  | { method: "event"; factory: Address; version: SupportedSafeVersion }
  /** `step` of at most `steps` `eth_getCode` reads; the block lies in [low, high]. */
  | { method: "code"; step: number; steps: number; low: number; high: number; reason?: string }
  | { method: "done"; block: number; found: CreationBlockMethod };

export type FindCreationBlockParameters = {
  /** The proxy factories to look for the `ProxyCreation` event in. Default: both versions' factories for the chain. */
  factories?: readonly { address: Address; version: SupportedSafeVersion }[];
  onProgress?: (progress: CreationSearchProgress) => void;
  /**
   * v1.3.0's event does not index the proxy, so finding it means reading every
   * Safe the factory ever created: done only on a chain this short (default
   * 100,000 blocks); on a longer one the code search is far cheaper.
   */
  maxUnindexedScanBlocks?: number;
};

export type FindCreationBlockReturnType = { block: number; method: CreationBlockMethod };

type Client = Pick<PublicClient, "getBlockNumber" | "getCode" | "getLogs" | "getChainId">;

/** v1.3.0's factory indexes nothing; v1.4.1's indexes the proxy (the event's topic is the same). */
const proxyCreation = {
  "1.3.0": parseAbi(["event ProxyCreation(address proxy, address singleton)"]),
  "1.4.1": parseAbi(["event ProxyCreation(address indexed proxy, address singleton)"]),
} as const;
const proxyCreationTopic = toEventSelector("ProxyCreation(address,address)");

/**
 * The block the Safe at `address` was created in, where its history starts.
 * First from the proxy factories' `ProxyCreation` event naming it (one
 * `eth_getLogs` over the chain's history per factory; v1.3.0's factory only on
 * a short chain, see `maxUnindexedScanBlocks`); where the RPC refuses
 * that range, or the Safe came from another factory, by a binary search for
 * the first block at whose end the address has code (about log2(head) reads
 * of past state, which needs an archive node). An event's block is used only
 * when the code agrees: the address has code there.
 */
export async function findCreationBlock(client: Client, address: Address, parameters: FindCreationBlockParameters = {}): Promise<FindCreationBlockReturnType> {
  const { onProgress, maxUnindexedScanBlocks = 100_000 } = parameters;
  const head = Number(await client.getBlockNumber());
  const factories = parameters.factories ?? (await defaultFactories(client));
  let reason: string | undefined;
  for (const factory of factories) {
    if (factory.version === "1.3.0" && head > maxUnindexedScanBlocks) {
      reason ??= `v1.3.0's ProxyCreation event does not index the proxy, and reading all ${head} blocks of its factory's creations costs more than a search on the code`;
      continue;
    }
    onProgress?.({ method: "event", factory: factory.address, version: factory.version });
    try {
      const block = await blockOfProxyCreation(client, address, factory, head);
      if (block !== undefined && (await hasCode(client, address, block))) {
        onProgress?.({ method: "done", block, found: "event" });
        return { block, method: "event" };
      }
    } catch (error) {
      reason = `the RPC refused the factory's event log (${shortMessageOf(error)})`;
    }
  }
  const block = await searchCode(client, address, head, (step) => onProgress?.({ ...step, reason: reason ?? "no ProxyCreation event names this Safe" }));
  onProgress?.({ method: "done", block, found: "code" });
  return { block, method: "code" };
}

/**
 * The v1.3.0 and v1.4.1 proxy factories of a chain (safe-deployments'
 * addresses, canonical where it lists none), the Safe's own version's first.
 */
export function proxyFactoriesFor({ chainId, version }: { chainId: number; version?: SupportedSafeVersion }): { address: Address; version: SupportedSafeVersion }[] {
  return supportedSafeVersions
    .map((candidate) => ({ version: candidate, address: safeContractsForChain({ chainId, version: candidate, flavour: "L2" }).addresses.safeProxyFactory }))
    .sort((a, b) => Number(b.version === version) - Number(a.version === version));
}

async function defaultFactories(client: Client): Promise<{ address: Address; version: SupportedSafeVersion }[]> {
  return proxyFactoriesFor({ chainId: await client.getChainId() });
}

async function blockOfProxyCreation(
  client: Client,
  address: Address,
  factory: { address: Address; version: SupportedSafeVersion },
  head: number,
): Promise<number | undefined> {
  const indexed = factory.version !== "1.3.0";
  // v1.4.1: the RPC filters on the indexed proxy. v1.3.0: every creation by the factory, filtered here.
  const logs = await client.getLogs({
    address: factory.address,
    fromBlock: 0n,
    toBlock: BigInt(head),
    ...(indexed ? { event: proxyCreation["1.4.1"][0], args: { proxy: address } } : {}),
  } as Parameters<Client["getLogs"]>[0]);
  for (const log of logs) {
    if (log.topics[0] !== proxyCreationTopic) continue;
    if (indexed ? log.topics[1] !== pad(address.toLowerCase() as Address, { size: 32 }) : false) continue;
    try {
      const { args } = decodeEventLog({ abi: proxyCreation[indexed ? "1.4.1" : "1.3.0"], data: log.data, topics: log.topics });
      if (isAddressEqual(getAddress((args as { proxy: Address }).proxy), address)) return Number(log.blockNumber);
    } catch {
      // A log of another shape under the same topic: not this Safe's creation.
    }
  }
  return undefined;
}

async function hasCode(client: Client, address: Address, block: number): Promise<boolean> {
  const code = await client.getCode({ address, blockNumber: BigInt(block) });
  return code !== undefined && code !== "0x";
}

/** The first block at whose end `address` has code: a binary search on `eth_getCode` at past blocks. */
async function searchCode(
  client: Client,
  address: Address,
  head: number,
  onStep: (step: { method: "code"; step: number; steps: number; low: number; high: number }) => void,
): Promise<number> {
  let low = 0;
  let high = head;
  const steps = Math.max(1, Math.ceil(Math.log2(head + 1)));
  let step = 0;
  onStep({ method: "code", step, steps, low, high });
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await hasCode(client, address, middle)) high = middle;
    else low = middle + 1;
    onStep({ method: "code", step: ++step, steps, low, high });
  }
  return low;
}
