import assert from "node:assert/strict";
import { getAddress, type Hex } from "viem";
import { proposePayment } from "../../../core/proposals/propose.ts";
import { submitSignature } from "../../../core/proposals/signatures.ts";
import { connectionOf } from "../../../db/connection.ts";
import { closeDatabase } from "../../../db/open.ts";
import { openDatabase } from "../../helpers/database.ts";
import { ana, ben, chen, signProposal } from "../proposals/setup.ts";
import { createTxServiceClient } from "../../../core/tx-service/client.ts";
import { createTxServiceSync } from "../../../core/tx-service/sync.ts";
import { addBotAsDelegate, bot, botKey, startTxServiceTreasury, type TxServiceFixture } from "./setup.ts";
import { onlySafe } from "../../helpers/safe-database.ts";

const payee = getAddress("0x3333aaaa2222bbbb3333cccc4444dddd5555eeee");
const proposalPosts = (t: TxServiceFixture, hash: Hex) => t.service.calls("POST", /\/v2\/safes\/0x[0-9a-fA-F]{40}\/multisig-transactions\/$/).filter((call) => String(call.body?.contractTransactionHash).toLowerCase() === hash.toLowerCase());
const waitingPushes = (t: TxServiceFixture, hash: Hex) =>
  (connectionOf(t.ctx.db).prepare("SELECT COUNT(*) AS n FROM tx_service_pushes WHERE status = 'pending' AND safe_tx_hash = ?").get(hash) as { n: number }).n;

