import type { Server } from "node:http";
import type { Router } from "express";
import { readDeployment } from "../core/deployment.ts";
import { ConfigError, shortMessageOf } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { TreasuryContext } from "../core/context.ts";
import { assertRelayerIsNotOwner } from "../core/proposals/relayer.ts";
import { createTxServiceClient } from "../core/tx-service/client.ts";
import { createTxServiceSync } from "../core/tx-service/sync.ts";
import { databaseLabel, databaseLocation } from "../core/config.ts";
import { openJobQueue } from "../db/job-queue.ts";
import { closeDatabase, openDatabase, openPool } from "../db/open.ts";
import { createIndexer } from "../indexer/indexer.ts";
import { createSharedChainReads } from "../indexer/shared-reads.ts";
import { syncActivity } from "../search/activity.ts";
import { createEmbedderFromConfig } from "../search/embedder.ts";
import { createEmbeddingWorker } from "../search/worker.ts";
import { createMetrics } from "../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../adapters/web/server.ts";
import { createQueuedJobWorker } from "../adapters/slack/queued-worker.ts";
import { idleJobWorker } from "../adapters/slack/worker.ts";
import { slackIsOn } from "../adapters/slack/config.ts";
import type { Config } from "./config.ts";
import { safeBatchHooks } from "./batch-hooks.ts";
import { connectTreasury } from "./connect.ts";
import { runLeasedParts, type LeasedPart } from "./leased-work.ts";
import { connectRegisteredSafes, followRegisteredSafes } from "./registered-safes.ts";
import type { Role } from "./roles.ts";

export type RoleService = {
  role: Exclude<Role, "all">;
  /** Where the web server listens (the `web` role only). */
  url?: string;
  /** Stops what the role runs, gives up its leases and job deliveries, closes the database. Safe to call twice. */
  stop: () => Promise<void>;
};

/**
 * Starts one stateless part of a hosted deployment on PostgreSQL (checked by `assertRoleFits` first):
 * - `web`: the HTTP server (health, metrics, wallet pages, the Slack receiver); a Slack request is acknowledged once
 *   it, its jobs and their deliveries on the job queue are committed in one transaction. It runs no job.
 * - `worker`: runs the Slack jobs the job queue delivers to it, and (in whichever worker holds each lease) the Slack
 *   periodic work and the Safe Transaction Service sync. No HTTP.
 * - `indexer`: follows each Safe whose lease it holds (exactly one process follows each Safe; another takes a Safe
 *   over when its holder dies), with the batch hooks of the embedded service, and the embedding worker under a lease
 *   of its own. No HTTP.
 * Returns once the role serves; on a failure it undoes what it started and throws.
 */
export async function startRole(config: Config, logger: Logger, role: Exclude<Role, "all">): Promise<RoleService> {
  for (const line of config.disabledParts) logger.info(line);
  const undo: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const step of undo.reverse()) await step();
    undo.length = 0;
  };
  try {
    const db = openDatabase({ path: databaseLocation(config) });
    undo.push(() => closeDatabase(db));
    const rpcUrl = config.RPC_URL!;
    const deployment = readDeployment(config.DEPLOYMENT_FILE);
    const ctx = await connectTreasury({ config, logger, db, rpcUrl, deployment, closeOnFailure: false });
    await assertRelayerIsNotOwner(ctx);
    const { contexts, unreachable } = await connectRegisteredSafes({ config, logger, db, main: ctx, rpcUrl, deployment });
    for (const other of contexts.slice(1)) await assertRelayerIsNotOwner(other);

    let url: string | undefined;
    let serve: ServeSafe = () => undefined;
    if (role === "web") ({ url, serve } = await startWeb(config, logger, { ctx, contexts, unreachable }, undo));
    if (role === "worker") serve = await startWorker(config, logger, contexts, undo);
    if (role === "indexer") serve = startIndexer(config, logger, contexts, undo);
    // Safes registered later (`treasury safes add`, from any process) are served without a restart.
    const follower = followRegisteredSafes({
      config,
      logger,
      db,
      rpcUrl,
      deployment,
      contexts,
      unreachable,
      everyMs: config.SAFES_REFRESH_MS,
      onConnected: (safe) =>
        void assertRelayerIsNotOwner(safe)
          .then(() => serve(safe))
          .catch((error) => logger.error({ safe: safe.safeAddress, err: shortMessageOf(error) }, "a Safe registered since the start is not served")),
    });
    undo.push(() => follower.stop());
    logger.info({ role, url, safes: contexts.length, database: databaseLabel(config) }, `treasury ${role} started`);
    let stopped: Promise<void> | undefined;
    return { role, url, stop: () => (stopped ??= stopAll().then(() => logger.info(`treasury ${role} stopped`))) };
  } catch (error) {
    await stopAll().catch((stopError) => logger.debug({ err: shortMessageOf(stopError) }, "undoing the start"));
    throw error;
  }
}

/** Serves one more Safe in a running role (registered since the start). */
type ServeSafe = (safe: TreasuryContext) => void;

type Contexts = { ctx: TreasuryContext; contexts: TreasuryContext[]; unreachable: Parameters<typeof createWebApp>[0]["unreachable"] };

