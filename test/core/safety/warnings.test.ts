import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, parseUnits } from "viem";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { executeProposal } from "../../../core/proposals/execute.ts";
import { proposePayment, proposeTransaction } from "../../../core/proposals/propose.ts";
import { cancelProposal } from "../../../core/proposals/reject.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { getProposal, type ProposalView } from "../../../core/proposals/view.ts";
import { invoiceNumbers } from "../../../core/safety/warnings.ts";
import { erc20Abi } from "../../../core/tokens.ts";
import { signProposal, startTreasury, type TreasuryFixture } from "../proposals/setup.ts";

const acme = getAddress("0x1111aaaa2222bbbb3333cccc4444dddd5555eeee");
const poisoned = getAddress("0x1111ffff0000000000000000000000000000eeee");
const fresh = getAddress("0x4444aaaa2222bbbb3333cccc4444dddd5555cccc");

const codes = (proposal: ProposalView) => proposal.warnings.map((warning) => warning.code);
const message = (proposal: ProposalView, code: string) => proposal.warnings.find((warning) => warning.code === code)?.message ?? "";

describe("safety warnings", () => {
  let t: TreasuryFixture;
  before(async () => {
    t = await startTreasury();
    addAddressBookEntry(t.ctx, { label: "Acme Design Studio", address: acme, addedBy: "ana" });
  });
  after(() => t?.close());

  const pay = (amount: string, payee: string, memo = "", token = "USDC", nonce?: number) =>
    proposePayment(t.ctx, { payments: [{ amount, token, payee }], proposer: "ana", memo, nonce });
  async function execute(proposal: ProposalView) {
    for (const index of [1, 2]) await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, index) });
    await executeProposal(t.ctx, { safeTxHash: proposal.safeTxHash });
  }
  const drop = (proposal: ProposalView) => cancelProposal(t.ctx, { safeTxHash: proposal.safeTxHash, by: "ana" });

  it("warns on the first payment to an address, and not once it was paid", async () => {
    const first = await pay("100", "Acme Design Studio", "Logo, INV-2004");
    assert.deepEqual(codes(first), ["first_payment_to_address"]);
    assert.match(message(first, "first_payment_to_address"), /First payment ever to Acme Design Studio/);
    assert.equal(first.simulation?.ok, true);
    await execute(first);
    const second = await pay("120", "Acme Design Studio", "Website");
    assert.deepEqual(codes(second), []);
    await drop(second);
  });

  it("warns on a look-alike of a known address (same first and last 4 digits), and not on the known one", async () => {
    const lookalike = await pay("50", poisoned);
    assert.ok(codes(lookalike).includes("lookalike_address"));
    assert.match(message(lookalike, "lookalike_address"), /looks like Acme Design Studio's 0x1111aaaa/i);
    assert.match(message(lookalike, "first_payment_to_address"), /not in the address book/);
    await drop(lookalike);
    const near = await pay("50", fresh);
    assert.ok(!codes(near).includes("lookalike_address"));
    await drop(near);
  });

  it("warns on a likely duplicate: same payee and amount, or the same invoice number", async () => {
    const sameAmount = await pay("100", acme);
    assert.ok(codes(sameAmount).includes("possible_duplicate"));
    assert.match(message(sameAmount, "possible_duplicate"), /100 USDC to Acme Design Studio was already paid/);
    await drop(sameAmount);
    const sameInvoice = await pay("75", fresh, "Printing, invoice inv-2004");
    assert.deepEqual(codes(sameInvoice).filter((code) => code === "possible_duplicate"), ["possible_duplicate"]);
    assert.match(message(sameInvoice, "possible_duplicate"), /Invoice INV-2004 is also in an executed proposal/);
    await drop(sameInvoice);
    const different = await pay("101", acme, "INV-2005");
    assert.ok(!codes(different).includes("possible_duplicate"));
    await drop(different);
    assert.deepEqual(invoiceNumbers("INV-7 and invoice #88, inv 9"), ["INV-7", "INV-9", "INV-88"]);
  });

  it("warns on a nonce conflict with another pending proposal, and not otherwise", async () => {
    const one = await pay("10", acme);
    assert.ok(!codes(one).includes("nonce_conflict"));
    const two = await pay("11", acme, "", "USDC", one.nonce);
    assert.ok(codes(two).includes("nonce_conflict"));
    assert.ok(codes(await getProposal(t.ctx, one.safeTxHash)).includes("nonce_conflict"), "recomputed on read");
    await drop(two);
    assert.ok(!codes(await getProposal(t.ctx, one.safeTxHash)).includes("nonce_conflict"), "gone once the other is cancelled");
    await drop(one);
  });

  it("warns when the balance cannot cover this payment together with other pending ones, and not when it can", async () => {
    // 5000 USDC minus 100 paid = 4900.
    const big = await pay("3000", acme);
    assert.ok(!codes(big).includes("insufficient_balance_with_pending"));
    const second = await pay("2000", fresh);
    assert.ok(codes(second).includes("insufficient_balance_with_pending"));
    assert.match(message(second, "insufficient_balance_with_pending"), /holds 4,900 USDC: enough for this 2,000 USDC, but not together with 1 other pending proposal \(3,000 USDC\), 5,000 USDC in all/);
    const dai = await pay("10", fresh, "", "DAI");
    assert.ok(!codes(dai).includes("insufficient_balance_with_pending"));
    // A replacement on the same nonce is an alternative, not an addition.
    const replacement = await pay("1500", fresh, "", "USDC", second.nonce);
    assert.ok(!codes(replacement).includes("insufficient_balance_with_pending"));
    for (const proposal of [replacement, dai, second, big]) await drop(proposal);
  });

  it("warns when simulating from the Safe fails, and not for a payment that works", async () => {
    const usdc = t.chain.deployment.tokens[0].address;
    const tooMuch = await proposeTransaction(t.ctx, {
      to: usdc,
      data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [fresh, parseUnits("1000000", 6)] }),
      proposer: "ana",
      kind: "payment",
    });
    assert.ok(codes(tooMuch).includes("simulation_failed"), JSON.stringify(tooMuch.warnings));
    assert.equal(tooMuch.simulation?.ok, false);
    await drop(tooMuch);
    const fine = await pay("1", acme);
    assert.equal(fine.simulation?.ok, true);
    assert.ok(!codes(fine).includes("simulation_failed"));
    await drop(fine);
    // The balance moves away under a pending proposal: the simulation, recomputed on read, now fails.
    const drain = await pay("4899.5", fresh);
    const queued = await pay("1", acme);
    assert.equal(queued.simulation?.ok, true);
    await execute(drain);
    const now = await getProposal(t.ctx, queued.safeTxHash);
    assert.ok(codes(now).includes("simulation_failed"), JSON.stringify(now.warnings));
    assert.match(message(now, "simulation_failed"), /fails now/);
    assert.deepEqual((await getProposal(t.ctx, drain.safeTxHash)).warnings, [], "no warnings once executed");
  });
});