describe("Safe Transaction Service: pushing proposals and signatures made here", () => {
  let t: TxServiceFixture;
  before(async () => {
    t = await startTxServiceTreasury();
  });
  after(() => t?.close());

  it("without a delegate, a proposal waits for its first owner signature, then reaches the service with it", async () => {
    const sync = t.sync({ delegate: false });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "12.5", token: "USDC", payee }], proposer: "ana" });
    await sync.tick();
    assert.equal(proposalPosts(t, proposal.safeTxHash).length, 0, "nothing can be proposed without a delegate or an owner signature");
    assert.equal(t.service.transactions.has(proposal.safeTxHash), false);

    await submitSignature(t.sctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, 2) });
    t.clock.now += 10;
    await sync.tick();
    const posts = proposalPosts(t, proposal.safeTxHash);
    assert.deepEqual(posts.map((post) => post.status), [201]);
    assert.equal(getAddress(posts[0].body.sender), ben.address);
    assert.equal(posts[0].authorization, "Bearer test-api-key", "the API key goes in api-kit's Authorization header");
    const queued = t.service.transactions.get(proposal.safeTxHash)!;
    assert.equal(queued.proposer, ben.address);
    assert.deepEqual(queued.confirmations.map((confirmation) => confirmation.owner), [ben.address]);
    assert.equal(queued.value, "0");
    assert.equal(BigInt(queued.nonce), BigInt(proposal.nonce));
    assert.match(String(queued.origin), /Slack/);
    assert.equal(waitingPushes(t, proposal.safeTxHash), 0);
  });

  it("with the bot's key as a delegate, a proposal reaches the service at once, proposed by the delegate with no owner approval", async () => {
    await addBotAsDelegate(t, 1);
    assert.deepEqual(t.service.delegates.map((entry) => [entry.delegate, entry.delegator]), [[bot.address, ana.address]]);
    const sync = t.sync({ delegate: true });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "40", token: "DAI", payee }], proposer: "ana" });
    await sync.tick();
    const queued = t.service.transactions.get(proposal.safeTxHash);
    assert.ok(queued, "the proposal is in the service's queue");
    assert.equal(queued.proposer, bot.address);
    assert.equal(queued.proposedByDelegate, bot.address);
    assert.deepEqual(queued.confirmations, [], "the delegate's signature is not an approval");
    assert.equal(proposalPosts(t, proposal.safeTxHash).length, 1);
  });

  it("every signature collected here is added to the service", async () => {
    const sync = t.sync({ delegate: true });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "7", token: "USDC", payee }], proposer: "ben" });
    await sync.tick();
    await submitSignature(t.sctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, 1) });
    await submitSignature(t.sctx, { safeTxHash: proposal.safeTxHash, signature: await signProposal(t.ctx, proposal, 3) });
    await sync.tick();
    const confirmations = t.service.calls("POST", new RegExp(`/v1/multisig-transactions/${proposal.safeTxHash}/confirmations/$`));
    assert.deepEqual(confirmations.map((call) => call.status), [201, 201]);
    assert.deepEqual(new Set(t.service.transactions.get(proposal.safeTxHash)!.confirmations.map((confirmation) => confirmation.owner)), new Set([ana.address, chen.address]));
    await sync.tick();
    assert.equal(t.service.calls("POST", new RegExp(`/v1/multisig-transactions/${proposal.safeTxHash}/confirmations/$`)).length, 2, "pushed once each");
  });

  it("the fake refuses a proposal from someone who is neither an owner nor a delegate, as the real service does", async () => {
    const sync = t.sync({ delegate: false });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "1", token: "USDC", payee }], proposer: "ana" });
    // The bot's key is not an owner: its signature is no owner approval, so the push waits instead of sending it.
    await sync.tick();
    assert.equal(proposalPosts(t, proposal.safeTxHash).length, 0);
    const response = await fetch(`${t.service.url}/v2/safes/${t.ctx.safeAddress}/multisig-transactions/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...proposalBody(proposal), sender: payee, signature: await signProposal(t.ctx, proposal, 4) }),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /is not an owner or delegate/);
  });

  it("while the service is down, a push waits in the durable table; once it is back, it is pushed exactly once, also across a restart", async () => {
    await t.service.setDown("refused");
    const sync = t.sync({ delegate: true });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "99", token: "USDC", payee }], proposer: "chen" });
    await sync.tick();
    assert.equal(waitingPushes(t, proposal.safeTxHash), 1);
    await t.service.setDown("503");
    t.clock.now += 6;
    const before = t.service.requests.length;
    await sync.tick();
    assert.ok(t.service.requests.slice(before).every((request) => request.status === 503) && t.service.requests.length > before, "the service answered 503");
    assert.equal(t.service.transactions.has(proposal.safeTxHash), false);
    await sync.stop();

    // A restart: a new connection to the same database file, a new sync.
    const db = onlySafe(openDatabase({ path: t.ctx.config.DATABASE_PATH! }));
    try {
      const restarted = { ...t.sctx, db };
      await t.service.setDown(false);
      t.service.setDelay(200);
      const again = t.sync({ delegate: true, ctx: restarted });
      await again.tick();
      assert.equal(proposalPosts(t, proposal.safeTxHash).filter((post) => post.status === 201).length, 0, "the retry waits for its time");
      t.clock.now += 3600;
      await again.tick();
      await again.tick();
      t.service.setDelay(0);
      assert.deepEqual(
        proposalPosts(t, proposal.safeTxHash).filter((post) => post.status !== 503).map((post) => post.status),
        [201],
        "exactly one push once the service is back",
      );
      assert.ok(t.service.transactions.has(proposal.safeTxHash), "nothing lost");
      assert.equal(waitingPushes(t, proposal.safeTxHash), 0);
    } finally {
      closeDatabase(db);
    }
  });
});

describe("Safe Transaction Service: a slow service", () => {
  let t: TxServiceFixture;
  before(async () => {
    t = await startTxServiceTreasury();
    await addBotAsDelegate(t, 1);
  });
  after(() => t?.close());

  it("an answer slower than the timeout is retried later, and the service ends up with one transaction", async () => {
    const sync = createTxServiceSync({
      ctx: t.sctx,
      config: { SAFE_TX_SERVICE_URL: t.service.url, SAFE_TX_SERVICE_API_KEY: undefined, SAFE_TX_SERVICE_DELEGATE_KEY: botKey, SAFE_TX_SERVICE_POLL_SECONDS: 3600 },
      client: createTxServiceClient({ url: t.service.url, chainId: t.ctx.chainId, timeoutMs: 300 }),
      retryBaseSeconds: 5,
    });
    const proposal = await proposePayment(t.sctx, { payments: [{ amount: "11", token: "USDC", payee }], proposer: "ana" });
    t.service.setDelay(600);
    const slow = await sync.tick();
    assert.equal(slow.pushes.done, 0);
    assert.equal(waitingPushes(t, proposal.safeTxHash), 1, "still waiting in the durable table");
    t.service.setDelay(0);
    t.clock.now += 3600;
    await sync.tick();
    assert.equal(waitingPushes(t, proposal.safeTxHash), 0);
    assert.equal([...t.service.transactions.keys()].filter((hash) => hash === proposal.safeTxHash).length, 1);
    assert.equal(t.service.transactions.get(proposal.safeTxHash)!.proposer, bot.address);
  });
});

function proposalBody(proposal: { safeTxHash: Hex; safeTx: Record<string, unknown> }) {
  const tx = proposal.safeTx as Record<string, bigint | string | number>;
  return {
    to: tx.to,
    value: String(tx.value),
    data: tx.data,
    operation: Number(tx.operation),
    safeTxGas: String(tx.safeTxGas),
    baseGas: String(tx.baseGas),
    gasPrice: String(tx.gasPrice),
    gasToken: tx.gasToken,
    refundReceiver: tx.refundReceiver,
    nonce: Number(tx.nonce),
    contractTransactionHash: proposal.safeTxHash,
  };
}
