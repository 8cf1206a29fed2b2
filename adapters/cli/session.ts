import { loadConfig, type Config } from "../../app/config.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { createLogger } from "../../core/logger.ts";
import { openTreasury } from "../../app/open-treasury.ts";
import { fail } from "./output.ts";

/**
 * Runs a CLI command against the running treasury (the chain a service serves,
 * or RPC_URL), then closes what it opened. Any error prints one line, exit 1.
 */
export async function withTreasury(run: (ctx: TreasuryContext) => Promise<void>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error);
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never);
  let treasury;
  try {
    treasury = await openTreasury({ config, logger });
  } catch (error) {
    fail(error);
  }
  try {
    await run(treasury.ctx);
  } catch (error) {
    await treasury.close();
    fail(error);
  }
  await treasury.close();
}
