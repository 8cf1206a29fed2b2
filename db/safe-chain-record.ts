import { getAddress, type Address } from "viem";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { readMetaValues, writeMeta } from "./meta.ts";

/** What the chain said of a Safe's code (the shape of core's `SafeCode`): kept, so a start confirms it in one request. */
export type RecordedSafeCode = { singleton: Address; version: string; flavour: string; deployedHelpers: Address[] };

/** What this database keeps of what the chain said of its Safe (see `readSafeChainRecord`). */
export type SafeChainRecord = { creationBlock: number | undefined; code: RecordedSafeCode | undefined };

const keys = ["chain_id", "safe_address", "safe_creation_block", "safe_singleton", "safe_version", "safe_flavour", "safe_helpers"] as const;

/**
 * The Safe's creation block, once found (a search over a public chain's history is not repeated at every start), and
 * the last reading of its code, in one read. Both are undefined unless the database holds this very chain and Safe.
 */
export function readSafeChainRecord(db: ReadableDatabase, { chainId, safeAddress }: { chainId: number; safeAddress: Address }): SafeChainRecord {
  const stored = readMetaValues(db, keys);
  if (stored.chain_id !== String(chainId) || stored.safe_address?.toLowerCase() !== safeAddress.toLowerCase()) return { creationBlock: undefined, code: undefined };
  const { safe_singleton: singleton, safe_version: version, safe_flavour: flavour, safe_helpers: helpers } = stored;
  return {
    creationBlock: stored.safe_creation_block === undefined ? undefined : Number(stored.safe_creation_block),
    code:
      singleton && version && flavour && helpers !== undefined
        ? { singleton: getAddress(singleton), version, flavour, deployedHelpers: helpers ? helpers.split(",").map((helper) => getAddress(helper)) : [] }
        : undefined,
  };
}

/** Records the Safe's creation block (call after the chain identity is recorded). */
export function recordSafeCreationBlock(db: TreasuryDatabase, block: number): void {
  writeMeta(db, "safe_creation_block", String(block));
}

/** Records the reading of the Safe's code (call after the chain identity is recorded). */
export function recordSafeCode(db: TreasuryDatabase, code: RecordedSafeCode): void {
  writeMeta(db, "safe_singleton", code.singleton);
  writeMeta(db, "safe_version", code.version);
  writeMeta(db, "safe_flavour", code.flavour);
  writeMeta(db, "safe_helpers", code.deployedHelpers.join(","));
}
