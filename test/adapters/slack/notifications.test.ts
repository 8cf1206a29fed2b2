import assert from "node:assert/strict";
import { SigningMethod } from "@safe-global/types-kit";
import { encodeFunctionData, getAddress, parseAbi, type Address, type Hex } from "viem";
import { createIndexer } from "../../../indexer/indexer.ts";
import { developmentPrivateKey } from "../../../devchain/accounts.ts";
import { proposeTransaction } from "../../../core/proposals/propose.ts";
import { reconcileProposals } from "../../../core/proposals/reconcile.ts";
import { connectSafe } from "../../../core/safe/protocol-kit.ts";
import type { FakeSlackCall } from "../../helpers/fake-slack.ts";
import { acme, blocksText, channel, chen, dana, startSlackHarness, users, type SlackHarness } from "./harness.ts";
import { connectionOf } from "../../../db/connection.ts";
import { shortHash } from "../../../core/short.ts";

const transferAbi = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);
const thresholdAbi = parseAbi(["function changeThreshold(uint256 _threshold)"]);

describe("Slack notifications of executions made outside the bot (adapters/slack/notifications)", function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(() => h?.stop());

  /** protocol-kit, signing as development account `index` (1 Ana, 2 Ben): the Safe web app's way, not this service's. */
  const kitOf = (index: number) => connectSafe({ rpcUrl: h.chain.node.url, safeAddress: h.ctx.safeAddress, signer: developmentPrivateKey(index) });

  /** Ana and Ben sign `transaction` with protocol-kit and Ben executes it; returns the chain transaction hash. */
  async function executeOutside(build: (kit: Awaited<ReturnType<typeof kitOf>>) => Promise<any>): Promise<Hex> {
    const anaKit = await kitOf(1);
    const benKit = await kitOf(2);
    let transaction = await build(anaKit);
    transaction = await anaKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
    transaction = await benKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
    const sent = await benKit.executeTransaction(transaction);
    const receipt = await h.chain.client.waitForTransactionReceipt({ hash: sent.hash as Hex });
    assert.equal(receipt.status, "success");
    return sent.hash as Hex;
  }

  /** Runs the indexer to the head and lets the Slack worker deliver; returns the channel posts made meanwhile. */
  async function indexAndDeliver(): Promise<FakeSlackCall[]> {
    const before = h.fake.callsOf("chat.postMessage").length;
    await createIndexer({ ctx: h.ctx, progress: "off" }).runOnce();
    reconcileProposals(h.ctx);
    await h.adapter.idle();
    await h.adapter.idle();
    return h.fake.callsOf("chat.postMessage").slice(before).filter((call) => call.args.channel === channel && !call.args.thread_ts);
  }


  it("announces an owner added outside the bot as “Owner added”, naming the new owner, once — not “Payment sent”", async () => {
    const txHash = await executeOutside((kit) => kit.createAddOwnerTx({ ownerAddress: dana.address, threshold: 2 }));
    const posts = await indexAndDeliver();
    const aboutIt = posts.filter((call) => String(call.args.text).includes(shortHash(txHash)));
    const said = aboutIt.map((call) => String(call.args.text)).join(" | ");
    assert.doesNotMatch(said, /Payment sent/);
    assert.equal(aboutIt.length, 1, `one post for the transaction, got: ${said}`);
    const text = String(aboutIt[0].args.text);
    assert.match(text, /Owner added/);
    // Dana is a member with a linked wallet and a Slack account.
    assert.match(text, /\*Dana\*/);
    assert.match(text, new RegExp(`<@${users.dana}>`));
    assert.match(text, /2 approvals needed/);
    assert.match(text, /nonce 0, executed outside this bot/);
    const owners = (await h.chain.client.readContract({ address: h.ctx.safeAddress, abi: parseAbi(["function getOwners() view returns (address[])"]), functionName: "getOwners" })) as Address[];
    assert.ok(owners.map((owner) => getAddress(owner)).includes(dana.address), "the chain agrees: Dana owns the Safe");
  });

  it("announces a rejection executed outside the bot as the rejection of its nonce, with no 0 ETH deposit", async () => {
    const txHash = await executeOutside((kit) => kit.createRejectionTransaction(1));
    const posts = await indexAndDeliver();
    const aboutIt = posts.filter((call) => String(call.args.text).includes(shortHash(txHash)));
    const said = aboutIt.map((call) => String(call.args.text)).join(" | ");
    assert.doesNotMatch(said, /Payment sent/);
    assert.equal(aboutIt.length, 1, `one post for the transaction, got: ${said}`);
    const text = String(aboutIt[0].args.text);
    assert.match(text, /Rejection executed/);
    assert.match(text, /nonce 1 is used up/);
    assert.ok(!posts.some((call) => /Received 0 ETH/.test(String(call.args.text))), "a rejection is no deposit");
  });

  it("names each part of a MultiSend batch that removes an owner and pays, once", async () => {
    const usdc = h.ctx.tokens.find((token) => token.symbol === "USDC")!.address;
    const txHash = await executeOutside(async (kit) => {
      const removal = await kit.createRemoveOwnerTx({ ownerAddress: chen.address, threshold: 2 });
      return kit.createTransaction({
        transactions: [
          { to: removal.data.to, value: removal.data.value, data: removal.data.data },
          { to: usdc, value: "0", data: encodeFunctionData({ abi: transferAbi, functionName: "transfer", args: [acme, 12_500_000n] }) },
        ],
      });
    });
    const posts = await indexAndDeliver();
    const aboutIt = posts.filter((call) => String(call.args.text).includes(shortHash(txHash)));
    const said = aboutIt.map((call) => String(call.args.text)).join(" | ");
    assert.doesNotMatch(said, /Payment sent/);
    assert.equal(aboutIt.length, 1, `one post for the transaction, got: ${said}`);
    const text = String(aboutIt[0].args.text);
    assert.match(text, /Safe transaction executed/);
    // Chen has no member entry: the full address names him.
    assert.match(text, new RegExp(`\`${chen.address}\` is no longer an owner; 2 approvals needed`));
    assert.match(text, /12\.5 USDC to \*Acme Design Studio\*/);
    assert.match(text, /nonce 2, executed outside this bot/);
  });

  it("shows an owner change proposed outside Slack on its card, in words", async () => {
    const proposal = await proposeTransaction(h.ctx, {
      to: h.ctx.safeAddress,
      data: encodeFunctionData({ abi: thresholdAbi, functionName: "changeThreshold", args: [3n] }),
      proposer: "ana",
      memo: "three of three",
    });
    await h.adapter.idle();
    await h.adapter.idle();
    const card = connectionOf(h.ctx.db).prepare("SELECT channel_id, message_ts FROM proposal_messages WHERE safe_tx_hash = ?").get(proposal.safeTxHash) as
      | { channel_id: string; message_ts: string }
      | undefined;
    assert.ok(card, "the proposal got a card");
    const text = blocksText(h.fake.findMessage(card.channel_id, card.message_ts));
    assert.match(text, new RegExp(`Owner change #${proposal.nonce}`));
    assert.match(text, /Require 3 approvals from now on/);
    assert.doesNotMatch(text, /Call to `0x/);
  });
});
