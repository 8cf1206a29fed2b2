import type { Address, Hex } from "viem";
import { statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * What the chain cannot say about money coming in: a note on a deposit (the
 * invoice or grant it pays), keyed by the handle's Safe and the transaction
 * that brought it (one transaction may pay several Safes, each with its own
 * note). This module is the only writer of `deposit_notes`.
 */

export type DepositNote = { txHash: Hex; token: Address | null; amount: bigint; from: Address; memo: string; addedBy: string; createdAt: number };

/** Writes the Safe's note of a deposit, replacing its earlier note of the same transaction. `txHash` is spelled as the chain mirror has it. */
export function writeDepositNote(db: TreasuryDatabase, note: DepositNote): void {
  statement(
    db,
    `INSERT INTO deposit_notes (safe_id, tx_hash, token, amount, from_address, memo, added_by, created_at) VALUES (@safe, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (safe_id, tx_hash) DO UPDATE SET memo = excluded.memo, added_by = excluded.added_by, created_at = excluded.created_at`,
  ).run(note.txHash, note.token, note.amount.toString(), note.from, note.memo, note.addedBy, note.createdAt);
}

export type IndexedDeposit = { txHash: Hex; logIndex: number; token: Address | null; amount: bigint; from: Address; blockTime: number };

/** The deposits the chain mirror holds from this transaction (one transaction may bring several). */
export function listDepositsOfTransaction(db: ReadableDatabase, txHash: string): IndexedDeposit[] {
  return (
    statement(db, "SELECT tx_hash, log_index, token, amount, from_address, block_time FROM transfers WHERE safe_id = @safe AND direction = 'in' AND lower(tx_hash) = lower(?) ORDER BY log_index").all(txHash) as {
      tx_hash: Hex;
      log_index: number;
      token: Address | null;
      amount: string;
      from_address: Address;
      block_time: number;
    }[]
  ).map((row) => ({ txHash: row.tx_hash, logIndex: row.log_index, token: row.token, amount: BigInt(row.amount), from: row.from_address, blockTime: row.block_time }));
}
