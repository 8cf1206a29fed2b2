import { App, ExpressReceiver, LogLevel, SocketModeReceiver, isValidSlackRequest, webApi, type Authorize, type Logger as BoltLogger } from "@slack/bolt";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Address } from "viem";
import { isDatabaseOpen } from "../../db/open.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { ConfigError, shortMessageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { followProposalUpdates, initCardCursor } from "./cards.ts";
import type { SlackDeps, SlackSettings } from "./deps.ts";
import { registerHandlers, type RequestCounters } from "./handlers.ts";
import { runJob } from "./jobs.ts";
import { deliverOutbox } from "./notifications.ts";
import { sendNudges } from "./nudges.ts";
import type { Rate } from "./rate-limit.ts";
import { bindChannel, countJobs, forgetOldSlackRequests, readChannelBinding } from "../../db/slack.ts";
import type { SlackConfig } from "./config.ts";
import { createSlackApi } from "./web-api.ts";
import { createJobWorker } from "./worker.ts";

/** The one path Slack posts events, commands and interactivity to. */
export const slackEndpoint = "/slack/events";

/** The largest request body accepted (Slack's payloads are far smaller). */
export const maxSlackBodyBytes = 1024 * 1024;

/** How far a request's timestamp may be from our clock, either way (Slack's own rule: five minutes). */
export const maxSlackClockSkewSeconds = 5 * 60;

export type CreateSlackAdapterParameters = {
  ctx: TreasuryContext;
  /** What the assistant answers with (its model settings, and the embedder for search). */
  assistant: SlackSettings["assistant"];
  /** The Slack variables (tokens, channel, proposers, nudges) and the explorer receipts link to. */
  config: SlackConfig & { EXPLORER_URL?: string };
  /** More Safes served by this app (each its own context); channels bound to them act on them. */
  extraTreasuries?: TreasuryContext[];
  /** Per-method token buckets for chat.postMessage / chat.update / chat.postEphemeral (defaults: Slack's published limits). */
  rates?: Record<string, Rate>;
  /** How often the worker follows proposal updates, the outbox and nudges. */
  tickEveryMs?: number;
  pollMs?: number;
  concurrency?: number;
  /** Overrides SLACK_NUDGE_AFTER_MINUTES (tests). */
  nudgeAfterMs?: number;
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
  /** Resolves when no job is due and the periodic work has run once more (tests, benches). */
  idle: () => Promise<void>;
  jobCounts: () => Record<string, number>;
  stop: () => Promise<void>;
};

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ part: "slack" });
  let level = LogLevel.INFO;
  return {
    // Bolt logs at debug level on every request: build the line only when it is written.
    debug: (...messages: unknown[]) => {
      if (child.isLevelEnabled("debug")) child.debug(messages.map(String).join(" "));
    },
    info: (...messages: unknown[]) => child.info(messages.map(String).join(" ")),
    warn: (...messages: unknown[]) => child.warn(messages.map(String).join(" ")),
    error: (...messages: unknown[]) => child.error(messages.map(String).join(" ")),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Bolt's `authorize` for the one bot token: answers at once with the token
 * and, once known, the bot's ids from a single `auth.test`. The check runs in
 * the background and is retried (at most every 30 s) after a failure, so no
 * acknowledgement ever waits for Slack's Web API. (Bolt's own single-token
 * authorize either calls `auth.test` once at construction and keeps a failure
 * for ever, or – without token verification – calls it on every request.)
 */
export function botAuthorization({ client, token, logger }: { client: InstanceType<typeof webApi.WebClient>; token: string; logger: Logger }): {
  authorize: Authorize<boolean>;
  verify: () => Promise<void>;
} {
  let identity: { botId?: string; botUserId?: string } | undefined;
  let checking: Promise<void> | undefined;
  let lastFailure = 0;
  const verify = () =>
    (checking ??= client.auth
      .test({ token })
      .then((result) => {
        identity = { botId: result.bot_id, botUserId: result.user_id };
      })
      .catch((error) => {
        lastFailure = Date.now();
        logger.error({ err: shortMessageOf(error) }, "Slack auth.test failed: check SLACK_BOT_TOKEN (will try again)");
      })
      .finally(() => {
        checking = undefined;
      }));
  return {
    authorize: async () => {
      if (!identity && !checking && Date.now() - lastFailure > 30_000) void verify();
      return { botToken: token, ...identity };
    },
    verify,
  };
}

const knownInteractionTypes = new Set([
  "block_actions",
  "view_submission",
  "view_closed",
  "shortcut",
  "message_action",
  "block_suggestion",
  "interactive_message",
  "dialog_submission",
]);

/**
 * Answers requests Bolt would leave hanging or let through: a request dated
 * more than five minutes in the future gets 401, like a stale one (Bolt only
 * refuses old ones, so a signature made ahead of time could be replayed for as
 * long as its date lies ahead); a correctly signed body whose shape is not a
 * Slack payload gets 400 at once (Bolt itself answers bad signatures with 401
 * and unparsable bodies with 400). Reads the body once (at most 1 MB, else
 * 413) and hands it to Bolt as `rawBody`.
 */
