import { App, ExpressReceiver, SocketModeReceiver, webApi, type ReceiverEvent } from "@slack/bolt";
import express, { type Router } from "express";
import type { Address } from "viem";
import { isDatabaseOpen } from "../../db/open.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { ConfigError, shortMessageOf } from "../../core/errors.ts";
import { cardsFollowed, followProposalUpdates, initCardCursor } from "./cards.ts";
import type { SlackDeps, SlackSettings } from "./deps.ts";
import { registerHandlers, type RequestCounters } from "./handlers.ts";
import { runJob } from "./jobs.ts";
import { deliverOutbox } from "./notifications.ts";
import { nudgesDueBefore, sendNudges } from "./nudges.ts";
import type { Rate } from "./rate-limit.ts";
import { bindChannel, countJobs, forgetOldSlackRequests, listCursors, readChannelBinding, safesWithNudgesDue } from "../../db/slack.ts";
import { safesWithUndeliveredOutbox } from "../../db/outbox.ts";
import { lastProposalUpdateId } from "../../db/proposals.ts";
import { oauthSettingsOf, slackBotScopes, type SlackConfig } from "./config.ts";
import { createSlackApi, type SlackApi } from "./web-api.ts";
import { botAuthorization, botTokenOf, createInstallationStore, workspaceOfTeam } from "./authorization.ts";
import { createInstallationCache } from "./installations.ts";
import { workspaceOfTreasury } from "./safes.ts";
import { boundSafeId, homeWorkspace, listSafes, readAllSafes } from "../../db/safes.ts";
import { boltLogger } from "./bolt-logger.ts";
import { checkSlackRequest } from "./request-checks.ts";
import { createJobWorker, type JobWorker } from "./worker.ts";
import type { Logger } from "../../core/logger.ts";
import type { SlackJob } from "../../db/slack.ts";

/** The one path Slack posts events, commands and interactivity to. */
export const slackEndpoint = "/slack/events";

export type CreateSlackAdapterParameters = {
  ctx: TreasuryContext;
  /** What the assistant answers with (its model settings, and the embedder for search). */
  assistant: SlackSettings["assistant"];
  /** The Slack variables (tokens, channel, proposers, nudges) and the explorer receipts link to. */
  config: SlackConfig & { EXPLORER_URL?: string };
  /**
   * The other registered Safes this app serves, one context each (its db bound to its Safe). `/treasury bind <name>`
   * binds a channel to one; commands, questions and forms in a bound channel act on its Safe; card buttons on their
   * proposal's Safe; each Safe's notifications go to its own channels.
   */
  extraTreasuries?: TreasuryContext[];
  /** Per-method token buckets for chat.postMessage / chat.update / chat.postEphemeral (defaults: Slack's published limits). */
  rates?: Record<string, Rate>;
  /** How often the worker follows proposal updates, the outbox and nudges. */
  tickEveryMs?: number;
  pollMs?: number;
  concurrency?: number;
  /** Overrides SLACK_NUDGE_AFTER_MINUTES (tests). */
  nudgeAfterMs?: number;
  /**
   * Makes the worker that runs this app's jobs and periodic work (default: the in-process worker over `slack_jobs`,
   * the embedded behaviour). A stateless web process passes one that runs nothing; a worker process, the job queue's.
   */
  jobWorker?: (parts: { db: TreasuryContext["db"]; logger: Logger; run: (job: SlackJob) => Promise<void>; tick: () => Promise<void> }) => JobWorker;
  /** WebClient retry policy (p-retry options); tests shorten it. */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number; randomize?: boolean };
  /**
   * Socket Mode heartbeat: a pong is expected within `clientPingTimeoutMs`
   * (default 5 s; the reconnect waits as long), a ping from Slack within
   * `serverPingTimeoutMs` once Slack has sent one (default 30 s).
   */
  socketMode?: { clientPingTimeoutMs?: number; serverPingTimeoutMs?: number };
};

