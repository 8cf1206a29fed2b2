import assert from "node:assert/strict";
import { createWalletClient, encodeFunctionData, getAddress, http, toHex, type Hex } from "viem";
import { safeAbi } from "../../../core/safe/artifacts.ts";
import { SignatureRefusedError } from "../../../core/proposals/errors.ts";
import { executeProposal } from "../../../core/proposals/execute.ts";
import { proposePayment, proposeTransaction } from "../../../core/proposals/propose.ts";
import { cancelProposal } from "../../../core/proposals/reject.ts";
import { reconcileProposals } from "../../../core/proposals/reconcile.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, safeTxTypedData, type ProposalView } from "../../../core/proposals/view.ts";
import { ana, ben, chen, signProposal, startTreasury, type TreasuryFixture } from "./setup.ts";
import { connectionOf } from "../../../db/connection.ts";
import { upsertMember } from "../../../core/people/members.ts";
import { askTreasury } from "../../../assistant/ask.ts";
import { linkWallet } from "../../helpers/wallet-links.ts";

const payee = getAddress("0x2222aaaa2222bbbb3333cccc4444dddd5555eeee");

describe("submitSignature", () => {
  let t: TreasuryFixture;
  let proposal: ProposalView;
  const stored = () => (connectionOf(t.ctx.db).prepare("SELECT COUNT(*) AS n FROM signatures").get() as { n: number }).n;

  async function refused(signature: Hex | string, reason: string, pattern: RegExp, extra: object = {}) {
    const before = stored();
    await assert.rejects(submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature, ...extra }), (error: unknown) => {
      assert.ok(error instanceof SignatureRefusedError, String(error));
      assert.equal(error.reason, reason, error.shortMessage);
      assert.match(error.shortMessage, pattern);
      return true;
    });
    assert.equal(stored(), before, "nothing is stored on refusal");
  }

  before(async () => {
    t = await startTreasury();
    proposal = await proposePayment(t.ctx, { payments: [{ amount: "10", token: "USDC", payee }], proposer: "ana" });
  });
  after(() => t?.close());

  it("accepts an owner's EIP-712 signature and reports approvals", async () => {
    const result = await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, 1) });
    assert.equal(result.owner, ana.address);
    assert.equal(result.approvals.length, 1);
    assert.equal(result.threshold, 2);
    assert.equal(result.ready, false);
  });

  it("refuses the same signature twice", async () => {
    await refused(await signProposal(t.ctx, proposal, 1), "duplicate", /already stored/);
  });

  it("refuses a signer who is not an owner", async () => {
    await refused(await signProposal(t.ctx, proposal, 4), "not_owner", /not an owner/);
  });

  it("refuses malformed signatures", async () => {
    const good = await signProposal(t.ctx, proposal, 2);
    await refused("0x1234", "malformed", /2 bytes; a wallet signature is 65 bytes/);
    await refused("hello", "malformed", /not hex/);
    await refused(`${good.slice(0, 130)}1d`, "malformed", /v byte is 29/);
    const highS = (0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - BigInt(`0x${good.slice(66, 130)}`)).toString(16).padStart(64, "0");
    await refused(`${good.slice(0, 66)}${highS}${good.slice(130)}`, "malformed", /s value is too high/);
  });

  it("refuses a signature for another chain id", async () => {
    const typedData = safeTxTypedData(t.ctx, proposal);
    const onMainnet = { ...typedData, domain: { ...typedData.domain, chainId: 1 } };
    const signature = await ben.signTypedData(onMainnet);
    await refused(signature, "wrong_chain", /for chain 1, but this Safe is on chain 31337/);
    await refused(signature, "wrong_chain", /signed for chain 1/, { typedData: onMainnet });
  });

  it("refuses a signature for another Safe", async () => {
    const typedData = safeTxTypedData(t.ctx, proposal);
    const otherSafe = { ...typedData, domain: { ...typedData.domain, verifyingContract: payee } };
    const signature = await ben.signTypedData(otherSafe);
    await refused(signature, "wrong_safe", /signed for the Safe 0x2222/, { typedData: otherSafe });
    await refused(signature, "not_owner", /not an owner/);
  });

  it("refuses a signature for another nonce", async () => {
    const typedData = safeTxTypedData(t.ctx, proposal);
    const otherNonce = { ...typedData, message: { ...typedData.message, nonce: BigInt(proposal.nonce + 1) } };
    const signature = await ben.signTypedData(otherNonce);
    await refused(signature, "wrong_nonce", /for nonce 1, but this proposal is nonce 0/);
    await refused(signature, "wrong_nonce", /signed nonce 1/, { typedData: otherNonce });
  });

  it("refuses a signature over a tampered field, naming the field", async () => {
    const typedData = safeTxTypedData(t.ctx, proposal);
    const tampered = { ...typedData, message: { ...typedData.message, value: 10n ** 18n } };
    const signature = await ben.signTypedData(tampered);
    await refused(signature, "tampered_field", /"value" differs/, { typedData: tampered });
    await assert.rejects(submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature, typedData: tampered }), (error: unknown) =>
      error instanceof SignatureRefusedError && error.reason === "tampered_field" && error.field === "value",
    );
    await refused(signature, "other_proposal", /not made over this proposal/, { signer: ben.address });
    await refused(signature, "not_owner", /not an owner/);
  });

  it("refuses an owner's signature of another proposal", async () => {
    const other = await proposePayment(t.ctx, { payments: [{ amount: "11", token: "USDC", payee }], proposer: "ben" });
    await refused(await signProposal(t.ctx, other, 2), "other_proposal", /another proposal \(nonce 1/);
    await cancelProposal(t.ctx, { safeTxHash: other.safeTxHash, by: "ben" });
  });

  it("accepts an eth_sign signature (v + 4) of the safeTxHash, then executes with it", async () => {
    const raw = await ben.signMessage({ message: { raw: proposal.safeTxHash } });
    const v = parseInt(raw.slice(130), 16) + 4;
    const result = await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: `${raw.slice(0, 130)}${toHex(v).slice(2)}` });
    assert.equal(result.owner, ben.address);
    assert.equal(result.ready, true);
    const execution = await executeProposal(t.ctx, { safeTxHash: proposal.safeTxHash });
    assert.equal(execution.status, "executed");
  });

  it("refuses approvals for a proposal that is no longer pending", async () => {
    await refused(await signProposal(t.ctx, proposal, 3), "not_pending", /executed/);
  });

  it("counts an on-chain approveHash seen by the indexer as an approval", async () => {
    const next = await proposePayment(t.ctx, { payments: [{ amount: "12", token: "USDC", payee }], proposer: "ben" });
    // Chen approves on-chain; the indexer would record the ApproveHash event like this.
    const wallet = createWalletClient({ account: chen, chain: t.ctx.client.chain, transport: http(t.ctx.rpcUrl) });
    const txHash = await wallet.writeContract({ address: t.ctx.safeAddress, abi: safeAbi, functionName: "approveHash", args: [next.safeTxHash] });
    const receipt = await t.ctx.client.waitForTransactionReceipt({ hash: txHash });
    connectionOf(t.ctx.db)
      .prepare("INSERT INTO approved_hashes (safe_id, approved_hash, owner, block_number, block_time, tx_hash, log_index) VALUES (1, ?, ?, ?, ?, ?, 0)")
      .run(next.safeTxHash, chen.address, Number(receipt.blockNumber), 0, txHash);
    assert.deepEqual(reconcileProposals(t.ctx).changed, [next.safeTxHash]);
    assert.deepEqual(reconcileProposals(t.ctx).changed, [], "idempotent");
    const view = await getProposal(t.ctx, next.safeTxHash);
    assert.deepEqual(view.approvals.map((approval) => [approval.owner, approval.source]), [[chen.address, "approved_hash"]]);
    await submitSignature(t.ctx, { safeTxHash: next.safeTxHash, signature: await signProposal(t.ctx, view, 1) });
    const execution = await executeProposal(t.ctx, { safeTxHash: next.safeTxHash });
    assert.equal(execution.status, "executed");
  });

  it("refuses a removed owner with 'no longer an owner'", async () => {
    // Remove chen (owners are a linked list: ana → ben → chen; chen's previous owner is ben).
    const removal = await proposeTransaction(t.ctx, {
      to: t.ctx.safeAddress,
      data: encodeFunctionData({ abi: safeAbi, functionName: "removeOwner", args: [ben.address, chen.address, 2n] }),
      proposer: "ana",
      memo: "Chen steps down",
      kind: "owner_change",
    });
    assert.equal(removal.kind, "owner_change");
    for (const index of [1, 2]) await submitSignature(t.ctx, { safeTxHash: removal.safeTxHash, signature: await signProposal(t.ctx, removal, index) });
    assert.equal((await executeProposal(t.ctx, { safeTxHash: removal.safeTxHash })).status, "executed");
    proposal = await proposePayment(t.ctx, { payments: [{ amount: "13", token: "USDC", payee }], proposer: "ana" });
    await refused(await signProposal(t.ctx, proposal, 3), "removed_owner", /no longer an owner/);
  });

  it("keeps who approved as they were known when they signed: a later wallet link never rewrites it", async () => {
    const payment = await proposePayment(t.ctx, { payments: [{ amount: "3", token: "USDC", payee }], proposer: "ana" });
    upsertMember(t.ctx, { id: "ana-ruiz", name: "Ana Ruiz", role: "owner" });
    linkWallet(t.ctx.db, "ana-ruiz", ana.address, t.ctx.now());
    await submitSignature(t.ctx, { safeTxHash: payment.safeTxHash, signature: await signProposal(t.ctx, payment, 1) });

    // Later, a Slack user links the same wallet: the wallet now reads as theirs.
    upsertMember(t.ctx, { id: "slack-U200", name: "User U200", slackUserId: "U200", role: "member" });
    linkWallet(t.ctx.db, "slack-U200", ana.address, t.ctx.now());

    const view = await getProposal(t.ctx, payment.safeTxHash, { warnings: false });
    assert.deepEqual(view.approvals.map((approval) => approval.name), ["Ana Ruiz"]);
    assert.deepEqual(view.signedBy.map((signer) => signer.name), ["Ana Ruiz"]);
    const answer = await askTreasury({ db: t.ctx.db, config: {} }, { question: `Who approved proposal #${payment.nonce}?` });
    assert.match(answer.answer, /Ana Ruiz/);
    assert.doesNotMatch(answer.answer, /User U200/);
  });
});
