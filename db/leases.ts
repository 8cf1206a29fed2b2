import { connectionOf, engineOf, statement } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { TreasuryDatabase } from "./handle.ts";

/**
 * Leases: "this process, and no other, does X" (follows one Safe, runs the Slack periodic work), for processes
 * sharing one PostgreSQL schema. A lease is a session-level advisory lock on the process's own connection, so it is
 * released by `releaseLease`, by closing the connection, or by the process dying (PostgreSQL ends the session): a
 * crashed holder never keeps it. Lease names are scoped to the connection's schema, so deployments (and test runs)
 * on one server never share a lease.
 */

/** A lease was asked for on SQLite, where one process owns the file and leases have no meaning. */
export class LeaseEngineError extends DatabaseError {
  override name = "LeaseEngineError";
}

function assertPostgres(db: TreasuryDatabase): void {
  if (engineOf(db) !== "postgres") throw new LeaseEngineError("Leases need PostgreSQL; on SQLite one process (role `all`) does everything.");
}

// The 64-bit lock key of a lease name (the SQL expression `name` gives it), with the schema, hashed by PostgreSQL itself.
const keyOf = (name: string) => `hashtextextended(current_schema() || ':' || ${name}, 0)`;

/** The leases each connection holds (session-level locks stack, so a second take must not reach PostgreSQL). */
const held = new WeakMap<object, Set<string>>();
const heldBy = (db: TreasuryDatabase): Set<string> => {
  const connection = connectionOf(db);
  let names = held.get(connection);
  if (!names) held.set(connection, (names = new Set()));
  return names;
};

/**
 * Takes the lease `name` when no other session holds it, without waiting. Returns true when this connection holds
 * it now (taking a lease it already holds is true and does not stack).
 */
export function tryTakeLease(db: TreasuryDatabase, name: string): boolean {
  return tryTakeLeases(db, [name]).length === 1;
}

/**
 * Tries each lease of `names` as `tryTakeLease` does, in one round trip to PostgreSQL. Returns the names this
 * connection holds now, in the order given.
 */
export function tryTakeLeases(db: TreasuryDatabase, names: readonly string[]): string[] {
  assertPostgres(db);
  const mine = heldBy(db);
  const wanted = [...new Set(names)].filter((name) => !mine.has(name));
  if (wanted.length > 0) {
    const rows = statement(db, `SELECT value AS name, pg_try_advisory_lock(${keyOf("value")}) AS taken FROM json_array_elements_text(?::json)`).all(
      JSON.stringify(wanted),
    ) as Array<{ name: string; taken: number }>;
    for (const row of rows) if (row.taken) mine.add(row.name);
  }
  return names.filter((name) => mine.has(name));
}

/** True when this connection holds the lease `name`. */
export function holdsLease(db: TreasuryDatabase, name: string): boolean {
  return heldBy(db).has(name) && connectionOf(db).open;
}

/** Gives up the lease `name`. Returns true when this connection held it. */
export function releaseLease(db: TreasuryDatabase, name: string): boolean {
  assertPostgres(db);
  const names = heldBy(db);
  if (!names.delete(name)) return false;
  statement(db, `SELECT pg_advisory_unlock(${keyOf("?")}) AS released`).get(name);
  return true;
}
