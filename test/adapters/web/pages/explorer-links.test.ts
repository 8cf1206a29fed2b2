import assert from "node:assert/strict";
import type { Server } from "node:http";
import { parseEther, parseUnits, type Address } from "viem";
import { mainnet } from "viem/chains";
import { developmentAccount, developmentPrivateKey } from "../../../../devchain/accounts.ts";
import { loadChainFacts } from "../../../../core/chain-facts.ts";
import type { TreasuryContext } from "../../../../core/context.ts";
import { executeProposal } from "../../../../core/proposals/execute.ts";
import { proposePayment } from "../../../../core/proposals/propose.ts";
import { submitSignature } from "../../../../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData } from "../../../../core/proposals/view.ts";
import { createWalletPagesRouter } from "../../../../adapters/web/pages/router.ts";
import { reviewUrl } from "../../../../adapters/web/pages/urls.ts";
import { createMetrics } from "../../../../adapters/web/metrics.ts";
import { createWebApp, listenWeb } from "../../../../adapters/web/server.ts";
import { startTestChain, type TestChain } from "../../../helpers/chain.ts";
import { createTestContext } from "../../../helpers/context.ts";
import { closeDatabase } from "../../../../db/open.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const acme: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";

/** The review page links an executed payment to the chain's explorer (core/chain-facts) unless EXPLORER_URL says otherwise. */
describe("explorer links on the review page (adapters/web/pages/router)", function () {
  this.timeout(60_000);
  let chain: TestChain;
  let ctx: TreasuryContext;
  let server: Server;
  let txHash: string;
  let page: string;

  before(async () => {
    chain = await startTestChain({ owners: [ana.address, ben.address, chen.address], threshold: 2, initialFunds: { eth: parseEther("2"), tokens: { USDC: parseUnits("10", 6) } } });
    ctx = createTestContext(chain, { env: { RELAYER_PRIVATE_KEY: developmentPrivateKey(0) } });
    // The local chain has no explorer; this treasury is told the facts of Ethereum mainnet, as one attached there would be.
    ctx.chainFacts = await loadChainFacts(mainnet.id);
    const app = createWebApp({ ctx, metrics: createMetrics(), routers: [createWalletPagesRouter({ ctx })] });
    server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    ctx.config.PUBLIC_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const proposal = await proposePayment(ctx, { payments: [{ amount: "0.25", token: "ETH", payee: acme }], proposer: "Ana", memo: "Logo" });
    for (const owner of [ana, ben]) await submitSignature(ctx, { safeTxHash: proposal.safeTxHash, signature: await owner.signTypedData(safeTxTypedData(ctx, proposal)), source: "wallet" });
    txHash = (await executeProposal(ctx, { safeTxHash: proposal.safeTxHash })).txHash;
    page = reviewUrl(ctx, await getProposal(ctx, proposal.safeTxHash));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (ctx) closeDatabase(ctx.db);
    await chain?.stop();
  });

  it("links the transaction to the chain's explorer, and names the chain, when EXPLORER_URL is unset", async () => {
    const html = await (await fetch(page)).text();
    assert.ok(html.includes(`href="${mainnet.blockExplorers.default.url}/tx/${txHash}"`), "an Etherscan link to the execution");
    assert.match(html, new RegExp(`on ${mainnet.name} \\(chain ${ctx.chainId}\\)`));
  });

  it("uses EXPLORER_URL when it is set", async () => {
    ctx.config.EXPLORER_URL = "https://explorer.example.org";
    try {
      const html = await (await fetch(page)).text();
      assert.ok(html.includes(`href="https://explorer.example.org/tx/${txHash}"`));
      assert.ok(!html.includes("etherscan.io"));
    } finally {
      ctx.config.EXPLORER_URL = undefined;
    }
  });
});
