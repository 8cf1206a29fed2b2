import assert from "node:assert/strict";
import { parseEther, zeroHash, type Hex } from "viem";
import { createIndexer } from "../../indexer/indexer.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { countRows } from "./dump.ts";
import { wallet } from "./safe-helpers.ts";
import { closeDatabase } from "../../db/open.ts";

type Header = { number: string; hash: Hex; parentHash: Hex };

describe("indexer over blocks with an all-zero parent hash (hardhat_mine; indexer/block-links)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  const rpc = (method: string, params: unknown[] = []) => chain.node.provider.request({ method, params } as never) as Promise<unknown>;
  const deposit = async (value: string) => {
    const hash = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther(value) });
    await chain.client.waitForTransactionReceipt({ hash });
    return hash;
  };
  const headerOf = (number: number) => rpc("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]) as Promise<Header>;

  before(async () => {
    chain = await startTestChain({ initialFunds: null });
  });
  after(() => chain?.stop());

  it("indexes across blocks that hardhat_mine reports with a zero parent hash, near the head and far from it", async () => {
    const ctx = createTestContext(chain, { databaseFile: "zero-parents.db" });
    try {
      const indexer = createIndexer({ ctx, progress: "off", initialRange: 16 });
      await indexer.runOnce();
      const before = await deposit("1");
      const from = Number(await chain.client.getBlockNumber());
      await rpc("hardhat_mine", ["0x20"]);
      const zeroParents = [];
      for (let number = from + 1; number <= from + 0x20; number++) if ((await headerOf(number)).parentHash === zeroHash) zeroParents.push(number);
      assert.ok(zeroParents.length > 0, "hardhat_mine gives some blocks an all-zero parent hash (else this test tests nothing)");
      const afterMine = await deposit("2");
      await rpc("hardhat_mine", ["0x200"]); // far from the head: ranges read without parent links
      const last = await deposit("3");

      const result = await indexer.runOnce();
      assert.equal(result.reorgs, 0);
      assert.equal(result.toBlock, Number(await chain.client.getBlockNumber()));
      for (const hash of [before, afterMine, last]) assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${hash}' AND direction = 'in'`), 1);
    } finally {
      closeDatabase(ctx.db);
    }
  });

  it("still rolls back a real reorganisation among such blocks", async () => {
    const ctx = createTestContext(chain, { databaseFile: "zero-parents-reorg.db" });
    try {
      const indexer = createIndexer({ ctx, progress: "off" });
      await indexer.runOnce();
      const snapshot = await rpc("evm_snapshot");
      await rpc("hardhat_mine", ["0x10"]);
      const orphan = await deposit("4");
      await indexer.runOnce();
      assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${orphan}'`), 1);

      await rpc("evm_revert", [snapshot]);
      await rpc("hardhat_mine", ["0x12"]);
      const kept = await deposit("5");
      const result = await indexer.runOnce();
      assert.equal(result.reorgs, 1);
      assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${orphan}'`), 0, "the orphaned deposit is gone");
      assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${kept}'`), 1);
    } finally {
      closeDatabase(ctx.db);
    }
  });
});