function checkPayloadShape(signingSecret: string) {
  const readBody = express.raw({ type: () => true, limit: maxSlackBodyBytes });
  return [
    readBody,
    (request: Request, response: Response, next: NextFunction) => {
      const raw: Buffer = Buffer.isBuffer(request.body) ? request.body : Buffer.from("");
      (request as any).rawBody = raw;
      const text = raw.toString("utf8");
      const timestamp = Number(request.headers["x-slack-request-timestamp"]);
      if (Number.isFinite(timestamp) && timestamp > Math.floor(Date.now() / 1000) + maxSlackClockSkewSeconds)
        return response.status(401).json({ error: "The request is dated more than 5 minutes in the future." });
      const valid = isValidSlackRequest({
        signingSecret,
        body: text,
        headers: {
          "x-slack-signature": String(request.headers["x-slack-signature"] ?? ""),
          "x-slack-request-timestamp": timestamp,
        },
      });
      if (!valid) return next(); // Bolt answers 401
      let body: any;
      try {
        const contentType = String(request.headers["content-type"] ?? "");
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
          const form = new URLSearchParams(text);
          body = form.has("payload") ? JSON.parse(form.get("payload")!) : Object.fromEntries(form);
        } else body = JSON.parse(text);
      } catch {
        return response.status(400).json({ error: "The body is not a Slack payload (invalid JSON or form)." });
      }
      const problem = shapeProblem(body);
      if (problem) return response.status(400).json({ error: problem });
      next();
    },
  ];
}

/** Why a parsed, signed body is not a payload this app can handle, or undefined when it is. */
export function shapeProblem(body: any): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return "The body is not a Slack payload object.";
  if (body.ssl_check || body.type === "url_verification") return undefined;
  if (body.type === "event_callback") {
    if (typeof body.event_id !== "string" || !body.event || typeof body.event !== "object" || typeof body.event.type !== "string")
      return "An event callback needs event_id and an event with a type.";
    return undefined;
  }
  if (typeof body.command === "string") {
    if (typeof body.user_id !== "string" || typeof body.channel_id !== "string") return "A slash command needs user_id and channel_id.";
    return undefined;
  }
  if (knownInteractionTypes.has(body.type)) {
    if (typeof body.user?.id !== "string") return "An interaction needs a user.";
    if (body.type === "block_actions" && (!Array.isArray(body.actions) || body.actions.length === 0 || typeof body.actions[0]?.action_id !== "string"))
      return "A block action needs an actions list with an action_id.";
    if ((body.type === "view_submission" || body.type === "view_closed") && (typeof body.view !== "object" || typeof body.view?.callback_id !== "string"))
      return "A view payload needs a view with a callback_id.";
    return undefined;
  }
  return `Unknown Slack payload type${typeof body.type === "string" ? ` “${body.type.slice(0, 40)}”` : ""}.`;
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
  if (!config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET)
    throw new ConfigError("Slack needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.");
  const logger = ctx.logger.child({ part: "slack" });
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  if (socketMode && !config.SLACK_APP_TOKEN!.startsWith("xapp-"))
    throw new ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, not a bot or user token.");
  const testing = process.env.NODE_ENV === "test" || Boolean(process.env.MOCHA_WORKER_ID) || config.SLACK_API_URL !== undefined;
  const slackApiUrl = config.SLACK_API_URL ? `${config.SLACK_API_URL.replace(/\/+$/, "")}/` : undefined;

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
    router.post(slackEndpoint, ...checkPayloadShape(config.SLACK_SIGNING_SECRET));
    receiver = new ExpressReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      endpoints: slackEndpoint,
      router,
      processBeforeResponse: true,
      logger: boltLogger(logger),
    });
  }

  const clientOptions = {
    logger: boltLogger(logger),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    rejectRateLimitedCalls: false,
    retryConfig: params.retryConfig ?? { retries: 5, factor: 2, minTimeout: 250, maxTimeout: 8000, randomize: true },
    timeout: 15_000,
  };
  const client = new webApi.WebClient(config.SLACK_BOT_TOKEN, clientOptions);
  const authorization = botAuthorization({ client, token: config.SLACK_BOT_TOKEN, logger });
  const app = new App({
    authorize: authorization.authorize,
    receiver,
    logger: boltLogger(logger),
    ignoreSelf: false,
    // No conversation state is kept in Bolt (its in-memory store builds an Error per event that has none).
    convoStore: false,
    clientOptions,
  });

  const treasuries = new Map<Address, TreasuryContext>([[ctx.safeAddress, ctx]]);
  for (const extra of params.extraTreasuries ?? []) treasuries.set(extra.safeAddress, extra);
  const settings: SlackSettings = {
    defaultChannel: config.SLACK_CHANNEL_ID,
    proposers: config.SLACK_PROPOSERS,
    nudgeAfterMs: params.nudgeAfterMs ?? config.SLACK_NUDGE_AFTER_MINUTES * 60_000,
    explorerTxUrl: explorerTxPrefix(config.EXPLORER_URL ?? ctx.chainFacts?.explorer?.url),
    assistant: params.assistant,
  };
  const api = createSlackApi({ client, rates: params.rates });
  const deps: SlackDeps = { ctx, treasuries, api, logger, settings, wake: () => worker.wake() };
  const counters: RequestCounters = { accepted: 0, duplicates: 0, refused: 0 };

  const tick = async () => {
    for (const treasury of treasuries.values()) {
      if (!isDatabaseOpen(treasury.db)) continue;
      for (const [name, step] of [
        ["cards", () => followProposalUpdates(deps, treasury)],
        ["outbox", () => deliverOutbox(deps, treasury)],
        ["nudges", () => sendNudges(deps, treasury)],
      ] as const) {
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

  const worker = createJobWorker({
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
        bindChannel(ctx.db, { channelId: settings.defaultChannel, chainId: ctx.chainId, safeAddress: ctx.safeAddress, boundBy: "SLACK_CHANNEL_ID" });
      for (const treasury of treasuries.values()) initCardCursor(deps, treasury);
      // In production, check the bot token now (a bad one is logged at start); tests learn the bot's identity lazily.
      if (!testing) authorization.verify();
      worker.start();
      if (socketMode) await app.start();
      logger.info({ mode: socketMode ? "socket" : "http", endpoint: socketMode ? undefined : slackEndpoint, channel: settings.defaultChannel }, "Slack adapter started");
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
