import type { Server } from "node:http";
import type { Router } from "express";
import { closeDatabase, openDatabase } from "../db/open.ts";
import type { TreasuryDatabase } from "../db/handle.ts";
import { readDeployment, type Deployment } from "../core/deployment.ts";
import { shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { assertRelayerIsNotOwner } from "../core/proposals/relayer.ts";
import { demoWasInterrupted, forgetInterruptedDemo, planDemo, replayDemo } from "../demo/demo.ts";
import { createIndexer, type IndexerBatchHook } from "../indexer/indexer.ts";
import { createSharedChainReads } from "../indexer/shared-reads.ts";
import { syncActivity } from "../search/activity.ts";
import { createEmbedderFromConfig } from "../search/embedder.ts";
import { databaseLabel, databaseLocation } from "../core/config.ts";
import { createEmbeddingWorker } from "../search/worker.ts";
import { createTxServiceSync } from "../core/tx-service/sync.ts";
import { createTxServiceClient } from "../core/tx-service/client.ts";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import type { SlackAdapter } from "../adapters/slack/adapter.ts";
import { slackIsOn } from "../adapters/slack/config.ts";
import { createMetrics } from "../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../adapters/web/server.ts";
import { ensureEmbeddedDeployment, startEmbeddedChain, type EmbeddedChain } from "./chain.ts";
import type { Config } from "./config.ts";
import { safeBatchHooks } from "./batch-hooks.ts";
import { connectTreasury } from "./connect.ts";
import { connectRegisteredSafes, type ConnectRegisteredSafesReturnType } from "./registered-safes.ts";
import type { TreasuryContext } from "../core/context.ts";

export type Service = {
  /** Where the web server listens, e.g. http://127.0.0.1:3000. */
  url: string;
  /** The deployment's own Safe (SAFE_ADDRESS, or the embedded chain's). */
  ctx: TreasuryContext;
  /** Every Safe the service runs, `ctx` first, each with its database handle bound to it. */
  contexts: TreasuryContext[];
  /** Stops the adapters, the indexer and the web server, closes the database, stops the chain. Safe to call twice. */
  stop: () => Promise<void>;
};

/**
 * Starts the long-running service, in this order: the database (opened once),
 * the chain (embedded unless RPC_URL is set; on a first run, with the demo
 * treasury replayed into it), the deployment, the treasury context, the web
 * server with `/healthz` and `/metrics`, whichever adapters the configuration
 * turns on, then the indexer and the embedding worker. Returns once it serves
 * requests. On a failure it undoes what it started and throws.
 */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  for (const line of config.disabledParts) logger.info(line);
  const undo: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const step of undo.reverse()) await step();
  };
  try {
    const db = openTreasuryDatabase(config, logger);
    undo.push(() => closeDatabase(db));

    const demo = planDemo(config, db);
    let chain: EmbeddedChain | undefined;
    if (!config.RPC_URL) {
      chain = await startEmbeddedChain(config, logger, demo?.genesis);
      const node = chain.node;
      undo.push(() => node.stop());
    }
    const rpcUrl = config.RPC_URL ?? chain!.rpcUrl;

    // What the embedded chain's set-up deployed (the demo Safe and its tokens); a Safe on another chain needs no record.
    let deployment: Deployment | undefined;
    if (chain && demo) deployment = (await replayDemo({ demo, db, config, logger, provider: chain.provider, rpcUrl })).deployment;
    else if (chain) deployment = await ensureEmbeddedDeployment(config, logger, chain);
    else deployment = readDeployment(config.DEPLOYMENT_FILE);

    const ctx = await connectTreasury({ config, logger, db, rpcUrl, deployment });
    // The relayer only pays gas: an owner's key as RELAYER_PRIVATE_KEY is refused before anything serves.
    await assertRelayerIsNotOwner(ctx);
    // Every further Safe registered (`treasury safes add`): its own context over the same database.
    const safes = await connectRegisteredSafes({ config, logger, db, main: ctx, rpcUrl, deployment });
    for (const other of safes.contexts.slice(1)) await assertRelayerIsNotOwner(other);
    const service = await startAdapters(config, logger, safes, undo);
    return { ...service, stop: once(stopAll, logger) };
  } catch (error) {
    await stopAll().catch((stopError) => logger.debug({ err: shortMessageOf(stopError) }, "undoing the start"));
    throw error;
  }
}

/**
 * Opens the database once; a first run's half-replayed demo (interrupted last time) is forgotten first, so it starts
 * over: on either engine (PostgreSQL's `public` schema is refused rather than dropped, see `deleteDatabase`).
 */
function openTreasuryDatabase(config: Config, logger: Logger): TreasuryDatabase {
  const db = openDatabase({ path: databaseLocation(config) });
  if (!demoWasInterrupted(db)) return db;
  closeDatabase(db);
  logger.warn("the last start stopped before the demo treasury was ready; starting it over on a fresh chain");
  forgetInterruptedDemo(config);
  return openDatabase({ path: databaseLocation(config) });
}

