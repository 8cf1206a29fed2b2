import assert from "node:assert/strict";
import { parseEther, parseUnits, getAddress } from "viem";
import { connectSafe } from "../../../core/safe/protocol-kit.ts";
import { erc20Abi } from "../../../core/tokens.ts";
import { addAddressBookEntry } from "../../../core/people/address-book.ts";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { buildExecutionCall, executeProposal, recordExecution } from "../../../core/proposals/execute.ts";
import { RelayerNotConfiguredError, ThresholdNotMetError } from "../../../core/proposals/errors.ts";
import { createWalletClient, http } from "viem";
import { getProposal } from "../../../core/proposals/view.ts";
import { InvalidInputError } from "../../../core/errors.ts";
import { ana, signProposal, startTreasury, type TreasuryFixture } from "./setup.ts";
import { connectionOf } from "../../../db/connection.ts";

const acme = getAddress("0x1111aaaa2222bbbb3333cccc4444dddd5555eeee");
const blue = getAddress("0x9999aaaa2222bbbb3333cccc4444dddd5555ffff");
const carl = getAddress("0x7777aaaa2222bbbb3333cccc4444dddd5555abcd");

describe("proposePayment → sign → execute", () => {
  let t: TreasuryFixture;
  before(async () => {
    t = await startTreasury();
    addAddressBookEntry(t.ctx, { label: "Acme Design Studio", address: acme, category: "design", addedBy: "ana" });
  });
  after(() => t?.close());

  async function approveAndExecute(safeTxHash: `0x${string}`) {
    const proposal = await getProposal(t.ctx, safeTxHash);
    const first = await submitSignature(t.ctx, { safeTxHash, signature: await signProposal(t.ctx, proposal, 1) });
    assert.equal(first.ready, false);
    const second = await submitSignature(t.ctx, { safeTxHash, signature: await signProposal(t.ctx, proposal, 3) });
    assert.equal(second.ready, true);
    assert.equal((await getProposal(t.ctx, safeTxHash)).ready, true);
    const result = await executeProposal(t.ctx, { safeTxHash });
    assert.equal(result.status, "executed");
    const after = await getProposal(t.ctx, safeTxHash);
    assert.equal(after.status, "executed");
    assert.equal(after.executedTxHash, result.txHash);
  }

  const balanceOf = (token: `0x${string}`, owner: `0x${string}`) =>
    t.ctx.client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] });

  it("pays 1.5 ETH to an address-book label, and the hash equals protocol-kit's", async () => {
    const proposal = await proposePayment(t.ctx, {
      payments: [{ amount: "1.5", token: "eth", payee: "acme design studio" }],
      proposer: "ana",
      memo: "Logo work, invoice INV-7",
      category: "design",
    });
    assert.equal(proposal.nonce, 0);
    assert.equal(proposal.kind, "payment");
    assert.equal(proposal.safeTx.to, acme);
    assert.equal(proposal.safeTx.value, parseEther("1.5"));
    assert.equal(proposal.transfers[0].label, "Acme Design Studio");
    assert.equal(proposal.transfers[0].formatted, "1.5");
    assert.ok(proposal.reviewToken.length >= 32);

    const kit = await connectSafe({ rpcUrl: t.chain.node.url, safeAddress: t.ctx.safeAddress });
    const kitTx = await kit.createTransaction({
      transactions: [{ to: proposal.safeTx.to, value: proposal.safeTx.value.toString(), data: proposal.safeTx.data, operation: proposal.safeTx.operation }],
      options: { nonce: proposal.nonce },
    });
    assert.equal(await kit.getTransactionHash(kitTx), proposal.safeTxHash);

    await approveAndExecute(proposal.safeTxHash);
    assert.equal(await t.ctx.client.getBalance({ address: acme }), parseEther("1.5"));
  });

  it("pays 250 USDC (6 decimals) to a checksummed address", async () => {
    const usdc = t.chain.deployment.tokens[0].address;
    const proposal = await proposePayment(t.ctx, { payments: [{ amount: "250", token: "USDC", payee: blue }], proposer: "ben" });
    assert.equal(proposal.nonce, 1);
    assert.equal(proposal.transfers[0].amount, parseUnits("250", 6));
    await approveAndExecute(proposal.safeTxHash);
    assert.equal(await balanceOf(usdc, blue), parseUnits("250", 6));
    assert.equal(await balanceOf(usdc, t.ctx.safeAddress), parseUnits("4750", 6));
  });

  it("pays 0.25 DAI (18 decimals) to an all-lowercase address", async () => {
    const dai = t.chain.deployment.tokens[1].address;
    const proposal = await proposePayment(t.ctx, { payments: [{ amount: "0.25", token: "DAI", payee: carl.toLowerCase() }], proposer: "ben" });
    assert.equal(proposal.transfers[0].to, carl);
    await approveAndExecute(proposal.safeTxHash);
    assert.equal(await balanceOf(dai, carl), parseUnits("0.25", 18));
  });

  it("pays three payees in one MultiSendCallOnly batch, and the hash equals protocol-kit's", async () => {
    const usdc = t.chain.deployment.tokens[0].address;
    const dai = t.chain.deployment.tokens[1].address;
    const before = await t.ctx.client.getBalance({ address: carl });
    const proposal = await proposePayment(t.ctx, {
      payments: [
        { amount: "100", token: "USDC", payee: "Acme Design Studio" },
        { amount: "1.25", token: "DAI", payee: blue },
        { amount: "0.1", token: "ETH", payee: carl },
      ],
      proposer: "chen",
      memo: "March contributors",
    });
    assert.equal(proposal.safeTx.operation, 1);
    assert.equal(proposal.safeTx.to, t.chain.deployment.contracts.multiSendCallOnly);
    assert.equal(proposal.transfers.length, 3);
    assert.equal(proposal.simulation?.ok, true);

    const kit = await connectSafe({ rpcUrl: t.chain.node.url, safeAddress: t.ctx.safeAddress });
    const kitTx = await kit.createTransaction({
      transactions: [{ to: proposal.safeTx.to, value: "0", data: proposal.safeTx.data, operation: 1 }],
      options: { nonce: proposal.nonce },
    });
    assert.equal(await kit.getTransactionHash(kitTx), proposal.safeTxHash);

    await approveAndExecute(proposal.safeTxHash);
    assert.equal(await balanceOf(usdc, acme), parseUnits("100", 6));
    assert.equal(await balanceOf(dai, blue), parseUnits("1.25", 18));
    assert.equal((await t.ctx.client.getBalance({ address: carl })) - before, parseEther("0.1"));
  });

  it("executes from an owner's own wallet with buildExecutionCall, and records the outcome", async () => {
    const proposal = await proposePayment(t.ctx, { payments: [{ amount: "0.5", token: "ETH", payee: blue }], proposer: "ana" });
    await assert.rejects(buildExecutionCall(t.ctx, proposal.safeTxHash), (error: unknown) => error instanceof ThresholdNotMetError);
    for (const index of [2, 3]) await submitSignature(t.ctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, index) });
    await assert.rejects(executeProposal({ ...t.ctx, config: { ...t.ctx.config, RELAYER_PRIVATE_KEY: undefined } }, { safeTxHash: proposal.safeTxHash }), RelayerNotConfiguredError);
    const call = await buildExecutionCall(t.ctx, proposal.safeTxHash);
    assert.equal(call.to, t.ctx.safeAddress);
    const before = await t.ctx.client.getBalance({ address: blue });
    const wallet = createWalletClient({ account: ana, chain: t.ctx.client.chain, transport: http(t.ctx.rpcUrl) });
    const txHash = await wallet.sendTransaction(call);
    assert.deepEqual(await recordExecution(t.ctx, { safeTxHash: proposal.safeTxHash, txHash }), { txHash, status: "executed" });
    assert.equal((await t.ctx.client.getBalance({ address: blue })) - before, parseEther("0.5"));
    assert.equal((await getProposal(t.ctx, proposal.safeTxHash)).status, "executed");
  });

  it("refuses bad input with a message naming the problem, and stores nothing", async () => {
    const count = () => (connectionOf(t.ctx.db).prepare("SELECT COUNT(*) AS n FROM proposals").get() as { n: number }).n;
    const before = count();
    const cases: [string, string, string, RegExp][] = [
      ["-5", "USDC", blue, /negative/],
      ["0", "USDC", blue, /zero/],
      ["1e30", "USDC", blue, /exponent/],
      ["1.0000001", "USDC", blue, /7 decimals; USDC has only 6/],
      ["abc", "USDC", blue, /not an amount/],
      ["1,5", "USDC", blue, /comma/],
      ["10", "DOGE", blue, /Unknown token "DOGE"/],
      ["10", "USDC", "0x1234", /not an address/],
      ["10", "USDC", flipCase(blue), /wrong checksum/],
      ["10", "USDC", "Nobody Inc", /not in the address book/],
      ["10", "USDC", "0x0000000000000000000000000000000000000000", /zero address/],
      ["1000000", "USDC", blue, /holds 4,650 USDC, less than the 1,000,000 USDC/],
      ["100", "ETH", blue, /holds 7.9 ETH, less than the 100 ETH/],
    ];
    for (const [amount, token, payee, pattern] of cases) {
      await assert.rejects(
        proposePayment(t.ctx, { payments: [{ amount, token, payee }], proposer: "ana" }),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, `${amount} ${token} ${payee}: ${String(error)}`);
          assert.match(error.shortMessage, pattern);
          return true;
        },
      );
    }
    // A batch names which payment is wrong.
    await assert.rejects(
      proposePayment(t.ctx, { payments: [{ amount: "1", token: "USDC", payee: blue }, { amount: "x", token: "USDC", payee: blue }], proposer: "ana" }),
      /\(payment 2\)/,
    );
    assert.equal(count(), before);
  });
});

/** The same address with one letter's case flipped: a wrong EIP-55 checksum. */
function flipCase(address: string): string {
  const index = [...address].findIndex((char, i) => i > 1 && /[a-fA-F]/.test(char));
  const char = address[index];
  const flipped = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();
  return address.slice(0, index) + flipped + address.slice(index + 1);
}
