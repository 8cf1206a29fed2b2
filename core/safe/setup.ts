import type { Address, PublicClient } from "viem";
import type { SafeFlavour, SupportedSafeVersion } from "./deployments.ts";
import { detectSafeVersion, type SafeDomain, type SafeHelperContracts } from "./versions.ts";

/**
 * The Safe a treasury runs, as the chain describes it: its version and
 * flavour, the EIP-712 domain its signatures are bound to, the helper
 * contracts to use with it (MultiSend, SimulateTxAccessor...; undefined where
 * the chain has none), and the block it was created in (its history starts there).
 */
export type TreasurySafe = {
  version: SupportedSafeVersion;
  flavour: SafeFlavour;
  domain: SafeDomain;
  contracts: SafeHelperContracts;
  creationBlock: number;
};

/** The MultiSend contracts a batch of this Safe may run through (either flavour). */
export function multiSendAddresses(safe: Pick<TreasurySafe, "contracts">): Address[] {
  return [safe.contracts.multiSend, safe.contracts.multiSendCallOnly].filter((address): address is Address => address !== undefined);
}

type Client = Parameters<typeof detectSafeVersion>[0] & Pick<PublicClient, "getBlockNumber">;

/**
 * Reads what the Safe at `address` is (see `detectSafeVersion`, which refuses
 * what is not a supported Safe) and the block it was created in: `creationBlock`
 * when the caller knows it, else the first block where the address has code
 * (a binary search over the chain's history).
 */
export async function describeTreasurySafe(client: Client, address: Address, { creationBlock }: { creationBlock?: number } = {}): Promise<TreasurySafe> {
  const detected = await detectSafeVersion(client, address);
  return {
    version: detected.version,
    flavour: detected.flavour,
    domain: detected.domain,
    contracts: detected.contracts,
    creationBlock: creationBlock ?? (await findCreationBlock(client, address)),
  };
}

/**
 * The first block at whose end `address` has code: a binary search on
 * `eth_getCode` at past blocks (the RPC must serve historical state, as an
 * archive node does).
 */
export async function findCreationBlock(client: Client, address: Address): Promise<number> {
  let low = 0n;
  let high = await client.getBlockNumber();
  while (low < high) {
    const middle = (low + high) / 2n;
    const code = await client.getCode({ address, blockNumber: middle });
    if (code && code !== "0x") high = middle;
    else low = middle + 1n;
  }
  return Number(low);
}
