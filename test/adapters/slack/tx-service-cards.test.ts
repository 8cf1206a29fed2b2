import assert from "node:assert/strict";
import apiKitModule from "@safe-global/api-kit";
import { createWalletClient, encodeFunctionData, getAddress, http, hashTypedData, parseAbi, parseUnits, type Address, type Hex, type PublicClient } from "viem";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { createIndexer } from "../../../indexer/indexer.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { reconcileProposals } from "../../../core/proposals/reconcile.ts";
import { createTxServiceSync, type TxServiceSync } from "../../../core/tx-service/sync.ts";
import { connectionOf } from "../../../db/connection.ts";
import { startFakeTxService, type FakeTxService } from "../../helpers/fake-tx-service.ts";
import { blocksText, channel, commandFields, startSlackHarness, users, type SlackHarness } from "./harness.ts";
import { getProposal, safeTxTypedData } from "../../../core/proposals/view.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { safeTxTypes } from "../../helpers/safe-tx-types.ts";

const SafeApiKit = ((apiKitModule as unknown as { default?: unknown }).default ?? apiKitModule) as typeof apiKitModule.default;
const erc20 = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);
const execAbi = parseAbi([
  "function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)",
]);
const zero = "0x0000000000000000000000000000000000000000" as Address;
const stranger = getAddress("0x5555aaaa2222bbbb3333cccc4444dddd5555eeee");

