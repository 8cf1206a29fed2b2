import { createServer, type Server } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import type { TreasuryContext } from "../../core/context.ts";
import { ConfigError, TreasuryError, shortMessageOf } from "../../core/errors.ts";
import { readServiceHealth } from "./health.ts";
import type { RegisteredSafe } from "../../db/safes.ts";
import type { Metrics } from "./metrics.ts";

export type CreateWebAppParameters = {
  ctx: TreasuryContext;
  /** Every Safe the service runs (`ctx` first); `/healthz` reports each. Default: `ctx` alone. */
  contexts?: readonly TreasuryContext[];
  /** Registered Safes that could not be connected: `/healthz` reports them as not ok. */
  unreachable?: readonly { safe: RegisteredSafe; reason: string }[];
  metrics: Metrics;
  /** Routers mounted at the root: the review pages, the Slack receiver. Mounted in order. */
  routers?: Router[];
};

/**
 * The HTTP face of the service: `/healthz`, `/metrics`, and the adapters'
 * routers. Errors answer with their short message, never a stack trace.
 * Every response says `X-Content-Type-Options: nosniff`. Each request is
 * logged at debug level (method, path, status, time), and the logger keeps
 * the tokens of review and wallet-link paths out of the line.
 */
export function createWebApp({ ctx, contexts, unreachable, metrics, routers = [] }: CreateWebAppParameters): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");

  app.use((request, response, next) => {
    // Browsers must take every answer (JSON, pages, errors) as the type it says it is.
    response.setHeader("X-Content-Type-Options", "nosniff");
    const stop = metrics.httpDuration.startTimer();
    response.on("finish", () => {
      const route = request.route?.path ?? (response.statusCode === 404 ? "unmatched" : request.baseUrl || request.path.split("/")[1] || "/");
      metrics.httpRequests.inc({ route: String(route), status: String(response.statusCode) });
      const seconds = stop({ route: String(route) });
      if (ctx.logger.isLevelEnabled("debug"))
        ctx.logger.debug({ method: request.method, path: request.originalUrl, status: response.statusCode, ms: Math.round(seconds * 1000) }, "request");
    });
    next();
  });

  app.get("/healthz", async (_request, response) => {
    const health = await readServiceHealth(contexts ?? [ctx], unreachable);
    if (health.latestBlock !== null) metrics.latestBlock.set(health.latestBlock);
    if (health.indexedBlock !== null) metrics.indexedBlock.set(health.indexedBlock);
    response.status(health.ok ? 200 : 503).json(health);
  });

  app.get("/metrics", async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  for (const router of routers) app.use(router);

  app.use((_request, response) => {
    response.status(404).json({ error: "Not found" });
  });

  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status =
      typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : error instanceof TreasuryError ? 400 : 500;
    if (status >= 500) ctx.logger.error({ err: shortMessageOf(error) }, "request failed");
    response.status(status).json({ error: status >= 500 && !(error instanceof TreasuryError) ? "Internal error" : shortMessageOf(error) });
  });

  return app;
}

/** Listens on host:port. A port in use is a `ConfigError` naming PORT. */
export function listenWeb(app: Express, host: string, port: number): Promise<Server> {
  const server = createServer(app);
  return new Promise((done, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        error.code === "EADDRINUSE"
          ? new ConfigError(`PORT ${port} is in use on ${host}; stop what runs there or set PORT.`)
          : error.code === "EADDRNOTAVAIL"
            ? new ConfigError(`HOST ${host} is not an address of this machine.`)
            : error,
      ),
    );
    server.listen(port, host, () => done(server));
  });
}
