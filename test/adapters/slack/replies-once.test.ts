import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogLevel, WebClient } from "@slack/web-api";
import { repliesOnce } from "../../../adapters/slack/replies-once.ts";
import { createSlackApi, type SlackApi } from "../../../adapters/slack/web-api.ts";
import type { TreasuryDatabase } from "../../../db/handle.ts";
import { closeDatabase } from "../../../db/open.ts";
import { claimJob, claimJobs, enqueueJob, type SlackJob } from "../../../db/slack.ts";
import { startFakeSlack, type FakeSlack } from "../../helpers/fake-slack.ts";
import { openSafeDatabase } from "../../helpers/safe-database.ts";

describe("a job's ephemeral replies, once across crashes (adapters/slack/replies-once)", () => {
  let fake: FakeSlack;
  let db: TreasuryDatabase;
  let api: SlackApi;
  let jobs = 0;

  before(async () => {
    fake = await startFakeSlack();
    db = openSafeDatabase(join(mkdtempSync(join(tmpdir(), "slack-replies-once-")), "treasury.db"));
    api = createSlackApi({ client: new WebClient("xoxb-test", { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } }) });
  });
  after(async () => {
    closeDatabase(db);
    await fake.stop();
  });

  /** A queued job, claimed as a worker claims it. */
  const newJob = (): SlackJob => {
    jobs += 1;
    assert.ok(enqueueJob(db, { kind: "command", dedupeKey: `replies-once:${jobs}`, payload: { safe: "0x0", channelId: "C1", userId: "U1", command: "proposals" } }));
    return claimJobs(db, 10).find((job) => job.dedupeKey === `replies-once:${jobs}`)!;
  };
  const sentTexts = (prefix: string) => fake.callsOf("chat.postEphemeral").map((call) => String(call.args.text)).filter((text) => text.startsWith(prefix));

  it("a try after a crash sends only the replies the earlier try did not", async () => {
    const job = newJob();
    const first = repliesOnce(db, api, job);
    await first.postEphemeral({ channel: "C1", user: "U1", text: "a: one" });
    // The worker dies here. The job is claimed again, and its second try says the same two things.
    const again = claimJob(db, job.id)!;
    assert.equal(again.repliesSent, 1);
    const second = repliesOnce(db, api, again);
    await second.postEphemeral({ channel: "C1", user: "U1", text: "a: one" });
    await second.postEphemeral({ channel: "C1", user: "U1", text: "a: two" });
    assert.deepEqual(sentTexts("a:"), ["a: one", "a: two"]);
    assert.equal(claimJob(db, job.id)!.repliesSent, 2);
  });

  it("a reply Slack refused is not counted: the next try sends it", async () => {
    const job = newJob();
    fake.failNext(1, { method: "chat.postEphemeral", status: 500 });
    await assert.rejects(repliesOnce(db, api, job).postEphemeral({ channel: "C1", user: "U1", text: "b: refused once" }));
    const again = claimJob(db, job.id)!;
    assert.equal(again.repliesSent, 0);
    await repliesOnce(db, api, again).postEphemeral({ channel: "C1", user: "U1", text: "b: refused once" });
    assert.deepEqual(sentTexts("b:"), ["b: refused once"]);
  });

  it("leaves posted messages alone (those go through postOnce)", async () => {
    const job = newJob();
    const wrapped = repliesOnce(db, api, job);
    assert.equal(wrapped.postMessage, api.postMessage);
    assert.equal(wrapped.update, api.update);
  });
});