/** The web server and its routers, Slack when configured, then the indexer and the embedding worker. */
async function startAdapters(
  config: Config,
  logger: Logger,
  { contexts, unreachable }: ConnectRegisteredSafesReturnType,
  undo: Array<() => Promise<void> | void>,
): Promise<Omit<Service, "stop">> {
  const ctx = contexts[0];
  const metrics = createMetrics();
  // After each committed indexer batch of a Safe: its proposals and activity, then (with Slack) a wake of the Slack worker.
  const afterBatch = new Map<TreasuryContext, IndexerBatchHook[]>(contexts.map((safe) => [safe, []]));
  // Search by meaning: activity is embedded in the background, never in a request.
  const embedder = createEmbedderFromConfig(config);
  // The wallet pages (review and sign, link a wallet) work with or without Slack.
  // The Safe Transaction Service, when configured: one client for the sync and the delegate page.
  const txServiceClient = config.SAFE_TX_SERVICE_URL
    ? createTxServiceClient({ url: config.SAFE_TX_SERVICE_URL, apiKey: config.SAFE_TX_SERVICE_API_KEY, chainId: ctx.chainId })
    : undefined;
  const botDelegate = config.SAFE_TX_SERVICE_DELEGATE_KEY ? privateKeyToAccount(config.SAFE_TX_SERVICE_DELEGATE_KEY as Hex).address : undefined;
  const routers: Router[] = [
    createWalletPagesRouter({ ctx, contexts, txService: txServiceClient && botDelegate ? { client: txServiceClient, delegate: botDelegate } : undefined }),
  ];

  // Slack: only when configured (`slackIsOn`; Bolt is loaded only then). Its router goes first: it reads the raw body to verify signatures.
  let slack: SlackAdapter | undefined;
  if (slackIsOn(config)) {
    const { createSlackAdapter } = await import("../adapters/slack/adapter.ts");
    slack = createSlackAdapter({ ctx, extraTreasuries: contexts.slice(1), config, assistant: { config, embedder } });
    routers.unshift(slack.router);
    // New outbox rows and proposal changes reach Slack at once instead of at the worker's next tick.
    for (const then of afterBatch.values()) then.push(() => slack?.deps.wake());
  }

  const app = createWebApp({ ctx, contexts, unreachable, metrics, routers });
  const server: Server = await listenWeb(app, config.HOST, config.PORT);
  undo.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  // Links in Slack and the SIWE domain use the address people reach; with PORT=0 only now is it known.
  config.PUBLIC_URL ??= url;
  if (slack) {
    const started = slack;
    await started.start();
    undo.push(() => started.stop());
  }

  // One indexer per Safe, over the one database: each backfills from its Safe's creation, then follows
  // its chain's head, polling with the others (their reads shared); each batch runs that Safe's batch hooks.
  const sharedReads = createSharedChainReads();
  for (const [safe, then] of afterBatch) {
    const indexer = createIndexer({ ctx: safe, progress: "log", sharedReads, onBatch: safeBatchHooks({ safe, logger, then }) });
    indexer.start();
    undo.push(() => indexer.stop());
    syncActivity(safe.db);
  }
  const embeddingWorker = createEmbeddingWorker({ db: ctx.db, embedder, logger });
  embeddingWorker.start();
  undo.push(() => embeddingWorker.stop());
  // The Safe Transaction Service: pushes and pulls in the background, never on Slack's acknowledgement path.
  if (config.SAFE_TX_SERVICE_URL) {
    // One service serves one chain: each Safe on the first Safe's chain is synced; a Safe on another chain is not, and the log says so.
    for (const safe of contexts) {
      if (safe.chainId !== ctx.chainId) {
        logger.warn({ safe: safe.safeAddress, chainId: safe.chainId }, "SAFE_TX_SERVICE_URL serves another chain: this Safe is not synced with a Transaction Service");
        continue;
      }
      const sync = createTxServiceSync({ ctx: safe, config: { ...config, SAFE_TX_SERVICE_URL: config.SAFE_TX_SERVICE_URL }, client: txServiceClient, onChange: () => slack?.deps.wake() });
      sync.start();
      undo.push(() => sync.stop());
    }
    if (botDelegate) logger.info({ delegate: botDelegate, page: `${config.PUBLIC_URL}/delegate` }, "an owner adds the bot as a delegate of the Safe once, on this page");
  }
  logger.info({ url, chainId: ctx.chainId, safe: ctx.safeAddress, safes: contexts.length, database: databaseLabel(config) }, "treasury service started");
  return { url, ctx, contexts };
}

function once(stop: () => Promise<void>, logger: Logger): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= stop().then(() => {
      logger.info("treasury service stopped");
    }));
}
