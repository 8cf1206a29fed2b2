import { loadConfig } from "../treasury/config.ts";
import { shortMessageOf } from "../treasury/errors.ts";
import { createLogger } from "../treasury/logger.ts";
import { startService, type Service } from "./service.ts";

/**
 * `npm start`: the service on the configuration in the environment. Bad
 * configuration prints one line and exits 1. SIGINT and SIGTERM stop it
 * cleanly, also while it is still starting (it stops as soon as it is up);
 * a second signal during start-up exits at once.
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
  let stopRequested: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      if (!service) process.exit(130);
      return;
    }
    stopRequested = signal;
    logger.info({ signal }, service ? "stopping" : "stopping once started");
    if (!service) return;
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
  if (stopRequested) {
    const signal = stopRequested;
    stopRequested = undefined;
    stop(signal);
  }
}

await main();
