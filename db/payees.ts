import { getAddress, type Address, type Hex } from "viem";
import { statement } from "./connection.ts";
import type { ReadableDatabase } from "./handle.ts";

/**
 * What the treasury knows about who it pays, across the address book, the
 * chain mirror and the proposals: the reads behind the safety warnings. Reads only,
 * and of the handle's Safe only (the address book: of the Safe's workspace).
 */

/** Addresses the treasury knows (the workspace's address book, everyone paid on-chain, payees of executed proposals other than `except`), with a label when it has one. */
export function listKnownPayees(db: ReadableDatabase, except: Hex): { address: Address; label: string | null }[] {
  const rows = statement(
    db,
    `SELECT address, label FROM address_book WHERE workspace = @workspace
     UNION SELECT to_address, NULL FROM payments WHERE safe_id = @safe
     UNION SELECT t.to_address, NULL FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
       WHERE p.safe_id = @safe AND p.status = 'executed' AND p.safe_tx_hash != ?`,
  ).all(except) as { address: string; label: string | null }[];
  const byAddress = new Map<Address, string | null>();
  for (const row of rows) {
    const address = getAddress(row.address);
    if (!byAddress.get(address)) byAddress.set(address, row.label);
  }
  return [...byAddress].map(([address, label]) => ({ address, label }));
}

/** True when the address was paid on-chain, or by an executed proposal other than `except`. */
export function hasBeenPaid(db: ReadableDatabase, payee: Address, except: Hex): boolean {
  const row = statement(
    db,
    `SELECT 1 FROM payments WHERE safe_id = @safe AND to_address = ?
     UNION ALL SELECT 1 FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
       WHERE p.safe_id = @safe AND t.to_address = ? AND p.status = 'executed' AND p.safe_tx_hash != ? LIMIT 1`,
  ).get(payee, payee, except);
  return row !== undefined;
}

export type TwinTransfer = { kind: "paid"; blockTime: number } | { kind: "proposal"; status: "pending" | "executed"; nonce: number };

/** The latest earlier payment, or else live proposal, of the same token, payee and amount (other than `except`). */
export function findTwinTransfer(db: ReadableDatabase, { except, token, to, amount }: { except: Hex; token: Address | null; to: Address; amount: bigint }): TwinTransfer | undefined {
  const paid = statement(db, "SELECT block_time FROM payments WHERE safe_id = @safe AND to_address = ? AND amount = ? AND token IS ? AND safe_tx_hash != ? ORDER BY block_time DESC LIMIT 1").get(
    to,
    amount.toString(),
    token,
    except,
  ) as { block_time: number } | undefined;
  if (paid) return { kind: "paid", blockTime: paid.block_time };
  const proposed = statement(
    db,
    `SELECT p.status, p.nonce FROM proposal_transfers t JOIN proposals p ON p.safe_tx_hash = t.safe_tx_hash
     WHERE p.safe_id = @safe AND t.to_address = ? AND t.amount = ? AND t.token IS ? AND p.safe_tx_hash != ? AND p.status IN ('pending', 'executed')
     ORDER BY p.created_at DESC LIMIT 1`,
  ).get(to, amount.toString(), token, except) as { status: "pending" | "executed"; nonce: number } | undefined;
  return proposed && { kind: "proposal", status: proposed.status, nonce: proposed.nonce };
}