export type SlackAdapter = {
  /** Mount on the web app: POST /slack/events (HTTP mode; empty in Socket Mode). */
  router: Router;
  app: App;
  deps: SlackDeps;
  counters: RequestCounters;
  mode: "http" | "socket";
  /** Starts the worker (and the Socket Mode connection, when configured). */
  start: () => Promise<void>;
  /** Serves one more Safe (registered while the app runs), as if it had been given at creation. */
  serve: (treasury: TreasuryContext) => void;
  /** Resolves when no job is due and the periodic work has run once more (tests, benches). */
  idle: () => Promise<void>;
  jobCounts: () => Record<string, number>;
  stop: () => Promise<void>;
};

/**
 * In Socket Mode, Bolt acknowledges an Events API envelope before any listener
 * runs: a process that died before recording the event would lose it (Slack
 * does not send an acknowledged envelope again). Every acknowledgement waits
 * for the whole processing instead, as `processBeforeResponse` does over HTTP.
 * An envelope whose processing throws is not acknowledged, and Slack sends it again.
 */
function ackAfterProcessing(app: App): void {
  const process = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    let answer: { response?: unknown } | undefined;
    await process({ ...event, ack: async (response?: unknown) => void (answer ??= { response }) });
    if (answer) await event.ack(answer.response);
  };
}

/**
 * The Slack app over one treasury (and optionally more Safes, one context
 * each): Bolt 5 on an ExpressReceiver (events, commands and interactivity on
 * `/slack/events`, signatures verified) or on Socket Mode when SLACK_APP_TOKEN
 * is set, the durable job worker, card updates, outbox notifications and
 * nudges. Requests are acknowledged once their jobs are stored, well within
 * Slack's 3 seconds.
 */
