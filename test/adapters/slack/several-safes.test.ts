import assert from "node:assert/strict";
import { formatEther, hashTypedData, parseAbi, parseEther, type Address } from "viem";
import { safeTxTypes } from "../../../core/safe/safe-tx.ts";
import { createSafe } from "../../../devchain/create-safe.ts";
import type { TreasuryContext } from "../../../core/context.ts";
import { listProposals } from "../../../core/proposals/view.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { createIndexer } from "../../../indexer/indexer.ts";
import { createSlackAdapter } from "../../../adapters/slack/adapter.ts";
import { SigningMethod } from "@safe-global/types-kit";
import { connectSafe } from "../../../core/safe/protocol-kit.ts";
import { developmentPrivateKey } from "../../../devchain/accounts.ts";
import { forSafe, registerSafe } from "../../../db/safes.ts";
import { readChannelBinding } from "../../../db/slack.ts";
import { eventId } from "../../helpers/fake-slack.ts";
import { testChainSafe } from "../../helpers/context.ts";
import { wallet } from "../../indexer/safe-helpers.ts";
import { acme, ana, ben, blockAction, channel, chen, commandFields, commandReply, eventCallback, startSlackHarness, users, type SlackHarness } from "./harness.ts";

const c1 = "CMAINSAFE";
const c2 = "CGRANTSSAFE";
const nonceAbi = parseAbi(["function nonce() view returns (uint256)"]);

