import type { Address, Hex } from "viem";
import { statement } from "../connection.ts";
import type { ReadableDatabase } from "../handle.ts";
import type { TokenMetadata } from "./records.ts";

export type Checkpoint = { blockNumber: number; blockHash: Hex };

/** The last block whose events are all stored, or undefined before the first batch. */
export function readCheckpoint(db: ReadableDatabase): Checkpoint | undefined {
  const row = statement(db, "SELECT block_number, block_hash FROM checkpoint WHERE id = 1").get() as { block_number: number; block_hash: Hex } | undefined;
  return row ? { blockNumber: row.block_number, blockHash: row.block_hash } : undefined;
}

export type StoredBlock = { number: number; hash: Hex };

/** Every stored block, highest first (reorg checks walk down from the top). */
export function listStoredBlocksFromTop(db: ReadableDatabase): StoredBlock[] {
  return statement(db, "SELECT number, hash FROM blocks ORDER BY number DESC").all() as StoredBlock[];
}

/** The lowest and highest stored blocks, or undefined when none is stored. */
export function storedBlockRange(db: ReadableDatabase): { lowest: StoredBlock; highest: StoredBlock } | undefined {
  const highest = statement(db, "SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1").get() as StoredBlock | undefined;
  if (!highest) return undefined;
  const lowest = statement(db, "SELECT number, hash FROM blocks ORDER BY number ASC LIMIT 1").get() as StoredBlock;
  return { lowest, highest };
}

/** The tokens the chain mirror has met, as they describe themselves. */
export function listIndexedTokens(db: ReadableDatabase): TokenMetadata[] {
  return statement(db, "SELECT address, symbol, name, decimals FROM tokens ORDER BY symbol").all() as TokenMetadata[];
}

/**
 * True when the address was ever an owner as far as the chain mirror knows:
 * in the Safe's setup, added or removed later, or a signer of an executed SafeTx.
 */
export function wasEverOwner(db: ReadableDatabase, address: Address): boolean {
  const row = statement(
    db,
    `SELECT 1 FROM owner_changes WHERE lower(owner) = lower(?) AND kind IN ('added', 'removed')
     UNION ALL SELECT 1 FROM owner_changes WHERE kind = 'setup' AND lower(owners) LIKE '%' || lower(?) || '%'
     UNION ALL SELECT 1 FROM execution_signers WHERE lower(owner) = lower(?) LIMIT 1`,
  ).get(address, address, address);
  return row !== undefined;
}
