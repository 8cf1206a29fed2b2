import { statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * Small named facts about the database (`meta`): which chain and Safe it
 * holds, how far things are confirmed or announced, which model made the vectors.
 */
export function readMeta(db: ReadableDatabase, key: string): string | undefined {
  const row = statement(db, "SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes one `meta` value (the only writer of `meta`). */
export function writeMeta(db: TreasuryDatabase, key: string, value: string): void {
  statement(db, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
}
