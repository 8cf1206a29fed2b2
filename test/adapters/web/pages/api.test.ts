import assert from "node:assert/strict";
import type { Server } from "node:http";
import {
  concat,
  createWalletClient,
  hashTypedData,
  http,
  pad,
  parseEther,
  parseUnits,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { chainFor } from "../../../../core/chain.ts";
import type { TreasuryContext } from "../../../../core/context.ts";
import { upsertMember } from "../../../../core/people/members.ts";
import { proposePayment } from "../../../../core/proposals/propose.ts";
import { safeTxTypedData, type ProposalView } from "../../../../core/proposals/view.ts";
import { createMetrics } from "../../../../adapters/web/metrics.ts";
import { createWalletPagesRouter } from "../../../../adapters/web/pages/router.ts";
import { createWebApp, listenWeb } from "../../../../adapters/web/server.ts";
import { developmentAccount } from "../../../../devchain/accounts.ts";
import { startTestChain, type TestChain } from "../../../helpers/chain.ts";
import { createTestContext } from "../../../helpers/context.ts";
import { connectionOf } from "../../../../db/connection.ts";
import { closeDatabase, isDatabaseOpen } from "../../../../db/open.ts";
import { safeTxTypes } from "../../../helpers/safe-tx-types.ts";
import { linkWallet } from "../../../helpers/wallet-links.ts";

const [ana, ben, chen] = [1, 2, 3].map((index) => developmentAccount(index));
const stranger = developmentAccount(9);
const payee: Address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

/** The Safe's own rejection of a nonce, built independently: a zero-value call from the Safe to itself with no data. */
function rejectionTypedData(chainId: number, safe: Address, nonce: number) {
  return {
    domain: { chainId, verifyingContract: safe },
    types: safeTxTypes,
    primaryType: "SafeTx" as const,
    message: {
      to: safe,
      value: 0n,
      data: "0x" as Hex,
      operation: 0,
      safeTxGas: 0n,
      baseGas: 0n,
      gasPrice: 0n,
      gasToken: zeroAddress,
      refundReceiver: zeroAddress,
      nonce: BigInt(nonce),
    },
  };
}

/** The smallest x > start for which x³ + 7 has no square root mod p: no secp256k1 point has this x. */
function notOnCurve(start: bigint): bigint {
  const p = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
  const power = (base: bigint, exponent: bigint) => {
    let result = 1n;
    let b = base % p;
    for (let e = exponent; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) result = (result * b) % p;
    return result;
  };
  for (let x = start; ; x++) if (power((x * x * x + 7n) % p, (p - 1n) / 2n) === p - 1n) return x;
}

describe("the review API's edges, over HTTP on a real chain (adapters/web/pages/router.ts)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let ctx: TreasuryContext;
  let server: Server;
  let baseUrl: string;

  before(async () => {
    chain = await startTestChain({
      owners: [ana.address, ben.address, chen.address],
      threshold: 2,
      initialFunds: { eth: parseEther("10"), tokens: { USDC: parseUnits("5000", 6) } },
    });
    ctx = createTestContext(chain);
    const app = createWebApp({ ctx, metrics: createMetrics(), routers: [createWalletPagesRouter({ ctx })] });
    server = await listenWeb(app, "127.0.0.1", 0);
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    ctx.config.PUBLIC_URL = baseUrl;
    upsertMember(ctx, { id: "U-ANA", name: "Ana Ruiz", role: "owner" });
    linkWallet(ctx.db, "U-ANA", ana.address);
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (isDatabaseOpen(ctx?.db)) closeDatabase(ctx.db);
    await chain?.stop();
  });

  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  const signatureCount = (safeTxHash: string) =>
    (connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM signatures WHERE safe_tx_hash = ?").get(safeTxHash) as { n: number }).n;
  const proposalCount = () => (connectionOf(ctx.db).prepare("SELECT count(*) AS n FROM proposals").get() as { n: number }).n;
  const rejectionsOf = (safeTxHash: string) =>
    connectionOf(ctx.db).prepare("SELECT safe_tx_hash, proposer FROM proposals WHERE rejects_safe_tx_hash = ?").all(safeTxHash) as { safe_tx_hash: string; proposer: string }[];
  const pay = (amount: string, memo: string) => proposePayment(ctx, { payments: [{ amount, token: "USDC", payee }], proposer: "Dana", memo });

  describe("item 5: proposing a rejection takes an owner's signature of it", () => {
    let payment: ProposalView;
    before(async () => {
      payment = await pay("12", "Stickers");
    });

    it("refuses a rejection that names an owner without proof: 4xx, nothing stored", async () => {
      const before = proposalCount();
      const response = await post(`/api/review/${payment.reviewToken}/reject`, { address: ana.address, chainId: ctx.chainId });
      assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
      assert.match(((await response.json()) as { error: string }).error, /signature/);
      assert.equal(proposalCount(), before);
      assert.deepEqual(rejectionsOf(payment.safeTxHash), []);
    });

    it("refuses a rejection signed by a non-owner, or with an owner's signature of something else: 422, nothing stored", async () => {
      const before = proposalCount();
      const typedData = rejectionTypedData(ctx.chainId, ctx.safeAddress, payment.nonce);
      const byStranger = await post(`/api/review/${payment.reviewToken}/reject`, {
        signature: await stranger.signTypedData(typedData),
        address: stranger.address,
        chainId: ctx.chainId,
      });
      assert.equal(byStranger.status, 422);
      assert.match(((await byStranger.json()) as { error: string }).error, /not an owner/);
      // Ana's approval of the payment itself is not a signature of its rejection.
      const approvalOfPayment = await ana.signTypedData(safeTxTypedData(ctx, payment));
      const wrongMessage = await post(`/api/review/${payment.reviewToken}/reject`, { signature: approvalOfPayment, address: ana.address, chainId: ctx.chainId });
      assert.equal(wrongMessage.status, 422);
      assert.equal(proposalCount(), before);
      assert.deepEqual(rejectionsOf(payment.safeTxHash), []);
      assert.equal(signatureCount(payment.safeTxHash), 0);
    });

    it("item 6: an owner's signed Reject on a proposal nobody signed cancels it off-chain: no rejection stored, nothing sent", async () => {
      const unsigned = await pay("2", "Tape");
      const blockBefore = await chain.client.getBlockNumber();
      const response = await post(`/api/review/${unsigned.reviewToken}/reject`, {
        signature: await ben.signTypedData(rejectionTypedData(ctx.chainId, ctx.safeAddress, unsigned.nonce)),
        address: ben.address,
        chainId: ctx.chainId,
      });
      assert.equal(response.status, 200, await response.clone().text());
      const body = (await response.json()) as { action: string; status: string; message: string };
      assert.deepEqual([body.action, body.status], ["cancel", "cancelled"]);
      assert.match(body.message, /cancelled off-chain: no on-chain rejection, no gas/);
      assert.deepEqual(rejectionsOf(unsigned.safeTxHash), []);
      assert.equal((connectionOf(ctx.db).prepare("SELECT status FROM proposals WHERE safe_tx_hash = ?").get(unsigned.safeTxHash) as { status: string }).status, "cancelled");
      assert.equal(await chain.client.getBlockNumber(), blockBefore);
    });

    it("creates the rejection with the signing owner as proposer and their signature as its first approval", async () => {
      // Someone has signed the payment, so it stays executable: rejecting it takes the Safe's on-chain rejection.
      const approved = await post(`/api/review/${payment.reviewToken}/signatures`, {
        signature: await chen.signTypedData(safeTxTypedData(ctx, payment)),
        address: chen.address,
        chainId: ctx.chainId,
      });
      assert.equal(approved.status, 200, await approved.clone().text());
      const typedData = rejectionTypedData(ctx.chainId, ctx.safeAddress, payment.nonce);
      const offered = (await (await fetch(`${baseUrl}/api/review/${payment.reviewToken}/rejection/typed-data`)).json()) as {
        domain: { chainId: number; verifyingContract: string };
        message: Record<string, string | number>;
      };
      assert.equal(Number(offered.domain.chainId), ctx.chainId);
      assert.equal(offered.domain.verifyingContract, ctx.safeAddress);
      assert.deepEqual(
        Object.fromEntries(Object.entries(offered.message).map(([key, value]) => [key, String(value)])),
        Object.fromEntries(Object.entries(typedData.message).map(([key, value]) => [key, String(value)])),
      );

      const response = await post(`/api/review/${payment.reviewToken}/reject`, {
        signature: await ana.signTypedData(typedData),
        address: ana.address,
        chainId: ctx.chainId,
      });
      assert.equal(response.status, 200, await response.clone().text());
      const body = (await response.json()) as { safeTxHash: string; reviewUrl: string; approvals: number };
      assert.equal(body.safeTxHash, hashTypedData(typedData));
      const [rejection] = rejectionsOf(payment.safeTxHash);
      assert.equal(rejection.safe_tx_hash, body.safeTxHash);
      assert.equal(rejection.proposer, "Ana Ruiz");
      const approvals = connectionOf(ctx.db).prepare("SELECT owner FROM signatures WHERE safe_tx_hash = ?").all(body.safeTxHash) as { owner: string }[];
      assert.deepEqual(approvals.map((row) => row.owner), [ana.address]);
      assert.equal(body.approvals, 1);

      // A second owner's signature of the same rejection is an approval of it, not a second rejection.
      const again = await post(`/api/review/${payment.reviewToken}/reject`, { signature: await ben.signTypedData(typedData), chainId: ctx.chainId });
      assert.equal(again.status, 200);
      assert.equal(rejectionsOf(payment.safeTxHash).length, 1);
      assert.equal(signatureCount(body.safeTxHash), 2);
    });
  });

  describe("item 11: malformed signatures are refused with a reason", () => {
    let payment: ProposalView;
    before(async () => {
      payment = await pay("13", "Paper");
    });

    it("refuses a 129-hex-digit signature instead of repairing it (422, nothing stored)", async () => {
      const good = await ana.signTypedData(safeTxTypedData(ctx, payment));
      const v = Number.parseInt(good.slice(130), 16);
      // r ‖ s ‖ one digit: "0" or "1" is read as v 0/1 and quietly turned into 27/28 if the length is not checked.
      const short = `${good.slice(0, 130)}${v - 27}`;
      assert.equal(short.length - 2, 129);
      const response = await post(`/api/review/${payment.reviewToken}/signatures`, { signature: short, address: ana.address, chainId: ctx.chainId });
      assert.equal(response.status, 422);
      const body = (await response.json()) as { error: string; reason: string };
      assert.equal(body.reason, "malformed");
      assert.match(body.error, /129/);
      assert.equal(signatureCount(payment.safeTxHash), 0);
      // The same signature written in full is accepted.
      const full = await post(`/api/review/${payment.reviewToken}/signatures`, { signature: good, address: ana.address, chainId: ctx.chainId });
      assert.equal(full.status, 200);
      assert.equal(signatureCount(payment.safeTxHash), 1);
    });

    it("answers contract-signature (v=0) and approved-hash (v=1) forms, and an r off the curve, with 422 and the reason", async () => {
      const offCurve = notOnCurve(1n << 200n);
      const forms: Array<[string, Hex]> = [
        ["contract signature, v=0", concat([pad(ben.address, { size: 32 }), toHex(65, { size: 32 }), "0x00"])],
        ["approved hash, v=1", concat([pad(ben.address, { size: 32 }), toHex(0, { size: 32 }), "0x01"])],
        ["r not on the curve, v=0", concat([toHex(offCurve, { size: 32 }), toHex(1234, { size: 32 }), "0x00"])],
        ["r not on the curve, v=27", concat([toHex(offCurve, { size: 32 }), toHex(1234, { size: 32 }), "0x1b"])],
        ["r not on the curve, v=31 (eth_sign)", concat([toHex(offCurve, { size: 32 }), toHex(1234, { size: 32 }), "0x1f"])],
      ];
      for (const [what, signature] of forms) {
        const response = await post(`/api/review/${payment.reviewToken}/signatures`, { signature, chainId: ctx.chainId });
        assert.equal(response.status, 422, what);
        const body = (await response.json()) as { error: string; reason: string };
        assert.equal(body.reason, "malformed", what);
        assert.notEqual(body.error, "Internal error", what);
      }
      assert.equal(signatureCount(payment.safeTxHash), 1, "only Ana's earlier approval");
    });
  });

  describe("item 11: an execution reported with an unknown or unmined transaction hash", () => {
    // A generous bound, far under the 120 s the old code waited: it catches a hang, it does not measure speed.
    const hangGuard = () => AbortSignal.timeout(30_000);

    it("answers 'not found' for a transaction hash the chain does not know, without waiting for a receipt", async () => {
      const payment = await pay("14", "Tape");
      const unknown = toHex(0x5eedn, { size: 32 });
      const response = await post(`/api/review/${payment.reviewToken}/executed`, { txHash: unknown }, hangGuard());
      assert.equal(response.status, 404);
      const body = (await response.json()) as { status: string; error: string };
      assert.equal(body.status, "not_found");
      assert.match(body.error, /does not know transaction/);
      const row = connectionOf(ctx.db).prepare("SELECT status FROM proposals WHERE safe_tx_hash = ?").get(payment.safeTxHash) as { status: string };
      assert.equal(row.status, "pending");
    });

    it("answers 'pending' while the owner's execution is not mined, then 'executed' once it is", async () => {
      // On the Safe's current nonce, so that it can execute now (the proposals above wait on earlier nonces).
      const safeNonce = await chain.client.readContract({
        address: ctx.safeAddress,
        abi: [{ type: "function", name: "nonce", stateMutability: "view", inputs: [], outputs: [{ type: "uint256" }] }],
        functionName: "nonce",
      });
      const payment = await proposePayment(ctx, { payments: [{ amount: "15", token: "USDC", payee }], proposer: "Dana", memo: "Glue", nonce: Number(safeNonce) });
      for (const owner of [ana, ben] as LocalAccount[]) {
        const response = await post(`/api/review/${payment.reviewToken}/signatures`, {
          signature: await owner.signTypedData(safeTxTypedData(ctx, payment)),
          chainId: ctx.chainId,
        });
        assert.equal(response.status, 200);
      }
      const callResponse = await fetch(`${baseUrl}/api/review/${payment.reviewToken}/execution-call`);
      assert.equal(callResponse.status, 200, await callResponse.clone().text());
      const call = (await callResponse.json()) as { to: Address; data: Hex };
      const wallet = createWalletClient({ account: chen, chain: chainFor(ctx.chainId, chain.node.url), transport: http(chain.node.url) });
      await chain.client.request({ method: "evm_setAutomine" as never, params: [false] as never });
      try {
        const txHash = await wallet.sendTransaction({ to: call.to, data: call.data, value: 0n, gas: 500_000n });
        const pending = await post(`/api/review/${payment.reviewToken}/executed`, { txHash }, hangGuard());
        assert.equal(pending.status, 202);
        assert.equal(((await pending.json()) as { status: string }).status, "pending");
        await chain.client.request({ method: "evm_mine" as never });
        const mined = await post(`/api/review/${payment.reviewToken}/executed`, { txHash }, hangGuard());
        assert.equal(mined.status, 200);
        const body = (await mined.json()) as { status: string; success: boolean };
        assert.deepEqual([body.status, body.success], ["executed", true]);
      } finally {
        await chain.client.request({ method: "evm_setAutomine" as never, params: [true] as never });
      }
      const row = connectionOf(ctx.db).prepare("SELECT status FROM proposals WHERE safe_tx_hash = ?").get(payment.safeTxHash) as { status: string };
      assert.equal(row.status, "executed");
    });
  });
});
