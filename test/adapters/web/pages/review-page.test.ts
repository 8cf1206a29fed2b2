import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { decodeErrorResult, encodeFunctionData, getAddress, parseEther, parseUnits, type Abi, type Address, type Hex, type LocalAccount } from "viem";
import { loadConfig } from "../../../../app/config.ts";
import { openTreasury, type OpenTreasuryReturnType } from "../../../../app/open-treasury.ts";
import { createMetrics } from "../../../../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../../../../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../../../../adapters/web/server.ts";
import type { TreasuryContext } from "../../../../core/context.ts";
import { createLogger } from "../../../../core/logger.ts";
import { addAddressBookEntry } from "../../../../core/people/address-book.ts";
import { upsertMember } from "../../../../core/people/members.ts";
import { listProposals, type ProposalView } from "../../../../core/proposals/view.ts";
import { proposePayment, proposeTransaction } from "../../../../core/proposals/propose.ts";
import { erc20Abi } from "../../../../core/tokens.ts";
import { bundledFixture, loadFixture, type Fixture } from "../../../../demo/fixture.ts";
import { developmentAccount } from "../../../../devchain/accounts.ts";
import { launchTestBrowser } from "../../../helpers/browser.ts";
import { installTestWallet } from "../../../helpers/browser-wallet.ts";
import { startTestChain, type TestChain } from "../../../helpers/chain.ts";
import { createTestContext } from "../../../helpers/context.ts";
import { replayedFixture } from "../../../helpers/replayed-fixture.ts";
import { closeDatabase, isDatabaseOpen } from "../../../../db/open.ts";
import { databaseEnvironment } from "../../../helpers/database.ts";
import { copyTestDatabase } from "../../../helpers/copy-database.ts";
import { linkWallet } from "../../../helpers/wallet-links.ts";

/** The two screens the pages must work on: a phone (iPhone 12-15 width) and a laptop. */
const viewports = [
  { name: "phone 390×844", width: 390, height: 844 },
  { name: "desktop 1280×900", width: 1280, height: 900 },
] as const;

type Overflow = { scrollWidth: number; innerWidth: number; offenders: string[] };

/**
 * Opens every <details>, then measures: every element's box and every line of
 * text must lie within the viewport's width, and the document must not scroll
 * sideways. A string, not a function: tsx's transform would add helpers
 * (`__name`) that do not exist in the page.
 */
const measureOverflowScript = `(() => {
  for (const details of document.querySelectorAll("details")) details.open = true;
  const width = window.innerWidth;
  const offenders = [];
  const describe = (element) =>
    element ? element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + (element.className ? "." + String(element.className).split(" ").join(".") : "") : "?";
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) offenders.push(describe(element) + " spans " + Math.round(box.left) + ".." + Math.round(box.right));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects())
      if (box.left < -0.5 || box.right > width + 0.5)
        offenders.push('text "' + (node.textContent || "").trim().slice(0, 40) + '" in ' + describe(node.parentElement) + " spans " + Math.round(box.left) + ".." + Math.round(box.right));
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, offenders };
})()`;

async function measureOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(measureOverflowScript) as Promise<Overflow>;
}

async function assertFits(page: Page, what: string) {
  const overflow = await measureOverflow(page);
  assert.deepEqual(overflow.offenders, [], `${what}: wider than the ${overflow.innerWidth} px viewport`);
  assert.ok(overflow.scrollWidth <= overflow.innerWidth, `${what}: the page is ${overflow.scrollWidth} px wide in a ${overflow.innerWidth} px viewport`);
}

/** Positions where two addresses differ, ignoring case (the checksum's case is not a digit). */
function differingPositions(a: string, b: string): number[] {
  const positions: number[] = [];
  for (let index = 0; index < a.length; index++) if (a[index].toLowerCase() !== b[index].toLowerCase()) positions.push(index);
  return positions;
}

