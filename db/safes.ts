import { getAddress, type Address } from "viem";
import { boundHandle, connectionOf, engineOf, scopeOf, statement } from "./connection.ts";
import { DatabaseError } from "./errors.ts";
import type { ReadableDatabase, TreasuryDatabase } from "./handle.ts";

/**
 * The Safes this deployment runs (`safes`), and the handles bound to one of
 * them. This module is the only writer of `safes`.
 */

/**
 * A registered Safe. `rpcUrl` undefined: read through the deployment's RPC_URL (or the embedded chain).
 * `workspace`: the Slack workspace (team id) it belongs to; `""` is the home workspace (SLACK_BOT_TOKEN's).
 */
export type RegisteredSafe = { id: number; chainId: number; address: Address; name: string; rpcUrl?: string; addedAt: number; workspace: string };

type SafeRow = { id: number; chain_id: number; address: string; name: string; rpc_url: string | null; added_at: number; workspace?: string | null };

function toSafe(row: SafeRow): RegisteredSafe {
  return {
    id: row.id,
    chainId: row.chain_id,
    address: getAddress(row.address),
    name: row.name,
    ...(row.rpc_url ? { rpcUrl: row.rpc_url } : {}),
    addedAt: row.added_at,
    workspace: row.workspace ?? "",
  };
}

/** The workspace of home Safes: the one Slack workspace of SLACK_BOT_TOKEN mode (and every Safe of a database older than workspaces). */
export const homeWorkspace = "";

/**
 * Which workspace's Safes a look-up by list or name sees: the one asked for;
 * else, through a handle bound to a Safe, that Safe's workspace (so a Safe's
 * handle never lists or finds another workspace's Safes); else every Safe.
 */
function workspaceFilter(db: ReadableDatabase, workspace: string | undefined): { sql: string; params: unknown[] } {
  if (workspace !== undefined) return { sql: " AND workspace = ?", params: [workspace] };
  const bound = boundSafeId(db);
  if (bound !== undefined) return { sql: " AND workspace = (SELECT s.workspace FROM safes s WHERE s.id = ?)", params: [bound] };
  return { sql: "", params: [] };
}

/** A name is already taken by another Safe of the same workspace (names are unique per workspace, case aside). */
export class SafeNameTakenError extends DatabaseError {
  override name = "SafeNameTakenError";
}

/**
 * A look-up by name across every workspace found Safes of several workspaces
 * with that name: none is picked; the message names the workspaces and says
 * to use the Safe's address.
 */
export class AmbiguousSafeNameError extends DatabaseError {
  override name = "AmbiguousSafeNameError";
}

/** How a workspace is named in messages: its team id, or "the home workspace". */
export function workspaceLabel(workspace: string): string {
  return workspace === homeWorkspace ? "the home workspace" : `workspace ${workspace}`;
}

/**
 * A handle on the same connection whose every read and write of a Safe's rows
 * is that Safe's: reads are filtered by it, writes are stamped with it (see
 * `statement`); the people, wallet links and address book it reads and writes
 * are its workspace's (`@workspace`). Per-deployment tables (Slack's records)
 * read and write as through any handle. The same object for the same
 * connection and Safe (a read-only handle gives a read-only one).
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

/**
 * Every registered Safe, in the order they were added (the first is the
 * deployment's own). Only one workspace's: `workspace` when given, else the
 * bound Safe's when the handle is bound to one (see `workspaceFilter`).
 */
export function listSafes(db: ReadableDatabase, { workspace }: { workspace?: string } = {}): RegisteredSafe[] {
  const filter = workspaceFilter(db, workspace);
  return (statement(db, `SELECT * FROM safes WHERE chain_id != 0${filter.sql} ORDER BY id`).all(...filter.params) as SafeRow[]).map(toSafe);
}

/** The Safe with this id, if registered. */
export function readSafe(db: ReadableDatabase, safeId: number): RegisteredSafe | undefined {
  const row = statement(db, "SELECT * FROM safes WHERE id = ? AND chain_id != 0").get(safeId) as SafeRow | undefined;
  return row && toSafe(row);
}

/**
 * The Safe with this name (case aside) or address (on any chain, when one
 * chain has it), if registered; within one workspace as `listSafes` (another
 * workspace's Safe is not found). Looking across every workspace (no
 * workspace asked for, an unbound handle), a name several workspaces gave
 * their Safes throws `AmbiguousSafeNameError`: none is picked.
 */
export function findSafe(db: ReadableDatabase, nameOrAddress: string, { workspace }: { workspace?: string } = {}): RegisteredSafe | undefined {
  const key = nameOrAddress.trim();
  const filter = workspaceFilter(db, workspace);
  const byName = (statement(db, `SELECT * FROM safes WHERE name = ? COLLATE NOCASE AND chain_id != 0${filter.sql} ORDER BY id`).all(key, ...filter.params) as SafeRow[]).map(toSafe);
  if (byName.length > 1)
    throw new AmbiguousSafeNameError(
      `${byName.length} Safes are called "${key}", in ${byName.map((safe) => workspaceLabel(safe.workspace)).join(", ")}: name the one you mean by its address (${byName.map((safe) => safe.address).join(", ")}).`,
    );
  if (byName.length === 1) return byName[0];
  const byAddress = statement(db, `SELECT * FROM safes WHERE lower(address) = lower(?) AND chain_id != 0${filter.sql} ORDER BY id`).all(key, ...filter.params) as SafeRow[];
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
  /** Unique within its workspace (case aside); defaults to "main" for the workspace's first Safe and `safe-<first 8 hex digits>` for others. */
  name?: string;
  /** The JSON-RPC to read it through; omitted: the deployment's. */
  rpcUrl?: string;
  /** Unix seconds. */
  now: number;
  /** The Slack workspace (team id) it belongs to; default the home workspace (`""`). */
  workspace?: string;
};

