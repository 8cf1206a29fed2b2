import assert from "node:assert/strict";
import { replyPermalink } from "../../../adapters/slack/discussion.ts";

describe("discussion replies (adapters/slack/discussion)", () => {
  const reply = { channel: "CTREASURY", ts: "1767225600.000123", threadTs: "1767225500.000042" };

  it("builds a reply's permalink from its card's permalink, in Slack's thread-link format", () => {
    assert.equal(
      replyPermalink("https://acme.slack.com/archives/CTREASURY/p1767225500000042", reply),
      "https://acme.slack.com/archives/CTREASURY/p1767225600000123?thread_ts=1767225500.000042&cid=CTREASURY",
    );
  });

  it("leaves it to chat.getPermalink when the card's link has another shape or channel", () => {
    assert.equal(replyPermalink(null, reply), undefined);
    assert.equal(replyPermalink("https://acme.slack.com/archives/COTHER/p1767225500000042", reply), undefined);
    assert.equal(replyPermalink("https://acme.slack.com/archives/CTREASURY/p1767225500000042?thread_ts=1.2", reply), undefined);
    assert.equal(replyPermalink("https://example.com/messages/42", reply), undefined);
    assert.equal(replyPermalink("https://acme.slack.com/archives/CTREASURY/p1767225500000042", { ...reply, ts: "not-a-ts" }), undefined);
  });
});
