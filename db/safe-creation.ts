import type { Address } from "viem";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { readMeta, writeMeta } from "./meta.ts";

/**
 * The creation block recorded for this database's Safe, once found (a search
 * over a public chain's history is not repeated at every command). Undefined
 * unless the database holds this very chain and Safe.
 */
export function readSafeCreationBlock(db: ReadableDatabase, { chainId, safeAddress }: { chainId: number; safeAddress: Address }): number | undefined {
  if (readMeta(db, "chain_id") !== String(chainId)) return undefined;
  if (readMeta(db, "safe_address")?.toLowerCase() !== safeAddress.toLowerCase()) return undefined;
  const stored = readMeta(db, "safe_creation_block");
  return stored === undefined ? undefined : Number(stored);
}

/** Records the Safe's creation block (call after the chain identity is recorded). */
export function recordSafeCreationBlock(db: TreasuryDatabase, block: number): void {
  writeMeta(db, "safe_creation_block", String(block));
}
