import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { PublicClient } from "viem";
import { createMetrics } from "../../../../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../../../../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../../../../adapters/web/server.ts";
import { createTxServiceClient } from "../../../../core/tx-service/client.ts";
import { developmentAccount } from "../../../../devchain/accounts.ts";
import { startFakeTxService, type FakeTxService } from "../../../helpers/fake-tx-service.ts";
import { startTreasury, type TreasuryFixture } from "../../../core/proposals/setup.ts";

const [ana, dana, bot] = [1, 4, 6].map((index) => developmentAccount(index));

/** The Delegate message as the Safe Transaction Service checks it, written out here rather than taken from the product. */
function delegateMessage(chainId: number, delegate: string, totp: bigint) {
  return {
    domain: { name: "Safe Transaction Service", version: "1.0", chainId },
    types: { Delegate: [{ name: "delegateAddress", type: "address" }, { name: "totp", type: "uint256" }] },
    primaryType: "Delegate" as const,
    message: { delegateAddress: delegate as `0x${string}`, totp },
  };
}

describe("Safe Transaction Service delegate page: an owner adds the bot's key as a delegate, once", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;
  let service: FakeTxService;
  let server: Server;
  let base: string;

  before(async () => {
    t = await startTreasury();
    service = await startFakeTxService({ client: t.chain.client as unknown as PublicClient, chainId: t.ctx.chainId });
    const client = createTxServiceClient({ url: service.url, chainId: t.ctx.chainId });
    const app = createWebApp({ ctx: t.ctx, metrics: createMetrics(), routers: [createWalletPagesRouter({ ctx: t.ctx, txService: { client, delegate: bot.address } })] });
    server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    await service?.stop();
    await t?.close();
  });

  const post = (body: unknown) => fetch(`${base}/api/delegate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const totpNow = () => BigInt(Math.floor(Date.now() / 1000 / 3600));

  it("explains what a delegate can and cannot do, and names the bot's address", async () => {
    const response = await fetch(`${base}/delegate`);
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.match(page, new RegExp(bot.address));
    assert.match(page, /A delegate can:<\/strong> propose transactions to the Safe app&#39;s queue|A delegate can:<\/strong> propose transactions to the Safe app's queue/);
    assert.match(page, /A delegate cannot:<\/strong> sign or approve a transaction, execute one, or move any money/);
    assert.match(page, /"page":"delegate"/);
  });

  it("hands out the Delegate message the service checks: this chain, the bot's address, the current hour", async () => {
    const typedData = (await (await fetch(`${base}/api/delegate/typed-data`)).json()) as { domain: { chainId: number; name: string }; message: { delegateAddress: string; totp: string } };
    assert.equal(typedData.domain.name, "Safe Transaction Service");
    assert.equal(typedData.domain.chainId, t.ctx.chainId);
    assert.equal(typedData.message.delegateAddress, bot.address);
    assert.ok([totpNow(), totpNow() - 1n].includes(BigInt(typedData.message.totp)));
  });

  it("refuses a signature from someone who is not an owner, and one over another delegate, saying why; nothing reaches the service", async () => {
    const byDana = await dana.signTypedData(delegateMessage(t.ctx.chainId, bot.address, totpNow()));
    const refused = await post({ signature: byDana, address: dana.address, chainId: t.ctx.chainId });
    assert.equal(refused.status, 422);
    assert.match(((await refused.json()) as { error: string }).error, /is not an owner of this Safe/);
    const otherDelegate = await ana.signTypedData(delegateMessage(t.ctx.chainId, dana.address, totpNow()));
    const wrong = await post({ signature: otherDelegate, address: ana.address, chainId: t.ctx.chainId });
    assert.equal(wrong.status, 422);
    assert.match(((await wrong.json()) as { error: string }).error, /is not .*signature of "add .* as delegate"/);
    assert.equal(service.calls("POST", /^\/v2\/delegates\/$/).length, 0);
  });

  it("an owner's signature from their wallet adds the bot as a delegate in the service", async () => {
    const signature = await ana.signTypedData(delegateMessage(t.ctx.chainId, bot.address, totpNow()));
    const response = await post({ signature, address: ana.address, chainId: t.ctx.chainId });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { delegator: ana.address });
    assert.deepEqual(service.calls("POST", /^\/v2\/delegates\/$/).map((call) => call.status), [201]);
    assert.deepEqual(service.delegates.map((entry) => [entry.safe, entry.delegate, entry.delegator]), [[t.ctx.safeAddress, bot.address, ana.address]]);
    assert.match(await (await fetch(`${base}/delegate`)).text(), /already a delegate of this Safe/);
  });
});
