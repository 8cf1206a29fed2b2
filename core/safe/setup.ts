import type { Address } from "viem";
import type { SafeFlavour, SupportedSafeVersion } from "./deployments.ts";
import { findCreationBlock, proxyFactoriesFor, type CreationBlockMethod, type CreationSearchProgress } from "./creation-block.ts";
import { detectSafeVersion, type KeptSafeCode, type SafeCode, type SafeDomain, type SafeHelperContracts } from "./versions.ts";

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
  /** How the creation block was known: the caller's record, the proxy factory's event, or a search on the code. */
  creationBlockFrom?: "record" | CreationBlockMethod;
};

/** The MultiSend contracts a batch of this Safe may run through (either flavour). */
export function multiSendAddresses(safe: Pick<TreasurySafe, "contracts">): Address[] {
  return [safe.contracts.multiSend, safe.contracts.multiSendCallOnly].filter((address): address is Address => address !== undefined);
}

type Client = Parameters<typeof detectSafeVersion>[0] & Parameters<typeof findCreationBlock>[0];

export type DescribeTreasurySafeParameters = {
  /** The creation block, when the caller has a record of it (the embedded chain's deployment file). */
  creationBlock?: number;
  /** Told each step of the creation block search (see `findCreationBlock`). */
  onProgress?: (progress: CreationSearchProgress) => void;
  /** The client's chain id, when the caller has just read it. */
  chainId?: number;
  /** An earlier reading of the Safe's code, kept (see `detectSafeVersion`). */
  earlier?: KeptSafeCode;
};

/**
 * Reads what the Safe at `address` is (see `detectSafeVersion`, which refuses
 * what is not a supported Safe) and the block it was created in: `creationBlock`
 * when the caller knows it, else from the proxy factory's `ProxyCreation`
 * event or a binary search on the code (see `findCreationBlock`). `code` is
 * what to keep and give back as `earlier` at the next start.
 */
export async function describeTreasurySafe(client: Client, address: Address, { creationBlock, onProgress, chainId, earlier }: DescribeTreasurySafeParameters = {}): Promise<TreasurySafe & { code: SafeCode }> {
  const detected = await detectSafeVersion(client, address, { chainId, earlier });
  const factories = proxyFactoriesFor({ chainId: detected.chainId, version: detected.version });
  const found = creationBlock === undefined ? await findCreationBlock(client, detected.address, { onProgress, factories }) : undefined;
  return {
    version: detected.version,
    flavour: detected.flavour,
    domain: detected.domain,
    contracts: detected.contracts,
    creationBlock: found?.block ?? creationBlock!,
    creationBlockFrom: found?.method ?? "record",
    code: detected.code,
  };
}
