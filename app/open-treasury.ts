import { closeDatabase, openDatabase } from "../db/open.ts";
import { ConfigError } from "../core/errors.ts";
import type { TreasuryContext } from "../core/context.ts";
import type { Logger } from "../core/logger.ts";
import { readDeployment } from "../core/deployment.ts";
import type { Config } from "./config.ts";
import { connectTreasury } from "./connect.ts";

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
export async function openTreasury({ config, logger }: { config: Config; logger: Logger }): Promise<OpenTreasuryReturnType> {
  const deployment = readDeployment(config.DEPLOYMENT_FILE);
  if (!config.RPC_URL && !deployment)
    throw new ConfigError(
      `No treasury to connect to: set RPC_URL and SAFE_ADDRESS for a Safe of your own, or run \`npm start\` once to create the local demo treasury (it writes ${config.DEPLOYMENT_FILE}).`,
    );
  const rpcUrl = config.RPC_URL ?? `http://127.0.0.1:${config.LOCAL_CHAIN_PORT}`;
  const db = openDatabase({ path: config.DATABASE_PATH });
  const ctx = await connectTreasury({ config, logger, db, rpcUrl, deployment });
  return { ctx, close: async () => closeDatabase(ctx.db) };
}
