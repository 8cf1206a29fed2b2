import { SafeScopeError, statement } from "./connection.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";
import { perSafeMetaKeys } from "./migrations/012-several-safes.ts";

/** Keys kept per Safe: those migration 012 moved, and those added since. */
const perSafe = new Set<string>([...perSafeMetaKeys, "safe_singleton", "safe_helpers"]);

/**
 * Small named facts about the database: which chain and Safe a Safe's mirror
 * holds, how far things are confirmed or announced (per Safe, in `safe_meta`,
 * through the handle of that Safe), which model made the vectors (the
 * deployment's, in `meta`). A per-Safe key through an unbound handle, or
 * through the all-Safes handle when Safes differ, throws `SafeScopeError`.
 */
export function readMeta(db: ReadableDatabase, key: string): string | undefined {
  const row = (
    perSafe.has(key)
      ? statement(db, "SELECT value FROM safe_meta WHERE safe_id = @safe AND key = ?").all(key)
      : [statement(db, "SELECT value FROM meta WHERE key = ?").get(key)]
  ) as ({ value: string } | undefined)[];
  if (row.length > 1) throw new SafeScopeError(`"${key}" is one per Safe: read it through the handle of one Safe.`);
  return row[0]?.value;
}

/** Several per-Safe values in one read, through the handle of one Safe (see `readMeta`). */
export function readMetaValues<Key extends string>(db: ReadableDatabase, keys: readonly Key[]): Partial<Record<Key, string>> {
  if (!keys.every((key) => perSafe.has(key))) throw new SafeScopeError("readMetaValues reads per-Safe keys only.");
  const rows = statement(db, `SELECT key, value FROM safe_meta WHERE safe_id = @safe AND key IN (${keys.map(() => "?").join(", ")})`).all(...keys) as { key: Key; value: string }[];
  const values: Partial<Record<Key, string>> = {};
  for (const { key, value } of rows) {
    if (values[key] !== undefined) throw new SafeScopeError(`"${key}" is one per Safe: read it through the handle of one Safe.`);
    values[key] = value;
  }
  return values;
}

/** Writes one value (the only writer of `meta` and `safe_meta`). */
export function writeMeta(db: TreasuryDatabase, key: string, value: string): void {
  if (perSafe.has(key))
    statement(db, "INSERT INTO safe_meta (safe_id, key, value) VALUES (@safe, ?, ?) ON CONFLICT(safe_id, key) DO UPDATE SET value = excluded.value").run(key, value);
  else statement(db, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
}
