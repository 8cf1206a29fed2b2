import assert from "node:assert/strict";
import { parseEther } from "viem";
import { loadChainFacts } from "../../core/chain-facts.ts";
import { createIndexer } from "../../indexer/indexer.ts";
import { closeDatabase } from "../../db/open.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { countRows } from "./dump.ts";
import { wallet } from "./safe-helpers.ts";

/** With CONFIRMATIONS unset, the indexer waits the chain's default depth (core/chain-facts), and CONFIRMATIONS still wins when set. */
describe("indexer confirmations from the chain's facts (indexer/indexer)", function () {
  this.timeout(60_000);
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
    for (let index = 0; index < 3; index++) {
      const hash = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("0.1") });
      await chain.client.waitForTransactionReceipt({ hash });
    }
  });
  after(() => chain?.stop());

  for (const [label, env, expectedDepth] of [
    ["the chain's default depth when CONFIRMATIONS is unset", {}, 4],
    ["CONFIRMATIONS when it is set", { CONFIRMATIONS: "1" }, 1],
  ] as const)
    it(`holds rows unconfirmed by ${label}`, async () => {
      const ctx = createTestContext(chain, { databaseFile: `depth-${expectedDepth}.db`, env });
      // The local chain's own facts say 0; a chain whose facts say 4 (as a public chain's say more than 0).
      const chainFacts = { ...(await loadChainFacts(chain.deployment.chainId)), defaultConfirmations: 4 };
      try {
        await createIndexer({ ctx: { ...ctx, chainFacts }, progress: "off" }).runOnce();
        const head = Number(await chain.client.getBlockNumber());
        assert.ok(countRows(ctx.db, "transfers", "direction = 'in'") >= 3, "the deposits were indexed");
        assert.equal(countRows(ctx.db, "transfers", `confirmed = 1 AND block_number > ${head - expectedDepth}`), 0);
        assert.equal(countRows(ctx.db, "transfers", `confirmed = 0 AND block_number <= ${head - expectedDepth}`), 0);
        assert.ok(countRows(ctx.db, "transfers", "confirmed = 0") > 0, "the newest deposits wait");
      } finally {
        closeDatabase(ctx.db);
      }
    });
});
