import type Database from "better-sqlite3";
import type { Statement } from "better-sqlite3";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The SQLite connection behind a handle. Only `db/` modules (and tests that
 * check what was stored) use it; everything else calls the `db/` functions.
 */
export function connectionOf(db: ReadableDatabase): Database.Database {
  return db as unknown as Database.Database;
}

/** Wraps a connection as a handle (read-write unless opened read-only). */
export function handleOf(connection: Database.Database): TreasuryDatabase {
  return connection as unknown as TreasuryDatabase;
}

const statements = new WeakMap<object, Map<string, Statement>>();

/** A prepared statement, prepared once per connection (hot paths run the same statements again and again). */
export function statement(db: ReadableDatabase, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = connectionOf(db).prepare(sql)));
  return prepared;
}
