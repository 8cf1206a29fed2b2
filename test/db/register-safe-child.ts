// One process registering a Safe, for the start-up race test (safes.concurrent.test.ts):
// `node --import tsx test/db/register-safe-child.ts <database path> <go file> <chain id> <address>`.
// Opens the database, prints "ready", waits for the go file to exist, registers the Safe
// and prints {"id": …} (or {"error": …}).
import { existsSync } from "node:fs";
import type { Address } from "viem";
import { closeDatabase } from "../../db/open.ts";
import { registerSafe } from "../../db/safes.ts";
import { openDatabase } from "../helpers/database.ts";

const [path, goFile, chainId, address] = process.argv.slice(2) as [string, string, string, Address];
const db = openDatabase({ path });
console.log("ready");
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(goFile)) Atomics.wait(pause, 0, 0, 5);
try {
  console.log(JSON.stringify({ id: registerSafe(db, { chainId: Number(chainId), address, now: 1 }).id }));
} catch (error) {
  console.log(JSON.stringify({ error: String((error as Error).message) }));
} finally {
  closeDatabase(db);
}
