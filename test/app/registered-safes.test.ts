import assert from "node:assert/strict";
import type { Address } from "viem";
import type { Config } from "../../app/config.ts";
import { connectRegisteredSafes } from "../../app/registered-safes.ts";
import { createLogger } from "../../core/logger.ts";
import { describeTreasurySafe } from "../../core/safe/setup.ts";
import { connectionOf, handleOf } from "../../db/connection.ts";
import { listSafes, registerSafe } from "../../db/safes.ts";
import { developmentAccount } from "../../devchain/accounts.ts";
import { createSafe } from "../../devchain/create-safe.ts";
import { startRpcProxy } from "../indexer/rpc-proxy.ts";
import { startTreasury, type TreasuryFixture } from "../core/proposals/setup.ts";

/**
 * A deployment with many registered Safes, one of them behind an RPC that is
 * not there: the starting process connects them several at a time.
 */
describe("connecting the registered Safes at the start (app/registered-safes.ts)", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;
  const added: Address[] = [];

  before(async () => {
    t = await startTreasury();
    const owners = [developmentAccount(5).address, developmentAccount(6).address];
    for (let index = 0; index < 11; index += 1) {
      added.push((await createSafe(t.chain.node.provider, { version: "1.4.1", flavour: "L2", owners, threshold: 1, saltNonce: 9100n + BigInt(index) })).address);
    }
  });
  after(() => t?.close());

  it("gives every Safe its context in the registry's order, and reports the one whose RPC does not answer without stopping the rest", async () => {
    const db = handleOf(connectionOf(t.ctx.db));
    const now = Math.floor(Date.now() / 1000);
    added.forEach((address, index) =>
      // The sixth is registered with an RPC of its own that nothing answers.
      registerSafe(db, { chainId: t.ctx.chainId, address, name: `safe-${index}`, rpcUrl: index === 5 ? "http://127.0.0.1:9/" : undefined, now }),
    );
    const { contexts, unreachable } = await connectRegisteredSafes({
      config: t.ctx.config as Config,
      logger: createLogger("silent"),
      db,
      main: t.ctx,
      rpcUrl: t.chain.node.url,
    });
    const expected = listSafes(db).filter((safe) => !safe.rpcUrl);
    assert.deepEqual(
      contexts.map((ctx) => ctx.safeAddress),
      expected.map((safe) => safe.address),
    );
    assert.equal(contexts[0], t.ctx, "the deployment's own Safe first");
    assert.deepEqual(
      unreachable.map((entry) => entry.safe.address),
      [added[5]],
    );
    assert.match(unreachable[0]!.reason, /No chain answers at http:\/\/127\.0\.0\.1:9/);
    for (const ctx of contexts.slice(1)) assert.deepEqual(ctx.safe.domain, { chainId: t.ctx.chainId, verifyingContract: ctx.safeAddress });
  });

  it("connects them again with one request per Safe and one for the chain id, and describes each Safe as the first time", async () => {
    const db = handleOf(connectionOf(t.ctx.db));
    const now = Math.floor(Date.now() / 1000);
    added.forEach((address, index) => index !== 5 && registerSafe(db, { chainId: t.ctx.chainId, address, name: `safe-${index}`, now }));
    const connect = (rpcUrl: string) =>
      connectRegisteredSafes({ config: t.ctx.config as Config, logger: createLogger("silent"), db, main: t.ctx, rpcUrl }).then(({ contexts }) => contexts.slice(1));
    const first = await connect(t.chain.node.url);
    // What reading each Safe from nothing tells.
    const fresh = await Promise.all(first.map(async ({ safeAddress }) => ({ safeAddress, safe: await describeTreasurySafe(t.ctx.client, safeAddress) })));
    const proxy = await startRpcProxy(t.chain.node.url, () => ({ kind: "forward" }));
    try {
      const again = await connect(proxy.url);
      const asked = proxy.calls.reduce<Record<string, number>>((count, call) => ({ ...count, [call.method]: (count[call.method] ?? 0) + 1 }), {});
      // None of these Safes has been indexed, so the chain identity check has no block to compare.
      assert.deepEqual(asked, { eth_chainId: 1, eth_getStorageAt: first.length });
      assert.ok(first.length >= 10);
      const described = (contexts: Array<Pick<(typeof first)[number], "safeAddress" | "safe">>) => contexts.map(({ safeAddress, safe: { version, flavour, domain, contracts, creationBlock } }) => ({ safeAddress, version, flavour, domain, contracts, creationBlock }));
      assert.deepEqual(described(again), described(fresh));
    } finally {
      await proxy.close();
    }
  });
});
