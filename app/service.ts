import type { Server } from "node:http";
import type { Router } from "express";
import { createIndexer, type IndexerBatchHook } from "../indexer/indexer.ts";
import { syncActivity } from "../search/activity.ts";
import { createEmbedderFromConfig } from "../search/embedder.ts";
import { createEmbeddingWorker } from "../search/worker.ts";
import { reconcileProposals } from "../core/proposals/index.ts";
import type { Config } from "./config.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { openTreasury, type OpenTreasuryReturnType } from "./open-treasury.ts";
import { createSlackAdapter, type SlackAdapter } from "../adapters/slack/adapter.ts";
import { createMetrics } from "../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../adapters/web/server.ts";

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
  // Run in order after each committed indexer batch (and after a reorg rollback).
  const batchHooks: IndexerBatchHook[] = [
    // Proposals executed, failed, rejected or replaced on-chain (also by other apps), and on-chain approveHash approvals.
    () => void reconcileProposals(ctx),
    // The searchable activity: payments, deposits, proposals and discussion.
    () => void syncActivity(ctx.db),
  ];
  // Search by meaning: activity is embedded in the background, never in a request.
  ctx.embedder = createEmbedderFromConfig(config);
  const embeddingWorker = createEmbeddingWorker({ db: ctx.db, embedder: ctx.embedder, logger });
  // The wallet pages (review and sign, link a wallet) work with or without Slack.
  const routers: Router[] = [createWalletPagesRouter({ ctx })];

  // Slack (adapters/slack): only with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET. Its router goes first: it reads the raw body to verify signatures.
  let slack: SlackAdapter | undefined;
  if (config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET) {
    slack = createSlackAdapter({ ctx });
    routers.unshift(slack.router);
    stoppers.push(() => slack?.stop());
    // New outbox rows and proposal changes reach Slack at once instead of at the worker's next tick.
    batchHooks.push(() => slack?.deps.wake());
  }

  let server: Server;
  try {
    const app = createWebApp({ ctx, metrics, routers });
    server = await listenWeb(app, config.HOST, config.PORT);
  } catch (error) {
    await treasury.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  // Links in Slack and the SIWE domain use the address people reach; with PORT=0 only now is it known.
  config.PUBLIC_URL ??= url;
  await slack?.start();

  // The indexer (indexer/): backfills from the Safe's creation, then follows the head; each batch runs the batchHooks.
  const indexer = createIndexer({
    ctx,
    progress: "log",
    onBatch: async (batch) => {
      for (const hook of batchHooks)
        await Promise.resolve()
          .then(() => hook(batch))
          .catch((error) => logger.warn({ err: shortMessageOf(error), ...batch }, "a batch hook failed"));
    },
  });
  indexer.start();
  stoppers.push(() => indexer.stop());
  syncActivity(ctx.db);
  embeddingWorker.start();
  stoppers.push(() => embeddingWorker.stop());
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
