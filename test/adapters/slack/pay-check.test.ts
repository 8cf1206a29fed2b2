import assert from "node:assert/strict";
import { resolvePayee } from "../../../core/people/address-book.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { commandFields, startSlackHarness, users, type SlackHarness } from "./harness.ts";
import { connectionOf } from "../../../db/connection.ts";

/** Text a person could read in what the app sent: every string of a message, its blocks, a form. */
function readableText(value: unknown): string {
  const parts: string[] = [];
  const walk = (inner: unknown) => {
    if (typeof inner === "string") parts.push(inner);
    else if (Array.isArray(inner)) inner.forEach(walk);
    else if (inner && typeof inner === "object") Object.values(inner).forEach(walk);
  };
  walk(value);
  return parts.join("\n");
}

/** Words from the command line: a `treasury …` command (not `/treasury`), or a `--flag`. */
const cliWords = /(?<![/\w])treasury (addressbook|pay|sign|execute|reject|proposals|index|history|export|ask|search|link)\b|(?<![\w-])--[a-z]/;

describe("`/treasury pay` checks the payment before it acknowledges (adapters/slack/pay-check)", function () {
  this.timeout(120_000);
  let h: SlackHarness;
  const answers: unknown[] = [];

  before(async () => {
    h = await startSlackHarness();
  });
  after(() => h?.stop());

  const countRows = (table: string) => (connectionOf(h.ctx.db).prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  async function command(text: string, user: string = users.dana): Promise<{ response_type: string; text: string; blocks?: unknown[] }> {
    const response = await h.slack.command(commandFields(text, user));
    assert.equal(response.status, 200);
    const raw = await response.text();
    const body = raw ? JSON.parse(raw) : {};
    answers.push(body);
    return body;
  }

  it("names an unknown payee in the ack, offers a button to add it, and queues nothing", async () => {
    const jobs = countRows("slack_jobs");
    const answer = await command("pay 5 USDC to Nobody Inc for invoice 12");
    assert.equal(answer.response_type, "ephemeral");
    assert.match(answer.text, /Not proposed yet/);
    assert.match(answer.text, /“Nobody Inc” is not in the address book/);
    assert.doesNotMatch(answer.text, /card will appear/);
    const buttons = (answer.blocks ?? []).flatMap((block: any) => (block.type === "actions" ? block.elements : []));
    assert.equal(buttons.length, 1);
    assert.equal(buttons[0].action_id, "payee_add");
    assert.match(buttons[0].text.text, /Add Nobody Inc to the address book/);
    // The button carries the name and the payment, to propose once the payee is added.
    assert.deepEqual(JSON.parse(buttons[0].value), { label: "Nobody Inc", pending: { payments: [{ amount: "5", token: "USDC", payee: "Nobody Inc" }], memo: "invoice 12" } });
    await h.adapter.idle();
    assert.equal(countRows("slack_jobs"), jobs, "no job: the answer came with the ack");
    assert.equal(countRows("proposals"), 0);
    assert.equal(h.fake.callsOf("chat.postEphemeral").length, 0, "nothing said later");
  });

  it("names every problem of a batch at once: an unknown token, an unknown payee, a payment to the Safe itself", async () => {
    const answer = await command(`pay 5 USDC to Nobody Inc and 3 DOGE to Acme Design Studio and 1 ETH to ${h.ctx.safeAddress}`);
    assert.match(answer.text, /Payment 1 \(5 USDC to Nobody Inc\): “Nobody Inc” is not in the address book/);
    assert.match(answer.text, /Payment 2 \(3 DOGE to Acme Design Studio\): Unknown token "DOGE"; this treasury knows ETH, USDC/);
    assert.match(answer.text, /Payment 3 .*: The payee is the Safe itself/);
    assert.equal(countRows("proposals"), 0);
  });

  it("acknowledges a payment it can check, and leaves only the chain's checks (the balance) for later", async () => {
    const answer = await command("pay 250 USDC to Acme Design Studio for invoice INV-7");
    assert.match(answer.text, /Proposing 250 USDC to Acme Design Studio/);
    await h.adapter.idle();
    assert.equal(countRows("proposals"), 1);
    // More than the Safe holds (5,000 USDC) is known only from the chain: said after the ack, not in it.
    const tooMuch = await command("pay 9000 USDC to Acme Design Studio");
    assert.match(tooMuch.text, /Proposing 9000 USDC/);
    await h.adapter.idle();
    const said = h.fake.callsOf("chat.postEphemeral").filter((call) => call.args.user === users.dana).map((call) => call.args.text);
    assert.ok(said.some((text) => /Not proposed: The Safe holds 5,000 USDC, less than the 9,000 USDC asked for/.test(text)), said.join(" | "));
    assert.equal(countRows("proposals"), 1);
  });

  it("answers an unknown payee found later (by the form or a retried job) without command-line advice", async () => {
    // The core's own message, as a job would show it, names no CLI command either.
    assert.throws(() => resolvePayee(h.ctx, "Nobody Inc"), (error: any) => /not in the address book/.test(error.shortMessage) && !cliWords.test(error.shortMessage));
  });

  it("speaks Slack in Slack: nothing it sent or answered names a CLI command or a --flag", async () => {
    // Ask the assistant too: its answers end with their sources, and more than six sources are summed up.
    for (let index = 0; index < 6; index += 1)
      await proposePayment(h.ctx, { payments: [{ amount: String(index + 1), token: "USDC", payee: "Acme Design Studio" }], proposer: "dana", memo: `order ${index}` });
    await command("ask what is pending?");
    await h.adapter.idle();
    const question = h.fake.messages.find((message) => message.text === `<@${users.dana}> asked: what is pending?`);
    assert.ok(question, "the question is posted");
    const answer = h.fake.messages.find((message) => message.thread_ts === question.ts);
    assert.ok(answer, "the assistant answered in its thread");
    // Seven pending proposals, six sources shown: the seventh is summed up.
    assert.match(String(answer.text), /…and 1 more/);
    const sent = h.fake.calls.filter((call) => /^(chat\.|views\.)/.test(call.method)).map((call) => readableText(call.args));
    const said = [...answers.map(readableText), ...sent];
    assert.ok(said.length >= 8, `${said.length} texts checked`);
    for (const text of said) assert.doesNotMatch(text, cliWords, text.slice(0, 300));
  });
});
