import { statement } from "./connection.ts";
import type { ReadableDatabase } from "./handle.ts";

/** The tables whose rows mean a database already holds a treasury. */
const treasuryTables = ["proposals", "blocks", "members", "address_book", "transfers"] as const;

/** The first table that holds rows, when the database already holds a treasury; undefined for an empty one. */
export function nonEmptyTreasuryTable(db: ReadableDatabase): string | undefined {
  return treasuryTables.find((table) => statement(db, `SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined);
}

/** How many of the handle's Safe's proposals have this status. */
export function countProposals(db: ReadableDatabase, status: string): number {
  return statement(db, "SELECT count(*) FROM proposals WHERE safe_id = @safe AND status = ?").pluck().get(status) as number;
}
