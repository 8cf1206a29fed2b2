import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogLevel, WebClient } from "@slack/web-api";
import { closeDatabase } from "../../../db/open.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { postMetadataType, postOnce } from "../../../adapters/slack/post-once.ts";
import { readPost, recordPostIntent } from "../../../db/slack.ts";
import { createSlackApi, type SlackApi } from "../../../adapters/slack/web-api.ts";
import { startFakeSlack, type FakeSlack } from "../../helpers/fake-slack.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";

describe("posting exactly once across crashes (adapters/slack/post-once)", () => {
  let fake: FakeSlack;
  let db: TreasuryDatabase;
  let api: SlackApi;

  before(async () => {
    fake = await startFakeSlack();
    db = openSafeDatabase(join(mkdtempSync(join(tmpdir(), "slack-post-once-")), "treasury.db"));
    api = createSlackApi({ client: new WebClient("xoxb-test", { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 3, minTimeout: 20, maxTimeout: 50 } }) });
  });
  after(async () => {
    closeDatabase(db);
    await fake.stop();
  });

  it("posts once and answers later calls from the record", async () => {
    const first = await postOnce(db, api, { key: "outbox:1", message: { channel: "C1", text: "Received 5 USDC" } });
    const second = await postOnce(db, api, { key: "outbox:1", message: { channel: "C1", text: "Received 5 USDC" } });
    assert.equal(first.posted, true);
    assert.equal(second.posted, false);
    assert.equal(second.messageTs, first.messageTs);
    assert.equal(fake.callsOf("chat.postMessage").length, 1);
  });

  it("after a crash between chat.postMessage and recording the ts, finds the message instead of posting again", async () => {
    // The process wrote its intent and Slack took the message, then it died.
    recordPostIntent(db, { key: "outbox:2", channelId: "C1" });
    const { ts } = await api.postMessage({ channel: "C1", text: "Payment sent", metadata: { event_type: postMetadataType, event_payload: { key: "outbox:2" } } });
    const before = fake.callsOf("chat.postMessage").length;
    let delivered = "";
    const result = await postOnce(db, api, { key: "outbox:2", message: { channel: "C1", text: "Payment sent" }, onPosted: (messageTs) => (delivered = messageTs) });
    assert.equal(result.posted, false);
    assert.equal(result.messageTs, ts);
    assert.equal(delivered, ts, "the delivery is recorded with the found ts");
    assert.equal(fake.callsOf("chat.postMessage").length, before);
    assert.equal(readPost(db, "outbox:2")?.status, "posted");
  });

  it("after a crash before chat.postMessage, posts the message", async () => {
    recordPostIntent(db, { key: "outbox:3", channelId: "C1" });
    const result = await postOnce(db, api, { key: "outbox:3", message: { channel: "C1", text: "Owner added" } });
    assert.equal(result.posted, true);
    assert.equal(fake.callsOf("chat.postMessage").filter((call) => call.args.text === "Owner added").length, 1);
  });

  it("retries 5xx answers and waits out 429s (the WebClient's own retries)", async () => {
    fake.failNext(2, { method: "chat.postMessage", status: 503 });
    fake.rateLimitNext(1, { method: "chat.postMessage", retryAfter: 1 });
    const started = Date.now();
    const result = await postOnce(db, api, { key: "outbox:4", message: { channel: "C1", text: "Threshold changed" } });
    assert.equal(result.posted, true);
    assert.ok(Date.now() - started >= 900, "waited for Retry-After");
    assert.equal(fake.callsOf("chat.postMessage", true).filter((call) => call.args.text === "Threshold changed").length, 4);
    assert.equal(fake.callsOf("chat.postMessage").filter((call) => call.args.text === "Threshold changed").length, 1);
  });
});
