import { existsSync } from "node:fs";
import { closeDatabase, openDatabase } from "../db/open.ts";
import { databaseLocation } from "../core/config.ts";
import { ConfigError } from "../core/errors.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Logger } from "../core/logger.ts";
import { readDeployment } from "../core/deployment.ts";
import type { Config } from "./config.ts";
import { connectTreasury } from "./connect.ts";
import { listSafes, type RegisteredSafe } from "../db/safes.ts";
import { chooseSafe } from "../core/safes/choose.ts";

export type OpenTreasuryReturnType = {
  ctx: TreasuryContext;
  /** Closes the database. */
  close: () => Promise<void>;
};

/**
 * Connects a command to a treasury: RPC_URL and SAFE_ADDRESS, or the embedded
 * chain a running service serves (LOCAL_CHAIN_PORT, with its deployment
 * record). The chain, the Safe and the database are checked to belong
 * together. Throws a `TreasuryError` whose short message says what to fix.
 */
export async function openTreasury({ config, logger, safe }: { config: Config; logger: Logger; safe?: string }): Promise<OpenTreasuryReturnType> {
  const deployment = readDeployment(config.DEPLOYMENT_FILE);
  const nothingToConnect = () =>
    new ConfigError(
      `No treasury to connect to: set RPC_URL and SAFE_ADDRESS for a Safe of your own, or run \`npm start\` once to create the local demo treasury (it writes ${config.DEPLOYMENT_FILE}).`,
    );
  // Without a chain to name, only a Safe registered with its own RPC could be reached: there is none before the database exists.
  if (!config.RPC_URL && !deployment && !config.DATABASE_URL && !existsSync(config.DATABASE_PATH)) throw nothingToConnect();
  const db = openDatabase({ path: databaseLocation(config) });
  let chosen: RegisteredSafe | undefined;
  try {
    // With --safe, or several Safes registered, the Safe is the one named (or the command stops with the names).
    chosen = safe !== undefined || listSafes(db).length > 1 ? chooseSafe(db, safe) : undefined;
    if (!config.RPC_URL && !deployment && !chosen?.rpcUrl) throw nothingToConnect();
  } catch (error) {
    closeDatabase(db);
    throw error;
  }
  const rpcUrl = chosen?.rpcUrl ?? config.RPC_URL ?? `http://127.0.0.1:${config.LOCAL_CHAIN_PORT}`;
  const ctx = await connectTreasury({ config, logger, db, rpcUrl, deployment, safe: chosen });
  return { ctx, close: async () => closeDatabase(ctx.db) };
}
