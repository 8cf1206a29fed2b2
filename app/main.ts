import module from "node:module";
import { loadConfig } from "./config.ts";
import { shortMessageOf } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { assertRoleFits, roleOf, yieldToRequests, type Role } from "./roles.ts";

/**
 * `npm start [-- --role all|web|worker|indexer]`: the service on the configuration in the environment, as one
 * process (`all`, the default) or as one stateless part of a hosted deployment on PostgreSQL. Bad
 * configuration (or a role that cannot run on it) prints one line and exits 1. SIGINT and SIGTERM stop it
 * cleanly once it is up; during start-up they end it at once (SQLite rolls
 * back what was half written, and a half-replayed demo starts over next time).
 */
async function main(): Promise<void> {
  let config;
  let role: Role;
  try {
    config = loadConfig();
    role = roleOf(process.argv.slice(2), config);
    assertRoleFits(role, config);
    // Before the service's modules load (below): a replacement worker's start-up already gives way to web requests.
    yieldToRequests(role, config.BACKGROUND_NICE);
  } catch (error) {
    console.error(`treasury: ${shortMessageOf(error)}`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);

  let service: { stop: () => Promise<void> } | undefined;
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

  // Started as `node dist/app/main.js` (a hosted role): V8's compiled code is kept between starts, as `npm start` does.
  module.enableCompileCache?.();
  try {
    service = role === "all" ? await (await import("./start.ts")).startService(config, logger) : await (await import("./start-role.ts")).startRole(config, logger, role);
  } catch (error) {
    logger.fatal({ err: shortMessageOf(error) }, "could not start");
    console.error(`treasury: ${shortMessageOf(error)}`);
    process.exit(1);
  }
}

await main();
