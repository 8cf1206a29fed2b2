import assert from "node:assert/strict";
import { getAddress, parseUnits } from "viem";
import { SigningMethod } from "@safe-global/types-kit";
import { ProposalStateError } from "../../../core/proposals/errors.ts";
import { executeProposal } from "../../../core/proposals/execute.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { reconcileProposals } from "../../../core/proposals/reconcile.ts";
import { cancelProposal, proposeRejection } from "../../../core/proposals/reject.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { listProposalUpdates, listStoredProposals } from "../../../db/proposals.ts";
import { getProposal, type ProposalView } from "../../../core/proposals/view.ts";
import { connectSafe } from "../../../core/safe/protocol-kit.ts";
import { erc20Abi } from "../../../core/tokens.ts";
import { keyOf, signProposal, startTreasury, type TreasuryFixture } from "./setup.ts";
import { connectionOf } from "../../../db/connection.ts";

const payee = getAddress("0x3333aaaa2222bbbb3333cccc4444dddd5555eeee");

describe("reject, replace and cancel", () => {
  let t: TreasuryFixture;
  before(async () => {
    t = await startTreasury();
  });
  after(() => t?.close());

  const pay = (amount: string, nonce?: number) => proposePayment(t.ctx, { payments: [{ amount, token: "USDC", payee }], proposer: "ana", nonce });
  async function approve(proposal: ProposalView, owners = [1, 2]) {
    for (const index of owners) await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, index) });
  }
  const usdcOf = (address: `0x${string}`) =>
    t.ctx.client.readContract({ address: t.chain.deployment.tokens[0].address, abi: erc20Abi, functionName: "balanceOf", args: [address] });

  it("rejects the Safe way: a zero-value call to itself on the same nonce; the original becomes rejected", async () => {
    const original = await pay("100");
    await approve(original, [1]);
    const rejection = await proposeRejection(t.ctx, { safeTxHash: original.safeTxHash, proposer: "ben" });
    assert.equal(rejection.kind, "rejection");
    assert.equal(rejection.nonce, original.nonce);
    assert.equal(rejection.rejectsSafeTxHash, original.safeTxHash);
    assert.deepEqual([rejection.safeTx.to, rejection.safeTx.value, rejection.safeTx.data, rejection.safeTx.operation], [t.ctx.safeAddress, 0n, "0x", 0]);
    assert.ok((await getProposal(t.ctx, original.safeTxHash)).warnings.some((warning) => warning.code === "nonce_conflict"));
    assert.equal(rejection.simulation?.ok, true);
    // Asking again returns the same rejection.
    assert.equal((await proposeRejection(t.ctx, { safeTxHash: original.safeTxHash, proposer: "chen" })).safeTxHash, rejection.safeTxHash);

    await approve(rejection, [2, 3]);
    assert.equal((await executeProposal(t.ctx, { safeTxHash: rejection.safeTxHash })).status, "executed");
    assert.equal((await getProposal(t.ctx, original.safeTxHash)).status, "rejected");
    assert.equal((await getProposal(t.ctx, rejection.safeTxHash)).status, "executed");
    assert.equal(await usdcOf(payee), 0n);
    const changes = listProposalUpdates(t.ctx.db).filter((update) => update.safeTxHash === original.safeTxHash).map((update) => update.change);
    assert.deepEqual(changes, ["created", "signed", "rejected"]);
  });

  it("replaces a pending proposal with a new one on the same nonce; executing one marks the other replaced", async () => {
    const first = await pay("100");
    const next = await pay("5");
    assert.equal(next.nonce, first.nonce + 1, "the queue gives the next nonce");
    const replacement = await pay("90", first.nonce);
    assert.equal(replacement.nonce, first.nonce);
    assert.ok(replacement.warnings.some((warning) => warning.code === "nonce_conflict"));
    assert.ok(!next.warnings.some((warning) => warning.code === "nonce_conflict"));
    await approve(first, [1]);
    await approve(replacement);
    assert.equal((await executeProposal(t.ctx, { safeTxHash: replacement.safeTxHash })).status, "executed");
    assert.equal((await getProposal(t.ctx, first.safeTxHash)).status, "replaced");
    assert.equal(await usdcOf(payee), parseUnits("90", 6));
    await assert.rejects(pay("1", first.nonce), /already used on-chain/);
    await assert.rejects(pay("1", first.nonce + 5), /would leave a gap/);
    await cancelProposal(t.ctx, { safeTxHash: next.safeTxHash, by: "ana" });
  });

  it("cancels a proposal nobody signed, and refuses to cancel a signed one", async () => {
    const unsigned = await pay("7");
    const cancelled = await cancelProposal(t.ctx, { safeTxHash: unsigned.safeTxHash, by: "ana" });
    assert.equal(cancelled.status, "cancelled");
    assert.deepEqual(cancelled.warnings, []);
    const signed = await pay("8");
    assert.equal(signed.nonce, unsigned.nonce, "a cancelled proposal frees its nonce");
    await approve(signed, [1]);
    await assert.rejects(cancelProposal(t.ctx, { safeTxHash: signed.safeTxHash, by: "ana" }), (error: unknown) =>
      error instanceof ProposalStateError && /reject it on-chain/.test(error.shortMessage),
    );
    await assert.rejects(cancelProposal(t.ctx, { safeTxHash: unsigned.safeTxHash, by: "ana" }), /cancelled; it cannot be cancelled/);
  });

  it("catches an execution made elsewhere (the Safe web app) from the indexer's safe_executions", async () => {
    // The proposal signed once in the previous test waits on the Safe's current nonce.
    const [mine] = listStoredProposals(t.ctx.db, { status: "pending" });
    assert.equal(mine.nonce, (await getProposal(t.ctx, mine.safeTxHash)).safeNonce);
    // Someone executes a different SafeTx on the same nonce with protocol-kit, outside this service.
    const connect = (index: number) => connectSafe({ rpcUrl: t.chain.node.url, safeAddress: t.ctx.safeAddress, signer: keyOf(index) });
    const anaKit = await connect(1);
    let transaction = await anaKit.createTransaction({ transactions: [{ to: payee, value: "1", data: "0x" }], options: { nonce: mine.nonce } });
    transaction = await anaKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
    const benKit = await connect(2);
    transaction = await benKit.signTransaction(transaction, SigningMethod.ETH_SIGN_TYPED_DATA_V4);
    const sent = await benKit.executeTransaction(transaction);
    const receipt = await t.ctx.client.waitForTransactionReceipt({ hash: sent.hash as `0x${string}` });
    const safeTxHash = await anaKit.getTransactionHash(transaction);
    // What the indexer writes for it.
    connectionOf(t.ctx.db)
      .prepare(
        `INSERT INTO safe_executions (safe_id, safe_tx_hash, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token,
           refund_receiver, signatures, success, block_number, block_time, tx_hash, log_index)
         VALUES (1, ?, ?, ?, '1', '0x', 0, '0', '0', '0', ?, ?, '0x', 1, ?, 0, ?, 0)`,
      )
      .run(safeTxHash, mine.nonce, payee, "0x0000000000000000000000000000000000000000", "0x0000000000000000000000000000000000000000", Number(receipt.blockNumber), sent.hash);
    const first = reconcileProposals(t.ctx);
    assert.deepEqual(first.changed, [mine.safeTxHash]);
    assert.equal((await getProposal(t.ctx, mine.safeTxHash)).status, "replaced");
    assert.deepEqual(reconcileProposals(t.ctx).changed, []);
  });
});