/** The look-alike comparison as the page shows it: each address's text and the positions of its highlighted characters. */
const readLookalikeScript = `[...document.querySelectorAll("#warnings [data-code='lookalike_address'] .lookalike-address")].map((row) => {
  const marked = [];
  let offset = 0;
  for (const node of row.childNodes) {
    const text = node.textContent || "";
    if (node.nodeName === "MARK") for (let index = 0; index < text.length; index++) marked.push(offset + index);
    offset += text.length;
  }
  const box = row.getBoundingClientRect();
  return { role: row.dataset.role, text: row.textContent || "", marked, top: box.top, left: box.left, font: getComputedStyle(row).fontFamily };
})`;

async function readLookalike(page: Page) {
  return page.evaluate(readLookalikeScript) as Promise<Array<{ role: string; text: string; marked: number[]; top: number; left: number; font: string }>>;
}

/** The two entries of the fixture's address book that share their first and last 4 hex digits but differ. */
function lookalikePair(fixture: Fixture): { known: { label: string; address: Address }; lookalike: { label: string; address: Address } } {
  const entries = fixture.addressBook.filter((entry) => entry.address).map((entry) => ({ label: entry.label, address: getAddress(entry.address!) }));
  const key = (address: string) => `${address.slice(2, 6)}${address.slice(-4)}`.toLowerCase();
  for (const [index, first] of entries.entries())
    for (const second of entries.slice(index + 1))
      if (first.address !== second.address && key(first.address) === key(second.address)) {
        // The known one is the one paid before: it appears first in the address book.
        return { known: first, lookalike: second };
      }
  throw new Error("the fixture has no look-alike pair");
}

/** An amount as people read it, from the fixture's decimal string: thousands separators, no trailing zeros. */
function peopleAmount(decimal: string): string {
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 20 }).format(decimal as unknown as number);
}

