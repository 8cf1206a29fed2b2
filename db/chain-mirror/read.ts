import type { Address, Hex } from "viem";
import { statement } from "../connection.ts";
import type { ReadableDatabase } from "../handle.ts";
import type { TokenMetadata } from "./records.ts";

/** Reads of the chain mirror: each reads the rows of the handle's Safe only (every Safe's through the all-Safes handle). */

export type Checkpoint = { blockNumber: number; blockHash: Hex };

/** The last block whose events are all stored, or undefined before the first batch. */
export function readCheckpoint(db: ReadableDatabase): Checkpoint | undefined {
  const row = statement(db, "SELECT block_number, block_hash FROM checkpoint WHERE safe_id = @safe").get() as { block_number: number; block_hash: Hex } | undefined;
  return row ? { blockNumber: row.block_number, blockHash: row.block_hash } : undefined;
}

export type StoredBlock = { number: number; hash: Hex };

/** Every stored block, highest first (reorg checks walk down from the top). */
export function listStoredBlocksFromTop(db: ReadableDatabase): StoredBlock[] {
  return statement(db, "SELECT number, hash FROM blocks WHERE safe_id = @safe ORDER BY number DESC").all() as StoredBlock[];
}

/** The lowest and highest stored blocks, or undefined when none is stored. */
export function storedBlockRange(db: ReadableDatabase): { lowest: StoredBlock; highest: StoredBlock } | undefined {
  const highest = statement(db, "SELECT number, hash FROM blocks WHERE safe_id = @safe ORDER BY number DESC LIMIT 1").get() as StoredBlock | undefined;
  if (!highest) return undefined;
  const lowest = statement(db, "SELECT number, hash FROM blocks WHERE safe_id = @safe ORDER BY number ASC LIMIT 1").get() as StoredBlock;
  return { lowest, highest };
}

/** The tokens the chain mirror has met, as they describe themselves. */
export function listIndexedTokens(db: ReadableDatabase): TokenMetadata[] {
  return statement(db, "SELECT DISTINCT address, symbol, name, decimals FROM tokens WHERE safe_id = @safe ORDER BY symbol").all() as TokenMetadata[];
}

/**
 * True when the address was ever an owner as far as the chain mirror knows:
 * in the Safe's setup, added or removed later, or a signer of an executed SafeTx.
 */
export function wasEverOwner(db: ReadableDatabase, address: Address): boolean {
  const row = statement(
    db,
    `SELECT 1 FROM owner_changes WHERE safe_id = @safe AND lower(owner) = lower(?) AND kind IN ('added', 'removed')
     UNION ALL SELECT 1 FROM owner_changes WHERE safe_id = @safe AND kind = 'setup' AND lower(owners) LIKE '%' || lower(?) || '%'
     UNION ALL SELECT 1 FROM execution_signers WHERE safe_id = @safe AND lower(owner) = lower(?) LIMIT 1`,
  ).get(address, address, address);
  return row !== undefined;
}

/** The call of an executed SafeTx as the indexer stored it, or undefined when it is not (or no longer) indexed. */
export type ExecutedCall = { safeTxHash: string; nonce: number; to: string; value: string; data: string; operation: number; success: boolean; txHash: string };

export function readExecutedCall(db: ReadableDatabase, safeTxHash: string): ExecutedCall | undefined {
  const row = statement(db, "SELECT safe_tx_hash, nonce, to_address, value, data, operation, success, tx_hash FROM safe_executions WHERE safe_id = @safe AND safe_tx_hash = ?").get(safeTxHash) as
    | { safe_tx_hash: string; nonce: number; to_address: string; value: string; data: string; operation: number; success: number; tx_hash: string }
    | undefined;
  return row && { safeTxHash: row.safe_tx_hash, nonce: row.nonce, to: row.to_address, value: row.value, data: row.data, operation: row.operation, success: row.success === 1, txHash: row.tx_hash };
}

/** The highest nonce of the SafeTx executions stored, or undefined when none is. */
export function lastExecutedNonce(db: ReadableDatabase): number | undefined {
  const row = statement(db, "SELECT max(nonce) AS nonce FROM safe_executions WHERE safe_id = @safe").get() as { nonce: number | null };
  return row.nonce ?? undefined;
}

/** The SafeTx executions the indexer stored for one chain transaction (usually none or one). */
export function listExecutedCallsInTransaction(db: ReadableDatabase, txHash: string): ExecutedCall[] {
  const rows = statement(db, "SELECT safe_tx_hash FROM safe_executions WHERE safe_id = @safe AND tx_hash = ? ORDER BY log_index").all(txHash) as Array<{ safe_tx_hash: string }>;
  return rows.map((row) => readExecutedCall(db, row.safe_tx_hash)).filter((call): call is ExecutedCall => call !== undefined);
}
