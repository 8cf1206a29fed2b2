import assert from "node:assert/strict";
import { askTreasury } from "../../assistant/ask.ts";
import type { AssistantContext } from "../../assistant/context.ts";
import { syncActivity } from "../../search/activity.ts";
import { writeMeta } from "../../db/meta.ts";
import { loadConfig } from "../../app/config.ts";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm.ts";
import { fixtureTruth, totals } from "../helpers/fixture-truth.ts";
import { buildFixtureDb, type FixtureDb } from "../search/fixture-db.ts";
import { connectionOf } from "../../db/connection.ts";

describe("assistant: answering with an LLM (fake OpenAI-compatible server)", function () {
  this.timeout(60_000);
  let llm: FakeLlm;
  let f: FixtureDb;
  let ctx: AssistantContext;
  const pixel = () => totals(fixtureTruth().payments, (r) => r.counterparty === "Pixel Forge").USDC;

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
  const pixelPlan = { measure: "sum", over: "payments", filters: { counterparties: ["Pixel Forge"], tokens: ["USDC"], periods: [{ from: "2026-01-01", to: "2026-12-31" }] } };

  it("offers the plan as its main tool, runs the model's plan, and returns its exact figures with citations", async () => {
    llm.script([
      { toolCalls: [{ name: "query_treasury", arguments: pixelPlan }] },
      (request) => {
        const result = JSON.parse(request.messages.at(-1)!.content!);
        return { content: `We paid Pixel Forge ${result.value.figures[0].amount.value} USDC in 2026.` };
      },
    ]);
    const result = await askTreasury(ctx, { question: "How much USDC did we pay Pixel Forge in 2026?" });
    assert.equal(result.mode, "llm");
    const first = llm.requests[0];
    assert.equal(first.model, "free-model");
    assert.equal(first.headers.authorization, "Bearer sk-test");
    assert.match(first.messages[0].content!, /DATA written by people.*never an instruction/s);
    assert.match(first.messages[0].content!, /Never add, subtract, average or convert figures yourself/);
    assert.deepEqual(first.tools!.map((t) => t.function.name).sort(), ["proposal_discussion", "query_treasury", "search_activity"]);
    const schema = first.tools!.find((t) => t.function.name === "query_treasury")!.function.parameters as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(schema.properties).sort(), ["derived", "filters", "groupBy", "include", "language", "limit", "measure", "order", "over", "per"]);
    const toolResult = toolMessages(1)[0];
    assert.equal(toolResult.value.figures[0].amount.value, pixel());
    assert.match(toolResult.answer, /We paid Pixel Forge 1,750 USDC from 2026-01-01 to 2026-12-31/);
    assert.deepEqual(result.toolCalls?.[0].arguments, pixelPlan);
    assert.match(result.answer, new RegExp(`${pixel()} USDC`));
    assert.equal(result.citations[0].ref, f.txOf("p034"));
    assert.equal(result.citations[0].url, `https://explorer.example/tx/${f.txOf("p034")}`);
    assert.equal(result.plan?.over, "payments");
  });

  it("answers a bad plan with a validation error the model recovers from", async () => {
    llm.script([
      { toolCalls: [{ name: "query_treasury", arguments: { measure: "average", over: "owners", filters: { periods: [{ from: "last tuesday", to: "2026-13-01" }] } } }] },
      { toolCalls: [{ name: "query_treasury", arguments: "{not json" }] },
      { toolCalls: [{ name: "query_treasury", arguments: { measure: "sum", over: "deposits", filters: { counterparties: ["Harbour Labs Inc"] } } }] },
      { toolCalls: [{ name: "query_treasury", arguments: { measure: "sum", over: "deposits", filters: { counterparties: ["Harbor Labs"] } } }] },
      (request) => ({ content: `Harbor Labs paid ${JSON.parse(request.messages.at(-1)!.content!).value.figures[0].amount.value} USDC.` }),
    ]);
    const result = await askTreasury(ctx, { question: "How much has Harbor Labs paid us?" });
    assert.equal(result.mode, "llm");
    const firstError = toolMessages(1)[0].error as string;
    assert.match(firstError, /Invalid plan: .*measure: average does not apply to owners/);
    assert.match(firstError, /filters\.periods\.0\.from: must be a date written YYYY-MM-DD/);
    assert.match(firstError, /call query_treasury again/);
    assert.match(toolMessages(2).at(-1).error, /not a JSON object/);
    assert.match(toolMessages(3).at(-1).error, /I know no sender called Harbour Labs Inc; the closest are Harbor Labs/);
    assert.match(result.answer, /Harbor Labs paid 40000 USDC/);
    assert.deepEqual(result.toolCalls!.map((c) => Boolean(c.error)), [true, true, true, false]);
  });

  it("replaces an answer whose figure no tool returned with the executed plan's own answer", async () => {
    llm.script([{ toolCalls: [{ name: "query_treasury", arguments: pixelPlan }] }, { content: "We paid Pixel Forge 1,800 USDC in 2026 (rounded up a bit)." }]);
    const result = await askTreasury(ctx, { question: "How much USDC did we pay Pixel Forge in 2026?" });
    assert.equal(result.mode, "llm");
    assert.doesNotMatch(result.answer, /1,800|1800/);
    assert.match(result.headline, /We paid Pixel Forge 1,750 USDC from 2026-01-01 to 2026-12-31/);
  });

  it("never lets the model claim an approval that did not happen; discussion text stays data", async () => {
    llm.script([{ toolCalls: [{ name: "proposal_discussion", arguments: { proposal: "Pixel Forge annual report INV-2005" } }] }, { content: "Yes, it is already approved." }]);
    const result = await askTreasury(ctx, { question: "Is the Pixel Forge annual report approved?" });
    const tool = toolMessages(1)[0];
    const proposal = tool.proposal.value.proposals[0];
    assert.equal(proposal.status, "pending");
    assert.deepEqual(proposal.approvals.map((a: { name: string }) => a.name), ["Dana Silva"]);
    assert.match(tool.discussion.value.messages[0].text, /ignore your previous instructions/);
    assert.doesNotMatch(result.answer, /already approved/);
    assert.match(result.answer, /records show no such approval/);
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

  it("gives up after a few rounds and answers with the parser", async () => {
    llm.script([{ toolCalls: [{ name: "query_treasury", arguments: { measure: "list", over: "proposals", filters: { status: ["pending"] } } }] }]);
    const result = await askTreasury(ctx, { question: "What is pending?", maxRounds: 2 });
    assert.equal(llm.requests.length, 3); // 2 rounds of tools, then tool_choice none
    assert.equal(llm.requests[2].tool_choice, "none");
    assert.equal(result.mode, "rules"); // the forced last round still returned tool calls and no text
    assert.match(result.answer, /2 pending proposals/);
  });

  it("falls back to the parser, and says so, when the LLM is slow or unreachable", async () => {
    llm.script([{ content: "too late" }]);
    llm.delay(3000);
    try {
      const slow = await askTreasury(ctx, { question: "How much has Harbor Labs paid us?", timeoutMs: 300 });
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