export function createSlackAdapter(params: CreateSlackAdapterParameters): SlackAdapter {
  const { ctx, config } = params;
  const oauth = oauthSettingsOf(config);
  // Installations as this process last read them (a few seconds at most): each request and Web API call needs its workspace's.
  const installations = createInstallationCache(ctx.db);
  if (oauth && "missing" in oauth) throw new ConfigError(`Slack installs in many workspaces need SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET; ${oauth.missing.join(", ")} missing.`);
  if ((!config.SLACK_BOT_TOKEN && !oauth) || !config.SLACK_SIGNING_SECRET)
    throw new ConfigError("Slack needs SLACK_SIGNING_SECRET, and SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (installs in many workspaces).");
  const logger = ctx.logger.child({ part: "slack" });
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  if (socketMode && oauth) throw new ConfigError("Installs in many workspaces (SLACK_CLIENT_ID) need the HTTP mode: unset SLACK_APP_TOKEN.");
  if (socketMode && !config.SLACK_APP_TOKEN!.startsWith("xapp-"))
    throw new ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, not a bot or user token.");
  const testing = process.env.NODE_ENV === "test" || Boolean(process.env.MOCHA_WORKER_ID) || config.SLACK_API_URL !== undefined;
  const slackApiUrl = config.SLACK_API_URL ? `${config.SLACK_API_URL.replace(/\/+$/, "")}/` : undefined;

  const clientOptions = {
    logger: boltLogger(logger),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    rejectRateLimitedCalls: false,
    retryConfig: params.retryConfig ?? { retries: 5, factor: 2, minTimeout: 250, maxTimeout: 8000, randomize: true },
    timeout: 15_000,
  };
  const router = express.Router();
  let receiver: ExpressReceiver | SocketModeReceiver;
  if (socketMode) {
    receiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN!,
      logger: boltLogger(logger),
      clientPingTimeout: params.socketMode?.clientPingTimeoutMs,
      serverPingTimeout: params.socketMode?.serverPingTimeoutMs,
      // apps.connections.open goes where the rest of the Web API goes (SLACK_API_URL), with the app-level token.
      installerOptions: { clientOptions: slackApiUrl ? { slackApiUrl } : {} },
    });
  } else {
    router.post(slackEndpoint, ...checkSlackRequest(config.SLACK_SIGNING_SECRET));
    receiver = new ExpressReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      endpoints: slackEndpoint,
      router,
      processBeforeResponse: true,
      // Signatures are checked once, before Bolt (`checkSlackRequest`), and a bad one never reaches it.
      signatureVerification: false,
      logger: boltLogger(logger),
      // Installs in many workspaces: Bolt's installer serves /slack/install (straight to Slack's authorize page, with a
      // signed state in a cookie) and /slack/oauth_redirect (the code exchanged at oauth.v2.access, the installation
      // stored in our database); Bolt then authorizes each request with its own workspace's bot token.
      ...(oauth
        ? {
            clientId: oauth.clientId,
            clientSecret: oauth.clientSecret,
            stateSecret: oauth.stateSecret,
            scopes: [...slackBotScopes],
            installationStore: createInstallationStore({ db: ctx.db, installations, logger, homeBotToken: config.SLACK_BOT_TOKEN }),
            installerOptions: { directInstall: true, clientOptions },
          }
        : {}),
    });
  }

  const client = new webApi.WebClient(config.SLACK_BOT_TOKEN, clientOptions);
  const authorization = config.SLACK_BOT_TOKEN ? botAuthorization({ client, token: config.SLACK_BOT_TOKEN, logger }) : undefined;
  const app = new App({
    // With OAuth installs Bolt's installer authorizes (per team, from the installation store); else the one bot token.
    ...(oauth ? {} : { authorize: authorization!.authorize }),
    receiver,
    logger: boltLogger(logger),
    ignoreSelf: false,
    // No conversation state is kept in Bolt (its in-memory store builds an Error per event that has none).
    convoStore: false,
    clientOptions,
  });
  if (socketMode) ackAfterProcessing(app);

  const treasuries = new Map<Address, TreasuryContext>([[ctx.safeAddress, ctx]]);
  const addTreasury = (extra: TreasuryContext) => {
    const same = treasuries.get(extra.safeAddress);
    // Jobs name their treasury by address: one address on two chains would be ambiguous, so it is refused, not guessed.
    if (same && same.chainId !== extra.chainId)
      throw new ConfigError(`Slack cannot serve the Safe ${extra.safeAddress} on both chain ${same.chainId} and chain ${extra.chainId}; serve one of them from this app.`);
    treasuries.set(extra.safeAddress, extra);
  };
  for (const extra of params.extraTreasuries ?? []) addTreasury(extra);
  const settings: SlackSettings = {
    defaultChannel: config.SLACK_CHANNEL_ID,
    proposers: config.SLACK_PROPOSERS,
    nudgeAfterMs: params.nudgeAfterMs ?? config.SLACK_NUDGE_AFTER_MINUTES * 60_000,
    explorerTxUrl: explorerTxPrefix(config.EXPLORER_URL ?? ctx.chainFacts?.explorer?.url),
    assistant: params.assistant,
  };
  const api = createSlackApi({ client, rates: params.rates });
  // One Web API per workspace (its own rate buckets, as Slack's limits are per workspace), its token read at each call.
  const apis = new Map<string, SlackApi>([["", api]]);
  const apiFor = (workspace: string): SlackApi => {
    let found = apis.get(workspace);
    if (!found) apis.set(workspace, (found = createSlackApi({ client, rates: params.rates, token: () => botTokenOf(installations, workspace, config.SLACK_BOT_TOKEN) })));
    return found;
  };
  const deps: SlackDeps = {
    ctx,
    treasuries,
    api,
    apiFor,
    workspaceOf: (teamId) => (oauth ? workspaceOfTeam(installations, teamId) : ""),
    logger,
    settings,
    wake: () => worker.wake(),
  };
  const counters: RequestCounters = { accepted: 0, duplicates: 0, refused: 0 };

  const tick = async () => {
    if (!isDatabaseOpen(ctx.db)) return;
    // Each Safe's workspace, and which Safes have cards to update, news to post or owners to remind: a few reads for
    // the whole round, so a quiet Safe costs nothing more.
    const allSafes = readAllSafes(ctx.db);
    const workspaceOf = new Map(listSafes(allSafes).map((safe) => [safe.id, safe.workspace]));
    const cursors = listCursors(ctx.db);
    const newestUpdate = lastProposalUpdateId(allSafes);
    const withNews = safesWithUndeliveredOutbox(allSafes);
    const withReminders = safesWithNudgesDue(allSafes, nudgesDueBefore(settings));
    for (const treasury of treasuries.values()) {
      if (!isDatabaseOpen(treasury.db)) continue;
      // A Safe's cards, notifications and reminders go to its own workspace, with that workspace's token.
      const safeId = boundSafeId(treasury.db);
      const own: SlackDeps = { ...deps, api: apiFor((safeId !== undefined && workspaceOf.get(safeId)) || homeWorkspace) };
      for (const [name, due, step] of [
        ["cards", !cardsFollowed(treasury, cursors, newestUpdate), () => followProposalUpdates(own, treasury)],
        ["outbox", safeId === undefined || withNews.has(safeId), () => deliverOutbox(own, treasury)],
        ["nudges", withReminders.has(treasury.safeAddress), () => sendNudges(own, treasury)],
      ] as const) {
        if (!due) continue;
        try {
          await step();
        } catch (error) {
          logger.warn({ step: name, err: shortMessageOf(error) }, "Slack periodic work failed; will try again");
        }
      }
    }
    if (Date.now() - lastCleanup >= 60_000) {
      lastCleanup = Date.now();
      forgetOldSlackRequests(ctx.db, Date.now());
    }
  };
  let lastCleanup = 0;

  const worker = params.jobWorker
    ? params.jobWorker({ db: ctx.db, logger, run: (job) => runJob(deps, job), tick })
    : createJobWorker({
        db: ctx.db,
        logger,
        run: (job) => runJob(deps, job),
        tick,
        tickEveryMs: params.tickEveryMs ?? 2000,
        pollMs: params.pollMs ?? 500,
        concurrency: params.concurrency ?? 8,
      });
  registerHandlers(app, deps, counters);
  app.error(async (error) => {
    logger.error({ err: shortMessageOf(error) }, "Slack request handling failed");
  });

  let started = false;
  return {
    router,
    app,
    deps,
    counters,
    mode: socketMode ? "socket" : "http",
    start: async () => {
      if (started) return;
      started = true;
      if (settings.defaultChannel && !readChannelBinding(ctx.db, settings.defaultChannel))
        bindChannel(ctx.db, { channelId: settings.defaultChannel, chainId: ctx.chainId, safeAddress: ctx.safeAddress, boundBy: "SLACK_CHANNEL_ID", workspace: workspaceOfTreasury(ctx) });
      for (const treasury of treasuries.values()) initCardCursor(deps, treasury);
      // In production, check the bot token now (a bad one is logged at start); tests learn the bot's identity lazily.
      if (!testing) void authorization?.verify();
      worker.start();
      if (socketMode) await app.start();
      logger.info({ mode: socketMode ? "socket" : "http", endpoint: socketMode ? undefined : slackEndpoint, channel: settings.defaultChannel }, "Slack adapter started");
    },
    serve: (treasury) => {
      if (treasuries.get(treasury.safeAddress) === treasury) return;
      addTreasury(treasury);
      if (started) initCardCursor(deps, treasury);
    },
    idle: () => worker.idle(),
    jobCounts: () => countJobs(ctx.db),
    stop: async () => {
      await worker.stop();
      if (socketMode && started) await app.stop().catch(() => undefined);
    },
  };
}

/** A transaction page's address prefix ("https://etherscan.io/tx/") from EXPLORER_URL or the chain's explorer; null where there is none. */
function explorerTxPrefix(explorerUrl: string | undefined): string | null {
  return explorerUrl ? `${explorerUrl.replace(/\/+$/, "")}/tx/` : null;
}