async function startWeb(config: Config, logger: Logger, { ctx, contexts, unreachable }: Contexts, undo: Array<() => Promise<void> | void>): Promise<{ url: string; serve: ServeSafe }> {
  const routers: Router[] = [createWalletPagesRouter({ ctx, contexts })];
  let slackServe: ServeSafe = () => undefined;
  if (slackIsOn(config)) {
    // Requests and their jobs are announced to the queue in the transaction that records them (db/slack.ts), on the
    // database's pool, whose clients are opened before the first request.
    const queue = await openJobQueue({ db: ctx.db, url: config.DATABASE_URL!, consumer: false, heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS, onProblem: (line) => logger.warn(line) });
    undo.push(() => queue.stop());
    await openPool(ctx.db);
    const { createSlackAdapter } = await import("../adapters/slack/adapter.ts");
    const slack = createSlackAdapter({ ctx, extraTreasuries: contexts.slice(1), config, assistant: { config }, jobWorker: () => idleJobWorker });
    routers.unshift(slack.router);
    await slack.start();
    undo.push(() => slack.stop());
    slackServe = slack.serve;
  }
  // The wallet pages and /healthz read `contexts` at each request: a Safe pushed there is served at once.
  const app = createWebApp({ ctx, contexts, unreachable, metrics: createMetrics(), routers });
  const server: Server = await listenWeb(app, config.HOST, config.PORT);
  undo.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });
  const address = server.address();
  const url = `http://${config.HOST}:${typeof address === "object" && address ? address.port : config.PORT}`;
  config.PUBLIC_URL ??= url;
  return { url, serve: (safe) => slackServe(safe) };
}

async function startWorker(config: Config, logger: Logger, contexts: TreasuryContext[], undo: Array<() => Promise<void> | void>): Promise<ServeSafe> {
  const ctx = contexts[0]!;
  if (!slackIsOn(config))
    throw new ConfigError("--role worker runs the Slack jobs: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET).");
  const queue = await openJobQueue({ db: ctx.db, url: config.DATABASE_URL!, consumer: true, heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS, onProblem: (line) => logger.warn(line) });
  undo.push(() => queue.stop());
  const { createSlackAdapter } = await import("../adapters/slack/adapter.ts");
  const embedder = createEmbedderFromConfig(config);
  const slack = createSlackAdapter({
    ctx,
    extraTreasuries: contexts.slice(1),
    config,
    assistant: { config, embedder },
    jobWorker: ({ db, logger: slackLogger, run, tick }) => createQueuedJobWorker({ db, logger: slackLogger, queue, run, tick, tickEveryMs: config.LEASE_RETRY_MS }),
  });
  await slack.start();
  undo.push(() => slack.stop());

  // The Safe Transaction Service sync: one process at a time per Safe, under a lease (one service serves one chain).
  if (!config.SAFE_TX_SERVICE_URL) return slack.serve;
  const client = createTxServiceClient({ url: config.SAFE_TX_SERVICE_URL, apiKey: config.SAFE_TX_SERVICE_API_KEY, chainId: ctx.chainId });
  const syncPart = (safe: TreasuryContext): LeasedPart => ({
    lease: `tx-service:${safe.chainId}:${safe.safeAddress}`,
    start: () => {
      const sync = createTxServiceSync({ ctx: safe, config: { ...config, SAFE_TX_SERVICE_URL: config.SAFE_TX_SERVICE_URL! }, client, onChange: () => slack.deps.wake() });
      sync.start();
      return sync;
    },
  });
  const sameChain = (safe: TreasuryContext) => safe.chainId === ctx.chainId;
  const leased = runLeasedParts({ db: ctx.db, logger, parts: contexts.filter(sameChain).map(syncPart), retryMs: config.LEASE_RETRY_MS });
  undo.push(() => leased.stop());
  return (safe) => {
    slack.serve(safe);
    if (sameChain(safe)) leased.add(syncPart(safe));
  };
}

function startIndexer(config: Config, logger: Logger, contexts: TreasuryContext[], undo: Array<() => Promise<void> | void>): ServeSafe {
  const ctx = contexts[0]!;
  // The indexers of this process poll together, and share their reads of the head, the headers and the logs.
  const sharedReads = createSharedChainReads();
  const indexerPart = (safe: TreasuryContext): LeasedPart => ({
    lease: `indexer:${safe.chainId}:${safe.safeAddress}`,
    start: () => {
      const indexer = createIndexer({
        ctx: safe,
        progress: "log",
        sharedReads,
        quietCheckpointEveryMs: config.QUIET_CHECKPOINT_MS,
        onBatch: safeBatchHooks({ safe, logger, quietBatchEveryMs: config.QUIET_BATCH_HOOKS_MS }),
      });
      indexer.start();
      syncActivity(safe.db);
      return indexer;
    },
  });
  const parts = contexts.map(indexerPart);
  const embedder = createEmbedderFromConfig(config);
  parts.push({
    lease: "embeddings",
    start: () => {
      const worker = createEmbeddingWorker({ db: ctx.db, embedder, logger });
      worker.start();
      return worker;
    },
  });
  const leased = runLeasedParts({ db: ctx.db, logger, parts, retryMs: config.LEASE_RETRY_MS });
  undo.push(() => leased.stop());
  return (safe) => leased.add(indexerPart(safe));
}
