import { getAddress, type Address } from "viem";
import { boundHandle, connectionOf, scopeOf, statement } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The Safes this deployment runs (`safes`), and the handles bound to one of
 * them. This module is the only writer of `safes`.
 */

/** A registered Safe. `rpcUrl` undefined: read through the deployment's RPC_URL (or the embedded chain). */
export type RegisteredSafe = { id: number; chainId: number; address: Address; name: string; rpcUrl?: string; addedAt: number };

type SafeRow = { id: number; chain_id: number; address: string; name: string; rpc_url: string | null; added_at: number };

function toSafe(row: SafeRow): RegisteredSafe {
  return { id: row.id, chainId: row.chain_id, address: getAddress(row.address), name: row.name, ...(row.rpc_url ? { rpcUrl: row.rpc_url } : {}), addedAt: row.added_at };
}

/** A name is already taken by another Safe (names are unique, case aside). */
export class SafeNameTakenError extends DatabaseError {
  override name = "SafeNameTakenError";
}

/**
 * A handle on the same connection whose every read and write of a Safe's rows
 * is that Safe's: reads are filtered by it, writes are stamped with it (see
 * `statement`). Per-deployment tables (people, wallet links, the address book,
 * Slack's records) read and write as through any handle. The same object for
 * the same connection and Safe (a read-only handle gives a read-only one).
 * Throws `DatabaseError` when no Safe has this id.
 */
export function forSafe<T extends ReadableDatabase = TreasuryDatabase>(db: T, safeId: number): T {
  if (!readSafe(db, safeId)) throw new DatabaseError(`No Safe ${safeId} is registered in this database.`);
  return boundHandle(db, { safeId });
}

/**
 * A handle that reads every Safe's rows at once (for answers across all
 * Safes): its filters by Safe read as true, and it cannot write a Safe's rows
 * (`SafeScopeError`). Rows of different Safes are told apart by their own
 * columns only: a reader that needs the Safe of each row reads per Safe.
 */
export function readAllSafes(db: ReadableDatabase): ReadableDatabase {
  return boundHandle(db, { allSafes: true }) as ReadableDatabase;
}

/** The Safe a handle is bound to (undefined for an unbound or all-Safes handle). */
export function boundSafeId(db: ReadableDatabase): number | undefined {
  const scope = scopeOf(db);
  return scope && "safeId" in scope ? scope.safeId : undefined;
}

/** Every registered Safe, in the order they were added (the first is the deployment's own). */
export function listSafes(db: ReadableDatabase): RegisteredSafe[] {
  return (statement(db, "SELECT * FROM safes WHERE chain_id != 0 ORDER BY id").all() as SafeRow[]).map(toSafe);
}

/** The Safe with this id, if registered. */
export function readSafe(db: ReadableDatabase, safeId: number): RegisteredSafe | undefined {
  const row = statement(db, "SELECT * FROM safes WHERE id = ? AND chain_id != 0").get(safeId) as SafeRow | undefined;
  return row && toSafe(row);
}

/** The Safe with this name (case aside) or address (on any chain, when one chain has it), if registered. */
export function findSafe(db: ReadableDatabase, nameOrAddress: string): RegisteredSafe | undefined {
  const key = nameOrAddress.trim();
  const byName = statement(db, "SELECT * FROM safes WHERE name = ? COLLATE NOCASE AND chain_id != 0").get(key) as SafeRow | undefined;
  if (byName) return toSafe(byName);
  const byAddress = statement(db, "SELECT * FROM safes WHERE lower(address) = lower(?) AND chain_id != 0 ORDER BY id").all(key) as SafeRow[];
  return byAddress.length === 1 ? toSafe(byAddress[0]) : undefined;
}

/** The Safe at this chain and address, if registered. */
export function findSafeOnChain(db: ReadableDatabase, chainId: number, address: Address): RegisteredSafe | undefined {
  const row = statement(db, "SELECT * FROM safes WHERE chain_id = ? AND lower(address) = lower(?)").get(chainId, address) as SafeRow | undefined;
  return row && toSafe(row);
}

export type RegisterSafeParameters = {
  chainId: number;
  address: Address;
  /** Unique (case aside); defaults to "main" for the first Safe and `safe-<first 8 hex digits>` for others. */
  name?: string;
  /** The JSON-RPC to read it through; omitted: the deployment's. */
  rpcUrl?: string;
  /** Unix seconds. */
  now: number;
};

/**
 * Registers a Safe, or returns it when this chain and address already are
 * (its name and RPC then stay as they were). A database whose rows predate
 * several Safes, with no chain recorded, has them given to the first Safe
 * registered. Throws `SafeNameTakenError` when another Safe has the name.
 */
export function registerSafe(db: TreasuryDatabase, { chainId, address, name, rpcUrl, now }: RegisterSafeParameters): RegisteredSafe {
  const existing = findSafeOnChain(db, chainId, address);
  if (existing) return existing;
  return connectionOf(db).transaction(() => {
    const chosen = name?.trim() || defaultName(db, address);
    const holder = statement(db, "SELECT * FROM safes WHERE name = ? COLLATE NOCASE AND chain_id != 0").get(chosen) as SafeRow | undefined;
    if (holder) throw new SafeNameTakenError(`The name "${chosen}" is taken by the Safe ${getAddress(holder.address)} on chain ${holder.chain_id}; choose another with --name.`);
    const placeholder = statement(db, "SELECT id FROM safes WHERE chain_id = 0").pluck().get() as number | undefined;
    if (placeholder !== undefined) {
      statement(db, "UPDATE safes SET chain_id = ?, address = ?, name = ?, rpc_url = ?, added_at = ? WHERE id = ?").run(chainId, getAddress(address), chosen, rpcUrl ?? null, now, placeholder);
      return readSafe(db, placeholder) as RegisteredSafe;
    }
    const id = Number(
      statement(db, "INSERT INTO safes (chain_id, address, name, rpc_url, added_at) VALUES (?, ?, ?, ?, ?) RETURNING id").pluck().get(chainId, getAddress(address), chosen, rpcUrl ?? null, now),
    );
    return readSafe(db, id) as RegisteredSafe;
  })();
}

function defaultName(db: ReadableDatabase, address: Address): string {
  const taken = (name: string) => statement(db, "SELECT 1 FROM safes WHERE name = ? COLLATE NOCASE AND chain_id != 0").get(name) !== undefined;
  if (!taken("main")) return "main";
  const hex = address.slice(2).toLowerCase();
  for (let length = 8; length <= 40; length += 4) if (!taken(`safe-${hex.slice(0, length)}`)) return `safe-${hex.slice(0, length)}`;
  return `safe-${hex}-${Date.now()}`;
}
