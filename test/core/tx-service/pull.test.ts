import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, parseAbi, parseUnits, type Hex } from "viem";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { getProposal } from "../../../core/proposals/view.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { connectionOf } from "../../../db/connection.ts";
import { findAppProposal, listTxServiceRefusals } from "../../../db/tx-service.ts";
import { listNonceRivals, findStoredProposal } from "../../../db/proposals.ts";
import { developmentAccount } from "../../../devchain/accounts.ts";
import { ana, ben, chen, signProposal } from "../proposals/setup.ts";
import { entryPoints, runNode } from "../../helpers/processes.ts";
import { addBotAsDelegate, proposeInSafeApp, signInSafeApp, startTxServiceTreasury, type TxServiceFixture } from "./setup.ts";
import { databaseEnvironment } from "../../helpers/database.ts";

const payee = getAddress("0x4444aaaa2222bbbb3333cccc4444dddd5555eeee");
const erc20 = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);
const storedSignatures = (t: TxServiceFixture, hash: Hex) =>
  (connectionOf(t.ctx.db).prepare("SELECT owner FROM signatures WHERE safe_tx_hash = ? ORDER BY owner").all(hash) as { owner: string }[]).map((row) => getAddress(row.owner));

describe("Safe Transaction Service: pulling the Safe app's queue and signatures", () => {
  let t: TxServiceFixture;
  before(async () => {
    t = await startTxServiceTreasury();
    await addBotAsDelegate(t, 2);
  });
  after(() => t?.close());

  it("a signature given in the app is pulled, checked and counted here", async () => {
    const sync = t.sync({ delegate: true });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "5", token: "USDC", payee }], proposer: "ana" });
    await submitSignature(t.sctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, 1) });
    await sync.tick();
    // Chen signs in the Safe app.
    await t.app().confirmTransaction(proposal.safeTxHash, await signInSafeApp(t, 3, proposal.safeTxHash));
    const { pull } = await sync.tick();
    assert.equal(pull?.accepted, 1);
    assert.deepEqual(storedSignatures(t, proposal.safeTxHash), [ana.address, chen.address].sort((a, b) => a.localeCompare(b)).map((a) => getAddress(a)));
    const view = await getProposal(t.sctx, proposal.safeTxHash, { warnings: false });
    assert.equal(view.approvals.length, 2);
    assert.equal(view.ready, true);
    // Not pushed back: the confirmations posted are ana's (from here) and chen's (from the app), once each.
    t.clock.now += 3600;
    await sync.tick();
    const confirmations = t.service.calls("POST", new RegExp(`/v1/multisig-transactions/${proposal.safeTxHash}/confirmations/$`));
    assert.deepEqual(
      confirmations.map((call) => call.body.signature.toLowerCase()),
      [storedSignature(t, proposal.safeTxHash, ana.address), storedSignature(t, proposal.safeTxHash, chen.address)],
    );
  });

  it("a proposal queued in the Safe app is stored here, marked as proposed in the Safe app, with its payment decoded and its signature counted", async () => {
    const sync = t.sync({ delegate: true });
    const { nonce } = await nextNonceHere(t);
    const amount = parseUnits("321.5", 6);
    const usdc = t.chain.deployment.tokens.find((token) => token.symbol === "USDC")!;
    const safeTxHash = await proposeInSafeApp(t, 2, { to: usdc.address, data: encodeFunctionData({ abi: erc20, functionName: "transfer", args: [payee, amount] }), nonce });
    const { pull } = await sync.tick();
    assert.deepEqual(pull?.imported, [safeTxHash]);
    const stored = findStoredProposal(t.ctx.db, safeTxHash)!;
    assert.equal(stored.kind, "payment");
    assert.equal(stored.nonce, nonce);
    assert.deepEqual(stored.transfers.map((transfer) => [transfer.token, transfer.to, transfer.amount]), [[usdc.address, payee, amount]]);
    assert.equal(stored.proposer, `${ben.address.slice(0, 6)}…${ben.address.slice(-4)}`, "ben has no member entry here: his short address");
    assert.equal(findAppProposal(t.ctx.db, safeTxHash)?.serviceProposer, ben.address);
    assert.deepEqual(storedSignatures(t, safeTxHash), [ben.address]);
    // It is not pushed back to the service it came from.
    await sync.tick();
    assert.equal(t.service.calls("POST", /multisig-transactions\/$/).filter((call) => call.body?.contractTransactionHash === safeTxHash).length, 1);
  });

  it("two proposals on one nonce, one from each side, are a conflict on both", async () => {
    const sync = t.sync({ delegate: true });
    const here = await proposePayment(t.sctx, { payments: [{ amount: "8", token: "USDC", payee }], proposer: "ana" });
    await sync.tick();
    const there = await proposeInSafeApp(t, 3, { to: payee, value: 1n, nonce: here.nonce });
    await sync.tick();
    const hereStored = findStoredProposal(t.ctx.db, here.safeTxHash)!;
    const thereStored = findStoredProposal(t.ctx.db, there)!;
    assert.equal(thereStored.nonce, hereStored.nonce);
    assert.deepEqual(listNonceRivals(t.ctx.db, hereStored).map((rival) => rival.safeTxHash), [there]);
    assert.deepEqual(listNonceRivals(t.ctx.db, thereStored).map((rival) => rival.safeTxHash), [here.safeTxHash]);
  });

  it("a forged signature served by the service is refused with its reason, logged once, and not counted", async () => {
    const sync = t.sync({ delegate: true });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "3", token: "DAI", payee }], proposer: "ana" });
    await sync.tick();
    // The service claims chen signed, but the signature is dana's (not an owner).
    const dana = developmentAccount(4);
    t.service.forgeConfirmation(proposal.safeTxHash, { owner: chen.address, signature: await signInSafeAppAs(t, dana, proposal.safeTxHash) });
    const first = await sync.tick();
    assert.equal(first.pull?.accepted, 0);
    assert.equal(first.pull?.refused.length, 1);
    assert.equal(first.pull?.refused[0].reason, "other_proposal");
    assert.match(first.pull!.refused[0].message, new RegExp(`not made over this proposal: it does not come from ${chen.address}`));
    assert.deepEqual(storedSignatures(t, proposal.safeTxHash), []);
    assert.equal((await getProposal(t.sctx, proposal.safeTxHash, { warnings: false })).approvals.length, 0);
    const second = await sync.tick();
    assert.equal(second.pull?.refused.length, 0, "said once");
    assert.equal(listTxServiceRefusals(t.ctx.db).filter((refusal) => refusal.safeTxHash === proposal.safeTxHash).length, 1);
  });

  it("`treasury status` shows the sync: the last pull, items waiting to push, and what was refused", async () => {
    const sync = t.sync({ delegate: false });
    // Without the delegate key, a proposal nobody has signed waits to be pushed.
    const waiting = await proposePayment(t.sctx, { payments: [{ amount: "2", token: "USDC", payee }], proposer: "ana" });
    await sync.tick();
    const expectedWaiting = (connectionOf(t.ctx.db).prepare("SELECT COUNT(*) AS n FROM tx_service_pushes WHERE status = 'pending'").get() as { n: number }).n;
    assert.ok(expectedWaiting >= 1);
    const run = runNode(entryPoints.cli, ["status"], {
      RPC_URL: t.chain.node.url,
      ...databaseEnvironment(t.ctx.config.DATABASE_PATH!),
      DEPLOYMENT_FILE: t.chain.deploymentFile,
      LOG_LEVEL: "silent",
    });
    assert.equal(await run.exited, 0, run.stderr());
    const out = run.stdout();
    assert.match(out, new RegExp(`Last pull +${new Date(t.clock.now * 1000).toISOString().slice(0, 16)}`));
    assert.match(out, new RegExp(`Waiting to push +${expectedWaiting} \\(waiting for a first owner signature`));
    assert.match(out, /Refused from the service: 0x[0-9a-f]{8}… other_proposal: This signature was not made over this proposal/);
    void waiting;
  });
});

function storedSignature(t: TxServiceFixture, hash: Hex, owner: string): string {
  return (connectionOf(t.ctx.db).prepare("SELECT signature FROM signatures WHERE safe_tx_hash = ? AND owner = ?").get(hash, owner) as { signature: string }).signature.toLowerCase();
}

async function nextNonceHere(t: TxServiceFixture): Promise<{ nonce: number }> {
  const pending = connectionOf(t.ctx.db).prepare("SELECT MAX(nonce) AS n FROM proposals WHERE status = 'pending'").get() as { n: number | null };
  return { nonce: (pending.n ?? -1) + 1 };
}

async function signInSafeAppAs(t: TxServiceFixture, account: ReturnType<typeof developmentAccount>, safeTxHash: Hex): Promise<Hex> {
  const index = [0, 1, 2, 3, 4, 5, 6].find((i) => developmentAccount(i).address === account.address)!;
  return signInSafeApp(t, index, safeTxHash);
}
