import type { Address } from "viem";
import type { ReadableDatabase, TreasuryDatabase } from "../../db/handle.ts";
import { openDatabase, type TestDatabaseOptions } from "./database.ts";
import { forSafe, listSafes, registerSafe } from "../../db/safes.ts";

/** A Safe address for tests that need one registered but never reach a chain. */
export const testSafeAddress: Address = "0x5AfE00000000000000000000000000000000cAfE";

/**
 * A database file with this Safe registered (chain 31337 and `testSafeAddress`
 * unless told), as a handle bound to it: what `connectTreasury` gives a context.
 */
export function openSafeDatabase(
  path: string,
  { chainId = 31337, address = testSafeAddress, name, pgvector }: { chainId?: number; address?: Address; name?: string } & TestDatabaseOptions = {},
): TreasuryDatabase {
  const db = openDatabase({ path, pgvector });
  return forSafe(db, registerSafe(db, { chainId, address, name, now: Math.floor(Date.now() / 1000) }).id);
}

/** The handle bound to the database's only Safe (a replayed or seeded database registers one). */
export function onlySafe<T extends ReadableDatabase>(db: T): T {
  const safes = listSafes(db);
  if (safes.length !== 1) throw new Error(`expected one Safe in the database, found ${safes.length}`);
  return forSafe(db, safes[0].id);
}
