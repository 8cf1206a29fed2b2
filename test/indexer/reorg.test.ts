import assert from "node:assert/strict";
import { parseEther, parseUnits, type Address, type Hex } from "viem";
import { createIndexer, type IndexerBatch } from "../../indexer/indexer.ts";
import { findCommonAncestor } from "../../indexer/reorg.ts";
import { createIndexerRpc } from "../../indexer/rpc.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { erc20Abi } from "../../core/tokens.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { countRows, dumpMirror } from "./dump.ts";
import { erc20Transfer, execSafeTx, wallet } from "./safe-helpers.ts";
import { connectionOf } from "../../db/connection.ts";
import { closeDatabase } from "../../db/open.ts";

const [ana, ben] = [1, 2].map((index) => developmentAccount(index));
const payee: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
const otherPayee: Address = "0x3333333333333333333333333333333333333333";
const two = [{ account: ana, method: "typed" as const }, { account: ben, method: "typed" as const }];

describe("indexer reorgs (indexer/reorg)", function () {
  this.timeout(120_000);
  let chain: TestChain;

  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain?.stop());

  const rpcRequest = (method: string, params: unknown[] = []) => chain.node.provider.request({ method, params } as never) as Promise<unknown>;

  async function freshIndex(name: string): Promise<Record<string, unknown[]>> {
    const fresh = createTestContext(chain, { databaseFile: name });
    try {
      await createIndexer({ ctx: fresh, progress: "off" }).runOnce();
      return dumpMirror(fresh.db);
    } finally {
      closeDatabase(fresh.db);
    }
  }

  /** Every tx hash mentioned anywhere in the chain mirror. */
  function txHashesIn(ctx: TreasuryContext): Set<string> {
    const rows = connectionOf(ctx.db)
      .prepare(
        `SELECT tx_hash FROM safe_executions UNION SELECT tx_hash FROM transfers UNION SELECT tx_hash FROM payments
         UNION SELECT tx_hash FROM owner_changes UNION SELECT tx_hash FROM module_events UNION SELECT tx_hash FROM approved_hashes`,
      )
      .all() as { tx_hash: string }[];
    return new Set(rows.map((row) => row.tx_hash));
  }

  it("rolls back orphaned blocks and equals a fresh index of the final chain", async () => {
    const ctx = createTestContext(chain, { databaseFile: "followed.db" });
    const batches: IndexerBatch[] = [];
    const indexer = createIndexer({ ctx, progress: "off", onBatch: (batch) => void batches.push(batch) });
    try {
      await indexer.runOnce();
      const snapshot = await rpcRequest("evm_snapshot");

      // Blocks the indexer sees, then loses.
      const orphanPayment = await execSafeTx(chain, { to: payee, value: parseEther("2") }, two);
      const orphanDeposit = await wallet(chain, 6).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("5") });
      await chain.client.waitForTransactionReceipt({ hash: orphanDeposit });
      await execSafeTx(chain, erc20Transfer(chain.deployment.tokens[0].address, payee, parseUnits("7", 6)), two);
      await indexer.runOnce();
      assert.equal(countRows(ctx.db, "safe_executions", `safe_tx_hash = '${orphanPayment.safeTxHash}'`), 1);
      assert.ok(countRows(ctx.db, "outbox") > 0);
      const seen = txHashesIn(ctx);

      // The chain goes another way: the same nonces, other payments, more blocks.
      await rpcRequest("evm_revert", [snapshot]);
      const kept = await execSafeTx(chain, { to: otherPayee, value: parseEther("0.25") }, two);
      const dai = chain.deployment.tokens[1];
      const mint = await wallet(chain, 0).writeContract({ address: dai.address, abi: erc20Abi, functionName: "mint", args: [chain.deployment.safe.address, 99n] });
      await chain.client.waitForTransactionReceipt({ hash: mint });
      await rpcRequest("hardhat_mine", ["0x5"]);

      batches.length = 0;
      const result = await indexer.runOnce();
      assert.equal(result.reorgs, 1);
      assert.ok(batches[0].rolledBackTo !== undefined, "the batch hooks hear about the rollback first");

      const final = new Set(
        ((await Promise.all([...seen].map((hash) => chain.client.getTransactionReceipt({ hash: hash as Hex }).catch(() => undefined)))) as unknown[])
          .filter(Boolean)
          .map((receipt) => (receipt as { transactionHash: string }).transactionHash),
      );
      for (const hash of txHashesIn(ctx)) assert.ok(!seen.has(hash) || final.has(hash), `orphaned ${hash} is still in the database`);
      assert.equal(countRows(ctx.db, "safe_executions", `safe_tx_hash = '${orphanPayment.safeTxHash}'`), 0);
      assert.equal(countRows(ctx.db, "safe_executions", `safe_tx_hash = '${kept.safeTxHash}'`), 1);
      assert.deepEqual(dumpMirror(ctx.db), await freshIndex("fresh-1.db"));
    } finally {
      closeDatabase(ctx.db);
    }
  });

  it("handles a reorg to a shorter chain and keeps what was already announced from being announced again", async () => {
    const ctx = createTestContext(chain, { databaseFile: "shorter.db" });
    const indexer = createIndexer({ ctx, progress: "off" });
    try {
      await indexer.runOnce();
      const snapshot = await rpcRequest("evm_snapshot");
      const deposit = await wallet(chain, 7).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("1") });
      await chain.client.waitForTransactionReceipt({ hash: deposit });
      await rpcRequest("hardhat_mine", ["0x3"]);
      await indexer.runOnce();
      connectionOf(ctx.db).prepare("UPDATE outbox SET delivered_at = datetime('now')").run(); // Slack said it
      await rpcRequest("evm_revert", [snapshot]);
      // The same deposit lands again, one block later than before... in a shorter chain.
      await rpcRequest("hardhat_mine", ["0x1"]);
      const again = await wallet(chain, 7).sendTransaction({ to: chain.deployment.safe.address, value: parseEther("1") });
      await chain.client.waitForTransactionReceipt({ hash: again });

      const result = await indexer.runOnce();
      assert.equal(result.reorgs, 1);
      assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${deposit}'`), again === deposit ? 1 : 0);
      assert.equal(countRows(ctx.db, "transfers", `tx_hash = '${again}'`), 1);
      // The delivered announcement of the orphaned deposit stays (it was said); nothing undelivered is left over from it.
      assert.equal(countRows(ctx.db, "outbox", `delivered_at IS NULL AND payload LIKE '%${deposit}%' AND '${again}' != '${deposit}'`), 0);
      const mirror = dumpMirror(ctx.db);
      const fresh = await freshIndex("fresh-2.db");
      const { outbox: _ignored, ...rest } = mirror;
      const { outbox: _freshOutbox, ...freshRest } = fresh;
      assert.deepEqual(rest, freshRest);
    } finally {
      closeDatabase(ctx.db);
    }
  });

  it("finds the common ancestor with few requests", async () => {
    const ctx = createTestContext(chain, { databaseFile: "ancestor.db" });
    try {
      await createIndexer({ ctx, progress: "off" }).runOnce();
      const rpc = createIndexerRpc({ rpcUrl: chain.node.url, chainId: chain.deployment.chainId });
      const top = connectionOf(ctx.db).prepare("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1").get() as { number: number; hash: Hex };
      const ancestor = await findCommonAncestor(ctx.db, rpc);
      assert.equal(ancestor?.number, top.number);
      // Pretend the three highest stored blocks were orphaned.
      const stored = connectionOf(ctx.db).prepare("SELECT number FROM blocks ORDER BY number DESC").all() as { number: number }[];
      for (const { number } of stored.slice(0, 3))
        connectionOf(ctx.db).prepare("UPDATE blocks SET hash = ? WHERE number = ?").run(`0x${number.toString(16).padStart(64, "f")}`, number);
      const requests = rpc.stats.requests;
      const found = await findCommonAncestor(ctx.db, rpc);
      assert.equal(found?.number, stored[3].number);
      assert.ok(rpc.stats.requests - requests <= 6, `${rpc.stats.requests - requests} requests`);
    } finally {
      closeDatabase(ctx.db);
    }
  });
});
