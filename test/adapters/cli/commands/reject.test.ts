import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress } from "viem";
import { cliEnvironment, runCli } from "./run-cli.ts";
import { ana, keyOf, startTreasury, type TreasuryFixture } from "../../../core/proposals/setup.ts";
import { upsertMember } from "../../../../core/people/members.ts";
import { connectionOf } from "../../../../db/connection.ts";
import { linkWallet } from "../../../helpers/wallet-links.ts";

const payee = getAddress("0x2468aaaa2222bbbb3333cccc4444dddd5555eeee");

/** `treasury reject` follows the one rule for reject and cancel (core/proposals/reject.ts), run as people would. */
describe("treasury reject: one rule for cancel and on-chain rejection", function () {
  this.timeout(120_000);
  let t: TreasuryFixture;

  const cli = (member: string, ...args: string[]) => runCli(cliEnvironment(t, member), args);
  const statusOf = (safeTxHash: string) => (connectionOf(t.ctx.db).prepare("SELECT status FROM proposals WHERE safe_tx_hash = ?").get(safeTxHash) as { status: string }).status;
  const rejectionsOn = (nonce: number) =>
    connectionOf(t.ctx.db).prepare("SELECT safe_tx_hash FROM proposals WHERE kind = 'rejection' AND nonce = ?").all(nonce) as { safe_tx_hash: string }[];
  async function pay(member: string, amount: string): Promise<{ safeTxHash: string; nonce: number }> {
    const paid = await cli(member, "pay", amount, "USDC", "to", payee, "--json");
    assert.equal(paid.code, 0, paid.err);
    return JSON.parse(paid.out) as { safeTxHash: string; nonce: number };
  }

  before(async () => {
    t = await startTreasury();
    // Ana is a member whose linked wallet owns the Safe; Dana and Eve own nothing.
    upsertMember(t.ctx, { id: "ana", name: "Ana", role: "owner" });
    upsertMember(t.ctx, { id: "dana", name: "Dana", role: "member" });
    linkWallet(t.ctx.db, "ana", ana.address);
  });
  after(() => t?.close());

  it("item 6: a non-owner who did not propose it cannot cancel; an owner cancels another's unsigned proposal off-chain", async () => {
    const proposal = await pay("dana", "5");
    const refused = await cli("eve", "reject", `#${proposal.nonce}`);
    assert.equal(refused.code, 1);
    assert.equal(refused.err.trim(), "treasury: Only the person who proposed it (dana) or an owner of the Safe can cancel this proposal.");
    assert.equal(statusOf(proposal.safeTxHash), "pending");

    const blockBefore = await t.ctx.client.getBlockNumber();
    const cancelled = await cli("ana", "reject", `#${proposal.nonce}`);
    assert.equal(cancelled.code, 0, cancelled.err);
    assert.match(cancelled.out, new RegExp(`^Cancelled nonce ${proposal.nonce} \\(nobody had approved it, so no on-chain rejection is needed`));
    assert.equal(statusOf(proposal.safeTxHash), "cancelled");
    assert.deepEqual(rejectionsOn(proposal.nonce), [], "no on-chain rejection");
    assert.equal(await t.ctx.client.getBlockNumber(), blockBefore, "no gas: nothing sent");
  });

  it("item 6: once someone signed, only an owner proposes the on-chain rejection; the proposer who is not an owner cannot", async () => {
    const proposal = await pay("dana", "6");
    const keyFile = join(t.chain.dir, "reject-owner-1.key");
    writeFileSync(keyFile, `${keyOf(1)}\n`, { mode: 0o600 });
    const signed = await cli("ana", "sign", proposal.safeTxHash, "--key-file", keyFile, "--accept-warnings");
    assert.equal(signed.code, 0, signed.err);

    const byProposer = await cli("dana", "reject", proposal.safeTxHash.slice(0, 10));
    assert.equal(byProposer.code, 1);
    assert.equal(
      byProposer.err.trim(),
      "treasury: This proposal has 1 approval, so it stays executable; only an owner of the Safe can propose its on-chain rejection.",
    );
    assert.deepEqual(rejectionsOn(proposal.nonce), []);

    const byOwner = await cli("ana", "reject", proposal.safeTxHash.slice(0, 10));
    assert.equal(byOwner.code, 0, byOwner.err);
    assert.match(byOwner.out, /^Proposed an on-chain rejection/);
    assert.equal(rejectionsOn(proposal.nonce).length, 1);
    assert.equal(statusOf(proposal.safeTxHash), "pending", "the original stays pending until the rejection executes");
  });
});
