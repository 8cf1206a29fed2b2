import assert from "node:assert/strict";
import { ChainMismatchError } from "../../indexer/chain-identity.ts";
import { IndexerError, RpcFailedError, SafeNotFoundError } from "../../indexer/errors.ts";
import { createIndexer, type CreateIndexerParameters } from "../../indexer/indexer.ts";
import { readCheckpoint } from "../../db/chain-mirror/read.ts";
import { writeMeta } from "../../db/meta.ts";
import { generateSafeHistory } from "../../scripts/bench/indexer-history.ts";
import type { TreasuryContext } from "../../core/context.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { createTestContext } from "../helpers/context.ts";
import { countRows, dumpMirror } from "./dump.ts";
import { startRpcProxy, type JsonRpcCall, type ProxyAction, type RpcProxy } from "./rpc-proxy.ts";
import { closeDatabase } from "../../db/open.ts";

const blockRange = (call: JsonRpcCall) => {
  const filter = call.params[0] as { fromBlock: string; toBlock: string };
  return Number(filter.toBlock) - Number(filter.fromBlock) + 1;
};

describe("indexer RPC failures and bad input (indexer/rpc)", function () {
  this.timeout(60_000);
  let chain: TestChain;
  let reference: TreasuryContext;
  let proxy: RpcProxy | undefined;
  let databases = 0;

  before(async () => {
    chain = await startTestChain();
    await generateSafeHistory({ provider: chain.node.provider, deployment: chain.deployment, executions: 12, deposits: 12, perBlock: 2 });
    reference = createTestContext(chain, { databaseFile: "reference.db" });
    await createIndexer({ ctx: reference, progress: "off" }).runOnce();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  after(async () => {
    if (reference) closeDatabase(reference.db);
    await chain?.stop();
  });

  /** A fresh database behind a proxy that misbehaves as `decide` says. */
  async function behindProxy(decide: (call: JsonRpcCall) => ProxyAction): Promise<TreasuryContext> {
    proxy = await startRpcProxy(chain.node.url, decide);
    return { ...createTestContext(chain, { databaseFile: `proxied-${++databases}.db` }), rpcUrl: proxy.url };
  }

  const quick: Partial<CreateIndexerParameters> = { progress: "off", initialRange: 1, maxRange: 2, rpcTimeoutMs: 300, retry: { attempts: 2, baseDelayMs: 10 } };

  /** Whatever was committed is exactly a clean index up to the checkpoint, and nothing is above it. */
  function assertNoPartialBatch(ctx: TreasuryContext): number {
    const checkpoint = readCheckpoint(ctx.db)?.blockNumber ?? -1;
    assert.deepEqual(dumpMirror(ctx.db, checkpoint), dumpMirror(reference.db, checkpoint));
    for (const table of ["safe_executions", "transfers", "payments", "owner_changes", "outbox"])
      assert.equal(countRows(ctx.db, table, `block_number > ${checkpoint}`), 0, table);
    return checkpoint;
  }

  it("refuses a Safe address with no code, writing nothing", async () => {
    const ctx = { ...createTestContext(chain, { databaseFile: "no-code.db" }), safeAddress: "0x000000000000000000000000000000000000dEaD" as const };
    await assert.rejects(createIndexer({ ctx, progress: "off" }).runOnce(), (error: Error) => {
      assert.ok(error instanceof SafeNotFoundError);
      assert.match(error.message, /no Safe at 0x000000000000000000000000000000000000dEaD on chain 31337: the address has no code/);
      return true;
    });
    assert.equal(readCheckpoint(ctx.db), undefined);
    assert.equal(countRows(ctx.db, "transfers"), 0);
    closeDatabase(ctx.db);
  });

  it("refuses a database of another chain, and an RPC of another chain", async () => {
    const ctx = createTestContext(chain, { databaseFile: "other-chain.db" });
    writeMeta(ctx.db, "chain_id", "1");
    await assert.rejects(createIndexer({ ctx, progress: "off" }).runOnce(), (error: Error) => {
      assert.ok(error instanceof ChainMismatchError);
      assert.match(error.message, /holds chain 1, but the RPC serves chain 31337/);
      return true;
    });
    assert.equal(readCheckpoint(ctx.db), undefined);
    closeDatabase(ctx.db);

    const other = await behindProxy((call) => (call.method === "eth_chainId" ? { kind: "result", result: "0x1" } : { kind: "forward" }));
    await assert.rejects(createIndexer({ ctx: other, ...quick }).runOnce(), (error: Error) => {
      assert.ok(error instanceof IndexerError);
      assert.match(error.message, /serves chain 1, but this treasury is on chain 31337/);
      return true;
    });
    closeDatabase(other.db);
  });

  it("asks for fewer blocks when the provider refuses a range, and still indexes everything", async () => {
    const ctx = await behindProxy((call) =>
      call.method === "eth_getLogs" && blockRange(call) > 3
        ? { kind: "error", code: -32005, message: "query returned more than 10000 results" }
        : { kind: "forward" },
    );
    const result = await createIndexer({ ctx, progress: "off", initialRange: 1000 }).runOnce();
    assert.ok(result.batches > 3);
    assert.ok(proxy!.calls.filter((call) => call.method === "eth_getLogs").every((call) => blockRange(call) <= 1000));
    assert.deepEqual(dumpMirror(ctx.db), dumpMirror(reference.db));
    closeDatabase(ctx.db);
  });

  it("gives up on an RPC that stops answering with a clear error, keeping only whole batches", async () => {
    let getLogs = 0;
    const ctx = await behindProxy((call) => (call.method === "eth_getLogs" && ++getLogs > 3 ? { kind: "hang" } : { kind: "forward" }));
    const started = Date.now();
    await assert.rejects(createIndexer({ ctx, ...quick }).runOnce(), (error: Error) => {
      assert.ok(error instanceof RpcFailedError, error.message);
      assert.match(error.message, /did not answer in time/);
      return true;
    });
    assert.ok(Date.now() - started < 15_000, "bounded retries");
    assert.ok(assertNoPartialBatch(ctx) > 0, "the first batches were committed");
    closeDatabase(ctx.db);
  });

  it("gives up on an RPC that returns malformed data, keeping only whole batches", async () => {
    let getLogs = 0;
    const ctx = await behindProxy((call) =>
      call.method === "eth_getLogs" && ++getLogs > 6 ? { kind: "raw", status: 200, body: "<html>Bad gateway</html>" } : { kind: "forward" },
    );
    await assert.rejects(createIndexer({ ctx, ...quick }).runOnce(), /malformed data/);
    assertNoPartialBatch(ctx);
    closeDatabase(ctx.db);

    const badLog = await behindProxy((call) =>
      call.method === "eth_getLogs" ? { kind: "result", result: [{ address: "0xnot-an-address", topics: [], data: "0x" }] } : { kind: "forward" },
    );
    await assert.rejects(createIndexer({ ctx: badLog, ...quick }).runOnce(), /returned a log with a bad address/);
    assert.equal(readCheckpoint(badLog.db), undefined);
    closeDatabase(badLog.db);
  });
});
