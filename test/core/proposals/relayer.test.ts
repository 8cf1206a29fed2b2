import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { getAddress } from "viem";
import { createLogger } from "../../../core/logger.ts";
import { executeProposal } from "../../../core/proposals/execute.ts";
import { RelayerIsOwnerError } from "../../../core/proposals/errors.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, type ProposalView } from "../../../core/proposals/view.ts";
import { execSafeTx, selfCall } from "../../indexer/safe-helpers.ts";
import { ana, ben, relayer, signProposal, startTreasury, type TreasuryFixture } from "./setup.ts";

const payee = getAddress("0x5555aaaa2222bbbb3333cccc4444dddd5555eeee");

describe("the relayer (core/proposals/execute.ts, relayer.ts)", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;
  const logged: string[] = [];
  before(async () => {
    t = await startTreasury();
    // Keep the error lines the relayer logs, to check it stops loudly.
    t.ctx.logger = createLogger("error", new Writable({ write: (chunk, _encoding, done) => (logged.push(String(chunk)), done()) }));
  });
  after(() => t?.close());

  async function readyPayment(amount: string): Promise<ProposalView> {
    const proposal = await proposePayment(t.ctx, { payments: [{ amount, token: "USDC", payee }], proposer: "ana" });
    for (const index of [1, 2]) await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, index) });
    return proposal;
  }

  it("item 7: two executions at once both land, one after the other, with distinct relayer account nonces", async () => {
    const first = await readyPayment("10");
    const second = await readyPayment("20");
    assert.equal(second.nonce, first.nonce + 1);
    const accountNonceBefore = await t.ctx.client.getTransactionCount({ address: relayer.address });
    const results = await Promise.all([executeProposal(t.ctx, { safeTxHash: first.safeTxHash }), executeProposal(t.ctx, { safeTxHash: second.safeTxHash })]);
    assert.deepEqual(results.map((result) => result.status), ["executed", "executed"]);
    const sent = await Promise.all(results.map((result) => t.ctx.client.getTransaction({ hash: result.txHash })));
    assert.deepEqual(sent.map((transaction) => getAddress(transaction.from)), [relayer.address, relayer.address]);
    assert.deepEqual(sent.map((transaction) => transaction.nonce), [accountNonceBefore, accountNonceBefore + 1], "distinct, in order");
    for (const proposal of [first, second]) assert.equal((await getProposal(t.ctx, proposal.safeTxHash, { warnings: false })).status, "executed");
  });

  it("item 7: stops relaying, loudly, once an owner change makes the relayer an owner: a typed error, an error log, nothing sent", async () => {
    // The owners add the relayer's address as an owner, outside the bot (the Safe web app would do the same).
    await execSafeTx(t.chain, selfCall(t.chain, "addOwnerWithThreshold", [relayer.address, 2n]), [
      { account: ana, method: "typed" },
      { account: ben, method: "typed" },
    ], { executor: 7 });
    const proposal = await readyPayment("5");
    const accountNonceBefore = await t.ctx.client.getTransactionCount({ address: relayer.address });
    await assert.rejects(executeProposal(t.ctx, { safeTxHash: proposal.safeTxHash }), (error: unknown) => {
      assert.ok(error instanceof RelayerIsOwnerError);
      assert.match(error.shortMessage, new RegExp(`^The relayer ${relayer.address} \\(RELAYER_PRIVATE_KEY\\) is an owner of the Safe`));
      return true;
    });
    assert.equal(await t.ctx.client.getTransactionCount({ address: relayer.address }), accountNonceBefore, "nothing was sent");
    assert.equal((await getProposal(t.ctx, proposal.safeTxHash, { warnings: false })).status, "pending");
    const errors = logged.map((line) => JSON.parse(line) as { level: number; msg: string; relayer?: string });
    assert.ok(errors.some((line) => line.level >= 50 && /relaying stopped/.test(line.msg) && line.relayer === relayer.address), logged.join("\n"));
  });
});
