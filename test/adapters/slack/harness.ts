import assert from "node:assert/strict";
import type { Server } from "node:http";
import { parseEther, parseUnits, type Address } from "viem";
import { createSlackAdapter, slackEndpoint, type CreateSlackAdapterParameters, type SlackAdapter } from "../../../adapters/slack/adapter.ts";
import { createMetrics } from "../../../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../../../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../../../adapters/web/server.ts";
import { developmentAccount, developmentPrivateKey } from "../../../devchain/accounts.ts";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { upsertMember } from "../../../core/people/members.ts";
import { startTestChain, type TestChain } from "../../helpers/chain.ts";
import { createTestContext } from "../../helpers/context.ts";
import { slackPoster, startFakeSlack, startFakeSocketMode, type FakeSlack, type FakeSocketMode, type SlackPoster } from "../../helpers/fake-slack.ts";
import { closeDatabase, isDatabaseOpen } from "../../../db/open.ts";
import { linkWallet } from "../../helpers/wallet-links.ts";

export const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
export const channel = "CTREASURY";
export const [ana, ben, chen, dana] = [1, 2, 3, 4].map((index) => developmentAccount(index));
export const acme: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
export const users = { ana: "UANA", ben: "UBEN", dana: "UDANA", stranger: "USTRANGER" } as const;

export type SlackHarness = {
  chain: TestChain;
  ctx: ReturnType<typeof createTestContext>;
  fake: FakeSlack;
  /** Slack's side of Socket Mode, when the harness runs the app in Socket Mode. */
  socket?: FakeSocketMode;
  adapter: SlackAdapter;
  server: Server;
  baseUrl: string;
  slack: SlackPoster;
  /** Starts one more adapter over the same database (a restart), without mounting it. */
  restart: () => Promise<SlackAdapter>;
  stop: () => Promise<void>;
};

const privateKeyOf = developmentPrivateKey;

/** The fake Slack Web API with the team's users, and a real chain with a funded 2-of-3 Safe (Ana, Ben, Chen). */
export async function startSlackWorld(): Promise<{ fake: FakeSlack; chain: TestChain }> {
  const fake = await startFakeSlack();
  fake.users.set(users.ana, { id: users.ana, name: "Ana" });
  fake.users.set(users.ben, { id: users.ben, name: "Ben" });
  fake.users.set(users.dana, { id: users.dana, name: "Dana" });
  const chain = await startTestChain({
    owners: [ana.address, ben.address, chen.address],
    threshold: 2,
    initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
  });
  return { fake, chain };
}

/** Members Ana and Ben (owners) and Dana (member), their linked wallets, and Acme in the address book. */
export function addSlackPeople(ctx: TreasuryContext, addedBy: string): void {
  upsertMember(ctx, { id: "ana", name: "Ana", slackUserId: users.ana, role: "owner" });
  upsertMember(ctx, { id: "ben", name: "Ben", slackUserId: users.ben, role: "owner" });
  upsertMember(ctx, { id: "dana", name: "Dana", slackUserId: users.dana, role: "member" });
  linkWallet(ctx.db, "ana", ana.address);
  linkWallet(ctx.db, "ben", ben.address);
  linkWallet(ctx.db, "dana", dana.address);
  addAddressBookEntry(ctx, { label: "Acme Design Studio", address: acme, category: "design", addedBy });
}

/**
 * A real chain with a funded 2-of-3 Safe (Ana, Ben, Chen), a real SQLite file,
 * the real web app with the Slack router and the wallet pages, and the fake
 * Slack Web API. Ana and Ben are linked to Slack; Dana is a linked member, not
 * an owner; Chen owns but has no Slack account.
 */
