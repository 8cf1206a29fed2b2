import assert from "node:assert/strict";
import { createIndexer } from "../../indexer/indexer.ts";
import { createLogger } from "../../core/logger.ts";
import { closeDatabase } from "../../db/open.ts";
import { generateSafeHistory } from "../../scripts/bench/indexer-history.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { dumpMirror } from "./dump.ts";
import { startRpcProxy, type JsonRpcCall, type ProxyAction } from "./rpc-proxy.ts";

/** The widest eth_getLogs range the faulty provider accepts, and the Retry-After it sends with a 429 (seconds). */
const maxBlocks = 4;
const retryAfterSeconds = 1;

const blockRange = (call: JsonRpcCall) => {
  const filter = call.params[0] as { fromBlock: string; toBlock: string };
  return Number(filter.toBlock) - Number(filter.fromBlock) + 1;
};

describe("indexer behind a public-RPC-like provider (indexer/rpc, indexer/indexer)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let reference: TreasuryContext;

  before(async () => {
    chain = await startTestChain();
    // 15 blocks of Safe executions and deposits: wider than the provider's cap, so ranges must be cut.
    await generateSafeHistory({ provider: chain.node.provider, deployment: chain.deployment, executions: 45, deposits: 45, perBlock: 3 });
    reference = createTestContext(chain, { databaseFile: "clean.db" });
    await createIndexer({ ctx: reference, progress: "off" }).runOnce();
  });
  after(async () => {
    if (reference) closeDatabase(reference.db);
    await chain?.stop();
  });

  it("faulty RPC: capped ranges, 429 with Retry-After and dropped connections; it keeps going, says what it waits for, and ends with the rows of a clean index", async () => {
    // Faults by the order of calls, so each kind happens whatever the indexer's request pattern:
    // the 6th, 20th and 40th calls get a 429 (JSON-RPC body, then plain text), the 10th and 30th
    // lose their connection before an answer, the 15th and 35th halfway through it.
    let count = 0;
    const rateLimited = new Set([6, 20, 40]);
    const droppedEarly = new Set([10, 30]);
    const droppedHalfway = new Set([15, 35]);
    let refusals = 0;
    const decide = (call: JsonRpcCall): ProxyAction => {
      const n = ++count;
      if (rateLimited.has(n))
        return n === 20
          ? { kind: "raw", status: 429, body: "Too Many Requests", contentType: "text/plain", headers: { "retry-after": String(retryAfterSeconds) } }
          : {
              kind: "raw",
              status: 429,
              body: JSON.stringify({ jsonrpc: "2.0", id: call.id, error: { code: -32005, message: "rate limit exceeded" } }),
              contentType: "application/json",
              headers: { "retry-after": String(retryAfterSeconds) },
            };
      if (droppedEarly.has(n)) return { kind: "drop", when: "before-answer" };
      if (droppedHalfway.has(n)) return { kind: "drop", when: "half-body" };
      if (call.method === "eth_getLogs" && blockRange(call) > maxBlocks)
        return ++refusals % 2 === 1
          ? { kind: "error", code: -32005, message: "query returned more than 10000 results" }
          : { kind: "error", code: -32000, message: `block range too large: at most ${maxBlocks} blocks` };
      return { kind: "forward" };
    };
    const proxy = await startRpcProxy(chain.node.url, decide);
    const lines: string[] = [];
    const ctx: TreasuryContext = {
      ...createTestContext(chain, { databaseFile: "faulty.db" }),
      rpcUrl: proxy.url,
      logger: createLogger("info", { write: (line: string) => void lines.push(line) }),
    };
    try {
      const result = await createIndexer({ ctx, progress: "log", initialRange: 1_000 }).runOnce();

      // It ended with exactly the rows (and outbox entries) of the clean index.
      assert.deepEqual(dumpMirror(ctx.db), dumpMirror(reference.db));
      assert.ok(result.batches > 1);

      // Every fault happened.
      const requests = proxy.requests;
      const tooMany = requests.filter((request) => request.outcome === "raw" && request.status === 429);
      assert.equal(tooMany.length, rateLimited.size, "every 429 was sent");
      assert.equal(requests.filter((request) => request.outcome === "drop").length, droppedEarly.size + droppedHalfway.size, "every drop happened");
      assert.ok(refusals >= 2, "wide ranges were refused");

      // Retry-After was honoured: each call refused with a 429 came back no sooner than it said,
      // and nothing new was sent in the meantime (beyond what was already on its way).
      for (const refused of tooMany) {
        const again = requests.find(
          (request) => request.at > refused.at && request.calls.some((call) => refused.calls.some((old) => old.method === call.method && JSON.stringify(old.params) === JSON.stringify(call.params))),
        );
        assert.ok(again, "the rate-limited call was made again");
        assert.ok(again.at - refused.at >= retryAfterSeconds * 1000 - 20, `asked again after ${again.at - refused.at} ms, not ${retryAfterSeconds} s`);
        const meanwhile = requests.filter((request) => request.at > refused.at + 300 && request.at < refused.at + retryAfterSeconds * 1000 - 20);
        assert.equal(
          meanwhile.length,
          0,
          `no request started while the provider asked us to wait; started: ${meanwhile.map((request) => `${request.calls.map((call) => call.method).join("+")} after ${request.at - refused.at} ms`).join(", ")}`,
        );
      }

      // It said what it was waiting for.
      const messages = lines.map((line) => JSON.parse(line) as { msg: string });
      assert.equal(
        messages.filter((line) => line.msg === `the RPC is rate-limiting the indexer; waiting ${retryAfterSeconds.toFixed(1)} s as it asked (Retry-After)`).length,
        rateLimited.size,
      );
      assert.ok(messages.filter((line) => line.msg.startsWith("an RPC call failed; trying again in")).length >= droppedEarly.size + droppedHalfway.size);
      assert.ok(messages.some((line) => line.msg === "the RPC refused a block range; asking for fewer blocks"));
      assert.ok(messages.some((line) => line.msg === "backfill done"));
    } finally {
      closeDatabase(ctx.db);
      await proxy.close();
    }
  });
});