describe("the review page on a phone and a desktop, in Chromium (adapters/web/pages/review-page.ts)", function () {
  this.timeout(300_000);
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    browser = (await launchTestBrowser()).browser;
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });

  async function newPage(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    return context.newPage();
  }

  async function serve(ctx: TreasuryContext): Promise<{ server: Server; baseUrl: string }> {
    const app = createWebApp({ ctx, metrics: createMetrics(), routers: [createWalletPagesRouter({ ctx })] });
    const server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    ctx.config.PUBLIC_URL = baseUrl;
    return { server, baseUrl };
  }

  async function closeServer(server: Server | undefined) {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  }

  describe("every proposal of the replayed fixture", () => {
    let fixture: Fixture;
    let treasury: OpenTreasuryReturnType;
    let server: Server;
    let baseUrl: string;
    let proposals: ProposalView[];

    before(async () => {
      const replay = await replayedFixture();
      fixture = replay.fixture;
      // A copy: the shared replay is read by other tests.
      const dir = mkdtempSync(join(tmpdir(), "treasury-review-pages-"));
      copyTestDatabase(replay.dbPath, join(dir, "treasury.db"));
      const config = loadConfig({ RPC_URL: replay.rpcUrl, ...databaseEnvironment(join(dir, "treasury.db")), DEPLOYMENT_FILE: replay.deploymentFile, LOG_LEVEL: "silent" });
      treasury = await openTreasury({ config, logger: createLogger("silent") });
      ({ server, baseUrl } = await serve(treasury.ctx));
      proposals = await listProposals(treasury.ctx, { warnings: false });
      assert.ok(proposals.length >= fixture.timeline.filter((entry) => entry.type === "proposal").length);
    });
    after(async () => {
      await closeServer(server);
      await treasury?.close();
    });

    for (const viewport of viewports)
      it(`fits every review page in a ${viewport.name} window: no element is wider than the viewport`, async () => {
        const page = await newPage(viewport);
        for (const proposal of proposals) {
          const response = await page.goto(`${baseUrl}/review/${proposal.reviewToken}`);
          assert.equal(response?.status(), 200);
          await assertFits(page, `nonce ${proposal.nonce} (${proposal.kind}, ${proposal.status})`);
        }
      });

    it("shows every amount as people write it (thousands separators), as the fixture states it", async () => {
      const page = await newPage(viewports[0]);
      const fixtureProposals = fixture.timeline.filter((entry) => entry.type === "proposal");
      let checked = 0;
      for (const proposal of proposals.filter((candidate) => candidate.transfers.length > 0)) {
        const source = fixtureProposals.find((entry) => entry.memo === proposal.memo);
        assert.ok(source && "transfers" in source && source.transfers, `fixture proposal for "${proposal.memo}"`);
        await page.goto(`${baseUrl}/review/${proposal.reviewToken}`);
        const cells = await page.$$eval("#transfers tbody td.amount", (tds) => tds.map((td) => td.textContent ?? ""));
        assert.equal(cells.length, source.transfers.length);
        for (const [index, transfer] of source.transfers.entries()) {
          assert.ok(cells[index].includes(`${peopleAmount(transfer.amount)} ${transfer.token}`), `${proposal.memo}: "${cells[index]}"`);
          checked++;
        }
      }
      assert.ok(checked > 0);
    });

    it("compares the look-alike payee with the known address one above the other, highlighting exactly the digits that differ", async () => {
      const pair = lookalikePair(fixture);
      const proposal = proposals.find((candidate) => candidate.status === "pending" && candidate.transfers.some((transfer) => transfer.to === pair.lookalike.address));
      assert.ok(proposal, "the fixture's pending payment to the look-alike address");
      const expected = differingPositions(pair.lookalike.address, pair.known.address);
      assert.ok(expected.length > 0 && expected.length < 40);
      for (const viewport of viewports) {
        const page = await newPage(viewport);
        await page.goto(`${baseUrl}/review/${proposal.reviewToken}`);
        const rows = await readLookalike(page);
        assert.deepEqual(rows.map((row) => [row.role, row.text]), [["payee", pair.lookalike.address], ["known", pair.known.address]]);
        for (const row of rows) assert.deepEqual(row.marked, expected, `${viewport.name}: highlighted characters of the ${row.role} address`);
        assert.ok(rows[0].top < rows[1].top && Math.abs(rows[0].left - rows[1].left) < 1, `${viewport.name}: one above the other, aligned`);
        assert.match(rows[0].font, /mono/i);
        assert.ok((await page.textContent("#warnings [data-code='lookalike_address']"))?.includes(pair.known.label));
        await assertFits(page, viewport.name);
      }
    });

    it("shows who signed an executed proposal, with names and addresses, as the fixture records it", async () => {
      const page = await newPage(viewports[0]);
      const fixtureProposals = fixture.timeline.filter((entry) => entry.type === "proposal");
      const memberOf = (id: string) => fixture.members.find((member) => member.id === id)!;
      let checked = 0;
      for (const proposal of proposals.filter((candidate) => candidate.status === "executed" && candidate.kind !== "rejection")) {
        const source = fixtureProposals.find((entry) => entry.memo === proposal.memo && entry.outcome === "executed");
        assert.ok(source, `fixture proposal for "${proposal.memo}"`);
        await page.goto(`${baseUrl}/review/${proposal.reviewToken}`);
        const shown = await page.$$eval("#signed-by li", (items) => items.map((item) => ({ owner: (item as HTMLElement).dataset.owner, text: item.textContent ?? "" })));
        const expected = source.approvals.map((approval) => {
          const member = memberOf(approval.by);
          return { name: member.name, address: developmentAccount(member.account).address };
        });
        assert.deepEqual(shown.map((item) => item.owner).sort(), expected.map((signer) => signer.address).sort(), proposal.memo);
        for (const signer of expected) {
          const item = shown.find((entry) => entry.owner === signer.address)!;
          assert.ok(item.text.includes(signer.name) && item.text.includes(signer.address), `${proposal.memo}: "${item.text}"`);
        }
        checked++;
      }
      assert.equal(checked, fixtureProposals.filter((entry) => entry.outcome === "executed").length);
    });
  });

  describe("a fresh treasury, from proposal to execution", () => {
    const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
    let fixture: Fixture;
    let chain: TestChain;
    let ctx: TreasuryContext;
    let server: Server;
    let baseUrl: string;
    let payment: ProposalView;
    let overdraft: ProposalView;
    const names = new Map<Address, string>();

    before(async () => {
      fixture = loadFixture(bundledFixture);
      chain = await startTestChain({
        owners: [ana.address, ben.address, chen.address],
        threshold: 2,
        initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
      });
      ctx = createTestContext(chain);
      ({ server, baseUrl } = await serve(ctx));
      // Ana and Ben as the fixture names them, with linked wallets.
      for (const owner of [ana, ben]) {
        const member = fixture.members.find((candidate) => developmentAccount(candidate.account).address === owner.address)!;
        upsertMember(ctx, { id: member.id, name: member.name, role: "owner" });
        linkWallet(ctx.db, member.id, owner.address);
        names.set(owner.address, member.name);
      }
      const pair = lookalikePair(fixture);
      addAddressBookEntry(ctx, { label: pair.known.label, address: pair.known.address, addedBy: "test" });
      payment = await proposePayment(ctx, { payments: [{ amount: "2200", token: "USDC", payee: pair.lookalike.address }], proposer: "Dana", memo: "Hosting, new address" });
      const usdc = chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
      overdraft = await proposeTransaction(ctx, {
        to: usdc,
        data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [pair.known.address, parseUnits("1000000", 6)] }),
        proposer: "Dana",
        kind: "payment",
        memo: "More than the Safe holds",
      });
    });
    after(async () => {
      await closeServer(server);
      if (isDatabaseOpen(ctx?.db)) closeDatabase(ctx.db);
      await chain?.stop();
    });

    async function openAs(account: LocalAccount | undefined, url: string, viewport: { width: number; height: number }) {
      const page = await newPage(viewport);
      const wallet = account ? await installTestWallet(page, { account, rpcUrl: chain.node.url, chainId: ctx.chainId }) : undefined;
      const response = await page.goto(url);
      assert.equal(response?.status(), 200);
      return { page, wallet };
    }

    async function connect(page: Page, account: LocalAccount) {
      await page.click("#connect");
      await page.waitForFunction((address) => document.getElementById("wallet-status")?.textContent?.includes(address), account.address);
    }

    it("titles each warning in words, keeping the code only as data", async () => {
      for (const viewport of viewports) {
        const { page } = await openAs(undefined, `${baseUrl}/review/${payment.reviewToken}`, viewport);
        const warnings = await page.$$eval("#warnings li", (items) =>
          items.map((item) => ({ code: (item as HTMLElement).dataset.code ?? "", title: item.querySelector(".warning-title")?.textContent ?? "", text: item.textContent ?? "" })),
        );
        assert.deepEqual(warnings.map((warning) => warning.code).sort(), ["first_payment_to_address", "lookalike_address"]);
        assert.equal(warnings.find((warning) => warning.code === "first_payment_to_address")!.title, "First payment to this address");
        for (const warning of warnings) {
          assert.ok(warning.title.length > 0 && !/_/.test(warning.title), `a title in words: "${warning.title}"`);
          assert.ok(!warning.text.includes(warning.code), `no raw code in the text: ${warning.text}`);
        }
        assert.ok(((await page.textContent("#transfers")) ?? "").includes(`${peopleAmount("2200")} USDC`));
        await assertFits(page, viewport.name);
      }
    });

    it("decodes a failing simulation into the token's named error, not raw bytes", async () => {
      // What the token reverts with, decoded independently with the token's own ABI.
      const usdc = chain.deployment.tokens.find((token) => token.symbol === "USDC")!.address;
      let raw: Hex | undefined;
      try {
        await chain.client.call({ account: ctx.safeAddress, to: usdc, data: overdraft.safeTx.data });
      } catch (error) {
        for (let current: unknown = error; current && !raw; current = (current as { cause?: unknown }).cause) {
          const data = (current as { data?: unknown }).data;
          if (typeof data === "string" && data.startsWith("0x")) raw = data as Hex;
        }
      }
      assert.ok(raw, "the transfer reverts with data");
      const artifact = JSON.parse(readFileSync(join(process.cwd(), "artifacts/contracts/TestToken.sol/TestToken.json"), "utf8")) as { abi: Abi };
      const { errorName } = decodeErrorResult({ abi: artifact.abi, data: raw });
      for (const viewport of viewports) {
        const { page } = await openAs(undefined, `${baseUrl}/review/${overdraft.reviewToken}`, viewport);
        const simulation = (await page.textContent("#simulation")) ?? "";
        assert.match(simulation, /fails/);
        assert.ok(simulation.includes(errorName), simulation);
        assert.ok(!simulation.includes(raw.slice(0, 10)), `no raw selector: ${simulation}`);
        await assertFits(page, viewport.name);
      }
    });

    it("tells an owner who signed that they have, also after a reload, and keeps the page within the viewport", async () => {
      const first = await openAs(ana, `${baseUrl}/review/${payment.reviewToken}`, viewports[0]);
      await connect(first.page, ana);
      assert.equal(await first.page.isHidden("#you-signed"), true, "not signed yet");
      await first.page.click("#sign");
      await first.page.waitForSelector("#message.success");
      await first.page.waitForSelector("#you-signed:not([hidden])");
      assert.equal(await first.page.isDisabled("#sign"), true, "no second signature");
      await assertFits(first.page, "phone, after signing");

      for (const viewport of viewports) {
        const { page } = await openAs(ana, `${baseUrl}/review/${payment.reviewToken}`, viewport);
        await connect(page, ana);
        await page.waitForSelector("#you-signed:not([hidden])");
        assert.match((await page.textContent("#wallet-status")) ?? "", /you have signed/i);
        assert.match((await page.textContent(`#approval-list li[data-owner="${ana.address}"]`)) ?? "", /\(you\)/);
        assert.equal(await page.isDisabled("#sign"), true);
        await assertFits(page, `${viewport.name}, connected after signing`);
      }
      // Another owner who has not signed is not told so.
      const other = await openAs(ben, `${baseUrl}/review/${payment.reviewToken}`, viewports[0]);
      await connect(other.page, ben);
      assert.equal(await other.page.isHidden("#you-signed"), true);
      assert.equal(await other.page.isDisabled("#sign"), false);
    });

    it("shows who signed once executed: their names and addresses", async () => {
      const { page } = await openAs(ben, `${baseUrl}/review/${payment.reviewToken}`, viewports[0]);
      await connect(page, ben);
      await page.click("#sign");
      await page.waitForSelector("#execute:not([hidden]):enabled");
      await page.click("#execute");
      await page.waitForFunction(() => /Executed in transaction|failed/.test(document.getElementById("message")?.textContent ?? ""), undefined, { timeout: 60_000 });
      assert.match((await page.textContent("#message")) ?? "", /Executed in transaction/);

      for (const viewport of viewports) {
        const { page: executed } = await openAs(undefined, `${baseUrl}/review/${payment.reviewToken}`, viewport);
        assert.equal(await executed.textContent("#status"), "executed");
        const signers = await executed.$$eval("#signed-by li", (items) => items.map((item) => ({ owner: (item as HTMLElement).dataset.owner, text: item.textContent ?? "" })));
        assert.deepEqual(signers.map((signer) => signer.owner).sort(), [ana.address, ben.address].sort());
        for (const signer of signers) {
          assert.ok(signer.text.includes(signer.owner!), signer.text);
          assert.ok(signer.text.includes(names.get(signer.owner as Address)!), signer.text);
        }
        await assertFits(executed, `${viewport.name}, executed`);
      }
    });
  });
});
