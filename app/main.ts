import { loadConfig } from "./config.ts";
import { shortMessageOf } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { startService, type Service } from "./start.ts";

/**
 * `npm start`: the service on the configuration in the environment. Bad
 * configuration prints one line and exits 1. SIGINT and SIGTERM stop it
 * cleanly once it is up; during start-up they end it at once (SQLite rolls
 * back what was half written, and a half-replayed demo starts over next time).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`treasury: ${shortMessageOf(error)}`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);

  let service: Service | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!service) {
      logger.info({ signal }, "stopped during start-up");
      process.exit(130);
    }
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    service.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: shortMessageOf(error) }, "stopped with an error");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  try {
    service = await startService(config, logger);
  } catch (error) {
    logger.fatal({ err: shortMessageOf(error) }, "could not start");
    console.error(`treasury: ${shortMessageOf(error)}`);
    process.exit(1);
  }
}

await main();