/**
 * Registers a Safe, or returns it when this chain and address already are
 * (its name, RPC and workspace then stay as they were). A database whose rows
 * predate several Safes, with no chain recorded, has them given to the first
 * Safe registered. Processes registering the same Safe at once (services
 * starting together on an empty database) all get the one row. Throws
 * `SafeNameTakenError` when another Safe of the workspace has the name.
 */
export function registerSafe(db: TreasuryDatabase, parameters: RegisterSafeParameters): RegisteredSafe {
  const { chainId, address } = parameters;
  const existing = findSafeOnChain(db, chainId, address);
  if (existing) return existing;
  const register = connectionOf(db).transaction(() => findSafeOnChain(db, chainId, address) ?? insertSafe(db, parameters));
  try {
    // On SQLite the write lock is taken first: a second process waits for the first's commit (busy_timeout), then finds its row.
    // On PostgreSQL the insert waits on the first's uncommitted row, then does nothing: its row is read after.
    return (engineOf(db) === "sqlite" ? register.immediate() : register()) ?? (findSafeOnChain(db, chainId, address) as RegisteredSafe);
  } catch (error) {
    // Another process registered it between the look-up and the insert (a unique violation on the name
    // before the one on the chain and address, or a lock given up): its row is the one.
    const registered = findSafeOnChain(db, chainId, address);
    if (registered) return registered;
    throw error;
  }
}

/** The insert of `registerSafe`, in its transaction; undefined when another process inserted the same chain and address first. */
function insertSafe(db: TreasuryDatabase, { chainId, address, name, rpcUrl, now, workspace = homeWorkspace }: RegisterSafeParameters): RegisteredSafe | undefined {
  const chosen = name?.trim() || defaultName(db, address, workspace);
  const holder = safeNamed(db, chosen, workspace);
  if (holder) throw nameTaken(chosen, holder, workspace);
  const placeholder = statement(db, "SELECT id FROM safes WHERE chain_id = 0").pluck().get() as number | undefined;
  if (placeholder !== undefined) {
    statement(db, "UPDATE safes SET chain_id = ?, address = ?, name = ?, rpc_url = ?, added_at = ?, workspace = ? WHERE id = ?").run(chainId, getAddress(address), chosen, rpcUrl ?? null, now, workspace, placeholder);
    return readSafe(db, placeholder) as RegisteredSafe;
  }
  const id = statement(db, "INSERT INTO safes (chain_id, address, name, rpc_url, added_at, workspace) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id, address) DO NOTHING RETURNING id")
    .pluck()
    .get(chainId, getAddress(address), chosen, rpcUrl ?? null, now, workspace) as number | undefined;
  return id === undefined ? undefined : (readSafe(db, Number(id)) as RegisteredSafe);
}

/**
 * Gives a registered Safe to a Slack workspace (team id; `""` the home
 * workspace): from then on only that workspace lists, binds and asks about it
 * (a channel of another workspace still bound to it speaks for nothing).
 * Throws `DatabaseError` when no Safe has this id, and `SafeNameTakenError`
 * when a Safe of that workspace already has its name (nothing moves then).
 */
export function assignSafeToWorkspace(db: TreasuryDatabase, safeId: number, workspace: string): RegisteredSafe {
  return connectionOf(db).transaction(() => {
    const safe = readSafe(db, safeId);
    if (!safe) throw new DatabaseError(`No Safe ${safeId} is registered in this database.`);
    if (safe.workspace === workspace) return safe;
    const holder = safeNamed(db, safe.name, workspace);
    if (holder) throw nameTaken(safe.name, holder, workspace, `; rename one of them first`);
    statement(db, "UPDATE safes SET workspace = ? WHERE id = ?").run(workspace, safeId);
    return { ...safe, workspace };
  })();
}

/** The Safe of this workspace with this name (case aside), if any. */
function safeNamed(db: ReadableDatabase, name: string, workspace: string): SafeRow | undefined {
  return statement(db, "SELECT * FROM safes WHERE name = ? COLLATE NOCASE AND workspace = ? AND chain_id != 0").get(name, workspace) as SafeRow | undefined;
}

function nameTaken(name: string, holder: SafeRow, workspace: string, advice = "; choose another with --name"): SafeNameTakenError {
  return new SafeNameTakenError(`The name "${name}" is taken in ${workspaceLabel(workspace)} by the Safe ${getAddress(holder.address)} on chain ${holder.chain_id}${advice}.`);
}

/** "main" when the workspace has no Safe called so, else `safe-` and enough of the address to be free in it. */
function defaultName(db: ReadableDatabase, address: Address, workspace: string): string {
  const taken = (name: string) => safeNamed(db, name, workspace) !== undefined;
  if (!taken("main")) return "main";
  const hex = address.slice(2).toLowerCase();
  for (let length = 8; length <= 40; length += 4) if (!taken(`safe-${hex.slice(0, length)}`)) return `safe-${hex.slice(0, length)}`;
  return `safe-${hex}-${Date.now()}`;
}
