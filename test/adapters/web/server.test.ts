import assert from "node:assert/strict";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { parseEther, parseUnits, type Address } from "viem";
import { createSlackAdapter, slackEndpoint, type SlackAdapter } from "../../../adapters/slack/adapter.ts";
import { createMetrics } from "../../../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../../../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../../../adapters/web/server.ts";
import { createLogger } from "../../../core/logger.ts";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { upsertMember } from "../../../core/people/members.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import type { ProposalView } from "../../../core/proposals/view.ts";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { startTestChain, type TestChain } from "../../helpers/chain.ts";
import { createTestContext } from "../../helpers/context.ts";
import { slackPoster, startFakeSlack, type FakeSlack } from "../../helpers/fake-slack.ts";
import { closeDatabase, isDatabaseOpen } from "../../../db/open.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const acme: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
const signingSecret = "3c1f0e2d9b8a7766554433221100ffee";
const channel = "CTREASURY";
const slackUser = "UDANA";

/**
 * The web app as the service runs it (the Slack router and the wallet pages),
 * on a real chain, with a logger at debug level writing into memory.
 */
describe("the web app's responses and logs (adapters/web/server.ts)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let fake: FakeSlack;
  let ctx: ReturnType<typeof createTestContext>;
  let slack: SlackAdapter;
  let server: Server;
  let baseUrl: string;
  let payment: ProposalView;
  const logLines: string[] = [];

  before(async () => {
    fake = await startFakeSlack();
    fake.users.set(slackUser, { id: slackUser, name: "Dana" });
    chain = await startTestChain({
      owners: [ana.address, ben.address, chen.address],
      threshold: 2,
      initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
    });
    ctx = createTestContext(chain, {
      env: {
        LOG_LEVEL: "debug",
        SLACK_BOT_TOKEN: "xoxb-test-token",
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: `${fake.url}/api`,
        SLACK_CHANNEL_ID: channel,
      },
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    ctx.logger = createLogger("debug", sink as never);
    upsertMember(ctx, { id: "dana", name: "Dana", slackUserId: slackUser, role: "member" });
    addAddressBookEntry(ctx, { label: "Acme Design Studio", address: acme, category: "design", addedBy: "test" });

    slack = createSlackAdapter({ ctx, config: ctx.config, assistant: { config: ctx.config }, tickEveryMs: 50, pollMs: 20, nudgeAfterMs: 24 * 3600_000, retryConfig: { retries: 1, factor: 1, minTimeout: 20, maxTimeout: 50 } });
    const app = createWebApp({ ctx, metrics: createMetrics(), routers: [slack.router, createWalletPagesRouter({ ctx })] });
    server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    ctx.config.PUBLIC_URL = baseUrl;
    await slack.start();
    payment = await proposePayment(ctx, { payments: [{ amount: "250", token: "USDC", payee: "Acme Design Studio" }], proposer: "dana", memo: "Logo" });
  });

  after(async () => {
    await slack?.stop();
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (isDatabaseOpen(ctx?.db)) closeDatabase(ctx.db);
    await chain?.stop();
    await fake?.stop();
  });

  it("says X-Content-Type-Options: nosniff on every response: JSON API, pages, assets, health, metrics, errors", async () => {
    const token = payment.reviewToken;
    const requests: Array<[string, RequestInit?]> = [
      [`/api/review/${token}`],
      [`/api/review/${token}/typed-data`],
      [`/api/review/not-a-token`],
      [`/api/review/${token}/signatures`, { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" }],
      [`/api/review/${token}/signatures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: "0x12", chainId: ctx.chainId }) }],
      [`/review/${token}`],
      [`/review/not-a-token`],
      [`/assets/pages.css`],
      [`/healthz`],
      [`/metrics`],
      [`/no/such/path`],
      [slackEndpoint, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
    ];
    const statuses = new Set<number>();
    for (const [path, init] of requests) {
      const response = await fetch(`${baseUrl}${path}`, init);
      await response.arrayBuffer();
      statuses.add(response.status);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", `${init?.method ?? "GET"} ${path} (${response.status})`);
    }
    // The list covers successes, client errors and missing pages.
    for (const status of [200, 400, 404]) assert.ok(statuses.has(status), `a ${status} answer was checked`);
    // The pages keep their strict Content-Security-Policy.
    const page = await fetch(`${baseUrl}/review/${token}`);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'self'/);
  });

  it("with LOG_LEVEL=debug, logs requests and Slack calls but never a review or wallet-link token", async () => {
    // A wallet link asked for in Slack (its URL goes to Slack in an ephemeral message) ...
    const poster = slackPoster(`${baseUrl}${slackEndpoint}`, signingSecret);
    const linkCommand = await poster.command({
      token: "legacy",
      team_id: "T0FAKE",
      team_domain: "fake",
      channel_id: channel,
      channel_name: "treasury",
      user_id: slackUser,
      user_name: "dana",
      command: "/treasury",
      text: "link",
      api_app_id: "A0TREASURY",
      response_url: `${fake.url}/hooks/commands/1`,
      trigger_id: `${Date.now()}.1`,
    });
    assert.equal(linkCommand.status, 200);
    const linkMessage = await fake.waitFor(
      () => [...fake.callsOf("chat.postEphemeral"), ...fake.calls].find((call) => JSON.stringify(call.args).includes("/link/")),
      30_000,
      "the link message",
    );
    const linkToken = /\/link\/([A-Za-z0-9_-]+)/.exec(JSON.stringify(linkMessage.args))![1];
    // ... and the proposal's card with its review link.
    await fake.waitFor(() => fake.calls.find((call) => JSON.stringify(call.args).includes(`/review/${payment.reviewToken}`)), 30_000, "the card");

    // People open both pages and the page calls the API.
    for (const path of [`/review/${payment.reviewToken}`, `/api/review/${payment.reviewToken}`, `/link/${linkToken}`, `/review/${payment.reviewToken}?utm=1`])
      assert.equal((await fetch(`${baseUrl}${path}`)).status, 200, path);
    await fetch(`${baseUrl}/api/link/${linkToken}/message`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ address: ana.address }) });
    await slack.idle();

    const output = logLines.join("");
    const lines = output.trim().split("\n").map((line) => JSON.parse(line) as { level: number; msg: string; path?: string });
    // The debug output is really there: the Slack client's own debug lines (they carry the messages it sends).
    assert.ok(lines.some((line) => line.level === 20 && /http request body/.test(line.msg)), "the Slack client's debug lines are logged");
    for (const secret of [payment.reviewToken, linkToken])
      assert.ok(!output.includes(secret), `a one-time token is in the log:\n${output.split("\n").filter((line) => line.includes(secret)).join("\n").slice(0, 2000)}`);
    assert.doesNotMatch(output, /\/(review|link)\/(?!\[redacted\])[A-Za-z0-9_-]{8,}/);
    // Requests are logged too, with the token redacted from their path.
    assert.ok(lines.some((line) => line.level === 20 && line.msg === "request" && line.path === "/review/[redacted]"), "request lines are logged");
  });
});
