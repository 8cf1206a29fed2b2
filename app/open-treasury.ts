import { closeDatabase, openDatabase } from "../db/open.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Logger } from "../core/logger.ts";
import { requireDeployment } from "./chain.ts";
import type { Config } from "./config.ts";
import { connectTreasury } from "./connect.ts";

export type OpenTreasuryReturnType = {
  ctx: TreasuryContext;
  /** Closes the database. */
  close: () => Promise<void>;
};

/**
 * Connects a command to the treasury a running service serves (the embedded
 * chain on LOCAL_CHAIN_PORT, or RPC_URL): the deployment, the database and the
 * chain, checked to belong together. Throws a `TreasuryError` whose short
 * message says what to fix.
 */
export async function openTreasury({ config, logger }: { config: Config; logger: Logger }): Promise<OpenTreasuryReturnType> {
  const deployment = requireDeployment(config);
  const rpcUrl = config.RPC_URL ?? `http://127.0.0.1:${config.LOCAL_CHAIN_PORT}`;
  const db = openDatabase({ path: config.DATABASE_PATH });
  const ctx = await connectTreasury({ config, logger, db, rpcUrl, deployment }).catch((error: unknown) => {
    closeDatabase(db);
    throw error;
  });
  return { ctx, close: async () => closeDatabase(ctx.db) };
}
