import type { Server } from "node:http";
import type { Config } from "../treasury/config.ts";
import type { Logger } from "../treasury/logger.ts";
import { openTreasury, type OpenTreasuryReturnType } from "./runtime.ts";
import { createMetrics } from "./web/metrics.ts";
import { createWebApp, listenWeb } from "./web/server.ts";

export type Service = {
  /** Where the web server listens, e.g. http://127.0.0.1:3000. */
  url: string;
  treasury: OpenTreasuryReturnType;
  /** Stops the adapters, closes the database, stops the chain. Safe to call twice. */
  stop: () => Promise<void>;
};

/**
 * Starts the long-running service: the chain (embedded unless RPC_URL is set),
 * the database, the web server with `/healthz` and `/metrics`, and whichever
 * adapters the configuration turns on. Returns once it serves requests.
 */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  for (const line of config.disabledParts) logger.info(line);
  const treasury = await openTreasury({ config, logger, chain: "start" });
  const { ctx } = treasury;
  const metrics = createMetrics();
  const stoppers: Array<() => Promise<void> | void> = [];

  let server: Server;
  try {
    const app = createWebApp({ ctx, metrics, routers: [] });
    server = await listenWeb(app, config.HOST, config.PORT);
  } catch (error) {
    await treasury.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, chainId: ctx.chainId, safe: ctx.safeAddress, database: config.DATABASE_PATH }, "treasury service started");

  let stopped: Promise<void> | undefined;
  return {
    url,
    treasury,
    stop: () =>
      (stopped ??= (async () => {
        for (const stopPart of stoppers.reverse()) await stopPart();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await treasury.close();
        logger.info("treasury service stopped");
      })()),
  };
}
