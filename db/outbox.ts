import { statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The outbox: what people should hear about (funds in, a SafeTx executed, an
 * owner change), written once per (kind, ref) when the event is confirmed, and
 * marked delivered once an adapter has said it. This module is its only writer.
 * Each Safe has its own entries: every function acts on the handle's Safe.
 */

export type OutboxEntry = { id: number; kind: string; ref: string; payload: Record<string, unknown>; blockNumber: number };

export type InsertOutboxEntryParameters = {
  kind: string;
  /** Unique per kind: an entry is written once, ever. */
  ref: string;
  payload: unknown;
  blockNumber: number;
  /** Written as already said (history replayed after a chain change). */
  alreadyDelivered?: boolean;
};

/** Writes one entry unless (kind, ref) was written before. Returns true when written. */
export function insertOutboxEntry(db: TreasuryDatabase, entry: InsertOutboxEntryParameters): boolean {
  const result = statement(
    db,
    `INSERT OR IGNORE INTO outbox (safe_id, kind, ref, payload, block_number, delivered_at)
     VALUES (@safe, ?, ?, ?, ?, CASE WHEN ? THEN datetime('now') END)`,
  ).run(entry.kind, entry.ref, JSON.stringify(entry.payload), entry.blockNumber, entry.alreadyDelivered ? 1 : 0);
  return result.changes > 0;
}

/** The Safes (by id) with an entry not delivered yet; `db` reads all Safes (`readAllSafes`). One index look per Safe, however long the history. */
export function safesWithUndeliveredOutbox(db: ReadableDatabase): Set<number> {
  const ids = statement(db, "SELECT s.id FROM safes s WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.safe_id = s.id AND o.delivered_at IS NULL)").pluck().all() as number[];
  return new Set(ids.map(Number));
}

/** Entries not delivered yet, oldest first. A payload that is not JSON reads as `{}`. */
export function listUndeliveredOutbox(db: ReadableDatabase, limit: number): OutboxEntry[] {
  const rows = statement(db, "SELECT id, kind, ref, payload, block_number FROM outbox WHERE safe_id = @safe AND delivered_at IS NULL ORDER BY id LIMIT ?").all(limit) as {
    id: number;
    kind: string;
    ref: string;
    payload: string;
    block_number: number;
  }[];
  return rows.map((row) => {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(row.payload) as Record<string, unknown>;
    } catch {
      payload = {};
    }
    return { id: row.id, kind: row.kind, ref: row.ref, payload, blockNumber: row.block_number };
  });
}

/** Marks an entry delivered. Returns false when it already was. */
export function markOutboxDelivered(db: TreasuryDatabase, id: number): boolean {
  return statement(db, "UPDATE outbox SET delivered_at = datetime('now') WHERE safe_id = @safe AND id = ? AND delivered_at IS NULL").run(id).changes > 0;
}

/** Forgets entries above a block that were not said yet (their block was rolled back). */
export function deleteUndeliveredOutboxAbove(db: TreasuryDatabase, blockNumber: number): void {
  statement(db, "DELETE FROM outbox WHERE safe_id = @safe AND block_number > ? AND delivered_at IS NULL").run(blockNumber);
}