export async function startSlackHarness(
  options: Partial<CreateSlackAdapterParameters> & {
    env?: Record<string, string>;
    socketMode?: boolean;
    /** More Safes the app serves (each context on the harness's database), made once the chain and the first context exist. */
    moreTreasuries?: (ctx: TreasuryContext, chain: TestChain) => Promise<TreasuryContext[]>;
  } = {},
): Promise<SlackHarness> {
  const { socketMode, env, moreTreasuries, ...adapterParameters } = options;
  const { fake, chain } = await startSlackWorld();
  // In Socket Mode the app connects out to Slack: apps.connections.open (app-level token) hands it this server's URL.
  const socket = socketMode ? await startFakeSocketMode() : undefined;
  if (socket) fake.setSocketModeUrl(socket.url);
  const ctx = createTestContext(chain, {
    env: {
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: `${fake.url}/api`,
      SLACK_CHANNEL_ID: channel,
      RELAYER_PRIVATE_KEY: privateKeyOf(0),
      ...(socket ? { SLACK_APP_TOKEN: "xapp-1-A0TREASURY-1-test" } : {}),
      ...env,
    },
  });
  addSlackPeople(ctx, "test");
  const extraTreasuries = moreTreasuries ? await moreTreasuries(ctx, chain) : adapterParameters.extraTreasuries;

  const adapterOptions: Omit<CreateSlackAdapterParameters, "ctx"> = {
    config: ctx.config,
    assistant: { config: ctx.config },
    rates: { "chat.postMessage": { perSecond: 500, burst: 500 }, "chat.update": { perSecond: 500, burst: 500 }, "chat.postEphemeral": { perSecond: 500, burst: 500 } },
    tickEveryMs: 50,
    pollMs: 20,
    nudgeAfterMs: 24 * 3600_000,
    retryConfig: { retries: 3, factor: 1, minTimeout: 50, maxTimeout: 200 },
    // A short heartbeat: a dropped socket is noticed, and reconnected, within about a second.
    socketMode: { clientPingTimeoutMs: 1000 },
    ...adapterParameters,
    extraTreasuries,
  };
  const adapter = createSlackAdapter({ ctx, ...adapterOptions });
  const app = createWebApp({ ctx, metrics: createMetrics(), routers: [adapter.router, createWalletPagesRouter({ ctx, contexts: [ctx, ...(extraTreasuries ?? [])] })] });
  const server = await listenWeb(app, "127.0.0.1", 0);
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  ctx.config.PUBLIC_URL = baseUrl;
  await adapter.start();
  const others: SlackAdapter[] = [];

  return {
    chain,
    ctx,
    fake,
    socket,
    adapter,
    server,
    baseUrl,
    slack: slackPoster(`${baseUrl}${slackEndpoint}`, signingSecret),
    restart: async () => {
      const again = createSlackAdapter({ ctx, ...adapterOptions });
      others.push(again);
      await again.start();
      return again;
    },
    stop: async () => {
      for (const other of others) await other.stop();
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      if (isDatabaseOpen(ctx.db)) closeDatabase(ctx.db);
      await chain.stop();
      await socket?.stop();
      await fake.stop();
    },
  };
}

/** The text of every block of a message, joined (for assertions). */
export function blocksText(message: { text?: string; blocks?: unknown[] } | undefined): string {
  if (!message) return "";
  const parts: string[] = [message.text ?? ""];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "text" && typeof inner === "string") parts.push(inner);
        else walk(inner);
      }
    }
  };
  walk(message.blocks ?? []);
  return parts.join("\n");
}

/** Sends a slash command with these fields, waits until its jobs have run, and returns the acknowledgement's text. */
export async function commandReply(h: SlackHarness, fields: Record<string, string>): Promise<string> {
  const response = await h.slack.command(fields);
  assert.equal(response.status, 200);
  const body = await response.text();
  await h.adapter.idle();
  if (!body) return "";
  try {
    return String(JSON.parse(body).text ?? "");
  } catch {
    return body;
  }
}

export function commandFields(text: string, user: string = users.dana, channelId: string = channel): Record<string, string> {
  return {
    token: "legacy",
    team_id: "T0FAKE",
    team_domain: "fake",
    channel_id: channelId,
    channel_name: "treasury",
    user_id: user,
    user_name: user.toLowerCase(),
    command: "/treasury",
    text,
    api_app_id: "A0TREASURY",
    response_url: "https://hooks.slack.invalid/commands/1",
    trigger_id: `${Date.now()}.${Math.random().toString(16).slice(2)}`,
  };
}

export function blockAction(actionId: string, value: string, user: string, messageTs: string, channelId: string = channel): Record<string, unknown> {
  return {
    type: "block_actions",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: user, username: user.toLowerCase(), team_id: "T0FAKE" },
    api_app_id: "A0TREASURY",
    token: "legacy",
    container: { type: "message", message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: `${Date.now()}.${Math.random().toString(16).slice(2)}`,
    channel: { id: channelId, name: "treasury" },
    message: { ts: messageTs, type: "message" },
    response_url: "https://hooks.slack.invalid/actions/1",
    actions: [{ action_id: actionId, block_id: "proposal", value, type: "button", action_ts: `${Date.now() / 1000}` }],
  };
}

export function eventCallback(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: "legacy",
    team_id: "T0FAKE",
    api_app_id: "A0TREASURY",
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: "T0FAKE", user_id: "UBOT", is_bot: true }],
  };
}
