import type { TreasuryDatabase } from "../../db/handle.ts";
import { connectionOf } from "../../db/connection.ts";

/** Every chain-mirror row that must be the same after any history of crashes and reorgs, sorted. */
export function dumpMirror(db: TreasuryDatabase, upTo?: number): Record<string, unknown[]> {
  const upToBlock = upTo === undefined ? "" : `WHERE block_number <= ${upTo}`;
  const tables: Record<string, string> = {
    safe_executions: `SELECT * FROM safe_executions ${upToBlock} ORDER BY safe_tx_hash`,
    execution_signers: `SELECT * FROM execution_signers ${upToBlock} ORDER BY safe_tx_hash, owner`,
    approved_hashes: `SELECT * FROM approved_hashes ${upToBlock} ORDER BY tx_hash, log_index`,
    payments: `SELECT * FROM payments ${upToBlock} ORDER BY safe_tx_hash, batch_index`,
    transfers: `SELECT * FROM transfers ${upToBlock} ORDER BY tx_hash, log_index`,
    owner_changes: `SELECT * FROM owner_changes ${upToBlock} ORDER BY tx_hash, log_index`,
    module_events: `SELECT * FROM module_events ${upToBlock} ORDER BY tx_hash, log_index`,
    module_executions: `SELECT * FROM module_executions ${upToBlock} ORDER BY tx_hash, log_index`,
    undecoded_executions: `SELECT * FROM undecoded_executions ${upToBlock} ORDER BY safe_tx_hash`,
    outbox: `SELECT kind, ref, payload, block_number, delivered_at FROM outbox ${upToBlock} ORDER BY kind, ref`,
    // Every block a row points at, with its hash.
    row_blocks: `SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number IN (
      SELECT block_number FROM safe_executions UNION SELECT block_number FROM transfers UNION SELECT block_number FROM owner_changes
      UNION SELECT block_number FROM module_events UNION SELECT block_number FROM approved_hashes) ${upTo === undefined ? "" : `AND number <= ${upTo}`} ORDER BY number`,
  };
  if (upTo === undefined) {
    tables.tokens = "SELECT * FROM tokens ORDER BY address";
    tables.checkpoint = "SELECT block_number, block_hash FROM checkpoint";
  }
  return Object.fromEntries(Object.entries(tables).map(([name, sql]) => [name, (connectionOf(db).prepare(sql).all() as Record<string, unknown>[]).map(withoutRowid)]));
}

/**
 * A row without its insertion counter: SQLite's `SELECT *` never shows the
 * implicit rowid, PostgreSQL's shows the `rowid` identity column that stands
 * for it, and an identity number, once drawn, is spent even when its
 * transaction rolls back (a kill, a reorg), so it is no part of the content.
 */
function withoutRowid(row: Record<string, unknown>): Record<string, unknown> {
  const { rowid: _rowid, ...rest } = row;
  return rest;
}

export function countRows(db: TreasuryDatabase, table: string, where = "1 = 1"): number {
  return (connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}