/** "12.5" → "12.5", "5000" → "5,000": the English way of writing a decimal, done here independently of the product. */
function english(value: string): string {
  const [whole, fraction] = value.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? `.${fraction}` : ""}`;
}

describe("several Safes in one deployment: Slack channels bound to each (adapters/slack)", function () {
  this.timeout(240_000);
  let h: SlackHarness;
  let grants: TreasuryContext;
  let grantsAddress: Address;
  /** What the test sent to each Safe, in wei (the harness funds the main Safe with 10 ETH and 5000 USDC). */
  const sent = { main: parseEther("10"), grants: 0n };

  const index = async (ctx: TreasuryContext) => {
    await createIndexer({ ctx, progress: "off" }).runOnce();
  };
  const send = async (to: Address, wei: bigint) => {
    const hash = await wallet(h.chain, 6).sendTransaction({ to, value: wei });
    await h.chain.client.waitForTransactionReceipt({ hash });
  };
  const ephemeralsTo = (user: string) => h.fake.callsOf("chat.postEphemeral").filter((call) => call.args.user === user);
  const postsIn = (channelId: string) => h.fake.callsOf("chat.postMessage").filter((call) => call.args.channel === channelId);

  /** `/treasury <text>` in a channel; returns the acknowledgement's text. */
  const command = (text: string, user: string, channelId: string) => commandReply(h, commandFields(text, user, channelId));

  /** `/treasury ask <question>` in a channel; returns the answer posted in the question's thread. */
  async function ask(question: string, channelId: string): Promise<string> {
    const before = h.fake.callsOf("chat.postMessage").length;
    await command(`ask ${question}`, users.dana, channelId);
    const answers = h.fake.callsOf("chat.postMessage").slice(before).filter((call) => call.args.channel === channelId && call.args.thread_ts);
    assert.equal(answers.length, 1, `one answer to "${question}"`);
    return String(answers[0].args.text);
  }

  before(async () => {
    h = await startSlackHarness({
      moreTreasuries: async (ctx, chain) => {
        const created = await createSafe(chain.node.provider, { version: "1.4.1", flavour: "L2", owners: [ana.address, ben.address, chen.address], threshold: 2, saltNonce: 4242n });
        grantsAddress = created.address;
        const registered = registerSafe(ctx.db, { chainId: ctx.chainId, address: created.address, name: "grants", now: Math.floor(Date.now() / 1000) });
        const safe = { ...testChainSafe(chain), domain: { chainId: ctx.chainId, verifyingContract: created.address }, creationBlock: created.creationBlock };
        grants = { ...ctx, safeAddress: created.address, safe, db: forSafe(ctx.db, registered.id) };
        return [grants];
      },
    });
    await send(grantsAddress, parseEther("2"));
    sent.grants += parseEther("2");
    await index(h.ctx);
    await index(grants);
    await h.adapter.idle();
  });
  after(() => h?.stop());

  it("with several Safes, refuses to serve one address on two chains (a job could not tell them apart)", () => {
    assert.throws(
      () => createSlackAdapter({ ctx: h.ctx, config: h.ctx.config, assistant: { config: h.ctx.config }, extraTreasuries: [{ ...grants, safeAddress: h.ctx.safeAddress, chainId: h.ctx.chainId + 1 }] }),
      /cannot serve the Safe .* on both chain/,
    );
  });

  it("with several Safes, `/treasury bind` without a name lists them and binds nothing; an unknown name is refused", async () => {
    const listed = await command("bind", users.ana, c1);
    assert.match(listed, /`main`/);
    assert.match(listed, /`grants`/);
    assert.match(listed, /Nothing was bound/);
    const unknown = await command("bind treasury-of-nobody", users.ana, c1);
    assert.match(unknown, /No Safe is called "treasury-of-nobody"/);
    assert.equal(readChannelBinding(h.ctx.db, c1), undefined);
  });

  it("with several Safes, `/treasury bind <name>` binds each channel to the Safe named (owners only)", async () => {
    await command("bind grants", users.dana, c2);
    assert.equal(readChannelBinding(h.ctx.db, c2), undefined, "Dana owns neither Safe");
    await command("bind main", users.ana, c1);
    await command("bind grants", users.ana, c2);
    assert.equal(readChannelBinding(h.ctx.db, c1)?.safeAddress, h.ctx.safeAddress);
    assert.equal(readChannelBinding(h.ctx.db, c2)?.safeAddress, grantsAddress);
    assert.match(ephemeralsTo(users.ana).at(-1)?.args.text, /grants/);
  });

  it("with several Safes, `/treasury pay` in the grants channel proposes from the grants Safe (its address and nonce); a card button clicked elsewhere acts on it", async () => {
    await command("pay 1 USDC to Acme Design Studio for main one", users.dana, c1);
    await command("pay 2 USDC to Acme Design Studio for main two", users.dana, c1);
    const acknowledged = await command("pay 0.5 ETH to Acme Design Studio for a grant", users.dana, c2);
    assert.match(acknowledged, /from the Safe \*grants\*/);
    const mainPending = await listProposals(h.ctx, { status: "pending", warnings: false });
    const grantsPending = await listProposals(grants, { status: "pending", warnings: false });
    assert.deepEqual(mainPending.map((proposal) => proposal.memo).sort(), ["main one", "main two"]);
    assert.equal(grantsPending.length, 1);
    const [grant] = grantsPending;
    assert.equal(grant.memo, "a grant");
    // Signed for the grants Safe: its EIP-712 domain, computed here from the stored transaction.
    assert.equal(grant.safeTxHash, hashTypedData({ domain: { chainId: h.ctx.chainId, verifyingContract: grantsAddress }, types: safeTxTypes, primaryType: "SafeTx", message: grant.safeTx }));
    const chainNonce = await h.chain.client.readContract({ address: grantsAddress, abi: nonceAbi, functionName: "nonce" });
    assert.equal(BigInt(grant.nonce), chainNonce, "the grants Safe's own next nonce, not the main Safe's");
    assert.equal(grant.transfers[0].amount, parseEther("0.5"));
    const card = postsIn(c2).find((call) => String(call.args.text).includes("Acme") || JSON.stringify(call.args.blocks ?? "").includes(grant.safeTxHash));
    assert.ok(card, "the card is posted in the grants channel");
    assert.ok(!postsIn(c1).some((call) => JSON.stringify(call.args).includes(grant.safeTxHash)), "nothing about it in the main channel");

    // Dana proposed it; her Cancel, clicked in the main Safe's channel, cancels the grants proposal.
    const response = await h.slack.interaction(blockAction("proposal_cancel", grant.safeTxHash, users.dana, "1700000000.000100", c1));
    assert.equal(response.status, 200);
    await h.adapter.idle();
    assert.equal((await listProposals(grants, { status: "pending", warnings: false })).length, 0);
    assert.equal((await listProposals(h.ctx, { status: "pending", warnings: false })).length, 2, "the main Safe's proposals are untouched");
  });

  it("with several Safes, the payment form and `/treasury proposals` in the grants channel act on the grants Safe only", async () => {
    await command("", users.dana, c2);
    const view = await h.fake.waitFor(() => h.fake.callsOf("views.open").at(-1)?.args.view, 5000, "views.open");
    const complete = await h.slack.interaction({
      type: "view_submission",
      team: { id: "T0FAKE" },
      user: { id: users.dana },
      trigger_id: `${Date.now()}.${Math.random()}`,
      view: {
        id: "V1",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: {
          values: {
            payee_1: { value: { type: "plain_text_input", value: "Acme Design Studio" } },
            amount_1: { value: { type: "plain_text_input", value: "0.01" } },
            token_1: { value: { type: "static_select", selected_option: { value: "ETH" } } },
            memo: { value: { type: "plain_text_input", value: "grant by form" } },
          },
        },
      },
    });
    assert.equal(complete.status, 200);
    await h.adapter.idle();
    assert.deepEqual((await listProposals(grants, { status: "pending", warnings: false })).map((proposal) => proposal.memo), ["grant by form"]);
    assert.ok(!(await listProposals(h.ctx, { status: "pending", warnings: false })).some((proposal) => proposal.memo === "grant by form"));

    await command("proposals", users.dana, c2);
    const listed = String(ephemeralsTo(users.dana).at(-1)?.args.text);
    assert.match(listed, /1 pending proposal\*? in the Safe \*grants\*/);
    assert.match(listed, /0\.01 ETH/);
    assert.doesNotMatch(listed, /main one|main two/);
  });

  it("with several Safes, a proposal made outside Slack (CLI, web) gets its card in its own Safe's channel", async () => {
    const grant = await proposePayment(grants, { payments: [{ amount: "0.1", token: "ETH", payee: "Acme Design Studio" }], proposer: "cli", memo: "grant from the CLI" });
    const main = await proposePayment(h.ctx, { payments: [{ amount: "3", token: "USDC", payee: "Acme Design Studio" }], proposer: "cli", memo: "main from the CLI" });
    await h.adapter.idle();
    await h.adapter.idle();
    const cardsOf = (hash: string) => h.fake.callsOf("chat.postMessage").filter((call) => !call.args.thread_ts && JSON.stringify(call.args.blocks ?? []).includes(hash));
    await h.fake.waitFor(() => cardsOf(main.safeTxHash).length > 0, 10_000, "the main Safe's card");
    assert.deepEqual(cardsOf(grant.safeTxHash).map((call) => call.args.channel), [c2]);
    assert.deepEqual(cardsOf(main.safeTxHash).map((call) => call.args.channel), [channel]);
  });

  it("with several Safes, a deposit to the grants Safe is announced in its channel only, and the main Safe's in its own", async () => {
    await send(grantsAddress, parseEther("0.5"));
    sent.grants += parseEther("0.5");
    await send(h.ctx.safeAddress, parseEther("0.25"));
    sent.main += parseEther("0.25");
    await index(grants);
    await index(h.ctx);
    await h.adapter.idle();
    await h.adapter.idle();
    const about = (amount: string) => h.fake.callsOf("chat.postMessage").filter((call) => new RegExp(`Received ${amount.replace(".", "\\.")} ETH`).test(String(call.args.text)));
    assert.deepEqual(about("0.5").map((call) => call.args.channel), [c2]);
    assert.deepEqual(about("0.25").map((call) => call.args.channel).sort(), [c1, channel].sort());
  });

  it("with several Safes, `/treasury ask` in a channel answers from its Safe only; a DM says which Safe it used", async () => {
    const inMain = await ask("What are our balances?", c1);
    assert.match(inMain, new RegExp(`${english(formatEther(sent.main)).replace(".", "\\.")} ETH`));
    assert.match(inMain, /5,000 USDC/);
    const inGrants = await ask("What are our balances?", c2);
    assert.match(inGrants, new RegExp(`${english(formatEther(sent.grants)).replace(".", "\\.")} ETH`));
    assert.doesNotMatch(inGrants, /5,000 USDC/);

    const before = postsIn("DDANA").length;
    const dm = { type: "message", channel_type: "im", channel: "DDANA", user: users.dana, text: "What are our balances?", ts: "1700000001.000200" };
    assert.equal((await h.slack.event(eventCallback(dm, eventId()))).status, 200);
    await h.adapter.idle();
    const answer = postsIn("DDANA").slice(before).at(-1);
    assert.match(String(answer?.args.text), /^Safe “main”: /);
  });

  it("with several Safes, the assistant answers across all Safes with the sum of what each holds, names a Safe, and refuses an unknown one", async () => {
    const total = english(formatEther(sent.main + sent.grants));

    const across = await ask("What are our balances across all our Safes?", c1);
    assert.match(across, /^Across all 2 Safes \(main, grants\):/);
    const totalLine = across.split("\n").find((line) => line.startsWith("Total across the Safes:"));
    assert.ok(totalLine, across);
    assert.match(totalLine, new RegExp(`\\b${total.replace(".", "\\.")} ETH`));
    assert.match(totalLine, /5,000 USDC/);

    const spanish = await ask("¿Cuál es nuestro saldo en todas las Safes?", c2);
    const spanishTotal = formatEther(sent.main + sent.grants).replace(".", ",");
    assert.match(spanish, new RegExp(`Total en las Safes: .*${spanishTotal} ETH`));

    const named = await ask("What are our balances in the grants Safe?", c1);
    assert.match(named, /^Safe “grants”: /);
    assert.match(named, new RegExp(`${english(formatEther(sent.grants)).replace(".", "\\.")} ETH`));
    assert.doesNotMatch(named, /5,000 USDC/);
    const namedEs = await ask("¿Cuál es el saldo en la Safe de grants?", c1);
    assert.match(namedEs, /^Safe «grants»: /);

    const unknown = await ask("What are our balances in the savings Safe?", c1);
    assert.match(unknown, /No Safe is called “savings” here; the Safes are: main, grants/);
    assert.doesNotMatch(unknown, /ETH/);
  });

  it("with several Safes, payments are answered per channel's Safe and summed across all Safes from what each paid", async () => {
    /** Ana and Ben sign an ETH payment to Acme from `safeAddress` with protocol-kit (the Safe web app's way) and Ben executes it. */
    const pay = async (safeAddress: Address, wei: bigint) => {
      const kitOf = (index: number) => connectSafe({ rpcUrl: h.chain.node.url, safeAddress, signer: developmentPrivateKey(index) });
      const [anaKit, benKit] = [await kitOf(1), await kitOf(2)];
      let transaction = await anaKit.createTransaction({ transactions: [{ to: acme, value: wei.toString(), data: "0x" }] });
      transaction = await anaKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      transaction = await benKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
      const sentTx = await benKit.executeTransaction(transaction);
      const receipt = await h.chain.client.waitForTransactionReceipt({ hash: sentTx.hash as `0x${string}` });
      assert.equal(receipt.status, "success");
      return receipt.transactionHash;
    };
    const paid = { main: parseEther("0.1"), grants: parseEther("0.2") + parseEther("0.05") };
    const receipts = [await pay(h.ctx.safeAddress, parseEther("0.1")), await pay(grantsAddress, parseEther("0.2")), await pay(grantsAddress, parseEther("0.05"))];
    await index(h.ctx);
    await index(grants);
    await h.adapter.idle();
    const eth = (wei: bigint) => `${english(formatEther(wei)).replace(".", "\\.")} ETH`;
    assert.match(await ask("total paid to Acme Design Studio", c1), new RegExp(`^[^\\n]*\\b${eth(paid.main)}`));
    assert.match(await ask("total paid to Acme Design Studio", c2), new RegExp(`^[^\\n]*\\b${eth(paid.grants)}`));
    const across = await ask("total paid to Acme Design Studio across all our Safes", c1);
    const total = across.split("\n").find((line) => line.startsWith("Total across the Safes:"));
    assert.match(String(total), new RegExp(`\\b${eth(paid.main + paid.grants)}`), across);
    for (const receipt of receipts) assert.ok(across.includes(receipt), `the answer cites ${receipt}, each Safe's own transaction`);
  });

  it("a Safe registered while the app runs is served once the adapter is told (`serve`): its channel binds and hears only its own deposits", async () => {
    const c3 = "CLATESAFE";
    const created = await createSafe(h.chain.node.provider, { version: "1.4.1", flavour: "L2", owners: [ana.address, ben.address], threshold: 1, saltNonce: 5151n });
    const registered = registerSafe(h.ctx.db, { chainId: h.ctx.chainId, address: created.address, name: "late", now: Math.floor(Date.now() / 1000) });
    const late: TreasuryContext = {
      ...h.ctx,
      safeAddress: created.address,
      safe: { ...testChainSafe(h.chain), domain: { chainId: h.ctx.chainId, verifyingContract: created.address }, creationBlock: created.creationBlock },
      db: forSafe(h.ctx.db, registered.id),
    };
    await command("bind late", users.ana, c3);
    assert.equal(readChannelBinding(h.ctx.db, c3), undefined, "not served yet: nothing is bound to it");

    h.adapter.serve(late);
    h.adapter.serve(late); // twice changes nothing
    await command("bind late", users.ana, c3);
    assert.equal(readChannelBinding(h.ctx.db, c3)?.safeAddress, created.address);

    const before = postsIn(c3).length;
    await send(created.address, parseEther("0.5"));
    await index(late);
    await h.adapter.idle();
    const notices = postsIn(c3).slice(before).map((call) => String(call.args.text));
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.match(notices[0]!, /0\.5/);
  });
});
