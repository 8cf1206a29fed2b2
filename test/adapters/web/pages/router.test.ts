import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { getAddress, parseEther, parseUnits, type Address, type LocalAccount } from "viem";
import { developmentAccount, developmentPrivateKey } from "../../../../devchain/accounts.ts";
import { addAddressBookEntry } from "../../../../core/people/address-book.ts";
import type { TreasuryContext } from "../../../../core/context.ts";
import { upsertMember } from "../../../../core/people/members.ts";
import { erc20Abi } from "../../../../core/tokens.ts";
import { createLinkRequest } from "../../../../core/people/wallet-link.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "../../../../core/proposals/view.ts";
import { proposePayment } from "../../../../core/proposals/propose.ts";
import { submitSignature } from "../../../../core/proposals/signatures.ts";
import { createWalletPagesRouter } from "../../../../adapters/web/pages/router.ts";
import { linkUrl, reviewUrl } from "../../../../adapters/web/pages/urls.ts";
import { createMetrics } from "../../../../adapters/web/metrics.ts";
import { createWebApp, listenWeb } from "../../../../adapters/web/server.ts";
import { launchTestBrowser } from "../../../helpers/browser.ts";
import { installTestWallet, type TestWallet } from "../../../helpers/browser-wallet.ts";
import { startTestChain, type TestChain } from "../../../helpers/chain.ts";
import { createTestContext } from "../../../helpers/context.ts";
import { connectionOf } from "../../../../db/connection.ts";
import { closeDatabase } from "../../../../db/open.ts";
import { linkWallet } from "../../../helpers/wallet-links.ts";

const [ana, ben, chen, dana] = [1, 2, 3, 4].map((index) => developmentAccount(index));
const stranger = developmentAccount(9);
const acme: Address = "0xd0D87b91703CA512f7c4aD24FDA3B97130c3367d";
const hostileMemo = `Invoice INV-7 <script id="injected">window.__pwned = 1</script> & "quotes"`;