describe("Safe Transaction Service cards in Slack: proposals queued in the Safe app", function () {
  this.timeout(120_000);
  let h: SlackHarness;
  let service: FakeTxService;
  let sync: TxServiceSync;

  before(async () => {
    h = await startSlackHarness();
    service = await startFakeTxService({ client: h.chain.client as unknown as PublicClient, chainId: h.ctx.chainId });
    sync = createTxServiceSync({
      ctx: h.ctx,
      config: { SAFE_TX_SERVICE_URL: service.url, SAFE_TX_SERVICE_API_KEY: undefined, SAFE_TX_SERVICE_DELEGATE_KEY: undefined, SAFE_TX_SERVICE_POLL_SECONDS: 3600 },
      onChange: () => h.adapter.deps.wake(),
    });
  });
  after(async () => {
    await sync?.stop();
    await service?.stop();
    await h?.stop();
  });

  /** What the Safe app does: the owner (development account `index`) signs the SafeTx and proposes it with api-kit. */
  async function queueInSafeApp(index: number, call: { to: Address; value?: bigint; data?: Hex; nonce: number }) {
    const message = { to: call.to, value: call.value ?? 0n, data: call.data ?? "0x", operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zero, refundReceiver: zero, nonce: BigInt(call.nonce) };
    const typedData = { domain: { chainId: h.ctx.chainId, verifyingContract: h.ctx.safeAddress }, types: safeTxTypes, primaryType: "SafeTx" as const, message };
    const safeTxHash = hashTypedData(typedData);
    const owner = developmentAccount(index);
    await new SafeApiKit({ chainId: BigInt(h.ctx.chainId), txServiceUrl: service.url }).proposeTransaction({
      safeAddress: h.ctx.safeAddress,
      safeTxHash,
      safeTransactionData: { ...message, value: message.value.toString(), safeTxGas: "0", baseGas: "0", gasPrice: "0", nonce: call.nonce },
      senderAddress: owner.address,
      senderSignature: await owner.signTypedData(typedData),
      origin: "Safe{Wallet}",
    });
    return { safeTxHash, typedData };
  }

  const cardOf = (safeTxHash: Hex) => {
    const card = connectionOf(h.ctx.db).prepare("SELECT channel_id, message_ts FROM proposal_messages WHERE safe_tx_hash = ?").get(safeTxHash) as { channel_id: string; message_ts: string } | undefined;
    return card && { ...card, text: blocksText(h.fake.findMessage(card.channel_id, card.message_ts)), message: h.fake.findMessage(card.channel_id, card.message_ts) };
  };
  const settle = async () => {
    await sync.tick();
    await h.adapter.idle();
    await h.adapter.idle();
  };

  let appProposal: { safeTxHash: Hex; typedData: any };

  it("a payment queued in the Safe app gets a card in the bound channel, marked as proposed in the Safe app, with its warnings and review page", async () => {
    const usdc = h.chain.deployment.tokens.find((token) => token.symbol === "USDC")!;
    appProposal = await queueInSafeApp(2, { to: usdc.address, data: encodeFunctionData({ abi: erc20, functionName: "transfer", args: [stranger, parseUnits("75", 6)] }), nonce: 0 });
    await settle();
    const card = cardOf(appProposal.safeTxHash);
    assert.ok(card, "the proposal got a card");
    assert.equal(card.channel_id, channel);
    assert.match(card.text, /Proposed in the Safe app\* by Ben/);
    assert.match(card.text, new RegExp(`75 USDC\\* to \\*unlabelled address\\* \`${stranger}\``));
    assert.match(card.text, /Approvals 1 of 2\* \(Ben\)/);
    assert.match(card.text, /:warning: First payment ever to .*not in the address book/, "the same warnings as any other proposal");
    const review = JSON.stringify(card.message?.blocks).match(/"url":"([^"]+\/review\/[^"]+)"/);
    assert.ok(review, "a Review and sign button with the review page");
    const page = await fetch(review[1]);
    assert.equal(page.status, 200);
  });

  it("two proposals on one nonce, one from each side, show the conflict on both cards", async () => {
    const here = await proposePayment(h.ctx, { payments: [{ amount: "10", token: "USDC", payee: "Acme Design Studio" }], proposer: "ana", nonce: 0 });
    await settle();
    const conflict = /Another pending proposal uses nonce 0/;
    assert.match(cardOf(here.safeTxHash)!.text, conflict);
    assert.match(cardOf(appProposal.safeTxHash)!.text, conflict);
  });

  it("an execution from the app updates the card once", async () => {
    // Ana signs in the Safe app too, then the app executes it (any owner sends execTransaction with both signatures).
    const anaSignature = await developmentAccount(1).signTypedData(appProposal.typedData);
    await new SafeApiKit({ chainId: BigInt(h.ctx.chainId), txServiceUrl: service.url }).confirmTransaction(appProposal.safeTxHash, anaSignature);
    await settle();
    assert.match(cardOf(appProposal.safeTxHash)!.text, /Approvals 2 of 2/);
    const tx = service.transactions.get(appProposal.safeTxHash)!;
    const signatures = `0x${[...tx.confirmations]
      .sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1))
      .map((confirmation) => confirmation.signature.slice(2))
      .join("")}` as Hex;
    const wallet = createWalletClient({ account: developmentAccount(2), chain: h.chain.client.chain, transport: http(h.chain.node.url) });
    const hash = await wallet.writeContract({
      address: h.ctx.safeAddress,
      abi: execAbi,
      functionName: "execTransaction",
      args: [tx.to, BigInt(tx.value), (tx.data ?? "0x") as Hex, 0, 0n, 0n, 0n, zero, zero, signatures],
    });
    assert.equal((await h.chain.client.waitForTransactionReceipt({ hash })).status, "success");

    const updatesBefore = h.fake.callsOf("chat.update").length;
    for (let round = 0; round < 3; round++) {
      await createIndexer({ ctx: h.ctx, progress: "off" }).runOnce();
      reconcileProposals(h.ctx);
      await settle();
    }
    const card = cardOf(appProposal.safeTxHash)!;
    assert.match(card.text, /Executed/);
    const updates = h.fake.callsOf("chat.update").slice(updatesBefore).filter((call) => call.args.ts === card.message_ts);
    const executed = new Set(updates.map((call) => JSON.stringify(call.args.blocks)).filter((blocks) => /Executed/.test(blocks)));
    assert.equal(executed.size, 1, "the card turned to executed once (a sibling's refresh may repeat the same content, never a different one)");
    assert.match(JSON.stringify(updates.at(-1)?.args.blocks), /Executed/, "and stays executed");
    const cardPosts = h.fake.callsOf("chat.postMessage").filter((call) => JSON.stringify(call.args.blocks ?? "").includes(appProposal.safeTxHash));
    assert.equal(cardPosts.length, 1, "one card, never a second one");
  });

  it("Slack acknowledges at once while the service is slow; the proposal made meanwhile reaches the service afterwards", async () => {
    service.setDelay(2500);
    const ticking = sync.tick();
    const started = performance.now();
    const response = await h.slack.command(commandFields("pay 5 USDC to Acme Design Studio for stickers", users.dana));
    const ackMs = performance.now() - started;
    assert.equal(response.status, 200);
    assert.ok(ackMs < 1000, `acknowledged in ${Math.round(ackMs)} ms while the service takes 2.5 s`);
    await h.adapter.idle();
    await h.adapter.idle();
    const proposal = connectionOf(h.ctx.db).prepare("SELECT safe_tx_hash FROM proposals WHERE memo = 'stickers'").get() as { safe_tx_hash: Hex } | undefined;
    assert.ok(proposal && cardOf(proposal.safe_tx_hash), "the proposal and its card were made while the service was slow");
    await ticking;
    service.setDelay(0);
    // No delegate here: it goes to the service with its first owner signature.
    const view = await getProposal(h.ctx, proposal.safe_tx_hash, { warnings: false });
    await submitSignature(h.ctx, { safeTxHash: proposal.safe_tx_hash, signature: await developmentAccount(1).signTypedData(safeTxTypedData(h.ctx, view)) });
    await sync.tick();
    assert.ok(service.transactions.has(proposal.safe_tx_hash));
  });
});
