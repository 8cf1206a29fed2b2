import assert from "node:assert/strict";
import { createSlackAdapter } from "../../../adapters/slack/adapter.ts";
import { getProposal } from "../../../core/proposals/view.ts";
import { eventId } from "../../helpers/fake-slack.ts";
import { blockAction, blocksText, channel, commandFields, eventCallback, startSlackHarness, users, type SlackHarness } from "./harness.ts";
import { connectionOf } from "../../../db/connection.ts";

describe("Slack in Socket Mode, against a local stand-in for Slack's WebSocket (adapters/slack/adapter)", function () {
  this.timeout(120_000);
  let h: SlackHarness;
  let safeTxHash: string;
  let cardTs: string;

  before(async () => {
    h = await startSlackHarness({ socketMode: true });
  });
  after(() => h?.stop());

  const socket = () => h.socket!;
  let sent = 0;
  /** Sends an envelope and waits for its acknowledgement (the stand-in fails the test after 3 s without one). */
  const send = (...args: Parameters<NonNullable<SlackHarness["socket"]>["send"]>) => {
    sent += 1;
    return socket().send(...args);
  };
  const countRows = (table: string) => (connectionOf(h.ctx.db).prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const connectionOpens = () => h.fake.callsOf("apps.connections.open");
  const reply = (text: string, ts: string) => eventCallback({ type: "message", channel, channel_type: "channel", user: users.ben, text, ts, thread_ts: cardTs, event_ts: ts }, eventId());

  it("connects with the app-level token and serves nothing over HTTP", async () => {
    assert.equal(h.adapter.mode, "socket");
    assert.equal(socket().connections(), 1);
    assert.equal(connectionOpens().length, 1);
    assert.equal(connectionOpens()[0].token, "xapp-1-A0TREASURY-1-test", "apps.connections.open is called with the xapp- token, not the bot token");
    const response = await fetch(`${h.baseUrl}/slack/events`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(response.status, 404);
  });

  it("acknowledges a slash command with its envelope id and answers in the ack, then posts the card", async () => {
    const ack = await send("slash_commands", commandFields("pay 250 USDC to Acme Design Studio for invoice INV-7", users.dana));
    assert.equal(ack.payload?.response_type, "ephemeral");
    assert.match(String(ack.payload?.text), /Proposing 250 USDC to Acme Design Studio/);
    await h.adapter.idle();
    const row = connectionOf(h.ctx.db).prepare("SELECT safe_tx_hash FROM proposals WHERE memo = 'invoice INV-7'").get() as { safe_tx_hash: string };
    safeTxHash = row.safe_tx_hash;
    const card = connectionOf(h.ctx.db).prepare("SELECT message_ts FROM proposal_messages WHERE safe_tx_hash = ?").get(safeTxHash) as { message_ts: string };
    cardTs = card.message_ts;
    assert.match(blocksText(h.fake.findMessage(channel, cardTs)), /Payment proposal #0/);
    // A mistake is still answered in the ack.
    const wrong = await send("slash_commands", commandFields("pay 5 USDC to Nobody Inc", users.dana));
    assert.match(String(wrong.payload?.text), /“Nobody Inc” is not in the address book/);
  });

  it("acknowledges an Events API envelope and stores the reply in the card's thread", async () => {
    const ts = `${Math.floor(Date.now() / 1000)}.000101`;
    const callback = reply("Matches the invoice.", ts);
    const ack = await send("events_api", callback);
    assert.deepEqual(ack.payload ?? {}, {});
    // Acknowledged only once recorded: Slack does not send an acknowledged envelope again.
    const recorded = connectionOf(h.ctx.db).prepare("SELECT COUNT(*) AS n FROM slack_jobs WHERE dedupe_key LIKE ?").get(`event:${callback.event_id}%`) as { n: number };
    assert.equal(Number(recorded.n), 1, "the envelope was acknowledged before its job was recorded");
    await h.adapter.idle();
    const stored = connectionOf(h.ctx.db).prepare("SELECT safe_tx_hash, author_name, text FROM discussion_messages WHERE message_ts = ?").get(ts);
    assert.deepEqual(stored, { safe_tx_hash: safeTxHash, author_name: "Ben", text: "Matches the invoice." });
  });

  it("processes a redelivered envelope (same event id, retry_attempt 1) once, and acknowledges both", async () => {
    const ts = `${Math.floor(Date.now() / 1000)}.000102`;
    const callback = reply("Said once.", ts);
    const before = countRows("discussion_messages");
    const first = await send("events_api", callback);
    const again = await send("events_api", callback, { retryAttempt: 1, retryReason: "timeout" });
    assert.notEqual(first.envelope_id, again.envelope_id);
    await h.adapter.idle();
    assert.equal(countRows("discussion_messages"), before + 1);
    const received = connectionOf(h.ctx.db).prepare("SELECT retries FROM slack_received WHERE id = ?").get(`event:${callback.event_id}`) as { retries: number };
    assert.equal(received.retries, 1);
    const jobs = connectionOf(h.ctx.db).prepare("SELECT COUNT(*) AS n FROM slack_jobs WHERE dedupe_key LIKE ?").get(`event:${callback.event_id}%`) as { n: number };
    assert.equal(jobs.n, 1);
  });

  it("reconnects after the socket drops (apps.connections.open again) and resumes", async () => {
    socket().drop();
    await socket().waitForConnections(2);
    assert.equal(connectionOpens().length, 2, "a fresh URL for the new connection");
    const ts = `${Math.floor(Date.now() / 1000)}.000103`;
    await send("events_api", reply("After the drop.", ts));
    await h.adapter.idle();
    assert.equal((connectionOf(h.ctx.db).prepare("SELECT text FROM discussion_messages WHERE message_ts = ?").get(ts) as { text: string }).text, "After the drop.");
  });

  it("reconnects when Slack asks it to (a `disconnect` message) and resumes", async () => {
    socket().requestReconnect("refresh_requested");
    await socket().waitForConnections(3);
    assert.equal(connectionOpens().length, 3);
    const ack = await send("slash_commands", commandFields("help", users.ana));
    assert.match(String(ack.payload?.text), /\/treasury pay/);
  });

  it("acknowledges a button action and acts on it: the proposer cancels", async () => {
    const ack = await send("interactive", blockAction("proposal_cancel", safeTxHash, users.dana, cardTs));
    assert.deepEqual(ack.payload ?? {}, {});
    await h.adapter.idle();
    assert.equal((await getProposal(h.ctx, safeTxHash, { warnings: false })).status, "cancelled");
    assert.match(blocksText(h.fake.findMessage(channel, cardTs)), /Cancelled/);
  });

  it("sent nothing but acknowledgements of the envelopes it received", () => {
    assert.deepEqual(socket().unexpected, []);
    assert.equal(socket().acks.length, sent);
    assert.equal(new Set(socket().acks.map((ack) => ack.envelope_id)).size, sent, "one acknowledgement per envelope");
  });

  it("refuses a bot token as the app-level token, naming the variable", () => {
    assert.throws(
      () => createSlackAdapter({ ctx: h.ctx, config: { ...h.ctx.config, SLACK_APP_TOKEN: "xoxb-not-an-app-token" }, assistant: { config: h.ctx.config } }),
      /SLACK_APP_TOKEN.*xapp-/,
    );
  });
});
