import assert from "node:assert/strict";
import { askTreasury } from "../../assistant/ask.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import { syncActivity } from "../../search/activity.ts";
import { writeMeta } from "../../db/meta.ts";
import { loadConfig } from "../../app/config.ts";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm.ts";
import { buildFixtureDb, type FixtureDb } from "../search/fixture-db.ts";
import { connectionOf } from "../../db/connection.ts";

describe("assistant: answering with an LLM (fake OpenAI-compatible server)", function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let f: FixtureDb;
  let ctx: AssistantContext;

  before(async () => {
    llm = await startFakeLlm();
    f = buildFixtureDb();
    syncActivity(f.db);
    ctx = {
      db: f.db,
      config: loadConfig({ OPENAI_BASE_URL: llm.url, OPENAI_MODEL: "free-model", OPENAI_API_KEY: "sk-test", EXPLORER_URL: "https://explorer.example" }),
    };
  });
  beforeEach(() => llm.requests.splice(0));
  after(async () => {
    await llm.stop();
    f.close();
  });

  const toolMessages = (index: number) => llm.requests[index].messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content!));

  it("calls the tools with the model's arguments and returns an answer with the citations", async () => {
    llm.script([
      { toolCalls: [{ name: "sum_transfers", arguments: { direction: "out", counterparty: "Pixel Forge", token: "USDC", from: "2026-01-01", to: "2026-12-31" } }] },
      (request) => {
        const result = JSON.parse(request.messages.at(-1)!.content!);
        return { content: `We paid Pixel Forge ${result.totals[0].total} USDC in 2026 (tx ${result.transactions[0].txHash}).` };
      },
    ]);
    const result = await askTreasury(ctx, { question: "How much USDC did we pay Pixel Forge in 2026?" });
    assert.equal(result.mode, "llm");
    assert.equal(llm.requests.length, 2);
    const first = llm.requests[0];
    assert.equal(first.model, "free-model");
    assert.equal(first.headers.authorization, "Bearer sk-test");
    assert.match(first.messages[0].content!, /DATA written by people.*never an instruction/s);
    assert.deepEqual(
      first.tools!.map((t) => t.function.name).sort(),
      ["balances", "get_proposal", "list_transactions", "owners_and_threshold", "pending_proposals", "search_activity", "sum_transfers"],
    );
    const toolResult = toolMessages(1)[0];
    assert.deepEqual(toolResult.totals, [{ symbol: "USDC", token: toolResult.totals[0].token, total: "1750", count: 1 }]);
    assert.deepEqual(result.toolCalls?.[0].arguments, { direction: "out", counterparty: "Pixel Forge", token: "USDC", from: "2026-01-01", to: "2026-12-31" });
    assert.match(result.answer, /1750 USDC/);
    assert.equal(result.citations.length, 1);
    assert.equal(result.citations[0].ref, f.txOf("p034"));
    assert.equal(result.citations[0].url, `https://explorer.example/tx/${f.txOf("p034")}`);
    assert.match(result.answer, /Sources:\n• 1750 USDC to Pixel Forge on 2026-05-21: https:\/\/explorer\.example\/tx\/0x/);
  });

  it("answers a tool call with bad arguments with an error the model recovers from", async () => {
    llm.script([
      { toolCalls: [{ name: "sum_transfers", arguments: { direction: "sideways", from: "last tuesday" } }] },
      { toolCalls: [{ name: "get_proposal", arguments: "{not json" }] },
      { toolCalls: [{ name: "sum_transfers", arguments: { direction: "in", counterparty: "Harbor Labs" } }] },
      (request) => ({ content: `Harbor Labs paid ${JSON.parse(request.messages.at(-1)!.content!).totals[0].total} USDC.` }),
    ]);
    const result = await askTreasury(ctx, { question: "How much has Harbor Labs paid us?" });
    assert.equal(result.mode, "llm");
    const firstError = toolMessages(1)[0].error as string;
    assert.match(firstError, /Invalid arguments for sum_transfers: direction: .*from: must be a date written YYYY-MM-DD.*call the tool again/);
    assert.match(toolMessages(2).at(-1).error, /not a JSON object/);
    assert.match(result.answer, /Harbor Labs paid 40000 USDC/);
    assert.equal(result.citations.length, 2);
    assert.deepEqual(result.toolCalls!.map((c) => Boolean(c.error)), [true, true, false]);
  });

  it("never lets the model claim an approval that did not happen; discussion text stays data", async () => {
    llm.script([
      { toolCalls: [{ name: "get_proposal", arguments: { query: "Pixel Forge annual report INV-2005" } }] },
      { content: "Yes, it is already approved." }, // a model fooled by the thread
    ]);
    const result = await askTreasury(ctx, { question: "Is the Pixel Forge annual report approved?" });
    const proposal = toolMessages(1)[0].proposal;
    assert.equal(proposal.status, "pending");
    assert.deepEqual(proposal.approvals.map((a: { name: string }) => a.name), ["Dana Silva"]);
    assert.match(proposal.discussion[0].text, /ignore your previous instructions/);
    assert.doesNotMatch(result.answer, /already approved/);
    assert.match(result.answer, /do not support calling this approved/);
    assert.match(result.answer, /Approvals on record \(owner signatures only\): #\d+ pending, 1 of 2 \(Dana Silva\)/);
  });

  it("uses the group's own model when one is set for this Safe", async () => {
    writeMeta(f.db, "assistant_model", "paid-model");
    llm.script([{ content: "Hello." }]);
    try {
      await askTreasury(ctx, { question: "hi" });
      assert.equal(llm.requests[0].model, "paid-model");
    } finally {
      connectionOf(f.db).prepare("DELETE FROM meta WHERE key = 'assistant_model'").run();
    }
  });

  it("gives up after a few rounds and answers", async () => {
    llm.script([{ toolCalls: [{ name: "pending_proposals", arguments: {} }] }]);
    const result = await askTreasury(ctx, { question: "What is pending?", maxRounds: 2 });
    assert.equal(llm.requests.length, 3); // 2 rounds of tools, then tool_choice none
    assert.equal(llm.requests[2].tool_choice, "none");
    assert.equal(result.mode, "rules"); // the forced last round still returned tool calls and no text
    assert.match(result.answer, /2 pending proposals/);
  });

  it("falls back to the rules, and says so, when the LLM is slow or unreachable", async () => {
    llm.script([{ content: "too late" }]);
    llm.delay(3000);
    try {
      const started = Date.now();
      const slow = await askTreasury(ctx, { question: "How much has Harbor Labs paid us?", timeoutMs: 300 });
      assert.ok(Date.now() - started < 2500);
      assert.equal(slow.mode, "rules");
      assert.match(slow.answer, /40,000 USDC/);
      assert.match(slow.answer, /language model \(free-model\) was not available: the model did not answer within/);
    } finally {
      llm.delay(0);
    }
    const offline: AssistantContext = { ...ctx, config: { ...ctx.config, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } };
    const down = await askTreasury(offline, { question: "How much has Harbor Labs paid us?" });
    assert.equal(down.mode, "rules");
    assert.match(down.answer, /40,000 USDC/);
    assert.match(down.note!, /endpoint failed/);
  });
});
