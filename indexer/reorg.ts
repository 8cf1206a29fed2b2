import type { Hex } from "viem";
import { chainMirrorTables } from "./chain-identity.ts";
import type { BlockHeader, IndexerRpc } from "./rpc.ts";
import { readMeta, writeMeta, type TreasuryDatabase } from "../db/database.ts";

export type Checkpoint = { blockNumber: number; blockHash: Hex };

/** The last block whose events are all stored, or undefined before the first batch. */
export function readCheckpoint(db: TreasuryDatabase): Checkpoint | undefined {
  const row = db.prepare("SELECT block_number, block_hash FROM checkpoint WHERE id = 1").get() as
    | { block_number: number; block_hash: Hex }
    | undefined;
  return row ? { blockNumber: row.block_number, blockHash: row.block_hash } : undefined;
}

/**
 * The highest stored block that is still on the chain (same number, same
 * hash), or undefined when none is. Stored blocks form a hash chain, so once
 * one matches every lower one does: it gallops down from the top, then bisects.
 */
export async function findCommonAncestor(db: TreasuryDatabase, rpc: Pick<IndexerRpc, "getBlockHeader">): Promise<BlockHeader | undefined> {
  const stored = db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC").all() as { number: number; hash: Hex }[];
  const cache = new Map<number, BlockHeader | undefined>();
  const onChain = async (index: number): Promise<BlockHeader | undefined> => {
    const block = stored[index];
    if (!cache.has(index)) cache.set(index, await rpc.getBlockHeader(block.number));
    const header = cache.get(index);
    return header && header.hash === block.hash ? header : undefined;
  };
  // Gallop: indexes 0, 1, 3, 7, ... until one matches.
  let mismatch = -1;
  let step = 1;
  let index = 0;
  while (index < stored.length) {
    if (await onChain(index)) break;
    mismatch = index;
    index += step;
    step *= 2;
  }
  if (index >= stored.length) {
    index = stored.length - 1;
    if (index <= mismatch || !(await onChain(index))) return undefined;
  }
  // Bisect between the last mismatch and the first match.
  let low = mismatch + 1;
  let high = index;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await onChain(middle)) high = middle;
    else low = middle + 1;
  }
  return onChain(high);
}

/**
 * Deletes everything indexed above `ancestor` (every chain-mirror row, the
 * blocks, and outbox entries not yet delivered) and moves the checkpoint back
 * to it, in one transaction. With no ancestor, the mirror is emptied and the
 * indexer starts over. Delivered outbox entries stay: they were said, and a
 * re-applied event with the same reference is not said again.
 */
export function rollbackTo(db: TreasuryDatabase, ancestor: BlockHeader | undefined): { removedRows: number } {
  const above = ancestor?.number ?? -1;
  return db.transaction(() => {
    let removedRows = 0;
    for (const table of chainMirrorTables) {
      if (table === "checkpoint") continue;
      const column = table === "blocks" ? "number" : "block_number";
      const result = db.prepare(`DELETE FROM ${table} WHERE ${column} > ?`).run(above);
      if (table !== "blocks") removedRows += result.changes;
    }
    db.prepare("DELETE FROM outbox WHERE block_number > ? AND delivered_at IS NULL").run(above);
    if (ancestor) {
      db.prepare("INSERT OR REPLACE INTO blocks (number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?)").run(
        ancestor.number,
        ancestor.hash,
        ancestor.parentHash,
        ancestor.timestamp,
      );
      db.prepare(
        `INSERT INTO checkpoint (id, block_number, block_hash, updated_at) VALUES (1, ?, ?, datetime('now'))
         ON CONFLICT(id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, updated_at = excluded.updated_at`,
      ).run(ancestor.number, ancestor.hash);
    } else {
      db.prepare("DELETE FROM checkpoint").run();
    }
    const confirmed = Number(readMeta(db, "confirmed_block") ?? -1);
    if (confirmed > above) writeMeta(db, "confirmed_block", String(above));
    return { removedRows };
  })();
}