describe("wallet pages in headless Chromium (adapters/web/pages)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let ctx: TreasuryContext;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let payment: ProposalView;
  let second: ProposalView;
  const contexts: BrowserContext[] = [];

  before(async () => {
    chain = await startTestChain({
      owners: [ana.address, ben.address, chen.address],
      threshold: 2,
      initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
    });
    ctx = createTestContext(chain);
    const app = createWebApp({ ctx, metrics: createMetrics(), routers: [createWalletPagesRouter({ ctx })] });
    server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    ctx.config.PUBLIC_URL = baseUrl;
    const launched = await launchTestBrowser();
    browser = launched.browser;
    console.log(`      (${launched.source} Chromium ${browser.version()}: ${launched.executablePath})`);

    upsertMember(ctx, { id: "U-ANA", name: "Ana", role: "owner" });
    linkWallet(ctx.db, "U-ANA", ana.address);
    addAddressBookEntry(ctx, { label: "Acme <b>Design</b> Studio", address: acme, category: "design", addedBy: "test" });
    payment = await proposePayment(ctx, {
      payments: [{ amount: "250", token: "USDC", payee: acme }],
      proposer: "Dana",
      memo: hostileMemo,
      category: "design",
    });
    second = await proposePayment(ctx, { payments: [{ amount: "0.5", token: "ETH", payee: acme }], proposer: "Eli", memo: "Gas money" });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (ctx) closeDatabase(ctx.db);
    await chain?.stop();
  });

  async function openWallet(account: LocalAccount, url: string, reportedChainId?: number): Promise<{ page: Page; wallet: TestWallet }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const wallet = await installTestWallet(page, { account, rpcUrl: chain.node.url, chainId: ctx.chainId, reportedChainId });
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    return { page, wallet };
  }

  async function connect(page: Page, account: LocalAccount) {
    await page.click("#connect");
    await page.waitForFunction((address) => document.getElementById("wallet-status")?.textContent?.includes(address), account.address);
  }

  async function messageAfter(page: Page, action: () => Promise<void>, kind: "success" | "error"): Promise<string> {
    await page.evaluate(() => {
      const box = document.getElementById("message")!;
      box.className = "message";
      box.textContent = "";
    });
    await action();
    await page.waitForSelector(`#message.${kind}`, { timeout: 60_000 });
    return (await page.textContent("#message")) ?? "";
  }

  const signatureCount = (safeTxHash: string) =>
    (connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM signatures WHERE safe_tx_hash = ?").get(safeTxHash) as { n: number }).n;

  it("shows the decoded payment, checks, approvals and hashes, with what people typed escaped", async () => {
    const { page } = await openWallet(ana, reviewUrl(ctx, payment));
    assert.equal(await page.textContent("#memo"), hostileMemo);
    assert.equal(await page.$("script#injected"), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const transfers = (await page.textContent("#transfers")) ?? "";
    assert.match(transfers, /Acme <b>Design<\/b> Studio/);
    assert.match(transfers, /250 USDC/);
    assert.ok(transfers.includes(acme));
    assert.equal(await page.textContent("#proposer"), "Dana");
    assert.equal(await page.textContent("#status"), "pending");
    assert.equal(await page.textContent("#approval-count"), "0 of 2");
    assert.equal(await page.textContent("#safe-tx-hash"), payment.hashes.safeTxHash);
    assert.equal(await page.textContent("#domain-hash"), payment.hashes.domainHash);
    assert.equal(await page.textContent("#message-hash"), payment.hashes.messageHash);
    assert.match((await page.textContent("#simulation")) ?? "", /succeeds/);
    // A first payment to this address is a warning shown with its reason.
    assert.ok(((await page.textContent("#warnings")) ?? "").length > 0);
    assert.equal(await page.isDisabled("#sign"), true, "Sign waits for a connected wallet");
  });

  it("refuses to sign from a wallet on another chain, with a clear message and nothing stored", async () => {
    const { page, wallet } = await openWallet(ana, reviewUrl(ctx, second), 1);
    const message = await messageAfter(page, () => page.click("#connect"), "error");
    assert.match(message, new RegExp(`Your wallet is on chain 1; switch to chain ${ctx.chainId}`));
    assert.equal(await page.isDisabled("#sign"), true);
    assert.ok(!wallet.methods().includes("eth_signTypedData_v4"), "the wallet was never asked to sign");
    // The API refuses too, even if a script skips the page's check.
    const response = await fetch(`${baseUrl}/api/review/${second.reviewToken}/signatures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: `0x${"11".repeat(65)}`, chainId: 1 }),
    });
    assert.equal(response.status, 409);
    assert.match(((await response.json()) as { error: string }).error, /Your wallet is on chain 1/);
    assert.equal(signatureCount(second.safeTxHash), 0);
  });

  it("shows the server's refusal when a wallet that is not an owner signs", async () => {
    const { page, wallet } = await openWallet(stranger, reviewUrl(ctx, second));
    await connect(page, stranger);
    assert.match((await page.textContent("#wallet-status")) ?? "", /not an owner/);
    const message = await messageAfter(page, () => page.click("#sign"), "error");
    assert.ok(wallet.methods().includes("eth_signTypedData_v4"));
    assert.match(message, /owner/i);
    assert.equal(signatureCount(second.safeTxHash), 0);
  });

  it("takes two owners' wallet signatures, then executes from an owner's wallet: the payee is paid on-chain", async () => {
    const usdc = chain.deployment.tokens.find((token) => token.symbol === "USDC")!;
    const balanceBefore = await chain.client.readContract({ address: usdc.address, abi: erc20Abi, functionName: "balanceOf", args: [acme] });

    const anaSide = await openWallet(ana, reviewUrl(ctx, payment));
    await connect(anaSide.page, ana);
    const anaMessage = await messageAfter(anaSide.page, () => anaSide.page.click("#sign"), "success");
    assert.match(anaMessage, /1 of 2/);
    assert.equal(await anaSide.page.textContent("#approval-count"), "1 of 2");
    assert.equal(await anaSide.page.isHidden("#execute"), true, "no Execute before the threshold");
    await anaSide.page.screenshot({ path: "/tmp/review.png", fullPage: true });

    const benSide = await openWallet(ben, reviewUrl(ctx, payment));
    assert.equal(await benSide.page.textContent("#approval-count"), "1 of 2");
    assert.match((await benSide.page.textContent("#approval-list")) ?? "", /Ana/);
    await connect(benSide.page, ben);
    const benMessage = await messageAfter(benSide.page, () => benSide.page.click("#sign"), "success");
    assert.match(benMessage, /2 of 2.*ready to execute/);
    assert.equal(signatureCount(payment.safeTxHash), 2);

    await benSide.page.waitForSelector("#execute:not([hidden]):enabled");
    const executed = await messageAfter(benSide.page, () => benSide.page.click("#execute"), "success");
    assert.match(executed, /Executed in transaction 0x[0-9a-f]{64}/);
    assert.ok(benSide.wallet.methods().includes("eth_sendTransaction"));

    const balanceAfter = await chain.client.readContract({ address: usdc.address, abi: erc20Abi, functionName: "balanceOf", args: [acme] });
    assert.equal(balanceAfter - balanceBefore, parseUnits("250", 6));
    const nonce = await chain.client.readContract({
      address: ctx.safeAddress,
      abi: [{ type: "function", name: "nonce", stateMutability: "view", inputs: [], outputs: [{ type: "uint256" }] }],
      functionName: "nonce",
    });
    assert.equal(nonce, 1n);
  });

  it("proposes a rejection from the page, signed by the owner who proposes it, and links to its review page", async () => {
    // Ben has signed it, so it stays executable: rejecting it takes the Safe's on-chain rejection (unsigned, it would be cancelled).
    await submitSignature(ctx, { safeTxHash: second.safeTxHash, signature: await ben.signTypedData(safeTxTypedData(ctx, second)), source: "wallet" });
    const { page, wallet } = await openWallet(chen, reviewUrl(ctx, second));
    await connect(page, chen);
    const message = await messageAfter(page, () => page.click("#reject"), "success");
    assert.match(message, /rejection/i);
    assert.match(message, /1 of 2/);
    assert.ok(wallet.methods().includes("eth_signTypedData_v4"), "the owner signed the rejection in their wallet");
    const href = await page.getAttribute("#message-link", "href");
    assert.ok(href?.startsWith(`${baseUrl}/review/`));
    const row = connectionOf(ctx.db).prepare("SELECT kind, nonce, rejects_safe_tx_hash FROM proposals WHERE rejects_safe_tx_hash = ?").get(second.safeTxHash) as
      | { kind: string; nonce: number }
      | undefined;
    assert.equal(row?.kind, "rejection");
    assert.equal(row?.nonce, second.nonce);
    await page.goto(href!);
    assert.match((await page.textContent("h1")) ?? "", /Rejection/);
  });

  it("executes a signed rejection through the relayer: the rejected proposal can never run", async () => {
    const rejection = await getProposal(
      ctx,
      (connectionOf(ctx.db).prepare("SELECT safe_tx_hash FROM proposals WHERE rejects_safe_tx_hash = ?").get(second.safeTxHash) as { safe_tx_hash: string })
        .safe_tx_hash,
    );
    assert.deepEqual(rejection.approvals.map((approval) => approval.owner), [chen.address], "the proposer's signature is its first approval");
    for (const owner of [ana]) {
      const signature = await owner.signTypedData(safeTxTypedData(ctx, rejection));
      await submitSignature(ctx, { safeTxHash: rejection.safeTxHash, signature, source: "wallet" });
    }
    ctx.config.RELAYER_PRIVATE_KEY = developmentPrivateKey(0);
    try {
      const page = await (await browser.newContext()).newPage();
      contexts.push(page.context());
      await page.goto(reviewUrl(ctx, rejection));
      assert.equal(await page.textContent("#approval-count"), "2 of 2");
      await page.waitForSelector("#execute-relayer:not([hidden]):enabled");
      const message = await messageAfter(page, () => page.click("#execute-relayer"), "success");
      assert.match(message, /Executed by the relayer in transaction 0x[0-9a-f]{64}/);
    } finally {
      ctx.config.RELAYER_PRIVATE_KEY = undefined;
    }
    const statuses = connectionOf(ctx.db).prepare("SELECT safe_tx_hash, status FROM proposals WHERE nonce = ?").all(second.nonce) as { safe_tx_hash: string; status: string }[];
    assert.deepEqual(Object.fromEntries(statuses.map((row) => [row.safe_tx_hash, row.status])), {
      [second.safeTxHash]: "rejected",
      [rejection.safeTxHash]: "executed",
    });
  });

  it("links a wallet with a SIWE signature, once", async () => {
    upsertMember(ctx, { id: "U-DANA", name: "Dana <i>", role: "member" });
    const { token } = createLinkRequest(ctx, { memberId: "U-DANA" });
    const { page, wallet } = await openWallet(dana, linkUrl(ctx, token));
    assert.equal(await page.textContent("#member"), "Dana <i>");
    await connect(page, dana);
    const message = await messageAfter(page, () => page.click("#link"), "success");
    assert.match(message, new RegExp(`Linked ${dana.address}`));
    assert.ok(wallet.methods().includes("personal_sign"));
    const row = connectionOf(ctx.db).prepare("SELECT address FROM wallet_links WHERE member_id = ?").get("U-DANA") as { address: string } | undefined;
    assert.equal(row && getAddress(row.address), dana.address);

    const again = await page.goto(linkUrl(ctx, token));
    assert.equal(again?.status(), 410);
    assert.match((await page.textContent("main")) ?? "", /already used/);

    const expired = createLinkRequest(ctx, { memberId: "U-DANA", ttlSeconds: 0 });
    const late = await page.goto(linkUrl(ctx, expired.token));
    assert.equal(late?.status(), 410);
    assert.match((await page.textContent("main")) ?? "", /expired/);
  });

  it("answers an unknown review link with a 404 page, and bad API bodies with a 4xx and a short message", async () => {
    const page = await (await browser.newContext()).newPage();
    contexts.push(page.context());
    const response = await page.goto(`${baseUrl}/review/not-a-real-token`);
    assert.equal(response?.status(), 404);
    assert.match((await page.textContent("main")) ?? "", /No proposal has this review link/);

    const post = (path: string, body: string, type = "application/json") =>
      fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": type }, body });
    const signaturesBefore = signatureCount(second.safeTxHash);
    let answer = await post(`/api/review/${second.reviewToken}/signatures`, "{not json");
    assert.equal(answer.status, 400);
    assert.match(((await answer.json()) as { error: string }).error, /not valid JSON/);
    answer = await post(`/api/review/${second.reviewToken}/signatures`, JSON.stringify({ chainId: ctx.chainId }));
    assert.equal(answer.status, 400);
    assert.match(((await answer.json()) as { error: string }).error, /signature is missing/);
    answer = await post(`/api/review/${second.reviewToken}/signatures`, "signature=0x", "application/x-www-form-urlencoded");
    assert.equal(answer.status, 400);
    answer = await post(`/api/review/unknown/signatures`, JSON.stringify({ signature: "0x12", chainId: ctx.chainId }));
    assert.equal(answer.status, 404);
    answer = await post(`/api/review/${second.reviewToken}/signatures`, JSON.stringify({ signature: "0x1234", chainId: ctx.chainId }));
    assert.equal(answer.status, 422, "a malformed signature is refused with its reason");
    assert.equal(signatureCount(second.safeTxHash), signaturesBefore, "nothing stored");
  });
});
